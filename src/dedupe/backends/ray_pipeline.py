"""``dedupe clean SHARDS/ -o OUT/ --backend ray``: the corpus job with the texts kept in the shards.

The driver holds the shard list, per-shard counts, and the duplicate graph as arrays of row
numbers: the exact copies (8 B each plus 8 B for their first row), the verified near edges (16 B
each), the endpoints of the pairs checked exactly (8 B each) and, after the connected components
(numpy union-find over the nodes of those edges only), the removed rows and their kind (9 B each).
No text, signature or id passes through it. The stages:

1. **read, check, sign** (one task per shard): entries parsed by dedupe's readers, checked as the
   local pipeline checks them, signed and hashed; rows keep ``(shard, position)``; global row =
   shard offset + position (shards sorted by name: the local order on the same folder).
2. **exact groups**: shuffle by digest; each group's first row (by global row) is its original.
3. **band keys** of the rows that enter LSH, shuffled by key; buckets -> candidate pairs (a dataset).
4. **estimates**: pairs joined with both signatures on the workers; the library's rule decides
   which are accepted, which rejected, which need the exact check.
5. **exact check**: the texts of the pairs to check are re-read from their shards and joined with
   the pairs on the workers; exact shingle Jaccard there; only the verified edges come back.
6. **components** on the driver, over edges and row numbers only; kept = first row of a cluster.
7. **duplicates file**: removed rows joined with their own and their representative's signature
   and id on the workers; written per shard.
8. **boilerplate**: partial counts per shard, shuffled by key and summed (see ``ray_boilerplate``).
9. **find, strip, write** (one task per shard); the driver checks kept + duplicates + rejected =
   input for every shard from the counts the tasks return.
"""

from __future__ import annotations

import json
import pickle
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import ray
import ray.data
from numpy.typing import NDArray

from .._typing import IntArray
from ..clusters import connected_components
from ..config import BoilerplateConfig, MinHashConfig, ShingleConfig, Verify
from ..duplicates import STAR_ABOVE
from ..errors import ConfigError
from ..io._atomic import atomic_file
from ..lsh import LSHIndex, _unpack_pairs
from ..results import ShardRun
from . import BackendError
from . import ray_boilerplate as rbp
from .ray import RayBackend, _BandKeys, _BucketEdges, _run
from .ray_join import join_pairs
from .ray_shards import REPORT_NAME, ShardPlan
from .ray_stages import (
    DigestKeys,
    DuplicateFn,
    Eligible,
    EstimateFn,
    ExactFn,
    ParseSign,
    Payloads,
    Texts,
    count_shards,
    exact_edges,
)  # fmt: skip
from .ray_write import FitShard, Removed, WriteShard, write_duplicates

__all__ = ["ShardRun", "run_shards"]


@dataclass
class _Ctx:
    plan: ShardPlan
    files: Any
    parsed: Any
    offsets: NDArray[np.int64]
    config: MinHashConfig
    partitions: int
    timings: dict[str, float] = field(default_factory=dict)
    clock: float = field(default_factory=time.perf_counter)

    @property
    def n(self) -> int:
        return int(self.offsets[-1])

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(now - self.clock, 3)
        self.clock = now


def _column(dataset: Any, name: str, dtype: type) -> NDArray[Any]:
    batches = dataset.iter_batches(batch_format="numpy", batch_size=None)
    parts: list[NDArray[Any]] = [np.asarray(b[name]).astype(dtype) for b in batches]
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def _read(plan: ShardPlan, config: MinHashConfig, max_chars: int, partitions: int) -> _Ctx:
    start = time.perf_counter()
    files = ray.data.read_binary_files(list(plan.paths), include_paths=True)
    parsed = files.map_batches(ParseSign(plan, config, max_chars), batch_format="pyarrow", batch_size=1).materialize()
    counted = parsed.map_batches(count_shards, batch_format="pyarrow", batch_size=None).materialize()
    per_shard = np.zeros(len(plan.paths), dtype=np.int64)
    np.add.at(per_shard, _column(counted, "shard", np.int64), _column(counted, "count", np.int64))
    offsets = np.concatenate([[0], np.cumsum(per_shard)]).astype(np.int64)
    if offsets[-1] >= 2**32:
        raise ConfigError(f"the sharded Ray run handles fewer than 2**32 records (got {int(offsets[-1]):,})")
    return _Ctx(plan, files, parsed, offsets, config, partitions, clock=start)


def _exact_copies(ctx: _Ctx) -> tuple[IntArray, IntArray]:
    keyed = ctx.parsed.map_batches(DigestKeys(ctx.offsets), batch_format="pyarrow", batch_size=None)
    edges = keyed.repartition(ctx.partitions, keys=["dkey"]).map_batches(
        exact_edges, batch_format="pyarrow", batch_size=None
    ).materialize()
    member, first = _column(edges, "member", np.int64), _column(edges, "first", np.int64)
    order = np.argsort(member)
    return member[order], first[order]


def _candidates(ctx: _Ctx, members: IntArray, threshold: float, bands_per_pass: int | None) -> Any:
    plan = LSHIndex.for_threshold(threshold, num_perm=ctx.config.num_perm).config
    eligible = ctx.parsed.map_batches(Eligible(ctx.offsets, ray.put(members)), batch_format="numpy", batch_size=None)
    per_pass = plan.num_bands if bands_per_pass is None else min(bands_per_pass, plan.num_bands)
    out = None
    for lo in range(0, plan.num_bands, per_pass):
        bands = list(range(lo, min(lo + per_pass, plan.num_bands)))
        keyed = eligible.map_batches(
            _BandKeys(plan.num_bands, plan.rows_per_band, bands), batch_format="numpy", batch_size=None
        )
        codes = keyed.repartition(ctx.partitions, keys=["key"]).map_batches(
            _BucketEdges(ctx.n, STAR_ABOVE), batch_format="numpy", batch_size=None
        )
        out = codes if out is None else out.union(codes)
    return out.materialize() if out is not None else None


def _verified(ctx: _Ctx, codes: Any, threshold: float, verify: Verify, exact_margin: float) -> IntArray:
    """Near edges ``(k, 2)``: estimates on the workers, exact checks where the texts are."""
    if codes is None or codes.count() == 0:
        return np.empty((0, 2), dtype=np.int64)
    sigs = ctx.parsed.map_batches(Payloads(ctx.offsets, None, False), batch_format="numpy", batch_size=None)
    fn = EstimateFn(ctx.n, ctx.config.num_perm, threshold, verify, exact_margin)
    est = join_pairs(codes, sigs, n=ctx.n, num_partitions=ctx.partitions, fn=fn).materialize()
    code = _column(est, "code", np.uint64)  # 9 B per candidate pair, on the driver only for this split
    status = _column(est, "status", np.int8)
    edges = [_unpack_pairs(code[status == 1], ctx.n)]
    check = code[status == 2]
    del code, status
    ctx.lap("estimates")
    if len(check):
        wanted = ray.put(np.unique(_unpack_pairs(check, ctx.n)))
        texts = ctx.files.map_batches(Texts(ctx.plan, ctx.offsets, wanted), batch_format="pyarrow", batch_size=1)
        need = ray.data.from_arrow(pa.table({"code": check}))
        exact_fn = ExactFn(ctx.n, ctx.config.shingle, threshold)
        kept = join_pairs(need, texts, n=ctx.n, num_partitions=ctx.partitions, fn=exact_fn)
        edges.append(_unpack_pairs(_column(kept, "code", np.uint64), ctx.n))
    ctx.lap("exact check")
    return np.concatenate(edges)


def _components(members: IntArray, firsts: IntArray, near: IntArray) -> tuple[IntArray, IntArray, NDArray[np.int8]]:
    """Removed rows (sorted), their representative (the cluster's first row) and kind (1 exact, 2 near)."""
    edges = np.concatenate([np.stack([firsts, members], axis=1), near]).astype(np.int64)
    if not len(edges):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.int8)
    nodes = np.unique(edges)
    comp = connected_components(np.searchsorted(nodes, edges), len(nodes))  # smallest local index = row
    rep = nodes[comp]
    removed = rep != nodes
    rows, reps = nodes[removed], rep[removed]

    def first_of(x: IntArray) -> IntArray:
        at = np.minimum(np.searchsorted(members, x), max(len(members) - 1, 0))
        hit = (members[at] == x) if len(members) else np.zeros(len(x), dtype=bool)
        return np.where(hit, firsts[at] if len(members) else x, x)

    kind = np.where(first_of(rows) == first_of(reps), 1, 2).astype(np.int8)
    return rows, reps, kind


def _write_duplicates(ctx: _Ctx, rows: IntArray, reps: IntArray, kinds: Removed, output: Path) -> int:
    if not len(rows):
        return 0
    ends = np.unique(np.concatenate([rows, reps]))
    payloads = ctx.parsed.map_batches(Payloads(ctx.offsets, ray.put(ends), True), batch_format="numpy", batch_size=None)
    codes = ray.data.from_arrow(pa.table({"code": reps.astype(np.uint64) * np.uint64(ctx.n) + rows.astype(np.uint64)}))
    joined = join_pairs(codes, payloads, n=ctx.n, num_partitions=ctx.partitions, fn=DuplicateFn(ctx.config.num_perm))
    by_shard = joined.map_batches(_ShardOf(ctx.offsets), batch_format="pyarrow", batch_size=None)
    written = by_shard.repartition(ctx.partitions, keys=["shard"]).map_batches(
        write_duplicates, batch_format="pyarrow", batch_size=None,
        fn_kwargs={"plan": ctx.plan, "offsets": ctx.offsets, "kinds": kinds, "output": str(output)},
    )  # fmt: skip
    return int(_column(written, "duplicates", np.int64).sum())


@dataclass(frozen=True)
class _ShardOf:
    offsets: NDArray[np.int64]

    def __call__(self, batch: pa.Table) -> pa.Table:
        shard = np.searchsorted(self.offsets, batch.column("row").to_numpy(), side="right") - 1
        return batch.append_column("shard", pa.array(shard.astype(np.int64)))


def _fit_model(ctx: _Ctx, removed: Removed, config: BoilerplateConfig, max_chars: int) -> Any:
    fit = FitShard(ctx.plan, ctx.offsets, removed, config, max_chars)
    partial = ctx.files.map_batches(fit, batch_format="pyarrow", batch_size=1)
    summed = partial.repartition(ctx.partitions, keys=["table", "key"]).map_batches(
        rbp.sum_partials, batch_format="pyarrow", batch_size=None
    )
    refs = summed.materialize().to_arrow_refs()
    return rbp.build_model.remote(config, *refs)


def _account(
    ctx: _Ctx, rows: dict[str, list[Any]], duplicates_written: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    keys = ("input", "kept", "exact", "near", "rejected", "spans", "chars", "docs")
    order = np.argsort(rows["shard"])
    per_shard: list[dict[str, Any]] = [
        {"shard": ctx.plan.name(int(rows["shard"][i])), **{k: int(rows[k][i]) for k in keys}} for i in order
    ]
    expected = np.diff(ctx.offsets).tolist()
    for entry, count in zip(per_shard, expected, strict=True):
        if entry["input"] != count or entry["kept"] + entry["exact"] + entry["near"] + entry["rejected"] != count:
            raise BackendError(f"accounting failed for shard {entry['shard']}: {entry}", stage="write", backend="ray")
    totals: dict[str, int] = {k: sum(int(e[k]) for e in per_shard) for k in keys}
    totals["duplicates"] = totals["exact"] + totals["near"]
    if len(per_shard) != len(ctx.plan.paths) or duplicates_written != totals["duplicates"]:
        raise BackendError(
            f"accounting failed: {len(per_shard)} of {len(ctx.plan.paths)} shards written, "
            f"{duplicates_written} duplicate rows for {totals['duplicates']} duplicates", stage="write", backend="ray",
        )  # fmt: skip
    return per_shard, totals


def _skipped(shards: list[int], per_shard: list[str], limit: int = 20) -> dict[str, Any]:
    """The report's records kept whole for too many units, as the local report gives them (in shard order)."""
    ids = [i for k in np.argsort(shards, kind="stable").tolist() for i in json.loads(per_shard[k])]
    return {"records": len(ids), "ids": ids[:limit]}


def _top_blocks(tops: list[bytes], limit: int = 50) -> list[dict[str, Any]]:
    occurrences: Counter[int] = Counter()
    previews: dict[int, tuple[str, str]] = {}
    for blob in tops:
        for group, count, text, reason in pickle.loads(blob):
            occurrences[group] += count
            previews.setdefault(group, (text, reason))
    top = occurrences.most_common(limit)
    return [{"text": previews[g][0], "reason": previews[g][1], "occurrences": c} for g, c in top]


def run_shards(plan: ShardPlan, out: Path, engine: RayBackend, params: dict[str, Any]) -> ShardRun:
    """Run the sharded job of :func:`dedupe.deduplicate_shards` on ``engine`` into the empty folder ``out``.

    The options were checked by the caller, and ``out`` prepared by :func:`.ray_shards.prepare_output`.
    ``params`` holds ``threshold``, ``remove_boilerplate``, ``boilerplate`` (a
    :class:`~dedupe.config.BoilerplateConfig` or None), ``num_perm``, ``ngram_size``, ``seed``,
    ``verify``, ``exact_margin`` and ``max_chars``; the report records them.

    Raises:
        ConfigError: more than 2**32 records; more distinct blocks than ``max_distinct_blocks``.
        InputError: a bad record with ``on_error="raise"``.
        BackendError: a stage failed on Ray, or the per-shard accounting does not add up.
    """
    return _run("sharded run", lambda: _execute(plan, out, engine, params))


def _execute(plan: ShardPlan, out: Path, engine: RayBackend, p: dict[str, Any]) -> ShardRun:
    config = MinHashConfig(num_perm=p["num_perm"], seed=p["seed"], shingle=ShingleConfig(ngram_size=p["ngram_size"]))
    ctx = _read(plan, config, p["max_chars"], engine.num_partitions)
    ctx.lap("read and sign")
    members, firsts = _exact_copies(ctx)
    ctx.lap("exact groups")
    codes = _candidates(ctx, members, p["threshold"], engine.bands_per_pass)
    ctx.lap("candidate pairs")
    near = _verified(ctx, codes, p["threshold"], p["verify"], p["exact_margin"])
    rows, reps, kind = _components(members, firsts, near)
    graph = {"exact_copies": len(members), "near_edges": len(near), "removed": len(rows), "candidate_pairs":
             0 if codes is None else int(codes.count())}  # fmt: skip
    del near
    ctx.lap("components")
    removed = Removed(ray.put(rows), ray.put(kind))
    written = _write_duplicates(ctx, rows, reps, removed, out)
    ctx.lap("duplicates")
    model = _fit_model(ctx, removed, p["boilerplate"], p["max_chars"]) if p["boilerplate"] is not None else None
    ctx.lap("boilerplate counts")
    task = WriteShard(plan, ctx.offsets, removed, model, str(out), p["max_chars"])
    results = ctx.files.map_batches(task, batch_format="pyarrow", batch_size=1).take_all()
    ctx.lap("find, strip, write")
    columns = {k: [r[k] for r in results] for k in ("shard", "input", "kept", "exact", "near", "rejected", "spans",
                                                    "chars", "docs", "top", "skipped")}  # fmt: skip
    per_shard, totals = _account(ctx, columns, written)
    bp = p["boilerplate"]
    run = ShardRun(per_shard, totals, {**p, "boilerplate": None if bp is None else bp.as_dict(),
                   "text_field": plan.text_field, "id_field": plan.id_field, "group_field": plan.group_field,
                   "fingerprint": config.fingerprint(), "backend": "ray"}, ctx.timings, graph,
                   _top_blocks(columns["top"]) if p["boilerplate"] is not None else [])  # fmt: skip
    report = {"summary": run.summary(), "counts": totals, "per_shard": per_shard, "params": run.params,
              "timings_s": run.timings, "driver_graph": graph, "top_boilerplate_blocks": run.top_blocks,
              "boilerplate_skipped": _skipped(columns["shard"], columns["skipped"])}  # fmt: skip
    with atomic_file(out / REPORT_NAME) as fh:
        fh.write(json.dumps(report, indent=2, ensure_ascii=False, default=str).encode("utf-8") + b"\n")
    return run
