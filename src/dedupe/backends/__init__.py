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

:func:`find_duplicates_on` runs :func:`dedupe.find_duplicates` stage by stage on a backend and
returns the same :class:`~dedupe.DuplicateResult`:

1. MinHash signatures and content digests (``signatures_and_digests``, blocks of ``batch_size``
   texts); exact groups on the driver;
2. LSH candidate pairs among the distinct texts (``candidate_pairs``: band keys shuffled by key,
   one vectorised reduce per partition, all pairs in buckets of at most ``star_above`` rows, star edges to the bucket
   minimum in bigger ones);
3. verification: estimates on the driver, exact Jaccard of the pairs near the threshold
   (``map_batches`` over blocks of pairs);
4. connected components and representatives on the driver (:func:`dedupe.duplicates.resolve_clusters`).

>>> with get_backend("local") as backend:
...     result = find_duplicates_on(backend, ["a b c d e f g h", "a b c d e f g h", "x y z"])
>>> result.labels.tolist(), result.kind.tolist()
([0, 0, 2], ['kept', 'exact', 'unique'])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from .._typing import HashArray, IntArray
from ..config import ShingleConfig, check_int
from ..duplicates import STAR_ABOVE as DUPLICATES_STAR_ABOVE
from ..duplicates import (
    DuplicateResult,
    Keep,
    Verify,
    candidate_pairs,
    check_options,
    first_of_groups,
    resolve_clusters,
    shingle_jaccards,
    verify_candidates,
)
from ..errors import ConfigError, DedupeError, missing_extra
from ..minhash import EMPTY_VALUE, MinHasher
from ..shingles import _check_texts

__all__ = [
    "BACKENDS",
    "DEFAULT_BATCH_SIZE",
    "STAR_ABOVE",
    "Backend",
    "BackendError",
    "BackendName",
    "find_duplicates_on",
    "get_backend",
]

BackendName = Literal["local", "ray"]

#: Names that :func:`get_backend` accepts.
BACKENDS: tuple[BackendName, ...] = ("local", "ray")

#: Documents (or pairs) per block handed to one task.
DEFAULT_BATCH_SIZE = 4096

#: Largest LSH bucket that yields all its pairs (as :meth:`dedupe.LSHIndex.candidate_pairs`).
STAR_ABOVE: int = DUPLICATES_STAR_ABOVE

T = TypeVar("T")
R = TypeVar("R")


class BackendError(DedupeError, RuntimeError):
    """A stage failed inside the execution engine; no partial output was returned.

    Attributes:
        stage: the stage that failed (``"signatures"``, ``"candidate pairs"``, ...).
        backend: the backend's name.
    """

    def __init__(self, message: str, *, stage: str, backend: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.backend = backend


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
        self, hasher: MinHasher, texts: Sequence[str], *, batch_size: int = ..., chunk_chars: int | None = None
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

    def combine_counts(self, keys: Sequence[NDArray[np.uint64]]) -> tuple[HashArray, IntArray]:
        """Count every distinct key over all the arrays (e.g. boilerplate block hashes per shard).

        Returns:
            ``(unique_keys, counts)``: sorted ``(m,)`` uint64 keys and their ``(m,)`` int64 counts.
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


# ---------------------------------------------------------------------------------------------
# find_duplicates, stage by stage on a backend


class _ExactJaccard:
    """``exact_jaccard(pairs)`` for :func:`verify_candidates`, run on a backend in blocks of pairs."""

    def __init__(self, backend: Backend, docs: Sequence[str], config: ShingleConfig, batch_size: int) -> None:
        self.backend = backend
        self.docs = docs
        self.config = config
        self.batch_size = batch_size

    def __call__(self, pairs: IntArray) -> NDArray[np.float64]:
        blocks = []
        for start in range(0, len(pairs), self.batch_size):
            part = pairs[start : start + self.batch_size]
            blocks.append((part, {r: self.docs[r] for r in np.unique(part).tolist()}))
        fn = _BlockJaccard(self.config)
        if len(blocks) <= 1:
            # One block gains nothing from the engine (the texts are on the driver already): run it here.
            return fn(blocks[0]) if blocks else np.empty(0)
        parts = self.backend.map_batches(fn, blocks, stage="exact verification")
        return np.concatenate(parts)


class _BlockJaccard:
    """Picklable ``(pairs, texts by row) -> exact similarities``, with the shingle config bound."""

    def __init__(self, config: ShingleConfig) -> None:
        self.config = config

    def __call__(self, block: tuple[IntArray, Mapping[int, str]]) -> NDArray[np.float64]:
        pairs, texts = block
        return shingle_jaccards(texts, pairs, self.config)


def find_duplicates_on(
    backend: Backend | str,
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram_size: int = 5,
    seed: int = 1,
    keep: Keep = "first",
    verify: Verify = "auto",
    exact_margin: float = 0.15,
    chunk_chars: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> DuplicateResult:
    """Run :func:`dedupe.find_duplicates` on ``backend``; the result is identical to the local one.

    Args:
        backend: a :class:`Backend`, or a name for :func:`get_backend` (then closed on return).
        texts: the documents.
        threshold: as for :func:`dedupe.find_duplicates`; so are ``num_perm``, ``ngram_size``,
            ``seed``, ``keep``, ``verify``, ``exact_margin`` and ``chunk_chars``.
        batch_size: documents per block of the signature stage, and pairs per block of exact
            verification; results do not depend on it.

    Returns:
        The :class:`~dedupe.DuplicateResult` that :func:`dedupe.find_duplicates` returns.

    Raises:
        TypeError: ``texts`` is not a sequence of ``str``.
        ConfigError: a parameter is out of range.
        BackendError: a stage failed in the engine (the message names the stage).
    """
    options: dict[str, Any] = {
        "threshold": threshold,
        "num_perm": num_perm,
        "ngram_size": ngram_size,
        "seed": seed,
        "keep": keep,
        "verify": verify,
        "exact_margin": exact_margin,
        "chunk_chars": chunk_chars,
        "batch_size": batch_size,
    }
    if isinstance(backend, str):
        with get_backend(backend) as owned:
            return find_duplicates_on(owned, texts, **options)
    if not isinstance(backend, Backend):
        raise TypeError(f"backend must be a Backend or a backend name (got {type(backend).__name__})")
    docs = _check_texts(texts)
    check_options(threshold=threshold, keep=keep, verify=verify, exact_margin=exact_margin, num_perm=num_perm)
    check_int("batch_size", batch_size, low=1)
    n = len(docs)
    hasher = MinHasher(num_perm=num_perm, seed=seed, ngram_size=ngram_size)
    # 1. Signatures and content digests in blocks; exact groups on the driver (16 B per document).
    all_sigs, digests = backend.signatures_and_digests(hasher, docs, batch_size=batch_size, chunk_chars=chunk_chars)
    exact_first = first_of_groups(digests)
    lengths = np.fromiter((len(t) for t in docs), dtype=np.int64, count=n)
    distinct = np.flatnonzero(exact_first == np.arange(n))
    # Documents without shingles carry the empty signature: never near duplicates.
    eligible = distinct[~(all_sigs[distinct] == EMPTY_VALUE).all(axis=1)]
    # 2. Candidates among the distinct documents, with the band plan of find_duplicates.
    pairs, estimates = candidate_pairs(all_sigs, eligible, threshold, num_perm, backend)
    # 3. Verification: estimates on the driver, exact Jaccard near the threshold on the backend.
    exact_jaccard = _ExactJaccard(backend, docs, hasher.config.shingle, batch_size)
    pairs, sim = verify_candidates(pairs, estimates, threshold, verify, exact_margin, exact_jaccard)
    # 4. Components and representatives on the driver.
    return resolve_clusters(n, exact_first, pairs, sim, all_sigs, lengths, keep=keep, threshold=float(threshold))
