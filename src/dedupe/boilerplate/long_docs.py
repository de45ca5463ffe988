"""Units of long documents, their lines split a window at a time: memory bounded by the window.

:func:`.units.prepare` holds per-line arrays of the whole batch (offsets, keys, word counts,
shapes: about 90 bytes a line, and as much again in temporaries), so one record of 12 million
short lines would cost gigabytes. :func:`prepare_bounded` gives the same :class:`~.units.Units`
(tests compare them field by field), but segments every text longer than ``LONG_CHARS``
characters, or of more than ``MIN_UNITS`` lines shorter than ``CHARS_PER_LINE`` on average, alone,
a window of about ``WINDOW_CHARS`` characters at a time (:func:`dedupe.blocks.split_windows`), in
two passes:

1. the document's widest line and its breaks inside sentences (a width histogram), which say
   whether the document is hard-wrapped (skipped with ``unwrap=False``, and stopped at the first
   line too wide for wrapped text);
2. the units, window by window: a unit still open at a window's end (a wrapped paragraph goes on
   in the next window) is carried as partial sums, since a unit key is a sum of mixed line keys.

Only per-unit values survive a window, and a *reduced* :class:`~dedupe.blocks.LineTable`: the
first and last row of every unit, and of every run of blank rows its first and last row and its
first and last row that is not whitespace. Those are all the rows that the rules, the spans and
the removal of blank lines read, in the same order, so they give the same results; the reduced
table has no shapes, and for a unit of several lines its first row's normalized text holds the
unit's lines but the last (near-exact signatures join them back).

Memory of a long document: the window's per-line arrays and temporaries (a few hundred bytes a
line of one window, about 50 MB for ``WINDOW_CHARS`` of the shortest lines) plus under 100 bytes
per unit kept (per-unit arrays and up to two reduced rows, int32 where the text allows),
independent of the number of lines inside units. A record of 12.5 million short lines that form
one wrapped paragraph keeps one unit. A text found to hold more units than :func:`unit_budget`
allows (``MIN_UNITS``, or one per ``CHARS_PER_UNIT`` characters past that, at most ``MAX_UNITS``)
is dropped as soon as it passes that count: it has no units (``Units.skipped``), so it is neither
counted nor searched, and is kept whole. So what one text holds for boilerplate is at most about
10 times its size, or about 20 MB, whichever is more.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._typing import BoolArray, HashArray, IntArray
from ..blocks import LineTable, split_windows
from ..config import BoilerplateConfig
from ..hashing import fmix64
from ..line_shapes import LineShapes
from ..shingles import _check_texts
from . import units as _units
from .counts import combine
from .units import PositionType, Units, group_keys, label_array, position_type, segment

__all__ = [
    "CHARS_PER_LINE", "CHARS_PER_UNIT", "LONG_CHARS", "MAX_UNITS", "MIN_UNITS", "WINDOW_CHARS", "line_bound",
    "long_units", "prepare_bounded", "prepare_keyed", "unit_budget",
]  # fmt: skip

#: Texts longer than this (characters) are segmented a window at a time.
LONG_CHARS = 1 << 20
#: Characters per window (a window holds a longer line whole).
WINDOW_CHARS = 1 << 16
#: A text with more units than :func:`unit_budget` gives it is not searched for boilerplate (it is
#: kept whole, and the pipeline's report names it): what segmenting and the rules hold for one text
#: is about 205 bytes a unit at the peak, so the budget keeps it within about 10 times the text, or
#: about 20 MB for a text of up to ``MIN_UNITS`` units, and never over about 220 MB (``MAX_UNITS``).
MAX_UNITS = 1 << 20
#: Every text of up to this many units is searched, whatever its size.
MIN_UNITS = 1 << 16
#: Past ``MIN_UNITS``, a text is searched while it has at least this many characters per unit.
CHARS_PER_UNIT = 21
#: A text of more than ``MIN_UNITS`` lines and fewer characters per line than this is segmented a
#: window at a time however long it is: the batch path holds about 285 bytes a line at the peak.
CHARS_PER_LINE = 28


def unit_budget(n_chars: int) -> int:
    """The most units a text of ``n_chars`` characters may hold and still be searched for boilerplate.

    >>> unit_budget(3_000), unit_budget(3_000_000), unit_budget(300_000_000)
    (65536, 142857, 1048576)
    """
    return min(MAX_UNITS, max(MIN_UNITS, n_chars // CHARS_PER_UNIT))


def line_bound(text: str) -> int:
    """A bound on the lines of ``text``, never short: one more than its ``\\n`` and ``\\r`` (a
    ``\\r\\n`` counts twice).

    >>> line_bound("a\\nb\\r\\nc"), line_bound("")
    (4, 1)
    """
    lines = text.count("\n") + 1
    if "\r" in text:
        lines += text.count("\r")
    return lines


def _windowed(text: str) -> bool:
    """Whether ``text`` is segmented a window at a time: over ``LONG_CHARS`` characters, or over
    ``MIN_UNITS`` lines (:func:`line_bound`) of under ``CHARS_PER_LINE`` characters on average
    (counted only past ``MIN_UNITS`` characters: a text has at most one line more)."""
    n = len(text)
    if n > LONG_CHARS:
        return True
    if n < MIN_UNITS:
        return False
    return line_bound(text) > max(MIN_UNITS, n // CHARS_PER_LINE)

_ROW_FIELDS = ("starts", "ends", "next_starts", "keys", "n_words", "paragraphs")


def prepare_bounded(
    texts: Iterable[str],
    groups: Sequence[Hashable] | None,
    labels: Sequence[int] | NDArray[Any] | None,
    config: BoilerplateConfig,
) -> Units:
    """:func:`.units.prepare`, with every long text (over ``LONG_CHARS`` characters, or of many
    short lines) segmented a window at a time.

    The other texts go through :func:`.units.segment` together (runs of them between long texts),
    so a batch without long texts is exactly the batch path.
    """
    docs = _check_texts(texts)
    return prepare_keyed(docs, group_keys(groups, len(docs)), label_array(labels, len(docs)), config)


def prepare_keyed(docs: list[str], doc_groups: HashArray, doc_labels: IntArray, config: BoilerplateConfig) -> Units:
    """:func:`prepare_bounded` of checked ``docs`` with their groups' keys and labels (one per document)."""
    is_long = [_windowed(text) for text in docs]
    if not any(is_long):
        return segment(docs, doc_groups, doc_labels, config)
    parts: list[Units] = []
    lo = 0
    while lo < len(docs):
        hi = lo + 1
        if is_long[lo]:
            parts.append(long_units(docs[lo], doc_groups[lo:hi], doc_labels[lo:hi], config))
        else:
            while hi < len(docs) and not is_long[hi]:
                hi += 1
            parts.append(segment(docs[lo:hi], doc_groups[lo:hi], doc_labels[lo:hi], config))
        lo = hi
    return _concat(parts, docs, doc_groups, doc_labels)


def _concat(parts: list[Units], docs: list[str], doc_groups: HashArray, doc_labels: IntArray) -> Units:
    """The units of consecutive batches as one batch (rows, documents and paragraphs renumbered)."""
    if len(parts) == 1:
        return parts[0]
    row_base = np.cumsum([0] + [len(p.table) for p in parts])[:-1]
    doc_base = np.cumsum([0] + [len(p.texts) for p in parts])[:-1]
    para_base = np.cumsum([0] + [int(p.table.paragraphs.max(initial=-1)) + 1 for p in parts])[:-1]
    tables = [p.table for p in parts]
    paragraphs = [
        np.where(t.paragraphs >= 0, t.paragraphs + base, -1) for t, base in zip(tables, para_base, strict=True)
    ]
    normalized: list[bytes] | None = None
    if all(t.normalized is not None for t in tables):
        normalized = [row for t in tables for row in (t.normalized or [])]
    table = LineTable(
        doc_offsets=np.concatenate(
            [[0]] + [t.doc_offsets[1:] + base for t, base in zip(tables, row_base, strict=True)]
        ),
        starts=np.concatenate([t.starts for t in tables]),
        ends=np.concatenate([t.ends for t in tables]),
        next_starts=np.concatenate([t.next_starts for t in tables]),
        keys=np.concatenate([t.keys for t in tables]),
        n_words=np.concatenate([t.n_words for t in tables]),
        paragraphs=np.concatenate(paragraphs),
        trim_rows=np.concatenate([t.trim_rows + base for t, base in zip(tables, row_base, strict=True)]),
        trim_keys=np.concatenate([t.trim_keys for t in tables]),
        trim_words=np.concatenate([t.trim_words for t in tables]),
        normalized=normalized,
    )

    def cat(name: str, base: IntArray | None = None) -> Any:
        if base is None:
            return np.concatenate([getattr(p, name) for p in parts])
        return np.concatenate([getattr(p, name) + b for p, b in zip(parts, base, strict=True)])

    keys = cat("keys")
    return Units(
        texts=docs,
        table=table,
        rows=cat("rows", row_base),
        last_rows=cat("last_rows", row_base),
        doc=cat("doc", doc_base),
        keys=keys,
        ckeys=keys,
        xkeys=cat("xkeys"),
        data=cat("data"),
        sentence=cat("sentence"),
        words=cat("words"),
        doc_groups=doc_groups,
        doc_labels=doc_labels,
        skipped=cat("skipped"),
    )


def _wrap(text: str, config: BoilerplateConfig) -> tuple[int, bool]:
    """The document's widest line and whether it is hard-wrapped, as ``_wrapped_docs`` decides (pass 1).

    Breaks are counted in a histogram of the widths of the lines they follow, so ``full`` (a width
    against the widest line, known only at the end) is applied once, to the histogram.
    """
    if not config.unwrap:
        return 0, False
    top = _units._MAX_WIDTH
    widest = 0
    breaks = np.zeros(top + 1, dtype=np.int64)  # pairs of consecutive non-blank lines, by the first one's width
    wraps = np.zeros(top + 1, dtype=np.int64)  # of those, the breaks inside a sentence
    last: tuple[int, bool] | None = None  # the previous window's last non-blank line: width, sentence end
    for table in split_windows(text, window_chars=WINDOW_CHARS, seed=config.seed, shapes=True, keys=False):
        assert table.shapes is not None
        lines = np.flatnonzero(table.n_words > 0)
        if len(lines) == 0:
            continue
        width = table.shapes.width[lines]
        widest = max(widest, int(width.max()))
        if widest > top:  # too wide for wrapped text
            return widest, False
        ends = table.shapes.sentence_end[lines]
        lower = table.shapes.lower_start[lines]
        if last is not None:
            width, ends = np.append(last[0], width), np.append(last[1], ends)
            lower = np.append(False, lower)
        breaks += np.bincount(width[:-1], minlength=top + 1)
        inside = ~ends[:-1] & lower[1:]
        wraps += np.bincount(width[:-1][inside], minlength=top + 1)
        last = int(width[-1]), bool(ends[-1])
    full = np.arange(top + 1) >= _units._FULL * widest
    n_breaks, n_wraps = int(breaks[full].sum()), int(wraps[full].sum())
    return widest, n_wraps >= _units._MIN_WRAPS and 4 * n_wraps >= n_breaks


@dataclass
class _Segments:
    """Runs of consecutive lines of one unit each (a whole unit, or the part of one in a window)."""

    first_row: IntArray
    last_row: IntArray
    n_lines: IntArray
    sum_keys: HashArray  # sum of fmix64(combine(line key, position in the unit))
    sum_xkeys: HashArray
    key0: HashArray  # the first line's key (a one-line unit's key)
    xkey0: HashArray
    words: IntArray
    numbers: IntArray
    sentence: BoolArray  # the last line ends a sentence

    def take(self, index: slice) -> _Segments:
        return _Segments(*(getattr(self, f.name)[index] for f in fields(self)))

    def extend(self, more: _Segments) -> None:
        """Append the one segment ``more`` (its positions already count this one's lines)."""
        self.last_row, self.sentence = more.last_row, more.sentence
        self.n_lines = self.n_lines + more.n_lines
        self.sum_keys = self.sum_keys + more.sum_keys
        self.sum_xkeys = self.sum_xkeys + more.sum_xkeys
        self.words, self.numbers = self.words + more.words, self.numbers + more.numbers

    def closed(self) -> _Units:
        """These segments as whole units (each one's keys final)."""
        single = self.n_lines == 1
        keys = np.where(single, self.key0, fmix64(self.sum_keys))
        xkeys = np.where(single, self.xkey0, fmix64(self.sum_xkeys))
        return _Units(self.first_row, self.last_row, keys, xkeys, self.words, self.numbers, self.sentence)


@dataclass
class _Units:
    """Whole units of the document (rows are global row numbers)."""

    first_row: IntArray
    last_row: IntArray
    keys: HashArray
    xkeys: HashArray
    words: IntArray
    numbers: IntArray
    sentence: BoolArray


@dataclass
class _Rows:
    """Rows of the reduced table: global row numbers and the table's values at them."""

    rows: IntArray
    values: dict[str, NDArray[Any]]
    normalized: list[bytes] | None

    @classmethod
    def at(cls, table: LineTable, local: IntArray, base: int, paragraphs: IntArray, narrow: PositionType) -> _Rows:
        """Rows ``local`` of the window whose first row is ``base``; positions and counts as ``narrow``."""
        values = {name: _narrowed(getattr(table, name)[local], narrow) for name in _ROW_FIELDS[:-1]}
        values["paragraphs"] = paragraphs[local].astype(narrow)
        normalized = None if table.normalized is None else [table.normalized[i] for i in local.tolist()]
        return cls((local + base).astype(narrow), values, normalized)


@dataclass
class _State:
    """What pass 2 carries from one window to the next, and what it has kept so far."""

    widest: int
    wrapped: bool
    near: bool
    # Rows, offsets and counts of one text under 2**31 characters fit in int32: what the windows
    # keep (a row or two and the sums of every unit) is half the memory of int64.
    narrow: PositionType
    row_base: int = 0
    paragraphs: int = 0  # paragraphs begun so far
    prev_blank: bool = True  # the previous row has no word (True at the document's start)
    last_shape: LineShapes | None = None  # the last non-blank line so far, and its row
    last_row: _Rows | None = None
    open: _Segments | None = None  # the unit that the next window's first line may continue
    open_parts: list[bytes] | None = None  # with near-exact grouping: the open unit's normalized lines
    done: list[_Units] | None = None
    kept: list[_Rows] | None = None
    trims: list[tuple[IntArray, HashArray, IntArray]] | None = None
    prefixes: list[tuple[int, bytes]] | None = None  # (first row, normalized lines but the last) of longer units


def long_units(text: str, doc_groups: HashArray, doc_labels: IntArray, config: BoilerplateConfig) -> Units:
    """The units of one text, as ``segment([text], ...)`` makes them, a window of lines at a time."""
    widest, wrapped = _wrap(text, config)
    near, narrow = config.near_threshold is not None, position_type(len(text))
    state = _State(widest, wrapped, near, narrow, done=[], kept=[], trims=[], prefixes=[])
    windows = split_windows(
        text,
        window_chars=WINDOW_CHARS,
        seed=config.seed,
        trim_words=config.trim_words,
        trim_min_kept=config.trim_min_kept,
        trim_max_words=config.trim_max_words,
        keep_normalized=state.near,
        shapes=True,
    )
    done = state.done
    assert done is not None
    held, seen, budget = 0, 0, unit_budget(len(text))  # units closed so far, the parts of ``done`` counted
    for table in itertools.chain(windows, [None]):  # None: the end, where the open unit closes
        if table is None:
            _close_open(state)
        else:
            _window(state, table, text)
            state.row_base += len(table)
        held += sum(len(u.first_row) for u in done[seen:])
        seen = len(done)
        if held > budget:
            return _skipped(text, doc_groups, doc_labels)
    return _finish(state, text, doc_groups, doc_labels)


def _window(state: _State, table: LineTable, text: str) -> None:
    """Add one window's rows: paragraphs, blank runs, and its units (the last one left open)."""
    assert state.kept is not None and state.done is not None and table.shapes is not None
    blank = table.n_words == 0
    begins = ~blank & np.append(state.prev_blank, blank[:-1])
    paragraphs = state.paragraphs + np.cumsum(begins) - 1
    paragraphs[blank] = -1
    state.paragraphs += int(begins.sum())
    state.prev_blank = bool(blank[-1])
    state.kept.append(_Rows.at(table, _blank_rows_kept(table, blank, text), state.row_base, paragraphs, state.narrow))
    lines = np.flatnonzero(~blank)
    if len(lines) == 0:
        return
    shape = table.shapes.take(lines)
    first = _unit_starts(state, shape, lines + state.row_base)
    segs, starts = _segments(table, shape, lines, first, state)
    ends = np.append(starts[1:], len(lines)) - 1
    cont = not first[0]  # the first line continues the open unit
    if not cont:
        _close_open(state)
    if state.near:
        _near_parts(state, table, lines, starts, ends, cont)
    new = slice(1 if cont else 0, len(starts))  # runs that start a unit
    # Rows kept: the first line of every unit that starts here, the last of every unit that ends here
    # (a one-line unit's is its first; the open unit's last line is kept when it closes).
    longer = segs.n_lines[:-1] > 1
    if cont:
        longer[:1] = True
    kept_lines = np.union1d(lines[starts[new]], lines[ends[:-1][longer]])
    state.kept.append(_Rows.at(table, kept_lines, state.row_base, paragraphs, state.narrow))
    _keep_trims(state, table, lines[starts[new]])
    if cont:
        assert state.open is not None
        state.open.extend(segs.take(slice(0, 1)))
        if len(starts) > 1:  # ... and ends in this window
            state.done.append(state.open.closed())
            state.open = None
    state.done.append(segs.take(slice(new.start, len(starts) - 1)).closed())
    if state.open is None:
        state.open = segs.take(slice(len(starts) - 1, len(starts)))
    state.last_shape = shape.take(slice(len(lines) - 1, len(lines)))
    state.last_row = _Rows.at(table, lines[-1:], state.row_base, paragraphs, state.narrow)


def _unit_starts(state: _State, shape: LineShapes, rows: IntArray) -> BoolArray:
    """Which of a window's non-blank lines start a unit (the first one may continue the open unit)."""
    if state.last_shape is not None and state.last_row is not None:
        shape = LineShapes(*(np.concatenate([getattr(state.last_shape, f.name), getattr(shape, f.name)])
                             for f in fields(LineShapes)))  # fmt: skip
        rows = np.concatenate([state.last_row.rows, rows])
    doc = np.zeros(len(rows), dtype=np.int64)
    wrapped = np.array([state.wrapped])
    joins = _units._joins(shape, doc, rows, wrapped, np.array([state.widest], dtype=np.int64))
    if state.last_shape is None:
        joins = np.concatenate([[False], joins])
    first: BoolArray = ~joins[:-1]
    return first


def _segments(
    table: LineTable, shape: LineShapes, lines: IntArray, first: BoolArray, state: _State
) -> tuple[_Segments, IntArray]:
    """The window's runs of lines of one unit each, and each run's first line (an index of ``lines``)."""
    n = len(lines)
    cut = first.copy()
    cut[0] = True
    starts = np.flatnonzero(cut)
    seg_of = np.cumsum(cut) - 1
    pos = np.arange(n, dtype=np.int64) - starts[seg_of]
    if not first[0] and state.open is not None:
        pos[seg_of == 0] += int(state.open.n_lines[0])
    keys = table.keys[lines]
    xkeys = np.where(shape.digits != 0, keys ^ fmix64(shape.digits), keys)
    ends = np.append(starts[1:], n) - 1
    narrow = state.narrow
    segs = _Segments(
        first_row=(lines[starts] + state.row_base).astype(narrow),
        last_row=(lines[ends] + state.row_base).astype(narrow),
        n_lines=np.diff(np.append(starts, n)).astype(narrow),
        sum_keys=np.add.reduceat(fmix64(combine(keys, pos)), starts),
        sum_xkeys=np.add.reduceat(fmix64(combine(xkeys, pos)), starts),
        key0=keys[starts],
        xkey0=xkeys[starts],
        words=np.add.reduceat(table.n_words[lines], starts).astype(narrow),
        numbers=np.add.reduceat(shape.numbers, starts).astype(narrow),
        sentence=shape.sentence_end[ends],
    )
    return segs, starts


def _close_open(state: _State) -> None:
    """The open unit ends (the next line does not continue it): keep it and its last row."""
    if state.open is None:
        return
    assert state.done is not None and state.kept is not None and state.last_row is not None
    state.done.append(state.open.closed())
    state.kept.append(state.last_row)
    if state.near and state.open_parts is not None and len(state.open_parts) > 1:
        assert state.prefixes is not None
        state.prefixes.append((int(state.open.first_row[0]), b" ".join(state.open_parts[:-1])))
    state.open, state.open_parts = None, None


def _near_parts(state: _State, table: LineTable, lines: IntArray, starts: IntArray, ends: IntArray, cont: bool) -> None:
    """Normalized lines of the window's units: the prefix of every longer unit that ends here; the open unit's lines."""
    assert table.normalized is not None and state.prefixes is not None
    norm = table.normalized
    local = lines.tolist()
    last = len(starts) - 1
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        parts = [norm[i] for i in local[a : b + 1]]
        first_row = local[a] + state.row_base
        if k == 0 and cont and state.open is not None:
            parts = (state.open_parts or []) + parts
            first_row = int(state.open.first_row[0])
        if k == last:  # open: the next window may add lines
            state.open_parts = parts
        elif len(parts) > 1:
            state.prefixes.append((first_row, b" ".join(parts[:-1])))


def _keep_trims(state: _State, table: LineTable, unit_rows: IntArray) -> None:
    """Keep the trimmed keys of the lines that start a unit (only one-line units use them)."""
    assert state.trims is not None
    mine = np.isin(table.trim_rows, unit_rows)
    rows, words = table.trim_rows[mine] + state.row_base, table.trim_words[mine]
    state.trims.append((rows.astype(state.narrow), table.trim_keys[mine], words.astype(state.narrow)))


def _blank_rows_kept(table: LineTable, blank: BoolArray, text: str) -> IntArray:
    """Rows without words that removals may read: per run, its first and last row and its first
    and last row that is not whitespace (a line of control characters stops a removal)."""
    idx = np.flatnonzero(blank)
    if len(idx) == 0:
        return idx
    lo, hi = table.starts[idx].tolist(), table.ends[idx].tolist()
    space = np.fromiter((text[a:b].strip() == "" for a, b in zip(lo, hi, strict=True)), dtype=bool, count=len(idx))
    run_start = np.ones(len(idx), dtype=bool)
    run_start[1:] = idx[1:] != idx[:-1] + 1
    keep = run_start.copy()
    keep[:-1] |= run_start[1:]  # the last row of each run
    keep[-1] = True
    solid = np.flatnonzero(~space)
    if len(solid):
        run = (np.cumsum(run_start) - 1)[solid]
        change = run[1:] != run[:-1]
        keep[solid[np.concatenate([[True], change])]] = True
        keep[solid[np.concatenate([change, [True]])]] = True
    out: IntArray = idx[keep]
    return out


def _finish(state: _State, text: str, doc_groups: HashArray, doc_labels: IntArray) -> Units:
    """The units and the reduced table: kept rows in order (each once), units' rows renumbered.

    The kept parts are joined a field at a time and released as they are copied.
    """
    assert state.kept is not None and state.done is not None and state.trims is not None
    kept, done = state.kept, state.done or [_empty_units()]
    all_rows = np.concatenate([k.rows for k in kept])
    order = np.argsort(all_rows, kind="stable")
    sorted_rows = all_rows[order]
    once = np.ones(len(order), dtype=bool)
    once[1:] = sorted_rows[1:] != sorted_rows[:-1]
    rows, pick = sorted_rows[once], order[once]
    del all_rows, order, sorted_rows, once
    narrow = state.narrow  # the rules index and compare positions only
    values = {name: _drain([k.values for k in kept], name)[pick] for name in _ROW_FIELDS}
    normalized: list[bytes] | None = None
    if state.near:
        every = [row for k in kept for row in (k.normalized or [])]
        normalized = [every[i] for i in pick.tolist()]
        for row, prefix in state.prefixes or []:
            normalized[int(np.searchsorted(rows, row))] = prefix
    kept.clear()
    trim_rows = np.concatenate([np.zeros(0, np.int64)] + [t[0] for t in state.trims])
    table = LineTable(
        doc_offsets=np.array([0, len(rows)], dtype=np.int64),
        trim_rows=np.searchsorted(rows, trim_rows).astype(np.int64),
        trim_keys=np.concatenate([np.zeros(0, np.uint64)] + [t[1] for t in state.trims]),
        trim_words=np.concatenate([np.zeros(0, np.int64)] + [t[2] for t in state.trims]),
        normalized=normalized,
        starts=values["starts"],
        ends=values["ends"],
        next_starts=values["next_starts"],
        keys=values["keys"],
        n_words=values["n_words"],
        paragraphs=values["paragraphs"],
    )
    del values
    first_row = np.searchsorted(rows, _drain_units(done, "first_row")).astype(narrow)
    last_row = np.searchsorted(rows, _drain_units(done, "last_row")).astype(narrow)
    keys, words, numbers = _drain_units(done, "keys"), _drain_units(done, "words"), _drain_units(done, "numbers")
    return Units(
        texts=[text],
        table=table,
        rows=first_row,
        last_rows=last_row,
        doc=np.zeros(len(keys), dtype=narrow),
        keys=keys,
        ckeys=keys,
        xkeys=_drain_units(done, "xkeys"),
        data=(numbers > 0) & (numbers >= (words + 2) // 3),  # 3 * numbers >= words, without overflow
        sentence=_drain_units(done, "sentence"),
        words=words.astype(narrow, copy=False),
        doc_groups=doc_groups,
        doc_labels=doc_labels,
        skipped=np.zeros(1, dtype=bool),
    )


def _skipped(text: str, doc_groups: HashArray, doc_labels: IntArray) -> Units:
    """The units of a text with more than :func:`unit_budget` units: none (its boilerplate is not searched)."""
    none, no_keys = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    table = LineTable(
        doc_offsets=np.zeros(2, dtype=np.int64), starts=none, ends=none, next_starts=none, keys=no_keys,
        n_words=none, paragraphs=none, trim_rows=none, trim_keys=no_keys, trim_words=none, normalized=None,
    )  # fmt: skip
    flags = np.zeros(0, dtype=bool)
    return Units(
        texts=[text], table=table, rows=none, last_rows=none, doc=none, keys=no_keys, ckeys=no_keys,
        xkeys=no_keys, data=flags, sentence=flags, words=none, doc_groups=doc_groups, doc_labels=doc_labels,
        skipped=np.ones(1, dtype=bool),
    )  # fmt: skip


def _narrowed(values: NDArray[Any], narrow: PositionType) -> NDArray[Any]:
    """``values`` as ``narrow`` when it is a signed integer array (hashes stay uint64)."""
    return values.astype(narrow) if values.dtype.kind == "i" else values


def _drain(items: list[dict[str, NDArray[Any]]], name: str) -> NDArray[Any]:
    """Array ``name`` of every item joined; each item's is released once copied."""
    out = np.concatenate([item[name] for item in items])
    for item in items:
        item[name] = item[name][:0].copy()
    return out


def _drain_units(items: list[_Units], name: str) -> NDArray[Any]:
    """Field ``name`` of every :class:`_Units` joined; each one's is released once copied."""
    out = np.concatenate([getattr(item, name) for item in items])
    for item in items:
        setattr(item, name, getattr(item, name)[:0].copy())
    return out


def _empty_units() -> _Units:
    none, no_keys = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return _Units(none, none, no_keys, no_keys, none, none, np.zeros(0, dtype=bool))
