"""The last two passes of the sharded Ray run, one task per shard: boilerplate counts, then
find, strip and write.

Both re-read their shard (the texts live in the shards, not in the driver or the object store).
The write task writes ``OUT/<shard name>`` (the kept records, cleaned, in the shard's format, with
dedupe's own writers, so the bytes equal the local pipeline's), ``OUT/_rejects/<stem>.jsonl`` and
``OUT/_duplicates/<stem>.jsonl``, and returns its shard's counts for the accounting check.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import ray
from numpy.typing import NDArray

from .._signing import check_record, reject_or_raise
from ..boilerplate import BoilerplateModel
from ..boilerplate.counts import BatchCounts
from ..boilerplate.found import BlockTally, find_batch
from ..boilerplate.model import count_batch
from ..config import BATCH_SIZE as BATCH_RECORDS
from ..config import BoilerplateConfig
from ..io import Record, Rejected, write_corpus, write_jsonl
from .ray_boilerplate import partial_rows
from .ray_shards import DUPLICATES_DIR, REJECTS_DIR, ShardPlan, read_shard
from .ray_stages import _files

__all__ = ["FitShard", "WriteShard", "side_name"]

#: Most frequent blocks each shard reports (the report's list is merged from these).
TOP_PER_SHARD = 200
_BOILERPLATE_BATCH = 1000


def side_name(shard_name: str) -> str:
    """``part-3.jsonl.gz`` -> ``part-3.jsonl``: the name of a shard's side file (plain JSON Lines)."""
    stem = shard_name.split(".")[0]
    return f"{stem}.jsonl"


@dataclass(frozen=True)
class Removed:
    """The removed rows of the run (sorted) and their kind (1 exact, 2 near), as object references."""

    rows: Any
    kind: Any

    def get(self) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
        rows: NDArray[np.int64] = ray.get(self.rows)
        kind: NDArray[np.int8] = ray.get(self.kind)
        return rows, kind


def _kept(plan: ShardPlan, shard: int, data: bytes, offsets: NDArray[np.int64], removed: NDArray[np.int64],
          max_chars: int) -> tuple[list[tuple[int, Record]], dict[int, Rejected], int]:  # fmt: skip
    """The kept records of a shard by position, its rejects by position, and its entry count."""
    kept: list[tuple[int, Record]] = []
    rejects: dict[int, Rejected] = {}
    lo, hi = np.searchsorted(removed, [offsets[shard], offsets[shard + 1]])
    gone = set((removed[lo:hi] - offsets[shard]).tolist())
    count = 0
    for pos, item in enumerate(read_shard(plan, shard, data)):
        count += 1
        if isinstance(item, Rejected):
            rejects[pos] = item
            continue
        problem = check_record(item, plan.text_field, plan.group_field, max_chars)
        if problem is not None:
            rejects[pos] = reject_or_raise(item, pos, *problem, plan.on_error)
        elif pos not in gone:
            kept.append((pos, item))
    return kept, rejects, count


@dataclass(frozen=True)
class FitShard:
    """Shard bytes -> the boilerplate counts of its kept records (one merged :class:`BatchCounts`, as rows)."""

    plan: ShardPlan
    offsets: NDArray[np.int64]
    removed: Removed
    config: BoilerplateConfig
    max_chars: int

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows, _ = self.removed.get()
        parts = []
        for path, data in _files(batch):
            shard = self.plan.index_of(path)
            kept, _, _ = _kept(self.plan, shard, data, self.offsets, rows, self.max_chars)
            records = [r for _, r in kept]
            batches = [
                count_batch([r.text for r in chunk], groups=self.plan.groups_of(chunk), config=self.config)
                for chunk in (records[i : i + BATCH_RECORDS] for i in range(0, len(records), BATCH_RECORDS))
            ]
            parts.append(partial_rows(BatchCounts.merge(batches)))
        return pa.concat_tables(parts)


@dataclass(frozen=True)
class WriteShard:
    """Shard bytes -> the shard's outputs written, and one row of its counts."""

    plan: ShardPlan
    offsets: NDArray[np.int64]
    removed: Removed
    model: Any  # object reference to the BoilerplateModel, or None (no boilerplate removal)
    output: str
    max_chars: int

    def __call__(self, batch: pa.Table) -> dict[str, Any]:
        rows, kind = self.removed.get()
        model: BoilerplateModel | None = None if self.model is None else ray.get(self.model)
        out: dict[str, list[Any]] = {k: [] for k in ("shard", "input", "kept", "exact", "near", "rejected",
                                                     "spans", "chars", "docs", "top", "skipped")}  # fmt: skip
        for path, data in _files(batch):
            shard = self.plan.index_of(path)
            kept, rejects, count = _kept(self.plan, shard, data, self.offsets, rows, self.max_chars)
            lo, hi = np.searchsorted(rows, [self.offsets[shard], self.offsets[shard + 1]])
            skipped: list[str] = []
            stats = _clean(model, kept, rejects, self.plan, skipped) if model is not None else (0, 0, 0, BlockTally())
            records = [r for pos, r in kept if pos not in rejects]
            written = write_corpus(records, Path(self.output) / self.plan.name(shard), text_field=self.plan.text_field)
            name = side_name(self.plan.name(shard))
            write_jsonl([rejects[p] for p in sorted(rejects)], Path(self.output) / REJECTS_DIR / name)
            top = stats[3].most_common(TOP_PER_SHARD)
            for key, value in (("shard", shard), ("input", count), ("kept", written), ("rejected", len(rejects)),
                               ("exact", int((kind[lo:hi] == 1).sum())), ("near", int((kind[lo:hi] == 2).sum())),
                               ("spans", stats[0]), ("chars", stats[1]), ("docs", stats[2]),
                               ("top", pickle.dumps(top)), ("skipped", json.dumps(skipped))):  # fmt: skip
                out[key].append(value)
        return out


def _clean(model: BoilerplateModel, kept: list[tuple[int, Record]], rejects: dict[int, Rejected],
           plan: ShardPlan, skipped: list[str]) -> tuple[int, int, int, BlockTally]:  # fmt: skip
    """Strip the boilerplate of ``kept`` in place; a record left empty joins ``rejects``; the ids of
    the records with too many units to search join ``skipped``.

    Finds with :func:`~dedupe.boilerplate.found.find_batch`, as the local pipeline does. Returns the
    spans, characters and records touched (records left empty not counted, as locally) and the tally.
    """
    spans_total = chars_total = docs = 0
    tally = BlockTally()
    for start in range(0, len(kept), _BOILERPLATE_BATCH):
        chunk = kept[start : start + _BOILERPLATE_BATCH]
        records = [r for _, r in chunk]
        found = find_batch(model, records, plan.groups_of(records), tally)
        skipped.extend(records[i].id for i in found.skipped)
        for i, ((pos, rec), left) in enumerate(zip(chunk, found.cleaned, strict=True)):
            kept[start + i] = (pos, rec.with_text(left))
        for i, (count, covered) in found.stats.items():
            if i in found.only_boilerplate:
                rejects[chunk[i][0]] = found.only_boilerplate[i]
                continue
            spans_total += count
            chars_total += covered
            docs += 1
    return spans_total, chars_total, docs, tally


def write_duplicates(batch: pa.Table, plan: ShardPlan, offsets: NDArray[np.int64], kinds: Removed,
                     output: str) -> pa.Table:  # fmt: skip
    """One partition of duplicates rows (all rows of its shards) -> one file per shard, by position."""
    rows = batch.column("row").to_numpy()
    removed, kind = kinds.get()
    kind_of = kind[np.searchsorted(removed, rows)]
    shard_of = np.searchsorted(offsets, rows, side="right") - 1
    id_key = plan.id_field or "record_id"
    if id_key in ("duplicate_of", "kind", "similarity"):
        id_key = "record_id"
    ids, reps, est = batch.column("id").to_pylist(), batch.column("rep_id").to_pylist(), batch.column("estimate")
    est_np = est.to_numpy()
    written = []
    for shard in np.unique(shard_of).tolist():
        at = np.flatnonzero(shard_of == shard)
        at = at[np.argsort(rows[at], kind="stable")]
        lines = [
            {id_key: ids[i], "duplicate_of": reps[i], "kind": "exact" if kind_of[i] == 1 else "near",
             "similarity": 1.0 if kind_of[i] == 1 else round(float(est_np[i]), 6)}
            for i in at.tolist()
        ]  # fmt: skip
        write_jsonl(lines, Path(output) / DUPLICATES_DIR / side_name(plan.name(shard)))
        written.append((shard, len(lines)))
    return pa.table({"shard": [s for s, _ in written], "duplicates": [c for _, c in written]})
