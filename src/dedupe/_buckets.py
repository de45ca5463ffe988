"""Sorted runs of band keys, the pairs their buckets give, and packed pair codes.

An :class:`~dedupe.lsh.LSHIndex` keeps each inserted batch as a *run*: per band, the band keys
sorted, with the row of each key, so a lookup is :func:`numpy.searchsorted` and the buckets are the
runs of equal keys. Runs merge log-structured (:func:`merge_runs`). A pair of rows ``(i, j)`` is
packed into one uint64 code ``i * n + j`` so that sets of pairs are sorted and deduplicated as flat
arrays. The Ray backend uses the same helpers on its shards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray
from .banding import KeyArray, SignatureMatrix, band_keys

__all__ = [
    "DEFAULT_STAR_ABOVE",
    "MAX_DOCS",
    "Run",
    "bucket_pairs",
    "candidate_pairs_of",
    "first_duplicate",
    "make_run",
    "merge_runs",
    "pack_pairs",
    "sort_bands",
    "sorted_pairs",
    "sorted_unique",
    "unpack_pairs",
]

#: Rows are stored as uint32, so an index holds at most this many documents.
MAX_DOCS = 2**32 - 1
#: Largest bucket that yields all its pairs by default; bigger ones yield star edges.
DEFAULT_STAR_ABOVE = 32


def first_duplicate(sorted_ids: NDArray[Any]) -> Any | None:
    """Return the first value that repeats in the sorted ``sorted_ids`` (as a Python scalar), else None."""
    if sorted_ids.shape[0] < 2:
        return None
    same = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
    return sorted_ids[same[0]].item() if same.size else None


def pack_pairs(left: IntArray, right: IntArray, n_right: int) -> NDArray[np.uint64]:
    """Pack pairs into uint64 codes ``left * n_right + right`` (the caller keeps them below 2**64)."""
    codes: NDArray[np.uint64] = left.astype(np.uint64) * np.uint64(n_right) + right.astype(np.uint64)
    return codes


def sorted_unique(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Sorted distinct values (``np.unique`` may take a slower hash-based path on numpy >= 2.3)."""
    ordered = np.sort(values)
    if ordered.shape[0] < 2:
        return ordered
    keep = np.empty(ordered.shape[0], dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def unpack_pairs(codes: NDArray[np.uint64], n_right: int) -> IntArray:
    """Unpack :func:`pack_pairs` codes into a ``(k, 2)`` int64 array of ``(left, right)``."""
    out = np.empty((codes.shape[0], 2), dtype=np.int64)
    out[:, 0] = codes // np.uint64(n_right)
    out[:, 1] = codes % np.uint64(n_right)
    return out


@dataclass(slots=True)
class Run:
    """A block of consecutive rows with its band keys sorted (one log-structured run)."""

    row_start: int
    signatures: SignatureMatrix  # (m, num_perm), row order
    doc_ids: NDArray[Any]  # (m,) int64 or unicode, row order
    id_order: NDArray[np.uint32]  # (m,) local positions that sort doc_ids
    keys: KeyArray  # (num_bands, m), sorted within each band
    rows: NDArray[np.uint32]  # (num_bands, m), global row of each key

    @property
    def size(self) -> int:
        return int(self.signatures.shape[0])

    @property
    def nbytes(self) -> int:
        arrays = (self.signatures, self.doc_ids, self.id_order, self.keys, self.rows)
        return sum(int(a.nbytes) for a in arrays)


def sort_bands(keys: KeyArray) -> NDArray[np.uint32]:
    """Sort each band of ``(num_bands, m)`` ``keys`` in place; return the position each sorted key came from."""
    rows = np.empty(keys.shape, dtype=np.uint32)
    for band in range(keys.shape[0]):
        order = np.argsort(keys[band])
        keys[band] = keys[band][order]
        rows[band] = order
    return rows


def make_run(
    row_start: int,
    signatures: SignatureMatrix,
    doc_ids: NDArray[Any],
    id_order: NDArray[np.uint32],
    num_bands: int,
    rows_per_band: int,
) -> Run:
    """Build the run of rows ``row_start ..``: band keys of ``signatures``, sorted within each band."""
    keys = band_keys(signatures, num_bands, rows_per_band)
    rows = sort_bands(keys)
    if row_start:
        rows += np.uint32(row_start)
    return Run(row_start, signatures, doc_ids, id_order, keys, rows)


def merge_runs(runs: Sequence[Run]) -> Run:
    """Merge consecutive runs into one (a stable sort of sorted runs is a linear merge)."""
    if len(runs) == 1:
        return runs[0]
    keys = np.concatenate([run.keys for run in runs], axis=1)
    rows = np.concatenate([run.rows for run in runs], axis=1)
    for band in range(keys.shape[0]):
        order = np.argsort(keys[band], kind="stable")
        keys[band] = keys[band][order]
        rows[band] = rows[band][order]
    doc_ids = np.concatenate([run.doc_ids for run in runs])
    offsets = np.cumsum([0] + [run.size for run in runs[:-1]])
    positions = np.concatenate([run.id_order.astype(np.int64) + off for run, off in zip(runs, offsets, strict=True)])
    id_order = positions[np.argsort(doc_ids[positions], kind="stable")].astype(np.uint32)
    signatures = np.concatenate([run.signatures for run in runs])
    return Run(runs[0].row_start, signatures, doc_ids, id_order, keys, rows)


def bucket_pairs(keys: KeyArray, rows: NDArray[np.uint32], star_above: int | None) -> tuple[IntArray, IntArray]:
    """Pairs of rows sharing a key in one band: all pairs in small buckets, star edges in big ones."""
    empty = np.empty(0, dtype=np.int64)
    if keys.shape[0] < 2:
        return empty, empty
    # Positions i with keys[i] == keys[i + 1]; each run of consecutive positions is one bucket.
    links = np.flatnonzero(keys[1:] == keys[:-1])
    if not links.size:
        return empty, empty
    breaks = np.flatnonzero(np.diff(links) != 1) + 1
    starts = links[np.concatenate(([0], breaks))]
    sizes = np.diff(np.concatenate(([0], breaks, [links.size]))) + 1
    small = sizes <= star_above if star_above is not None else np.ones(sizes.shape, dtype=bool)
    lefts: list[NDArray[Any]] = []
    rights: list[NDArray[Any]] = []
    small_starts, small_sizes = starts[small], sizes[small]
    for size in np.unique(small_sizes).tolist():
        first = small_starts[small_sizes == size][:, None]
        upper, lower = np.triu_indices(size, 1)
        lefts.append(rows[first + upper].ravel())
        rights.append(rows[first + lower].ravel())
    if not small.all():
        big_starts, big_sizes = starts[~small], sizes[~small]
        offsets = np.cumsum(big_sizes) - big_sizes
        positions = np.repeat(big_starts - offsets, big_sizes) + np.arange(int(big_sizes.sum()))
        members = rows[positions]
        centres = np.repeat(np.minimum.reduceat(members, offsets), big_sizes)
        spokes = members != centres
        lefts.append(centres[spokes])
        rights.append(members[spokes])
    left = np.concatenate(lefts).astype(np.int64)
    right = np.concatenate(rights).astype(np.int64)
    return np.minimum(left, right), np.maximum(left, right)


def sorted_pairs(
    keys: KeyArray, rows: NDArray[np.uint32], n: int, star_above: int | None
) -> IntArray:
    """Every pair of rows sharing a bucket in at least one band (:func:`bucket_pairs` of each band).

    ``keys`` and ``rows`` are ``(num_bands, m)``: each band's keys sorted, with their rows, all
    below ``n``. Returns a ``(k, 2)`` int64 array of ``(i, j)``, ``i < j``, sorted, without repeats.
    """
    codes: list[NDArray[np.uint64]] = []
    for band in range(keys.shape[0]):
        left, right = bucket_pairs(keys[band], rows[band], star_above)
        if left.size:
            codes.append(sorted_unique(pack_pairs(left, right, n)))
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    return unpack_pairs(sorted_unique(np.concatenate(codes)), n)


def candidate_pairs_of(
    signatures: SignatureMatrix, rows: IntArray, num_bands: int, rows_per_band: int, star_above: int | None
) -> IntArray:
    """The pairs an :class:`~dedupe.lsh.LSHIndex` of ``signatures[rows]`` gives (positions in ``rows``),
    without copying the selected signatures or building the index."""
    keys = band_keys(signatures, num_bands, rows_per_band, rows=rows)
    return sorted_pairs(keys, sort_bands(keys), len(rows), star_above)
