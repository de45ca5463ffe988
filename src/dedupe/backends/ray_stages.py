"""The functions the sharded Ray run executes in its workers (picklable, no driver state).

Each one wraps library stage functions; none re-implements them: reading and record checks
(:mod:`dedupe.io`, :func:`dedupe._signing.check_record`), signatures and digests
(:meth:`MinHasher.signatures_and_digests`), exact groups (:func:`~dedupe.duplicates.first_of_groups`),
estimates (:func:`~dedupe.clusters.pair_similarities`), the verification rule
(:func:`~dedupe.duplicates.verify_candidates`) and exact Jaccard
(:func:`~dedupe.duplicates.shingle_jaccards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import ray
from numpy.typing import NDArray

from .._signing import check_record, reject_or_raise
from ..clusters import first_of_groups, pair_similarities
from ..config import MinHashConfig, ShingleConfig, Verify
from ..duplicates import shingle_jaccards, verify_candidates
from ..io import Record
from ..lsh import _pack_pairs
from ..minhash import EMPTY_VALUE, MinHasher
from .ray_shards import ShardPlan, read_shard

__all__ = [
    "DigestKeys", "DuplicateFn", "Eligible", "EstimateFn", "ExactFn", "ParseSign", "Payloads", "Texts", "exact_edges",
]  # fmt: skip


def _files(batch: pa.Table) -> list[tuple[str, bytes]]:
    return list(zip(batch.column("path").to_pylist(), batch.column("bytes").to_pylist(), strict=True))


def rows_of(shard: NDArray[Any], pos: NDArray[Any], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Global row numbers: the shard's offset plus the position in the shard."""
    out: NDArray[np.int64] = offsets[shard.astype(np.int64)] + pos.astype(np.int64)
    return out


@dataclass(frozen=True)
class ParseSign:
    """One shard's bytes -> one row per entry: ``shard, pos, ok, id, length, signature, digest``."""

    plan: ShardPlan
    config: MinHashConfig
    max_chars: int

    def __call__(self, batch: pa.Table) -> dict[str, Any]:
        shards, positions, oks, ids, texts = [], [], [], [], []
        for path, data in _files(batch):
            shard = self.plan.index_of(path)
            for pos, item in enumerate(read_shard(self.plan, shard, data)):
                ok = isinstance(item, Record)
                if isinstance(item, Record):
                    problem = check_record(item, self.plan.text_field, self.plan.group_field, self.max_chars)
                    if problem is not None:
                        reject_or_raise(item, pos, *problem, self.plan.on_error)
                        ok = False
                    else:
                        texts.append(item.text)
                shards.append(shard)
                positions.append(pos)
                oks.append(ok)
                ids.append(item.id if isinstance(item, Record) and ok and self.plan.id_field is not None else "")
        ok_mask = np.array(oks, dtype=bool)
        num_perm = self.config.num_perm
        signatures = np.zeros((len(oks), num_perm), dtype=np.uint32)
        digests = np.zeros(len(oks), dtype="V16")
        lengths = np.zeros(len(oks), dtype=np.int64)
        if texts:
            sigs, dig = MinHasher.from_config(self.config).signatures_and_digests(texts)
            signatures[ok_mask], digests[ok_mask] = sigs, dig
            lengths[ok_mask] = [len(t) for t in texts]
        digest_col = np.empty(len(oks), dtype=object)
        digest_col[:] = [d.tobytes() for d in digests]
        id_col = np.empty(len(oks), dtype=object)
        id_col[:] = ids
        return {
            "shard": np.array(shards, dtype=np.int32), "pos": np.array(positions, dtype=np.int64), "ok": ok_mask,
            "id": id_col, "length": lengths, "signature": signatures, "digest": digest_col,
        }  # fmt: skip


def count_shards(batch: pa.Table) -> pa.Table:
    """Entries per shard in one block (the driver sums these few rows)."""
    shard, count = np.unique(batch.column("shard").to_numpy(), return_counts=True)
    return pa.table({"shard": shard.astype(np.int64), "count": count.astype(np.int64)})


@dataclass(frozen=True)
class DigestKeys:
    """Signed rows -> ``{dkey, row, digest}`` (``dkey``: the digest's first 8 bytes, the shuffle key)."""

    offsets: NDArray[np.int64]

    def __call__(self, batch: pa.Table) -> pa.Table:
        ok = batch.column("ok").to_numpy(zero_copy_only=False)
        rows = rows_of(batch.column("shard").to_numpy(), batch.column("pos").to_numpy(), self.offsets)[ok]
        digests = np.frombuffer(b"".join(batch.column("digest").filter(pa.array(ok)).to_pylist()), dtype="V16")
        dkey = np.frombuffer(digests.tobytes(), dtype=np.uint64)[::2].copy()
        return pa.table({"dkey": dkey, "row": rows, "digest": pa.array([d.tobytes() for d in digests], pa.binary(16))})


def exact_edges(batch: pa.Table) -> pa.Table:
    """One partition of digests -> ``(member, first)``: each copy and the first row of its group."""
    rows = batch.column("row").to_numpy()
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    digests = np.frombuffer(b"".join(batch.column("digest").to_pylist()), dtype="V16")[order]
    first = rows[first_of_groups(digests)]
    copies = first != rows
    return pa.table({"member": rows[copies], "first": first[copies]})


@dataclass(frozen=True)
class Eligible:
    """Signed rows -> ``{row, signature}`` of the rows that enter LSH (not a copy, not wordless)."""

    offsets: NDArray[np.int64]
    members: Any  # object reference to the sorted exact copies

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        members: NDArray[np.int64] = ray.get(self.members)
        rows = rows_of(batch["shard"], batch["pos"], self.offsets)
        sigs = np.asarray(batch["signature"], dtype=np.uint32)
        keep = np.asarray(batch["ok"], dtype=bool) & ~(sigs == EMPTY_VALUE).all(axis=1)
        if len(members):
            keep &= ~np.isin(rows, members, assume_unique=False)
        return {"row": rows[keep], "signature": sigs[keep]}


@dataclass(frozen=True)
class Payloads:
    """Signed rows -> ``{k: row, payload}``: the signature's bytes, then the id (UTF-8) if ``ids``."""

    offsets: NDArray[np.int64]
    wanted: Any  # object reference to sorted rows, or None for every signed row
    ids: bool

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        rows = rows_of(batch["shard"], batch["pos"], self.offsets)
        keep = np.asarray(batch["ok"], dtype=bool)
        if self.wanted is not None:
            wanted: NDArray[np.int64] = ray.get(self.wanted)
            keep &= np.isin(rows, wanted)
        sigs = np.ascontiguousarray(np.asarray(batch["signature"], dtype=np.uint32)[keep])
        out = np.empty(int(keep.sum()), dtype=object)
        if self.ids:
            names = [i if i else str(r) for i, r in zip(batch["id"][keep].tolist(), rows[keep].tolist(), strict=True)]
            out[:] = [s.tobytes() + n.encode("utf-8", "surrogatepass") for s, n in zip(sigs, names, strict=True)]
        else:
            out[:] = [s.tobytes() for s in sigs]
        return {"k": rows[keep], "payload": out}


@dataclass(frozen=True)
class Texts:
    """Shard bytes -> ``{k: row, payload: UTF-8 text}`` of the wanted rows (verification re-reads)."""

    plan: ShardPlan
    offsets: NDArray[np.int64]
    wanted: Any  # object reference to the sorted wanted rows

    def __call__(self, batch: pa.Table) -> dict[str, NDArray[Any]]:
        wanted: NDArray[np.int64] = ray.get(self.wanted)
        rows: list[int] = []
        texts: list[bytes] = []
        for path, data in _files(batch):
            shard = self.plan.index_of(path)
            lo, hi = np.searchsorted(wanted, [self.offsets[shard], self.offsets[shard + 1]])
            local = set((wanted[lo:hi] - self.offsets[shard]).tolist())
            if not local:
                continue
            for pos, item in enumerate(read_shard(self.plan, shard, data)):
                if pos in local and isinstance(item, Record):
                    rows.append(int(self.offsets[shard]) + pos)
                    texts.append(item.text.encode("utf-8", "surrogatepass"))
        out = np.empty(len(texts), dtype=object)
        out[:] = texts
        return {"k": np.array(rows, dtype=np.int64), "payload": out}


def _signatures(payloads: list[bytes], num_perm: int) -> NDArray[np.uint32]:
    width = 4 * num_perm
    return np.frombuffer(b"".join(p[:width] for p in payloads), dtype=np.uint32).reshape(-1, num_perm)


def _estimates(left: list[bytes], right: list[bytes], num_perm: int) -> NDArray[np.float64]:
    sigs = np.concatenate([_signatures(left, num_perm), _signatures(right, num_perm)])
    m = len(left)
    return pair_similarities(sigs, np.stack([np.arange(m), np.arange(m, 2 * m)], axis=1))


@dataclass(frozen=True)
class EstimateFn:
    """Pairs with signatures -> ``{code, status}``: 1 accepted by its estimate, 2 to check exactly, 0 not."""

    n: int
    num_perm: int
    threshold: float
    verify: Verify
    exact_margin: float

    def __call__(self, a: NDArray[np.int64], b: NDArray[np.int64], left: list[bytes], right: list[bytes]) -> Any:
        est = _estimates(left, right, self.num_perm)
        local = np.stack([np.arange(len(a)), np.arange(len(a))], axis=1)
        checked = np.zeros(len(a), dtype=bool)

        def mark(p: NDArray[np.int64]) -> NDArray[np.float64]:  # exact values come later, where the texts are
            checked[p[:, 0]] = True
            return np.full(len(p), np.nan)

        accepted, _ = verify_candidates(local, est, self.threshold, self.verify, self.exact_margin, mark)
        status = np.where(checked, 2, 0).astype(np.int8)
        status[accepted[:, 0]] = 1
        return {"code": _pack_pairs(a, b, self.n), "status": status}


@dataclass(frozen=True)
class ExactFn:
    """Pairs with texts -> ``{code}`` of the pairs whose exact shingle Jaccard reaches the threshold."""

    n: int
    shingle: ShingleConfig
    threshold: float

    def __call__(self, a: NDArray[np.int64], b: NDArray[np.int64], left: list[bytes], right: list[bytes]) -> Any:
        m = len(a)
        texts = {i: t.decode("utf-8", "surrogatepass") for i, t in enumerate(left)}
        texts.update({m + i: t.decode("utf-8", "surrogatepass") for i, t in enumerate(right)})
        sim = shingle_jaccards(texts, np.stack([np.arange(m), np.arange(m, 2 * m)], axis=1), self.shingle)
        keep = sim >= self.threshold
        return {"code": _pack_pairs(a[keep], b[keep], self.n)}


@dataclass(frozen=True)
class DuplicateFn:
    """``(representative, member)`` with signatures and ids -> one duplicates row per member."""

    num_perm: int

    def __call__(self, a: NDArray[np.int64], b: NDArray[np.int64], left: list[bytes], right: list[bytes]) -> Any:
        width = 4 * self.num_perm
        ids = np.empty(len(a), dtype=object)
        ids[:] = [p[width:].decode("utf-8", "surrogatepass") for p in right]
        reps = np.empty(len(a), dtype=object)
        reps[:] = [p[width:].decode("utf-8", "surrogatepass") for p in left]
        return {"row": b, "rep": a, "id": ids, "rep_id": reps, "estimate": _estimates(left, right, self.num_perm)}
