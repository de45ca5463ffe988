"""The local backend: every stage in this process, with numpy (the default).

It delegates to the library's own functions (:meth:`MinHasher.signatures`,
:meth:`LSHIndex.candidate_pairs`), so it is the reference that other backends must equal.
Exceptions raised by a stage's function propagate unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from .._typing import HashArray, IntArray
from ..config import BATCH_SIZE, check_int
from ..lsh import _DEFAULT_STAR_ABOVE as STAR
from ..lsh import LSHIndex
from ..minhash import MinHasher

__all__ = ["LocalBackend", "sum_counts"]

T = TypeVar("T")
R = TypeVar("R")


def sum_counts(keys: HashArray, counts: IntArray) -> tuple[HashArray, IntArray]:
    """Sum ``counts`` by key: sorted distinct keys and their int64 totals (vectorised).

    >>> k, c = sum_counts(np.array([5, 3, 5], dtype=np.uint64), np.array([1, 2, 4]))
    >>> k.tolist(), c.tolist()
    ([3, 5], [2, 5])
    """
    if keys.shape[0] == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    totals: IntArray = np.add.reduceat(counts[order].astype(np.int64), starts)
    unique: HashArray = ordered[starts]
    return unique, totals


class LocalBackend:
    """Run every stage in this process with numpy.

    >>> backend = LocalBackend()
    >>> backend.map_batches(len, [[1, 2], [3]])
    [2, 1]
    """

    __slots__ = ()

    @property
    def name(self) -> str:
        return "local"

    def __repr__(self) -> str:
        return "LocalBackend()"

    def map_batches(self, fn: Callable[[T], R], batches: Sequence[T], *, stage: str = "map_batches") -> list[R]:
        """``[fn(b) for b in batches]``; ``stage`` is accepted for the protocol."""
        return [fn(batch) for batch in batches]

    def signatures_and_digests(
        self, hasher: MinHasher, texts: Sequence[str], *, batch_size: int = BATCH_SIZE, chunk_chars: int | None = None
    ) -> tuple[NDArray[np.uint32], NDArray[np.void]]:
        """``hasher.signatures_and_digests(texts)``, the signatures as a plain uint32 array."""
        check_int("batch_size", batch_size, low=1)
        kwargs: dict[str, Any] = {} if chunk_chars is None else {"chunk_chars": chunk_chars}
        signatures, digests = hasher.signatures_and_digests(list(texts), **kwargs)
        return np.asarray(signatures), digests

    def candidate_pairs(
        self, signatures: NDArray[np.uint32], *, num_bands: int, rows_per_band: int, star_above: int | None = STAR
    ) -> IntArray:
        """:meth:`LSHIndex.candidate_pairs` of the signatures inserted as rows ``0 .. n - 1``."""
        num_perm = int(signatures.shape[1]) if isinstance(signatures, np.ndarray) and signatures.ndim == 2 else 0
        index = LSHIndex(num_bands=num_bands, rows_per_band=rows_per_band, num_perm=max(num_perm, 2))
        index.insert(np.arange(len(signatures), dtype=np.int64), signatures)
        return index.candidate_pairs(star_above=star_above)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
