"""The units boilerplate is decided on: the non-blank lines of a batch, with their keys and groups."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from .._typing import BoolArray, HashArray, IntArray
from ..blocks import LineTable, split_lines
from ..config import BoilerplateConfig
from ..errors import ConfigError
from ..hashing import fmix64
from ..line_shapes import LineShapes
from ..shingles import _check_texts
from .counts import combine

__all__ = ["PositionType", "Units", "group_keys", "label_array", "position_type", "prepare", "segment"]

#: The integer type of positions, offsets and counts: int32 or int64 (:func:`position_type`).
PositionType = type[np.signedinteger[Any]]


def position_type(limit: int) -> PositionType:
    """int32 where every position, offset or count up to ``limit`` fits, else int64: half the
    memory of the per-unit arrays of a batch of many tiny units."""
    return np.int32 if limit < np.iinfo(np.int32).max else np.int64


def group_keys(groups: Sequence[Hashable] | None, n: int) -> HashArray:
    """One 64-bit key per document: the hash of its group (str or int); all equal without groups."""
    if groups is None:
        return np.zeros(n, dtype=np.uint64)
    if isinstance(groups, (str, bytes)):
        raise TypeError("groups must be a sequence with one str or int per text, not a single string")
    values = list(groups)
    if len(values) != n:
        raise ConfigError(f"groups must have one entry per text: got {len(values)} groups for {n} texts")
    out = np.empty(n, dtype=np.uint64)
    memo: dict[tuple[str, str | int], int] = {}
    for i, value in enumerate(values):
        tag: tuple[str, str | int]
        if isinstance(value, str):
            tag = ("s", value)
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            tag = ("i", int(value))
        else:
            raise TypeError(f"groups[{i}] must be a str or an int (got {type(value).__name__}: {value!r:.60})")
        cached = memo.get(tag)
        if cached is None:
            data = tag[0].encode() + str(tag[1]).encode("utf-8", "surrogatepass")
            cached = memo[tag] = xxhash.xxh3_64_intdigest(data)
        out[i] = cached
    return out


def label_array(labels: Sequence[int] | NDArray[Any] | None, n: int) -> IntArray:
    """One int label per document (near-duplicate cluster); every document its own without labels."""
    if labels is None:
        return np.arange(n, dtype=np.int64)
    if isinstance(labels, (str, bytes)):
        raise TypeError("labels must be a sequence of ints, one per text")
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != n:
        raise ConfigError(f"labels must have one int per text: got shape {arr.shape} for {n} texts")
    if n and arr.dtype.kind not in "iu":
        bad = next((i for i, v in enumerate(labels) if isinstance(v, bool) or not isinstance(v, (int, np.integer))), 0)
        raise TypeError(f"labels[{bad}] must be an int (got {type(list(labels)[bad]).__name__})")
    return arr.astype(np.int64, copy=False)


@dataclass
class Units:
    """The units of a batch: runs of non-blank lines (one line each, except in hard-wrapped text).

    Arrays are per unit, in document order. ``rows`` and ``last_rows`` are the unit's first and
    last line in ``table``, so a unit spans ``table.starts[rows]`` to ``table.next_starts[last_rows]``.
    """

    texts: list[str]
    table: LineTable
    rows: IntArray  # first table row of each unit
    last_rows: IntArray  # last table row of each unit
    doc: IntArray  # document of each unit
    keys: HashArray  # unit keys (digits masked); a one-line unit has its line's key
    ckeys: HashArray  # canonical keys (near-exact groups); equal to keys on the exact path
    xkeys: HashArray  # keys with the digits compared too (repetition within a document)
    data: BoolArray  # numbers are a third of the words or more: table rows and listings
    sentence: BoolArray  # ends a sentence (. ! ? before closing quotes or brackets)
    words: IntArray
    doc_groups: HashArray  # per document
    doc_labels: IntArray  # per document
    skipped: BoolArray  # per document: too many units to search, so it has none (long_docs.unit_budget)

    def site_keys(self) -> HashArray:
        """The keys counted across documents: canonical keys (digits masked: footers with dates)."""
        return self.ckeys

    def single_line(self) -> BoolArray:
        """Units of one line (the only ones with trimmed keys)."""
        out: BoolArray = self.rows == self.last_rows
        return out


def prepare(
    texts: Iterable[str],
    groups: Sequence[Hashable] | None,
    labels: Sequence[int] | NDArray[Any] | None,
    config: BoilerplateConfig,
) -> Units:
    """Segment ``texts`` into units and key them, the whole batch at once (per-line arrays of every text).

    The reference for :func:`.long_docs.prepare_bounded`, which segments long texts a window at a
    time and gives the same units.
    """
    docs = _check_texts(texts)
    return segment(docs, group_keys(groups, len(docs)), label_array(labels, len(docs)), config)


def segment(docs: list[str], doc_groups: HashArray, doc_labels: IntArray, config: BoilerplateConfig) -> Units:
    """The units of ``docs`` (checked), with their groups' keys and labels (one per document)."""
    table = split_lines(
        docs,
        seed=config.seed,
        trim_words=config.trim_words,
        trim_min_kept=config.trim_min_kept,
        trim_max_words=config.trim_max_words,
        keep_normalized=config.near_threshold is not None,
        shapes=True,
    )
    lines = np.flatnonzero(table.n_words > 0)
    every_row = len(lines) == len(table)  # no blank line: the rows are the lines (no copies)
    doc = table.docs() if every_row else table.docs()[lines]
    assert table.shapes is not None
    shape = table.shapes if every_row else table.shapes.take(lines)
    widest = np.zeros(len(docs), dtype=np.int64)  # per document, its widest line
    np.maximum.at(widest, doc, shape.width)
    wrapped = _wrapped_docs(shape, doc, widest) if config.unwrap else np.zeros(len(docs), dtype=bool)
    joins = _joins(shape, doc, lines, wrapped, widest)
    # A unit starts at every line that does not continue the one before it.
    first = np.ones(len(lines), dtype=bool)
    first[1:] = ~joins[:-1]
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(lines)) - 1 if len(starts) else starts
    line_keys = table.keys if every_row else table.keys[lines]
    line_xkeys = np.where(shape.digits != 0, line_keys ^ fmix64(shape.digits), line_keys)
    keys, xkeys = _unit_keys(line_keys, first, starts), _unit_keys(line_xkeys, first, starts)
    single = len(starts) == len(lines)  # every unit one line: per-line arrays are per-unit ones

    def per_unit(values: IntArray) -> IntArray:
        if single:
            return values
        return np.add.reduceat(values, starts) if len(starts) else np.zeros(0, dtype=np.int64)

    def at(values: Any, index: IntArray) -> Any:
        return values if single else values[index]

    words = per_unit(table.n_words if every_row else table.n_words[lines])
    numbers = per_unit(shape.numbers)
    data = (numbers > 0) & (3 * numbers >= words)
    return Units(
        texts=docs,
        table=table,
        rows=at(lines, starts),
        last_rows=at(lines, ends),
        doc=at(doc, starts),
        keys=keys,
        ckeys=keys,
        xkeys=xkeys,
        data=data,
        sentence=at(shape.sentence_end, ends),
        words=words.astype(np.int64, copy=False),
        doc_groups=doc_groups,
        doc_labels=doc_labels,
        skipped=np.zeros(len(docs), dtype=bool),
    )


def _unit_keys(line_keys: HashArray, first: BoolArray, starts: IntArray) -> HashArray:
    """One key per unit (``first`` marks its first line): a one-line unit keeps its line's key."""
    n = len(line_keys)
    if len(starts) == n:
        return line_keys
    unit_of = np.cumsum(first) - 1
    pos = np.arange(n) - starts[unit_of]
    mixed = fmix64(combine(line_keys, pos))
    out = fmix64(np.add.reduceat(mixed, starts))
    single = np.diff(np.append(starts, n)) == 1
    out[single] = line_keys[starts[single]]
    return out


def _wrapped_docs(shape: LineShapes, doc: IntArray, widest: IntArray) -> BoolArray:
    """Documents of hard-wrapped text: lines of similar width that break inside sentences.

    Only breaks after a *full* line (at least ``_FULL`` of the document's widest line) are read, so
    a page's short furniture (menus, footers) does not hide the wrapped article between it. A
    break is *inside a sentence* when the full line ends without sentence punctuation and the next
    line starts with a lowercase letter. A document is wrapped when it has at least ``_MIN_WRAPS``
    such breaks, they are at least a quarter of its breaks after full lines, and its lines are at
    most ``_MAX_WIDTH`` characters wide.
    """
    n_docs = len(widest)
    if len(doc) < 2:
        return np.zeros(n_docs, dtype=bool)
    full = shape.width[:-1] >= _FULL * widest[doc[:-1]]
    same = (doc[1:] == doc[:-1]) & full
    inside = same & ~shape.sentence_end[:-1] & shape.lower_start[1:]
    breaks = np.bincount(doc[:-1][same], minlength=n_docs)
    wraps = np.bincount(doc[:-1][inside], minlength=n_docs)
    out: BoolArray = (wraps >= _MIN_WRAPS) & (4 * wraps >= breaks) & (widest <= _MAX_WIDTH)
    return out


_MIN_WRAPS = 2
_MAX_WIDTH = 160


def _joins(shape: LineShapes, doc: IntArray, lines: IntArray, wrapped: BoolArray, widest: IntArray) -> BoolArray:
    """Whether each non-blank line continues into the next one (same unit).

    Only in wrapped documents, and only into the next line of the same paragraph (no blank line
    between) that is not indented deeper (a new paragraph starts indented). A line continues when
    the next one starts in lowercase (the sentence goes on), or when it was cut by the wrap: it
    does not end a sentence and reaches ``_CUT`` of the document's widest line. Shorter lines that
    end without punctuation (table rows, headings, a list of titles, a sign-off) stay units of
    their own.
    """
    n = len(lines)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    cut = shape.width[:-1] >= _CUT * widest[doc[:-1]]
    adjacent = (lines[1:] == lines[:-1] + 1) & (doc[1:] == doc[:-1]) & wrapped[doc[:-1]]
    not_deeper = shape.indent[1:] <= shape.indent[:-1]
    goes_on = shape.lower_start[1:] | (cut & ~shape.sentence_end[:-1]) | shape.soft_end[:-1]
    out[:-1] = adjacent & not_deeper & goes_on
    return out


_FULL = 0.6
_CUT = 0.85
