"""The find step of boilerplate removal, one batch of records at a time.

A fitted :class:`~dedupe.boilerplate.BoilerplateModel` finds the spans of a batch of records;
:func:`find_batch` turns them into what a pipeline needs: the character ranges to remove, the
cleaned texts, the spans and characters of each record, and the records left with nothing but
boilerplate (rejected as ``only_boilerplate``). :class:`BlockTally` counts the blocks found, for
the report's "most frequent blocks". The local pipeline (``dedupe._pipeline_boilerplate``) and the
sharded Ray run (``dedupe.backends.ray_write``) both find through this one function, so the two
cannot drift apart.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._typing import IntArray
from ..errors import ConfigError
from ..io.records import Record, Rejected
from .model import BoilerplateModel
from .parts import Cut, line_parts
from .spans import BoilerplateSpan, left_blank, remove_ranges
from .units import Units

__all__ = ["MAX_TRACKED_BLOCKS", "BlockTally", "FoundBatch", "find_batch", "only_boilerplate"]

#: Distinct block ids a :class:`BlockTally` remembers before it prunes to the most frequent half.
MAX_TRACKED_BLOCKS = 200_000


@dataclass
class BlockTally:
    """Occurrences of the blocks found (by block group) and one preview ``(text, reason)`` of each.

    Above ``limit`` distinct blocks (checked after each batch) only the ``limit // 2`` most frequent
    are kept, so the tally stays bounded on any corpus; the report lists the most frequent ones.
    """

    limit: int = MAX_TRACKED_BLOCKS
    occurrences: Counter[int] = field(default_factory=Counter)
    previews: dict[int, tuple[str, str]] = field(default_factory=dict)

    def add(self, spans: Sequence[Sequence[BoilerplateSpan]]) -> None:
        """Count the spans of one batch (one list per record), then prune if over the limit."""
        for doc_spans in spans:
            for s in doc_spans:
                self.occurrences[s.group] += 1
                if s.group not in self.previews:
                    self.previews[s.group] = (s.text, s.reason)
        self._prune()

    def _prune(self) -> None:
        if len(self.occurrences) > self.limit:
            keep = dict(self.occurrences.most_common(self.limit // 2))
            self.occurrences = Counter(keep)
            self.previews = {g: self.previews[g] for g in keep}

    def merge(self, other: BlockTally) -> None:
        """Add another tally (a later batch's, counted elsewhere), then prune as :meth:`add` does."""
        self.occurrences.update(other.occurrences)
        for g, preview in other.previews.items():
            self.previews.setdefault(g, preview)
        self._prune()

    def most_common(self, n: int) -> list[tuple[int, int, str, str]]:
        """The ``n`` most frequent blocks as ``(group, occurrences, text, reason)``."""
        return [(g, c, *self.previews[g]) for g, c in self.occurrences.most_common(n)]

    def top(self, n: int = 50) -> list[dict[str, Any]]:
        """The ``n`` most frequent blocks as the report writes them: ``{"text", "reason", "occurrences"}``."""
        return [{"text": t, "reason": r, "occurrences": c} for _, c, t, r in self.most_common(n)]


@dataclass
class FoundBatch:
    """What the model found in one batch; every index is a record's index within the batch.

    Attributes:
        spans: the spans of each record (a list per record, possibly empty).
        doc, start, end: the character ranges to remove (``doc`` ascending), as
            :meth:`BoilerplateModel.find_removals` returns them.
        texts: the records' texts.
        stats: index -> ``(spans, characters covered)`` for every record with a span.
        only_boilerplate: index -> the :class:`Rejected` entry of each record whose cleaned text
            is blank (also in ``stats``).
        skipped: indices of the records with too many units to search (kept whole; see
            :func:`~.long_docs.unit_budget`).
    """

    spans: list[list[BoilerplateSpan]]
    doc: IntArray
    start: IntArray
    end: IntArray
    texts: list[str]
    stats: dict[int, tuple[int, int]]
    only_boilerplate: dict[int, Rejected]
    skipped: list[int] = field(default_factory=list)

    @property
    def cleaned(self) -> list[str]:
        """Each record's text with the ranges removed (built on demand: finding does not need it)."""
        return remove_ranges(self.texts, self.doc, self.start, self.end)


def only_boilerplate(record: Record) -> Rejected:
    """The reject of a record that is boilerplate from end to end (its source, line and raw record)."""
    return Rejected(
        record.source, record.line, json.dumps(record.fields, ensure_ascii=False, default=str),
        "only_boilerplate", f"record {record.id!r} is boilerplate from end to end", record.id,
    )  # fmt: skip


def find_batch(
    model: BoilerplateModel, records: Sequence[Record], groups: Sequence[str] | None, tally: BlockTally | None = None,
    units_of: Callable[[int, int], Units | None] | None = None, cut: Cut | None = None,
) -> FoundBatch:
    """Find the boilerplate of ``records`` (with their ``groups``, or None) and count it in ``tally``.

    The records are found part by part (``cut``, the one counting used, else :func:`~.parts.line_parts`:
    memory bounded by the part); ``units_of(lo, hi)``: the units of ``records[lo:hi]`` already
    segmented (:func:`~.model.count_batch_parts`), or None where they must be segmented here.
    """
    texts = [r.text for r in records]
    if groups is not None and len(groups) != len(texts):
        raise ConfigError(f"groups must have one entry per record: got {len(groups)} groups for {len(texts)} records")
    spans: list[list[BoilerplateSpan]] = []
    ranges: list[tuple[IntArray, IntArray, IntArray]] = [(_EMPTY, _EMPTY, _EMPTY)]
    skipped: list[int] = []
    for lo, hi in line_parts(texts) if cut is None else cut:
        units = None if units_of is None else units_of(lo, hi)
        if units is None:
            part_groups = None if groups is None else groups[lo:hi]
            units = model._units(texts[lo:hi], part_groups, None, learn=False, warn=False)
        part_spans, (doc, start, end) = model.find_removals_of(units)
        spans.extend(part_spans)
        ranges.append((doc + lo, start, end))
        skipped.extend((np.flatnonzero(units.skipped) + lo).tolist())
    doc, start, end = (np.concatenate(cols) for cols in zip(*ranges, strict=True))
    blank = set(left_blank(texts, doc, start, end))
    stats: dict[int, tuple[int, int]] = {}
    rejected: dict[int, Rejected] = {}
    for i, doc_spans in enumerate(spans):
        if not doc_spans:
            continue
        stats[i] = (len(doc_spans), sum(s.end - s.start for s in doc_spans))
        if i in blank:
            rejected[i] = only_boilerplate(records[i])
    if tally is not None:
        tally.add(spans)
    return FoundBatch(spans, doc, start, end, texts, stats, rejected, skipped)


_EMPTY: IntArray = np.zeros(0, dtype=np.int64)
