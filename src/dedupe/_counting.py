"""Vectorised counting of 64-bit keys: sort, run-length, look up, merge and prune.

Every count here is made by sorting a ``uint64`` array and measuring runs of equal values
(``np.unique`` or a diff of the sorted array); lookups are ``np.searchsorted`` into a sorted table.
There is no Python loop per key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ._typing import HashArray, IntArray
from .errors import ConfigError
from .hashing import fmix64

__all__ = [
    "BandIndex",
    "CountTable",
    "KeyMap",
    "band_keys",
    "bucket_heads",
    "byte_shingles",
    "combine",
    "count_distinct",
    "count_rows",
    "near_groups",
    "sorted_search",
    "union_labels",
]

_C1 = np.uint64(0x9E3779B97F4A7C15)
_C2 = np.uint64(0xD6E8FEB86659FD93)
CountArray = NDArray[np.uint32]


def combine(a: HashArray, b: HashArray | IntArray) -> HashArray:
    """Mix two 64-bit values per row into one (order matters): ``fmix64(a * C1 + fmix64(b ^ C2))``."""
    left = np.asarray(a, dtype=np.uint64) * _C1
    right = fmix64(np.asarray(b).astype(np.uint64) ^ _C2)
    left += right
    return fmix64(left)


def sorted_search(table: HashArray, keys: HashArray) -> IntArray:
    """``np.searchsorted(table, keys)``, with the keys sorted first when there are many.

    Binary searches for keys in increasing order touch the table almost sequentially; for a few
    hundred thousand random keys this is about four times faster than searching in input order.
    """
    if len(keys) < 4096:
        out: IntArray = np.searchsorted(table, keys).astype(np.int64, copy=False)
        return out
    order = np.argsort(keys)
    pos = np.empty(len(keys), dtype=np.int64)
    pos[order] = np.searchsorted(table, keys[order])
    return pos


def count_rows(keys: HashArray) -> IntArray:
    """For every row, how many rows carry the same key (int64)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    out: IntArray = counts[inverse.reshape(-1)].astype(np.int64)
    return out


def count_distinct(keys: HashArray, owners: HashArray | IntArray) -> tuple[HashArray, IntArray]:
    """Distinct keys (sorted) and, for each, the number of distinct owners that carry it."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    pairs = np.unique(combine(keys, owners), return_index=True)[1]
    uniq, counts = np.unique(keys[pairs], return_counts=True)
    return uniq, counts.astype(np.int64)


@dataclass
class CountTable:
    """A sorted table of distinct ``uint64`` keys with ``uint32`` counts (12 bytes per key).

    Additions go to small sorted runs that are merged into the main table once they hold a quarter
    of its size (a linear merge of sorted runs), so adding many small batches costs about
    ``O(n log n)`` in all, not a full re-sort per batch. Lookups read the main table and the runs.

    Attributes:
        keys: sorted distinct keys of the main table (call :meth:`consolidate` first to see all).
        counts: count of each key (saturates at 2**32 - 1).
    """

    keys: HashArray
    counts: CountArray
    runs: list[tuple[HashArray, CountArray]] = field(default_factory=list)

    @classmethod
    def empty(cls) -> CountTable:
        """A table without keys."""
        return cls(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32))

    @classmethod
    def from_counts(cls, keys: HashArray, counts: IntArray) -> CountTable:
        """A table from distinct sorted ``keys`` and their counts."""
        return cls(np.ascontiguousarray(keys, dtype=np.uint64), _saturate(counts))

    def __len__(self) -> int:
        """Distinct keys (merges the pending runs)."""
        self.consolidate()
        return int(self.keys.shape[0])

    @property
    def size_bound(self) -> int:
        """An upper bound of the number of distinct keys, without merging."""
        return int(self.keys.shape[0]) + sum(len(k) for k, _ in self.runs)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return int(self.keys.nbytes + self.counts.nbytes) + sum(int(k.nbytes + c.nbytes) for k, c in self.runs)

    def _tables(self) -> list[tuple[HashArray, CountArray]]:
        return [(self.keys, self.counts), *self.runs]

    def lookup(self, keys: HashArray) -> IntArray:
        """Count of each key (0 when absent), int64."""
        out = np.zeros(len(keys), dtype=np.int64)
        for table_keys, table_counts in self._tables():
            pos, found = _positions(table_keys, keys)
            out[found] += table_counts[pos[found]]
        return out

    def contains(self, keys: HashArray) -> NDArray[np.bool_]:
        """True where the key is in the table."""
        out = np.zeros(len(keys), dtype=bool)
        for table_keys, _ in self._tables():
            out |= _positions(table_keys, keys)[1]
        return out

    def add(self, keys: HashArray, counts: IntArray) -> None:
        """Add ``counts`` to distinct sorted ``keys``."""
        if len(keys) == 0:
            return
        if len(self.keys) == 0 and not self.runs:
            self.keys, self.counts = np.ascontiguousarray(keys, dtype=np.uint64), _saturate(counts)
            return
        self.runs.append((np.ascontiguousarray(keys, dtype=np.uint64), _saturate(counts)))
        if sum(len(k) for k, _ in self.runs) > max(1 << 16, len(self.keys) // 4):
            self.consolidate()

    def consolidate(self) -> None:
        """Merge the pending runs into the main table."""
        if not self.runs:
            return
        tables = self._tables()
        all_keys = np.concatenate([k for k, _ in tables])
        all_counts = np.concatenate([c.astype(np.int64) for _, c in tables])
        order = np.argsort(all_keys, kind="stable")  # timsort: a merge of the sorted runs
        all_keys, all_counts = all_keys[order], all_counts[order]
        starts = np.flatnonzero(np.concatenate([[True], all_keys[1:] != all_keys[:-1]]))
        self.keys = all_keys[starts]
        self.counts = _saturate(np.add.reduceat(all_counts, starts))
        self.runs = []

    def prune(self, max_keys: int) -> int:
        """Drop the keys with the lowest counts until at most ``max_keys`` remain.

        Keys of the lowest remaining count are dropped together, so fewer than ``max_keys`` may remain.
        Returns the smallest count that was kept (``0`` when nothing was dropped).
        """
        self.consolidate()
        if len(self.keys) <= max_keys:
            return 0
        values, per_value = np.unique(self.counts, return_counts=True)
        # Smallest threshold t such that the number of keys with count >= t fits.
        kept_from = np.cumsum(per_value[::-1])[::-1]  # keys with count >= values[i]
        fits = np.flatnonzero(kept_from <= max_keys)
        threshold = int(values[fits[0]]) if len(fits) else int(values[-1]) + 1
        keep = self.counts >= threshold
        self.keys, self.counts = self.keys[keep], self.counts[keep]
        return threshold


def _positions(table: HashArray, keys: HashArray) -> tuple[IntArray, NDArray[np.bool_]]:
    """Index of each key in a sorted table and whether it is there (index 0 where absent)."""
    if len(table) == 0 or len(keys) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    pos = sorted_search(table, keys)
    pos[pos == len(table)] = 0
    found: NDArray[np.bool_] = table[pos] == keys
    return pos, found


def _saturate(counts: IntArray | CountArray) -> CountArray:
    return np.minimum(np.asarray(counts, dtype=np.int64), np.iinfo(np.uint32).max).astype(np.uint32)


def union_labels(left: IntArray, right: IntArray, n: int) -> IntArray:
    """Connected components of the graph on ``0 .. n - 1`` with edges ``(left[i], right[i])``.

    Every component is labelled with its smallest node (hooking roots onto the smallest root they
    touch, then pointer jumping), so labels do not depend on the order of the edges.
    """
    parent = np.arange(n, dtype=np.int64)
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while len(left):
        a, b = parent[left], parent[right]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        moving = lo != hi
        if not moving.any():
            break
        np.minimum.at(parent, hi[moving], lo[moving])
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        left, right = left[moving], right[moving]
    return parent


def band_keys(signatures: NDArray[np.uint32], num_bands: int) -> HashArray:
    """``(num_bands, n)`` uint64 keys: each band's slots mixed into one value (band index salted)."""
    n, num_perm = signatures.shape
    rows_per_band = num_perm // num_bands
    cube = signatures[:, : num_bands * rows_per_band].astype(np.uint64).reshape(n, num_bands, rows_per_band)
    acc = np.broadcast_to(np.arange(num_bands, dtype=np.uint64)[None, :] + _C2, (n, num_bands)).copy()
    for j in range(rows_per_band):
        acc = fmix64(acc * _C1 + cube[:, :, j])
    out: HashArray = np.ascontiguousarray(acc.T)
    return out


def bucket_heads(sorted_keys: HashArray, order: IntArray) -> IntArray:
    """For rows sorted by band key (``order``), the first row of each row's bucket."""
    n = len(sorted_keys)
    new = np.ones(n, dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    heads: IntArray = order[np.flatnonzero(new)][np.cumsum(new) - 1]
    return heads


@dataclass
class BandIndex:
    """Band keys of a fixed set of signatures, sorted per band for ``searchsorted`` lookups."""

    keys: HashArray  # (num_bands, n) sorted per band
    heads: IntArray  # (num_bands, n) first row of each bucket, aligned with keys

    @classmethod
    def build(cls, signatures: NDArray[np.uint32], num_bands: int) -> BandIndex:
        keys = band_keys(signatures, num_bands)
        sorted_keys = np.empty_like(keys)
        heads = np.empty(keys.shape, dtype=np.int64)
        for band in range(num_bands):
            order = np.argsort(keys[band], kind="stable")
            sorted_keys[band] = keys[band][order]
            heads[band] = bucket_heads(sorted_keys[band], order)
        return cls(sorted_keys, heads)


def near_groups(
    signatures: NDArray[np.uint32],
    num_bands: int,
    threshold: float,
    bases: Sequence[tuple[NDArray[np.uint32], BandIndex]] = (),
) -> IntArray:
    """Group new rows whose signatures agree on at least ``threshold`` of their slots (MinHash + LSH).

    Rows sharing a band key are candidates: each is compared with the first row of its bucket and
    joined to it when the estimated Jaccard similarity reaches ``threshold`` (star edges, so the work
    is linear in the bucket sizes). ``bases`` are signatures grouped before (a model's
    representatives) with their :class:`BandIndex`: a new row is also compared with the first base
    row of each bucket it shares. Nodes are numbered base after base, then the new rows; only the
    nodes an edge touches take part in the union, so the cost does not grow with the bases.

    Returns:
        For every new row, the smallest node of its group (an int64 below the total base size
        when the group holds a base row).
    """
    n = signatures.shape[0]
    offsets = np.cumsum([0] + [sigs.shape[0] for sigs, _ in bases])
    n_base = int(offsets[-1])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    keys = band_keys(signatures, num_bands)
    left_parts, right_parts = [], []
    for band in range(num_bands):
        for (base_sigs, index), offset in zip(bases, offsets[:-1].tolist(), strict=True):
            if base_sigs.shape[0] == 0:
                continue
            bkeys = index.keys[band]
            pos = np.minimum(sorted_search(bkeys, keys[band]), len(bkeys) - 1)
            hit = np.flatnonzero(bkeys[pos] == keys[band])
            left_parts.append(index.heads[band][pos[hit]] + offset)
            right_parts.append(hit + n_base)
        order = np.argsort(keys[band], kind="stable")
        heads = bucket_heads(keys[band][order], order)
        member = heads != order
        left_parts.append(heads[member] + n_base)
        right_parts.append(order[member] + n_base)
    left, right = np.concatenate(left_parts), np.concatenate(right_parts)
    own = np.arange(n_base, n_base + n, dtype=np.int64)
    if len(left) == 0:
        return own
    pairs = np.unique(left.astype(np.uint64) << np.uint64(32) | right.astype(np.uint64))
    left = (pairs >> np.uint64(32)).astype(np.int64)
    right = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
    similar = np.empty(len(left), dtype=bool)
    step = max(1, (1 << 22) // max(signatures.shape[1], 1))
    for lo in range(0, len(left), step):
        a_rows, b_rows = left[lo : lo + step], right[lo : lo + step] - n_base
        a = np.empty((len(a_rows), signatures.shape[1]), dtype=np.uint32)
        in_base = a_rows < n_base
        segment = np.searchsorted(offsets, a_rows, side="right") - 1
        for k, (base_sigs, _) in enumerate(bases):
            sel = in_base & (segment == k)
            if sel.any():
                a[sel] = base_sigs[a_rows[sel] - offsets[k]]
        a[~in_base] = signatures[a_rows[~in_base] - n_base]
        similar[lo : lo + step] = (a == signatures[b_rows]).mean(axis=1) >= threshold
    left, right = left[similar], right[similar]
    # Union over the touched nodes only (numbered compactly), then map back.
    nodes, inverse = np.unique(np.concatenate([own, left, right]), return_inverse=True)
    inverse = inverse.reshape(-1)
    labels = union_labels(inverse[n : n + len(left)], inverse[n + len(left) :], len(nodes))
    out: IntArray = nodes[labels[inverse[:n]]]
    return out


_BYTE_MASKS = [np.uint64((1 << (8 * k)) - 1) for k in range(8)] + [np.uint64(0xFFFFFFFFFFFFFFFF)]


def byte_shingles(parts: list[bytes], ngram_size: int, seed: int) -> tuple[HashArray, IntArray]:
    """Hashes of the ``ngram_size``-byte windows of each part (CSR: hashes and offsets).

    Every byte of a part starts one window; the last ``ngram_size - 1`` windows of a part are padded
    with zero bytes (so a part shorter than the window still has shingles, and the end of a line is
    part of its set). Parts must not contain NUL bytes (normalized lines never do). At most 8 bytes
    per window; one unaligned 8-byte load per window, no Python per part.
    """
    if not 1 <= ngram_size <= 8:
        raise ConfigError(f"ngram_size must be between 1 and 8 for byte shingles (got {ngram_size})")
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    separator = bytes(ngram_size - 1)
    raw = separator.join(parts) + separator + bytes(8)
    buf = np.frombuffer(raw, dtype=np.uint8)
    size = len(buf) - 8
    words = np.ndarray((size,), dtype="<u8", buffer=buf, strides=(1,))
    windows = words[np.flatnonzero(buf[:size])].astype(np.uint64)
    windows &= _BYTE_MASKS[ngram_size]
    windows ^= np.uint64(seed) * _C1 ^ _C2
    return fmix64(windows), offsets


@dataclass
class KeyMap:
    """A sorted map from distinct ``uint64`` keys to ``uint64`` values, with pending sorted runs."""

    keys: HashArray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    values: HashArray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    runs: list[tuple[HashArray, HashArray]] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.keys.shape[0]) + sum(len(k) for k, _ in self.runs)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.values.nbytes) + sum(int(k.nbytes + v.nbytes) for k, v in self.runs)

    def get(self, keys: HashArray) -> tuple[NDArray[np.bool_], HashArray]:
        """Whether each key is mapped, and its value (the key itself where it is not)."""
        found = np.zeros(len(keys), dtype=bool)
        values = np.asarray(keys, dtype=np.uint64).copy()
        for table_keys, table_values in [(self.keys, self.values), *self.runs]:
            pos, hit = _positions(table_keys, keys)
            values[hit] = table_values[pos[hit]]
            found |= hit
        return found, values

    def add(self, keys: HashArray, values: HashArray) -> None:
        """Map new distinct ``keys`` (absent so far) to ``values``."""
        if len(keys) == 0:
            return
        order = np.argsort(keys, kind="stable")
        self.runs.append((np.asarray(keys, dtype=np.uint64)[order], np.asarray(values, dtype=np.uint64)[order]))
        if sum(len(k) for k, _ in self.runs) > max(1 << 16, len(self.keys) // 4):
            self.consolidate()

    def consolidate(self) -> None:
        """Merge the pending runs into the main arrays."""
        if not self.runs:
            return
        keys = np.concatenate([self.keys, *(k for k, _ in self.runs)])
        values = np.concatenate([self.values, *(v for _, v in self.runs)])
        order = np.argsort(keys, kind="stable")
        self.keys, self.values, self.runs = keys[order], values[order], []

    def keep(self, mask_of: Callable[[HashArray, HashArray], NDArray[np.bool_]]) -> None:
        """Keep the entries for which ``mask_of(keys, values)`` is True."""
        self.consolidate()
        keep = mask_of(self.keys, self.values)
        self.keys, self.values = self.keys[keep], self.values[keep]
