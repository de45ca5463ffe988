"""Join pairs of documents with a payload of each endpoint, on the workers (two hash shuffles).

A pair ``(a, b)`` of global row numbers travels as one packed ``code`` (``a * n + b``, as
:func:`dedupe.lsh._pack_pairs` packs it). The documents side is ``{"k": row, "payload": bytes}``.

1. Every pair emits two requests, ``(k=a, side=0)`` and ``(k=b, side=1)``; requests and documents
   are shuffled together by ``k``, and each partition looks its requests up in its documents
   (one vectorised ``searchsorted`` and an Arrow ``take``: no Python call per row).
2. The matched ``(code, side, payload)`` rows are shuffled by ``code``; each partition lines up
   side 0 and side 1 of every code and hands both payload lists to a pair function.

A pair listed twice (from two bands) is joined once. A request whose document is missing raises:
nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from ..lsh import _unpack_pairs

__all__ = ["PairFn", "join_pairs"]

#: ``(left rows, right rows, left payloads, right payloads) -> output columns``.
PairFn = Callable[[NDArray[np.int64], NDArray[np.int64], list[bytes], list[bytes]], dict[str, Any]]

_SCHEMA = pa.schema([("k", pa.int64()), ("code", pa.uint64()), ("side", pa.int8()), ("payload", pa.large_binary())])


class _Requests:
    def __init__(self, n: int) -> None:
        self.n = n

    def __call__(self, batch: pa.Table) -> pa.Table:
        code = np.unique(batch.column("code").to_numpy().astype(np.uint64))
        pairs = _unpack_pairs(code, self.n)
        k = np.concatenate([pairs[:, 0], pairs[:, 1]]).astype(np.int64)
        side = np.repeat(np.array([0, 1], dtype=np.int8), len(code))
        empty = pa.array([b""] * len(k), pa.large_binary())
        return pa.Table.from_arrays([pa.array(k), pa.array(np.tile(code, 2)), pa.array(side), empty], schema=_SCHEMA)


def _as_docs(batch: pa.Table) -> pa.Table:
    k = batch.column("k").combine_chunks().cast(pa.int64())
    code = pa.array(np.zeros(len(k), dtype=np.uint64))
    side = pa.array(np.full(len(k), -1, dtype=np.int8))
    payload = batch.column("payload").combine_chunks().cast(pa.large_binary())
    return pa.Table.from_arrays([k, code, side, payload], schema=_SCHEMA)


def _match(batch: pa.Table) -> pa.Table:
    """One partition of documents and requests -> ``(code, side, payload)`` per request."""
    side = batch.column("side").to_numpy()
    k = batch.column("k").to_numpy()
    docs = np.flatnonzero(side < 0)
    reqs = np.flatnonzero(side >= 0)
    order = docs[np.argsort(k[docs], kind="stable")]
    doc_k = k[order]
    at = np.searchsorted(doc_k, k[reqs])
    found = at < len(doc_k)
    found[found] = doc_k[at[found]] == k[reqs][found]
    if not found.all():
        missing = k[reqs][~found][:5].tolist()
        raise RuntimeError(f"join: {int((~found).sum())} requests for rows without a document (e.g. {missing})")
    payload = batch.column("payload").take(pa.array(order[at]))
    code = batch.column("code").take(pa.array(reqs))
    return pa.table({"code": code, "side": batch.column("side").take(pa.array(reqs)), "payload": payload})


class _Pairs:
    def __init__(self, n: int, fn: PairFn) -> None:
        self.n = n
        self.fn = fn

    def __call__(self, batch: pa.Table) -> dict[str, Any]:
        code = batch.column("code").to_numpy().astype(np.uint64)
        side = batch.column("side").to_numpy().astype(np.int64)
        both = code * np.uint64(2) + side.astype(np.uint64)  # codes are below 2**63
        uniq, first = np.unique(both, return_index=True)
        left_at, right_at = first[(uniq & np.uint64(1)) == 0], first[(uniq & np.uint64(1)) == 1]
        if len(left_at) != len(right_at) or not np.array_equal(code[left_at], code[right_at]):
            raise RuntimeError("join: a pair lost one of its endpoints")
        pairs = _unpack_pairs(code[left_at], self.n)
        payload = batch.column("payload")
        left = payload.take(pa.array(left_at)).to_pylist()
        right = payload.take(pa.array(right_at)).to_pylist()
        return self.fn(pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64), left, right)


def join_pairs(codes: Any, docs: Any, *, n: int, num_partitions: int, fn: PairFn) -> Any:
    """``fn`` over every distinct pair of ``codes`` (column ``code``) with both endpoints' payloads.

    Args:
        codes: a Ray dataset with a ``code`` column (uint64 packed pairs, repeats allowed).
        docs: a Ray dataset ``{"k": int64 row, "payload": binary}``, one row per document.
        n: the row count the codes are packed with.
        num_partitions: partitions of each shuffle.
        fn: the pair function (runs in the workers, one call per partition).
    """
    requests = codes.map_batches(_Requests(n), batch_format="pyarrow", batch_size=None)
    sides = docs.map_batches(_as_docs, batch_format="pyarrow", batch_size=None).union(requests)
    matched = sides.repartition(num_partitions, keys=["k"]).map_batches(_match, batch_format="pyarrow", batch_size=None)
    by_code = matched.repartition(num_partitions, keys=["code"])
    return by_code.map_batches(_Pairs(n, fn), batch_format="pyarrow", batch_size=None)
