"""The boilerplate stage of the pipeline: fit block counts on kept records, then find their spans.

Counting over kept records only means each near-duplicate cluster counts once, so an article
syndicated to many sites does not turn into boilerplate.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ._source import Source
from ._typing import IntArray
from .boilerplate import BoilerplateModel, remove_ranges
from .config import BoilerplateConfig
from .io import Record, Rejected

__all__ = ["BoilerplateRun", "run_boilerplate"]

#: Distinct block ids remembered for the report's "most frequent blocks" before pruning.
MAX_TRACKED_BLOCKS = 200_000


class _Timer(Protocol):
    def add(self, stage: str, since: float) -> float: ...


@dataclass
class BoilerplateRun:
    """A fitted model plus what it found in each kept record.

    Attributes:
        model: the fitted :class:`BoilerplateModel`.
        group_field: the field that names each record's group, or None.
        stats: position -> (spans, characters covered).
        only_boilerplate: position -> the :class:`Rejected` entry of each record that is
            boilerplate from end to end (with its source, line and raw record).
        top_blocks: the most frequent blocks: ``{"text", "reason", "occurrences"}``.
    """

    model: BoilerplateModel
    group_field: str | None
    stats: dict[int, tuple[int, int]] = field(default_factory=dict)
    only_boilerplate: dict[int, Rejected] = field(default_factory=dict)
    #: Character ranges to remove, by input position (sorted): 3 int64 per range, a few per record.
    range_pos: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    range_start: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    range_end: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    top_blocks: list[dict[str, Any]] = field(default_factory=list)

    def groups_of(self, records: Sequence[Record]) -> list[str] | None:
        if self.group_field is None:
            return None
        return [str(r.fields[self.group_field]) for r in records]

    def strip(self, positions: Sequence[int], records: Sequence[Record]) -> list[str]:
        """Texts of ``records`` (at input ``positions``, ascending) with the ranges found earlier removed."""
        pos = np.asarray(positions, dtype=np.int64)
        lo, hi = np.searchsorted(self.range_pos, [pos[0], pos[-1] + 1]) if len(pos) else (0, 0)
        doc = np.searchsorted(pos, self.range_pos[lo:hi])
        return remove_ranges([r.text for r in records], doc, self.range_start[lo:hi], self.range_end[lo:hi])


def _batches(src: Source, positions: set[int], batch_size: int) -> Iterator[tuple[list[int], list[Record]]]:
    pos_batch: list[int] = []
    rec_batch: list[Record] = []
    for pos, rec in src.records_at(positions):
        pos_batch.append(pos)
        rec_batch.append(rec)
        if len(rec_batch) >= batch_size:
            yield pos_batch, rec_batch
            pos_batch, rec_batch = [], []
    if rec_batch:
        yield pos_batch, rec_batch


def run_boilerplate(
    src: Source,
    *,
    kept_positions: set[int],
    group_field: str | None,
    config: BoilerplateConfig,
    batch_size: int,
    progress: Callable[[str, int], Any],
    timer: _Timer,
) -> BoilerplateRun:
    """Fit the model on the kept records (one pass), then find their spans (a second pass).

    Records are read in batches of ``batch_size``; near-exact grouping (``config.near_threshold``)
    learns its representatives batch by batch, so its spans can depend on it.
    """
    t = time.perf_counter()
    run = BoilerplateRun(BoilerplateModel(config), group_field)
    bar = progress("boilerplate: count", len(kept_positions))
    for _, recs in _batches(src, kept_positions, batch_size):
        run.model.update([r.text for r in recs], groups=run.groups_of(recs))
        bar.update(len(recs))
    bar.close()
    t = timer.add("boilerplate_fit", t)
    occurrences: Counter[int] = Counter()
    previews: dict[int, tuple[str, str]] = {}
    bar = progress("boilerplate: find", len(kept_positions))
    parts: list[tuple[IntArray, IntArray, IntArray]] = []
    for positions, recs in _batches(src, kept_positions, batch_size):
        texts = [r.text for r in recs]
        spans, (doc, start, end) = run.model.find_removals(texts, groups=run.groups_of(recs))
        parts.append((np.asarray(positions, dtype=np.int64)[doc], start, end))
        cleaned = remove_ranges(texts, doc, start, end)
        for pos, rec, doc_spans, left in zip(positions, recs, spans, cleaned, strict=True):
            if not doc_spans:
                continue
            covered = sum(s.end - s.start for s in doc_spans)
            run.stats[pos] = (len(doc_spans), covered)
            if not left.strip():
                run.only_boilerplate[pos] = Rejected(
                    rec.source, rec.line, json.dumps(rec.fields, ensure_ascii=False, default=str),
                    "only_boilerplate", f"record {rec.id!r} is boilerplate from end to end", rec.id,
                )  # fmt: skip
            for s in doc_spans:
                occurrences[s.group] += 1
                if s.group not in previews:
                    previews[s.group] = (s.text, s.reason)
        if len(occurrences) > MAX_TRACKED_BLOCKS:
            keep = dict(occurrences.most_common(MAX_TRACKED_BLOCKS // 2))
            occurrences = Counter(keep)
            previews = {g: previews[g] for g in keep}
        bar.update(len(recs))
    bar.close()
    if parts:
        run.range_pos, run.range_start, run.range_end = (np.concatenate(cols) for cols in zip(*parts, strict=True))
    run.top_blocks = [
        {"text": previews[g][0], "reason": previews[g][1], "occurrences": n} for g, n in occurrences.most_common(50)
    ]
    timer.add("boilerplate_find", t)
    return run


