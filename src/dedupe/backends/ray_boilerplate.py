"""Boilerplate counts of the sharded Ray run: per-shard batch counts, shuffled by key and summed.

Each shard's kept records are counted on a worker by :func:`~dedupe.boilerplate.count_batch`
(batch by batch, merged per shard with :meth:`BatchCounts.merge`: the map-side combine), and
written as ``(table, key, value)`` rows: block-site and group counts, the shard's distinct short
``(line, group)`` keys with their line key, and its document count. The rows are shuffled by
``(table, key)`` and reduced per partition (sums; short keys deduplicated), and a worker task
turns the reduced rows back into one :class:`BatchCounts` and adds it to an empty model with
:meth:`BoilerplateModel.add_counts`. The driver holds object references only, never the counts.

The merge is exact for any split of the corpus and any group field (``BatchCounts``' contract),
so the model equals the local pipeline's. Two cases would not be exact and raise
:class:`~dedupe.errors.ConfigError`: near boilerplate (``near_threshold``: refused by
:func:`dedupe.deduplicate_shards` before Ray starts), and a corpus with more distinct blocks than
``max_distinct_blocks`` (the local fit prunes at points that depend on its batches).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import ray

from ..boilerplate import BoilerplateModel
from ..boilerplate.counts import BatchCounts
from ..config import BoilerplateConfig
from ..errors import ConfigError
from .local import sum_counts

__all__ = ["build_model", "partial_rows", "sum_partials"]

SITE, GROUPS, SHORT, DOCS = 0, 1, 2, 3
_SUMMED = (SITE, GROUPS, DOCS)


def _rows(tables: list[int], keys: list[Any], values: list[Any]) -> pa.Table:
    return pa.table({
        "table": np.concatenate([np.full(len(k), t, dtype=np.int8) for t, k in zip(tables, keys, strict=True)]),
        "key": np.concatenate([np.zeros(0, np.uint64), *(np.asarray(k, dtype=np.uint64) for k in keys)]),
        "value": np.concatenate([np.zeros(0, np.uint64), *(np.asarray(v, dtype=np.uint64) for v in values)]),
    })  # fmt: skip


def partial_rows(counts: BatchCounts) -> pa.Table:
    """One shard's :class:`BatchCounts` as ``(table, key, value)`` rows (``SHORT``: value = line key)."""
    return _rows(
        [SITE, GROUPS, SHORT, DOCS],
        [counts.site_keys, counts.group_keys, counts.short_site, np.zeros(1, np.uint64)],
        [counts.site_counts, counts.group_counts, counts.short_line, np.array([counts.n_docs])],
    )


def sum_partials(batch: pa.Table) -> pa.Table:
    """One partition of partial rows -> one row per ``(table, key)``: sums; short keys deduplicated."""
    table = batch.column("table").to_numpy().astype(np.int8)
    key = batch.column("key").to_numpy().astype(np.uint64)
    value = batch.column("value").to_numpy().astype(np.uint64)
    tables, keys, values = [], [], []
    for code in _SUMMED:
        mask = table == code
        k, c = sum_counts(key[mask], value[mask].astype(np.int64))
        tables.append(code)
        keys.append(k)
        values.append(c)
    short = table == SHORT
    k, first = np.unique(key[short], return_index=True)
    tables.append(SHORT)
    keys.append(k)
    values.append(value[short][first])
    return _rows(tables, keys, values)


def merged_counts(rows: pa.Table) -> BatchCounts:
    """The reduced rows of all partitions as one :class:`BatchCounts` (keys sorted)."""
    table = rows.column("table").to_numpy()
    key = rows.column("key").to_numpy().astype(np.uint64)
    value = rows.column("value").to_numpy().astype(np.uint64)

    def part(code: int) -> tuple[Any, Any]:
        mask = table == code
        order = np.argsort(key[mask], kind="stable")
        return key[mask][order], value[mask][order]

    site_keys, site_counts = part(SITE)
    group_keys, group_counts = part(GROUPS)
    short_site, short_line = part(SHORT)
    n_docs = int(value[table == DOCS].astype(np.int64).sum())
    return BatchCounts(site_keys, site_counts.astype(np.int64), group_keys, group_counts.astype(np.int64),
                       short_site, short_line, n_docs)  # fmt: skip


@ray.remote  # type: ignore[untyped-decorator,unused-ignore]  # typed when ray is installed
def build_model(config: BoilerplateConfig, *blocks: pa.Table) -> BoilerplateModel:
    """The corpus model from the reduced rows (runs in a worker; blocks arrive as object references)."""
    model = BoilerplateModel(config)
    parts = [b for b in blocks if b.num_rows]
    if not parts:
        return model
    counts = merged_counts(pa.concat_tables(parts))
    limit = model.config.max_distinct_blocks
    if len(counts.site_keys) > limit:
        raise ConfigError(
            f"the corpus holds {len(counts.site_keys):,} distinct blocks, more than max_distinct_blocks={limit:,}; "
            "the sharded Ray run cannot reproduce the local run's pruning: raise max_distinct_blocks"
        )
    return model.add_counts(counts)
