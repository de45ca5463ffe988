"""Boilerplate counts of the sharded Ray run: partial counts per shard, summed by block key.

Each shard's kept records are counted by a :class:`~dedupe.boilerplate.BoilerplateModel` of
their own (the map-side combine: one ``(table, key, count)`` row per distinct key of the shard);
the rows are shuffled by ``(table, key)`` and summed per partition; a worker task builds the
corpus model from those sums, and the find-and-write tasks fetch it from the object store. The
driver holds object references only, never the counts.

The merge is exact, so the model equals the local pipeline's (which counts the same kept records
in one model): block and group counts are sums over disjoint sets of documents. The stoplist
table counts the *groups* holding a short line; without a group field there is one group, so
each partial count is 0 or 1 and the corpus count is their maximum. With a group field, near
boilerplate (``near_threshold``) or a shard whose partial model had to prune keys, the merge
would not be exact: those runs raise :class:`~dedupe.errors.ConfigError` instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import ray

from ..boilerplate import BoilerplateModel
from ..boilerplate.counts import Counts, CountTable
from ..errors import ConfigError
from .local import sum_counts

__all__ = ["build_model", "check_options", "partial_rows", "sum_partials"]

SITE, GROUPS, STOP, DOCS = 0, 1, 2, 3


def check_options(options: dict[str, Any], group_field: str | None) -> None:
    """Refuse the settings under which the merged counts would differ from one model's."""
    if group_field is not None:
        raise ConfigError("the sharded Ray run counts boilerplate without a group field (group_field=None) only")
    if options.get("near_threshold") is not None:
        raise ConfigError("the sharded Ray run does not support near boilerplate (near_threshold)")
    BoilerplateModel(**options)  # unknown or invalid options raise here, on the driver


def partial_rows(model: BoilerplateModel) -> pa.Table:
    """The counts of one shard's model as ``(table, key, count)`` rows (``DOCS``: the document count)."""
    if model._pruned_below:
        raise ConfigError(
            "a shard holds more distinct blocks than max_distinct_blocks; the sharded Ray run cannot "
            "merge pruned counts exactly: raise max_distinct_blocks or use smaller shards"
        )
    arrays = model._arrays()
    parts = [("site", SITE), ("group", GROUPS), ("stop", STOP)]
    tables = [np.full(len(arrays[f"{name}_keys"]), code, dtype=np.int8) for name, code in parts]
    keys = [arrays[f"{name}_keys"].astype(np.uint64) for name, _ in parts]
    counts = [arrays[f"{name}_counts"].astype(np.int64) for name, _ in parts]
    tables.append(np.array([DOCS], dtype=np.int8))
    keys.append(np.zeros(1, dtype=np.uint64))
    counts.append(np.array([model.n_docs], dtype=np.int64))
    return pa.table({"table": np.concatenate(tables), "key": np.concatenate(keys), "count": np.concatenate(counts)})


def sum_partials(batch: pa.Table) -> pa.Table:
    """One partition of partial rows -> one row per ``(table, key)``: sums, maxima for the stoplist."""
    table = batch.column("table").to_numpy().astype(np.int8)
    key = batch.column("key").to_numpy().astype(np.uint64)
    count = batch.column("count").to_numpy().astype(np.int64)
    out_t, out_k, out_c = [], [], []
    for code in (SITE, GROUPS, DOCS):
        mask = table == code
        if mask.any():
            k, c = sum_counts(key[mask], count[mask])
            out_t.append(np.full(len(k), code, dtype=np.int8))
            out_k.append(k)
            out_c.append(c)
    stop = table == STOP
    if stop.any():
        order = np.lexsort((-count[stop], key[stop]))
        k, c = key[stop][order], count[stop][order]
        first = np.ones(len(k), dtype=bool)
        first[1:] = k[1:] != k[:-1]
        out_t.append(np.full(int(first.sum()), STOP, dtype=np.int8))
        out_k.append(k[first])
        out_c.append(c[first])
    if not out_t:
        empty = {"table": pa.array([], pa.int8()), "key": pa.array([], pa.uint64()), "count": pa.array([], pa.int64())}
        return pa.table(empty)
    return pa.table({"table": np.concatenate(out_t), "key": np.concatenate(out_k), "count": np.concatenate(out_c)})


@ray.remote  # type: ignore[untyped-decorator]
def build_model(options: dict[str, Any], *blocks: pa.Table) -> BoilerplateModel:
    """The corpus model from the summed rows (runs in a worker; blocks arrive as object references)."""
    rows = pa.concat_tables([b for b in blocks if b.num_rows]) if blocks else None
    model = BoilerplateModel(**options)
    if rows is None or rows.num_rows == 0:
        return model
    table = rows.column("table").to_numpy()
    key = rows.column("key").to_numpy().astype(np.uint64)
    count = rows.column("count").to_numpy().astype(np.int64)

    def part(code: int) -> CountTable:
        mask = table == code
        order = np.argsort(key[mask], kind="stable")
        return CountTable.from_counts(key[mask][order], count[mask][order])

    model._counts = Counts(site=part(SITE), groups=part(GROUPS), stop=part(STOP))
    model._n_docs = int(count[table == DOCS].sum())
    return model
