"""Clusters of near-duplicates: union-find, connected components and pair verification.

Rows are internal positions ``0 .. n - 1`` (int64); a pair is one row of a ``(k, 2)`` int64 array.
Every component is labelled with its smallest row, so labels do not depend on the order of the pairs.

The fast paths are vectorised over the edge arrays: hooking every component root onto the smallest
root it touches (``np.minimum.at``) and then pointer jumping until every row points at its root.
Each round at least halves the number of roots on a path, so a few dozen rounds suffice for millions
of edges; there is no Python loop per edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray
from .errors import ConfigError

__all__ = [
    "UnionFind",
    "connected_components",
    "first_of_groups",
    "pair_similarities",
    "verify_pairs",
]

#: Bytes of signature slots compared per chunk in :func:`pair_similarities` (bounds temporary memory).
_CHUNK_BYTES = 1 << 24


def _check_rows(name: str, value: object, n: int) -> IntArray:
    """Return ``value`` as a ``(k, 2)`` int64 array of rows in ``[0, n)``, or raise naming ``name``."""
    if not isinstance(value, np.ndarray):
        value = np.asarray(value)
    if value.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    if value.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array (got dtype {value.dtype})")
    if value.ndim != 2 or value.shape[1] != 2:
        raise ConfigError(f"{name} must have shape (k, 2) (got {value.shape})")
    low, high = int(value.min()), int(value.max())
    if low < 0 or high >= n:
        raise ConfigError(f"{name} must hold rows in [0, {n}) (got rows from {low} to {high})")
    return value.astype(np.int64, copy=False)


def _compress(parent: IntArray) -> IntArray:
    """Point every row straight at its root by pointer jumping; ``parent[x] <= x`` must hold."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def _hook(parent: IntArray, left: IntArray, right: IntArray) -> IntArray:
    """Join the components of every edge ``(left[i], right[i])``; return the compressed parents.

    ``parent`` must be a forest with ``parent[x] <= x``; the invariant holds on return, and every
    root is the smallest row of its component.
    """
    parent = _compress(parent)
    while left.size:
        root_left = parent[left]
        root_right = parent[right]
        open_ = root_left != root_right
        if not open_.all():
            left, right = left[open_], right[open_]
            root_left, root_right = root_left[open_], root_right[open_]
            if not left.size:
                break
        low = np.minimum(root_left, root_right)
        # Hook each root onto the smallest root it touches; roots only ever point lower, so no cycles.
        np.minimum.at(parent, root_left, low)
        np.minimum.at(parent, root_right, low)
        parent = _compress(parent)
    return parent


class UnionFind:
    """Disjoint sets over rows ``0 .. n - 1``, stored as one numpy parent array.

    The root of every set is its smallest row. Single unions use iterative ``find`` with path
    halving; :meth:`union_pairs` joins a whole edge array at once without a Python loop per edge.

    Args:
        n: number of rows, at least 0.

    >>> uf = UnionFind(5)
    >>> uf.union(3, 4)
    True
    >>> uf.union_pairs(np.array([[1, 3]]))
    >>> uf.labels().tolist()
    [0, 1, 2, 1, 1]
    """

    __slots__ = ("_parent",)

    def __init__(self, n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"n must be an int (got {type(n).__name__}: {n!r})")
        if n < 0:
            raise ConfigError(f"n must be at least 0 (got {n!r})")
        self._parent: IntArray = np.arange(int(n), dtype=np.int64)

    def __len__(self) -> int:
        return int(self._parent.shape[0])

    def find(self, row: int) -> int:
        """Return the root (smallest row) of ``row``'s set, halving the path on the way."""
        parent = self._parent
        if not 0 <= row < parent.shape[0]:
            raise ConfigError(f"row must be in [0, {parent.shape[0]}) (got {row!r})")
        x = int(row)
        while True:
            up = int(parent[x])
            if up == x:
                return x
            grand = int(parent[up])
            parent[x] = grand
            x = grand

    def union(self, left: int, right: int) -> bool:
        """Join the sets of ``left`` and ``right``; return False if they were already one set."""
        root_left, root_right = self.find(left), self.find(right)
        if root_left == root_right:
            return False
        if root_left < root_right:
            self._parent[root_right] = root_left
        else:
            self._parent[root_left] = root_right
        return True

    def union_pairs(self, pairs: NDArray[Any]) -> None:
        """Join the sets of every pair in a ``(k, 2)`` integer array of rows (vectorised)."""
        checked = _check_rows("pairs", pairs, len(self))
        self._parent = _hook(self._parent, checked[:, 0].copy(), checked[:, 1].copy())

    def labels(self) -> IntArray:
        """Return the root of every row: ``(n,)`` int64, the smallest row of its set."""
        self._parent = _compress(self._parent)
        labels: IntArray = self._parent.copy()
        return labels


def connected_components(pairs: NDArray[Any], n: int) -> IntArray:
    """Label the connected components of the graph on rows ``0 .. n - 1`` with edges ``pairs``.

    Args:
        pairs: ``(k, 2)`` integer array of rows; order and duplicates do not matter.
        n: number of rows (isolated rows get their own component).

    Returns:
        ``(n,)`` int64 array; ``labels[i]`` is the smallest row of ``i``'s component.

    Raises:
        ConfigError: a row is outside ``[0, n)`` or ``pairs`` does not have shape ``(k, 2)``.
        TypeError: ``pairs`` is not an integer array.

    >>> connected_components(np.array([[4, 2], [2, 0], [3, 1]]), 6).tolist()
    [0, 1, 0, 1, 0, 5]
    """
    finder = UnionFind(n)
    finder.union_pairs(pairs)
    return finder.labels()


def first_of_groups(digests: NDArray[np.void]) -> IntArray:
    """For each digest, the first row holding the same digest (itself if none earlier): exact groups.

    >>> d = np.array([b"a", b"b", b"a"], dtype="V1")
    >>> first_of_groups(d).tolist()
    [0, 1, 0]
    """
    if len(digests) == 0:
        return np.empty(0, dtype=np.int64)
    _, first, inverse = np.unique(digests, return_index=True, return_inverse=True)
    return first[inverse.reshape(-1)].astype(np.int64)


def _check_signatures(signatures: object) -> NDArray[np.uint32]:
    if not isinstance(signatures, np.ndarray):
        raise TypeError(f"signatures must be a numpy array (got {type(signatures).__name__})")
    if signatures.dtype != np.uint32:
        raise TypeError(f"signatures must have dtype uint32 (got {signatures.dtype})")
    if signatures.ndim != 2 or signatures.shape[1] < 1:
        raise ConfigError(f"signatures must have shape (n, num_perm) (got {signatures.shape})")
    return signatures.view(np.ndarray)


def pair_similarities(signatures: NDArray[np.uint32], pairs: NDArray[Any]) -> NDArray[np.float64]:
    """Estimate the Jaccard similarity of every pair: the fraction of signature slots that agree.

    Computed in chunks, so temporary memory stays near 16 MiB whatever the number of pairs.

    Args:
        signatures: ``(n, num_perm)`` uint32 MinHash signatures.
        pairs: ``(k, 2)`` integer array of rows of ``signatures``.

    Returns:
        ``(k,)`` float64 array of estimates in ``[0, 1]``.

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 9], [5, 6, 7, 8]], dtype=np.uint32)
    >>> pair_similarities(sigs, np.array([[0, 1], [0, 2]])).tolist()
    [0.75, 0.0]
    """
    counts = _agreeing_slots(_check_signatures(signatures), pairs)
    estimates: NDArray[np.float64] = counts / np.float64(signatures.shape[1])
    return estimates


def _agreeing_slots(signatures: NDArray[np.uint32], pairs: NDArray[Any]) -> IntArray:
    checked = _check_rows("pairs", pairs, signatures.shape[0])
    num_perm = signatures.shape[1]
    chunk = max(1, _CHUNK_BYTES // (8 * num_perm))
    counts = np.empty(checked.shape[0], dtype=np.int64)
    for start in range(0, checked.shape[0], chunk):
        block = checked[start : start + chunk]
        equal = signatures[block[:, 0]] == signatures[block[:, 1]]
        counts[start : start + chunk] = np.count_nonzero(equal, axis=1)
    return counts


def verify_pairs(
    signatures: NDArray[np.uint32], pairs: NDArray[Any], threshold: float
) -> tuple[IntArray, NDArray[np.float64]]:
    """Keep the candidate pairs whose estimated Jaccard similarity is at least ``threshold``.

    The comparison is exact on slot counts (``agreeing >= ceil(threshold * num_perm)``), so a
    threshold of 0.8 with 128 slots keeps pairs with at least 103 agreeing slots.

    Args:
        signatures: ``(n, num_perm)`` uint32 MinHash signatures.
        pairs: ``(k, 2)`` integer array of rows of ``signatures``.
        threshold: smallest estimated similarity kept, in ``[0, 1]``.

    Returns:
        ``(kept_pairs, similarities)``: the kept rows of ``pairs`` as a ``(m, 2)`` int64 array, in
        their input order, and their estimated similarities as a ``(m,)`` float64 array.

    Raises:
        ConfigError: ``threshold`` is outside ``[0, 1]`` or a row is out of range.
        TypeError: wrong dtype of ``signatures`` or ``pairs``.

    >>> sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 9], [5, 6, 7, 8]], dtype=np.uint32)
    >>> kept, sims = verify_pairs(sigs, np.array([[0, 1], [0, 2]]), 0.7)
    >>> kept.tolist(), sims.tolist()
    ([[0, 1]], [0.75])
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)):
        raise TypeError(f"threshold must be a float (got {type(threshold).__name__}: {threshold!r})")
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"threshold must be in [0, 1] (got {threshold!r})")
    sigs = _check_signatures(signatures)
    checked = _check_rows("pairs", pairs, sigs.shape[0])
    num_perm = sigs.shape[1]
    counts = _agreeing_slots(sigs, checked)
    # Smallest count c with c / num_perm >= threshold, robust to float rounding of threshold * num_perm.
    needed = int(np.ceil(threshold * num_perm - 1e-9))
    keep = counts >= needed
    return checked[keep], counts[keep] / np.float64(num_perm)
