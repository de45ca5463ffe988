"""Vectorised counting of 64-bit keys: sort, run-length, look up, merge and prune.

Every count here is made by sorting a ``uint64`` array and measuring runs of equal values
(``np.unique`` or a diff of the sorted array); lookups are ``np.searchsorted`` into a sorted table.
There is no Python loop per key. :class:`Counts` holds the three tables a model keeps;
:class:`BatchCounts` is what one batch adds to them, computed without the model (in a worker) and
merged, so counting runs in parallel and still gives the counts of one fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .._typing import HashArray, IntArray
from ..hashing import BASE, fmix64_inplace

__all__ = [
    "BatchCounts",
    "CountTable",
    "Counts",
    "KeyMap",
    "combine",
    "count_distinct",
    "count_rows",
    "sorted_search",
]

_C1 = np.uint64(BASE)
_C2 = np.uint64(0xD6E8FEB86659FD93)  # a second odd constant: the two sides of combine() differ
CountArray = NDArray[np.uint32]


def combine(a: HashArray, b: HashArray | IntArray) -> HashArray:
    """Mix two 64-bit values per row into one (order matters): ``fmix64(a * C1 + fmix64(b ^ C2))``."""
    right = np.asarray(b).astype(np.uint64)  # a copy, mixed in place: two arrays at most at a time
    right ^= _C2
    fmix64_inplace(right)
    out = np.asarray(a, dtype=np.uint64) * _C1
    out += right
    del right
    return fmix64_inplace(out)


def sorted_search(table: HashArray, keys: HashArray) -> IntArray:
    """``np.searchsorted(table, keys)``, with the keys sorted first when there are many.

    Binary searches for keys in increasing order touch the table almost sequentially; for a few
    hundred thousand random keys this is about four times faster than searching in input order.
    """
    if len(keys) < 4096:
        out: IntArray = np.searchsorted(table, keys).astype(np.int64, copy=False)
        return out
    order = np.argsort(keys)
    found = np.searchsorted(table, keys[order])  # the sorted copy of the keys is freed here ...
    pos = np.empty(len(keys), dtype=np.int64)  # ... before the output is allocated
    pos[order] = found
    return pos


def count_rows(keys: HashArray) -> IntArray:
    """For every row, how many rows carry the same key (int64)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    # Sort once, then give every row its run's length: three arrays of 8 bytes a row at most
    # (np.unique with inverse and counts holds five), for a batch of millions of tiny units.
    order = np.argsort(keys)
    ordered = keys[order]
    bounds = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    del ordered
    lengths = np.diff(bounds, prepend=0, append=len(keys))
    del bounds
    out: IntArray = np.empty(len(keys), dtype=np.int64)
    out[order] = np.repeat(lengths, lengths)
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
            if len(table_keys) == 0:
                continue
            pos, found = _positions(table_keys, keys)
            hits = table_counts[pos]  # 4 bytes a key: no masked copies of the positions
            del pos
            hits *= found
            out += hits
        if self.runs:  # the sums over the runs saturate as the merged counts do
            np.minimum(out, np.iinfo(np.uint32).max, out=out)
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
        """Merge the pending runs into the main table.

        The runs (together a quarter of the table at most) are merged by a sort; the result goes
        into the table by binary search: counts added where a key is there, the other keys
        inserted. A table of 20 M keys took 0.80 s so, 3.63 s sorted whole with the runs.
        """
        if not self.runs:
            return
        if len(self.runs) == 1:
            run_keys, run_counts = self.runs[0][0], self.runs[0][1].astype(np.int64)
        else:
            run_keys, run_counts = _sum_counts([(k, c.astype(np.int64)) for k, c in self.runs])
        self.runs = []
        if len(self.keys) == 0:
            self.keys, self.counts = run_keys, _saturate(run_counts)
            return
        pos = np.searchsorted(self.keys, run_keys)
        hit = pos < len(self.keys)
        hit[hit] = self.keys[pos[hit]] == run_keys[hit]
        counts = self.counts.copy()  # the caller's arrays stay as they were
        at = pos[hit]
        counts[at] = _saturate(counts[at].astype(np.int64) + run_counts[hit])
        new = ~hit
        self.keys = np.insert(self.keys, pos[new], run_keys[new])
        self.counts = np.insert(counts, pos[new], _saturate(run_counts[new]))

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


@dataclass
class Counts:
    """What a model has counted: blocks per group, documents per group, groups per short line."""

    site: CountTable = field(default_factory=CountTable.empty)  # combine(key, group) -> documents (clusters)
    groups: CountTable = field(default_factory=CountTable.empty)  # group -> documents (clusters)
    stop: CountTable = field(default_factory=CountTable.empty)  # short line key -> groups holding it

    def consolidate(self) -> None:
        """Merge the runs that updates left pending (a lookup reads every run)."""
        for table in (self.site, self.groups, self.stop):
            table.consolidate()


@dataclass
class BatchCounts:
    """What a batch of documents adds to a model's counts, independent of the model (mergeable).

    ``site`` and ``groups`` are counts to add. The stoplist counts *groups* per short line, so a
    batch cannot count them alone: it keeps its distinct short ``(line, group)`` keys
    (``short_site``, sorted) with their line keys (``short_line``), and :meth:`Counts.add` counts
    those the model has not seen yet. Merging batches sums the counts and unites the short keys,
    so adding the merge of any split of a corpus gives the counts of one fit over it (documents
    in different batches are different clusters, as ``labels=None`` makes them). A few tens of
    bytes per distinct block of the batch.

    Attributes:
        site_keys, site_counts: distinct ``combine(block, group)`` keys (sorted) and their documents.
        group_keys, group_counts: distinct group keys (sorted) and their documents.
        short_site, short_line: distinct short-line site keys (sorted) and each one's line key.
        n_docs: documents counted.
    """

    site_keys: HashArray
    site_counts: IntArray
    group_keys: HashArray
    group_counts: IntArray
    short_site: HashArray
    short_line: HashArray
    n_docs: int

    @classmethod
    def merge(cls, parts: list[BatchCounts]) -> BatchCounts:
        """One :class:`BatchCounts` holding what all ``parts`` hold (counts summed, short keys united);
        a single part is returned as it is."""
        if len(parts) == 1:
            return parts[0]
        site_keys, site_counts = _sum_counts([(p.site_keys, p.site_counts) for p in parts])
        group_keys, group_counts = _sum_counts([(p.group_keys, p.group_counts) for p in parts])
        short_site = np.concatenate([np.zeros(0, np.uint64), *(p.short_site for p in parts)])
        short_line = np.concatenate([np.zeros(0, np.uint64), *(p.short_line for p in parts)])
        short_site, first = np.unique(short_site, return_index=True)
        n_docs = sum(p.n_docs for p in parts)
        return cls(site_keys, site_counts, group_keys, group_counts, short_site, short_line[first], n_docs)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        arrays = (self.site_keys, self.site_counts, self.group_keys, self.group_counts)
        return sum(int(a.nbytes) for a in arrays) + int(self.short_site.nbytes + self.short_line.nbytes)


def _sum_counts(tables: list[tuple[HashArray, IntArray]]) -> tuple[HashArray, IntArray]:
    """Distinct sorted keys of several (keys, counts) tables, with their counts summed (int64)."""
    keys = np.concatenate([np.zeros(0, np.uint64), *(k for k, _ in tables)])
    counts = np.concatenate([np.zeros(0, np.int64), *(c.astype(np.int64) for _, c in tables)])
    if len(keys) == 0:
        return keys, counts
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return keys[starts], np.add.reduceat(counts, starts)
