"""Spans: consecutive flagged units become explainable blocks; removal takes them and the blank lines they leave."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._typing import BoolArray, HashArray, IntArray
from ..errors import ConfigError
from ..hashing import fmix64
from .counts import combine
from .rules import REASONS, Decision, Reason
from .units import Units

__all__ = ["BoilerplateSpan", "left_blank", "removals", "remove_ranges", "spans", "strip"]

_PREVIEW = 60


@dataclass(frozen=True, slots=True)
class BoilerplateSpan:
    """One boilerplate block in one document.

    Attributes:
        start: offset of the block's first character in the original text.
        end: offset just past the block (its last line's terminator included).
        reason: why it is boilerplate (one of :data:`REASONS`).
        count: the evidence: copies in the document, documents (clusters) of the group, or other
            groups holding it, whichever the reason names; for a block of several lines the
            smallest over its lines; for ``run`` the number of lines in the run.
        group: id shared by every occurrence of the same block (same lines, same reason), across
            documents; a 64-bit int.
        text: the block's first characters, stripped (a preview for reading; slice the original
            text with ``start`` and ``end`` for the block itself).
    """

    start: int
    end: int
    reason: Reason
    count: int
    group: int
    text: str = ""

    def __len__(self) -> int:
        return self.end - self.start


@dataclass
class _Blocks:
    """Maximal runs of consecutive flagged non-blank rows with the same reason (per document)."""

    doc: IntArray
    start: IntArray  # char offsets in the document
    end: IntArray
    reason: NDArray[np.int8]
    count: IntArray
    group: HashArray
    first_row: IntArray  # table rows
    last_row: IntArray


def _blocks(batch: Units, decision: Decision) -> _Blocks:
    flagged = np.flatnonzero(decision.reason > 0)
    if len(flagged) == 0:
        none = np.zeros(0, dtype=np.int64)
        return _Blocks(none, none, none, np.zeros(0, np.int8), none, np.zeros(0, np.uint64), none, none)
    reason = decision.reason[flagged]
    doc = batch.doc[flagged]
    new = np.ones(len(flagged), dtype=bool)
    if len(flagged) > 1:
        new[1:] = flagged[1:] != flagged[:-1] + 1
        new[1:] |= reason[1:] != reason[:-1]
        new[1:] |= doc[1:] != doc[:-1]
    starts = np.flatnonzero(new)
    block_doc = doc[starts]
    del doc  # per-row arrays are freed as soon as they are used (a batch of tiny units is all rows)
    pos = np.cumsum(new)
    del new
    pos -= 1  # block of each row, then its position in the block
    np.subtract(np.arange(len(flagged)), starts[pos], out=pos)
    mixed = combine(decision.key[flagged], pos)
    del pos
    mixed ^= reason.astype(np.uint64)
    group = fmix64(np.add.reduceat(mixed, starts) if len(starts) else np.zeros(0, dtype=np.uint64))
    ends = np.append(starts[1:], len(flagged)) - 1
    table = batch.table
    first_row = batch.rows[flagged[starts]]
    last_row = batch.last_rows[flagged[ends]]
    counts = np.minimum.reduceat(decision.count[flagged], starts) if len(starts) else np.zeros(0, np.int64)
    return _Blocks(
        doc=block_doc,
        start=table.starts[first_row],
        end=table.next_starts[last_row],
        reason=reason[starts],
        count=counts,
        group=group,
        first_row=first_row,
        last_row=last_row,
    )


def _preview(text: str, start: int, end: int, stop: int) -> str:
    """The first characters of ``text[start:end]``, leading indentation skipped."""
    head = text[start:stop]
    if head[:1].isspace():
        head = text[start : min(end, start + 16 * _PREVIEW)].lstrip()[:_PREVIEW]
    return head.strip()


def spans(batch: Units, decision: Decision) -> list[list[BoilerplateSpan]]:
    """One sorted list of disjoint spans per document."""
    blocks = _blocks(batch, decision)
    texts = batch.texts
    previews = np.minimum(blocks.end, blocks.start + _PREVIEW).tolist()
    starts = blocks.start.tolist()
    reasons = [REASONS[r - 1] for r in blocks.reason.tolist()]
    found = [
        BoilerplateSpan(s, e, r, c, g, _preview(texts[d], s, e, p))
        for d, s, e, p, r, c, g in zip(
            blocks.doc.tolist(),
            starts,
            blocks.end.tolist(),
            previews,
            reasons,
            blocks.count.tolist(),
            blocks.group.tolist(),
            strict=True,
        )
    ]
    cuts = np.searchsorted(blocks.doc, np.arange(len(texts) + 1)).tolist()
    return [found[cuts[d] : cuts[d + 1]] for d in range(len(texts))]


def removals(batch: Units, decision: Decision, keep: str) -> tuple[IntArray, IntArray, IntArray]:
    """``(doc, start, end)`` of every character range to remove (blocks plus the blank lines they leave)."""
    if keep not in ("none", "first"):
        raise ConfigError(f"keep must be 'none' or 'first' (got {keep!r})")
    blocks = _blocks(batch, decision)
    removed = np.ones(len(blocks.doc), dtype=bool)
    if keep == "first" and len(blocks.group):
        removed[np.unique(blocks.group, return_index=True)[1]] = False
    doc, first_row, last_row = blocks.doc[removed], blocks.first_row[removed], blocks.last_row[removed]
    table = batch.table
    blank = _whitespace_rows(batch)
    bounds = table.doc_offsets
    span_start = table.starts[first_row]
    span_end = table.next_starts[last_row]
    start, end = span_start.copy(), span_end.copy()
    # Blank lines the removal leaves: after a block that opens its paragraph run (document start or
    # a blank line before it), drop the blank lines that follow; at the end of a document, drop
    # the blank lines before the block.
    prev_blank = (first_row == bounds[doc]) | blank[np.maximum(first_row - 1, 0)]
    next_nonblank = _next_nonblank(blank, bounds)
    after = next_nonblank[last_row]
    at_doc_end = after >= bounds[doc + 1]
    follow = prev_blank & ~at_doc_end & (after > last_row + 1)
    end[follow] = table.starts[after[follow]]
    prev_nonblank = _prev_nonblank(blank, bounds)
    before = prev_nonblank[first_row]
    lead = at_doc_end & (before >= bounds[doc]) & (before < first_row - 1)
    start[lead] = table.next_starts[before[lead]]
    # int64 whatever the units' integer width (units read back from disk keep int32 offsets)
    return doc.astype(np.int64, copy=False), start.astype(np.int64, copy=False), end.astype(np.int64, copy=False)


def _whitespace_rows(batch: Units) -> BoolArray:
    """Rows that are empty or whitespace only: the blank lines a removal may take along.

    A line of control or format characters normalizes to nothing (no words) but is not blank: it
    is kept byte for byte like any other content.
    """
    table = batch.table
    blank: BoolArray = table.n_words == 0
    wordless = np.flatnonzero(blank)
    if len(wordless):
        docs = table.docs()[wordless].tolist()
        lo, hi = table.starts[wordless].tolist(), table.ends[wordless].tolist()
        texts = batch.texts
        blank[wordless] = [texts[d][a:b].strip() == "" for d, a, b in zip(docs, lo, hi, strict=True)]
    return blank


def remove_ranges(texts: Sequence[str], doc: IntArray, start: IntArray, end: IntArray) -> list[str]:
    """Remove the ranges ``[start, end)`` of ``texts[doc]`` (sorted by document, then start); keep the rest."""
    out: list[str] = []
    cuts = np.searchsorted(doc, np.arange(len(texts) + 1))
    for d, text in enumerate(texts):
        lo, hi = int(cuts[d]), int(cuts[d + 1])
        if lo == hi:
            out.append(text)
            continue
        pieces: list[str] = []
        pos = 0
        for s, e in zip(start[lo:hi].tolist(), end[lo:hi].tolist(), strict=True):
            if s > pos:
                pieces.append(text[pos:s])
            pos = max(pos, e)
        pieces.append(text[pos:])
        out.append("".join(pieces))
    return out


#: A character that ``str.strip()`` keeps (``\\s`` is what ``str.isspace`` calls whitespace).
_CONTENT = re.compile(r"\S")


def left_blank(texts: Sequence[str], doc: IntArray, start: IntArray, end: IntArray) -> list[int]:
    """The documents of ``texts`` with a range that are left whitespace only once the ranges are
    removed (``remove_ranges(...)[d].strip() == ""``), found without building the cleaned texts:
    the gaps between ranges are searched for one non-blank character, and the search stops there."""
    out: list[int] = []
    if not len(doc):
        return out
    cuts = np.searchsorted(doc, np.arange(len(texts) + 1)).tolist()
    starts, ends = start.tolist(), end.tolist()
    search = _CONTENT.search
    for d in np.unique(doc).tolist():
        text, pos, blank = texts[d], 0, True
        for i in range(cuts[d], cuts[d + 1]):
            if starts[i] > pos and search(text, pos, starts[i]):
                blank = False
                break
            pos = max(pos, ends[i])
        if blank and not search(text, pos):
            out.append(d)
    return out


def strip(batch: Units, decision: Decision, keep: str) -> list[str]:
    """The texts of ``batch`` without their flagged blocks."""
    return remove_ranges(batch.texts, *removals(batch, decision, keep))


def _next_nonblank(blank: BoolArray, bounds: IntArray) -> IntArray:
    """For every row, the first non-blank row after it (``len`` if none; may be in a later document)."""
    n = len(blank)
    idx = np.where(~blank, np.arange(n), n)
    nxt = np.empty(n, dtype=np.int64)
    if n:
        nxt[:-1] = np.minimum.accumulate(idx[::-1])[::-1][1:]
        nxt[-1] = n
    return nxt


def _prev_nonblank(blank: BoolArray, bounds: IntArray) -> IntArray:
    """For every row, the last non-blank row before it (``-1`` if none; may be in an earlier document)."""
    n = len(blank)
    idx = np.where(~blank, np.arange(n), -1)
    prv = np.empty(n, dtype=np.int64)
    if n:
        prv[1:] = np.maximum.accumulate(idx)[:-1]
        prv[0] = -1
    return prv
