"""Execution backends: where the pure stages of deduplication run.

The algorithms are pure functions of arrays and a frozen config; a backend only moves data and
runs those functions. Two backends share one :class:`Backend` protocol:

=========  ===================================================================================
``local``  in-process numpy (the default): :class:`~dedupe.backends.local.LocalBackend`
``ray``    Ray Data on a local or remote Ray cluster (extra ``ray``, imported only when chosen):
           :class:`~dedupe.backends.ray.RayBackend`
=========  ===================================================================================

Both return identical results: every distributed stage carries row numbers so that the driver
restores input order, never relying on the order in which an engine returns blocks, and every
reduction is a function of the data alone (bucket minimum, sums by key).

:func:`dedupe.find_duplicates` and :func:`dedupe.deduplicate` run their one duplicate-finding
sequence (:func:`dedupe.duplicates.resolve_duplicates`) with a backend, which runs its stages:

1. MinHash signatures and content digests (``signatures_and_digests``, blocks of ``batch_size``
   texts);
2. LSH candidate pairs (``candidate_pairs``: band keys shuffled by key, one vectorised reduce per
   partition, all pairs in buckets of at most ``star_above`` rows, star edges to the bucket
   minimum in bigger ones);
3. exact verification of the pairs near the threshold (``map_batches`` over blocks of pairs).

Exact groups, estimates, connected components and representatives stay on the driver.

>>> with get_backend("local") as backend:
...     backend.candidate_pairs(np.array([[1, 2], [1, 2], [3, 4]], dtype=np.uint32), num_bands=2, rows_per_band=1)
array([[0, 1]])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .._typing import IntArray
from ..config import BATCH_SIZE
from ..errors import BackendError, ConfigError, missing_extra
from ..lsh import _DEFAULT_STAR_ABOVE
from ..minhash import MinHasher

__all__ = [
    "BACKENDS",
    "BATCH_SIZE",
    "STAR_ABOVE",
    "Backend",
    "BackendError",
    "BackendName",
    "get_backend",
]

BackendName = Literal["local", "ray"]

#: Names that :func:`get_backend` accepts.
BACKENDS: tuple[BackendName, ...] = ("local", "ray")

#: Largest LSH bucket that yields all its pairs (as :meth:`dedupe.LSHIndex.candidate_pairs`).
STAR_ABOVE: int = _DEFAULT_STAR_ABOVE

T = TypeVar("T")
R = TypeVar("R")


@runtime_checkable
class Backend(Protocol):
    """What the deduplication stages need from an execution engine.

    Every method returns complete, ordered results or raises; none returns partial output.
    Backends are context managers: ``with get_backend("ray") as backend: ...`` closes them.
    """

    @property
    def name(self) -> str:
        """The backend's name, one of :data:`BACKENDS`."""
        ...

    def map_batches(self, fn: Callable[[T], R], batches: Sequence[T], *, stage: str = "map_batches") -> list[R]:
        """Apply the pure function ``fn`` to every batch; return the results in the order of ``batches``.

        ``fn`` and the batches must be picklable for a distributed backend; ``stage`` names the
        step in error messages.
        """
        ...

    def signatures_and_digests(
        self, hasher: MinHasher, texts: Sequence[str], *, batch_size: int = BATCH_SIZE, chunk_chars: int | None = None
    ) -> tuple[NDArray[np.uint32], NDArray[np.void]]:
        """``hasher.signatures_and_digests(texts)``, computed in blocks of ``batch_size`` texts.

        Returns:
            ``(len(texts), num_perm)`` uint32 signatures and ``(len(texts),)`` 16-byte content
            digests; row ``i`` belongs to ``texts[i]``.
        """
        ...

    def candidate_pairs(
        self,
        signatures: NDArray[np.uint32],
        *,
        num_bands: int,
        rows_per_band: int,
        star_above: int | None = ...,
    ) -> IntArray:
        """LSH candidate pairs of the rows of ``signatures``, equal to :meth:`dedupe.LSHIndex.candidate_pairs`.

        Returns:
            ``(k, 2)`` int64 rows ``(i, j)``, ``i < j``, sorted, without repeats.
        """
        ...

    def close(self) -> None:
        """Release the engine's resources (idempotent)."""
        ...

    def __enter__(self) -> Backend: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


def get_backend(name: str = "local", **options: Any) -> Backend:
    """Create the backend called ``name``.

    Args:
        name: ``"local"`` or ``"ray"``.
        **options: passed to the backend's constructor; the local backend takes none, the Ray
            backend takes ``address``, ``num_cpus``, ``object_store_memory``, ``num_partitions``,
            ``bands_per_pass`` and ``progress`` (see :class:`~dedupe.backends.ray.RayBackend`).

    Raises:
        ConfigError: an unknown name, or an option the backend does not take.
        MissingDependencyError: ``"ray"`` without the ``ray`` extra installed.

    >>> get_backend("local").name
    'local'
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str (got {type(name).__name__}: {name!r})")
    if name == "local":
        from .local import LocalBackend

        if options:
            raise ConfigError(f"the local backend takes no options (got {', '.join(sorted(options))})")
        return LocalBackend()
    if name == "ray":
        # Ray phones home unless told not to; this must be set before ray is imported.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise missing_extra("ray", "ray", "the Ray backend") from exc
        from .ray import RayBackend

        try:
            return RayBackend(**options)
        except TypeError as exc:
            raise ConfigError(f"the Ray backend does not take these options: {exc}") from exc
    choices = ", ".join(repr(b) for b in BACKENDS)
    raise ConfigError(f"unknown backend {name!r}; choose one of {choices}")
