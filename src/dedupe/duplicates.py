"""Exact and near-duplicate documents: content hashes, MinHash + LSH candidates, verified clusters.

``find_duplicates`` runs, in order:

1. **Exact duplicates**: a 128-bit content digest of each document's normalized word sequence
   (:func:`dedupe.shingles.content_digest`: case, Unicode forms, whitespace and punctuation are
   ignored), made in the same pass as the signatures; identical digests form one group, reported
   as their own kind.
2. **Near duplicates** among the distinct texts: MinHash signatures, LSH banding at a candidate
   threshold below ``threshold`` (so pairs just above it are not lost), then verification.
   ``verify="auto"`` (default) decides by the signature estimate when it is far from the threshold
   and by the exact Jaccard of the word-shingle sets when it is within ``exact_margin`` of it;
   ``"estimate"`` uses the estimate alone, ``"exact"`` the exact Jaccard for every candidate.
3. **Clusters**: connected components over exact and verified near pairs (array union-find). Each
   cluster keeps one representative: the first document in input order (``keep="first"``) or the
   longest text, ties to the first (``keep="longest"``).

Documents without any word (empty, punctuation only) have no shingles: they can be exact
duplicates of each other, never near duplicates.

The sequence is written once, in :func:`resolve_duplicates`; :func:`find_duplicates` (texts in
memory) and :func:`dedupe.deduplicate` (a corpus streamed from disk) both call it, with a
:class:`~dedupe.backends.Backend` that moves the data and runs the heavy stages (signatures, band
keys grouped into candidate pairs, blocks of exact verification) and a ``read`` function that
fetches the texts of the rows that exact verification needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._buckets import candidate_pairs_of
from ._deprecation import deprecated
from ._typing import IntArray
from .backends import Backend, get_backend
from .clusters import connected_components, first_of_groups, pair_similarities
from .config import BATCH_SIZE, DuplicateConfig, Keep, ShingleConfig, Similarity, Verify, check_int
from .containment import resolve_containment, signatures_sizes_digests, stream_sizes, verified_pairs
from .errors import ConfigError
from .lsh import _DEFAULT_STAR_ABOVE, LSHIndex
from .minhash import EMPTY_VALUE, MinHasher
from .results import EXACT, KEPT, NEAR, DuplicateResult
from .shingles import DEFAULT_CHUNK_CHARS, _check_texts, pair_overlaps

__all__ = [
    "DuplicateResult",
    "ReadTexts",
    "SignedTexts",
    "Similarity",
    "StageClock",
    "candidate_pairs",
    "find_duplicates",
    "first_of_groups",
    "resolve_clusters",
    "resolve_duplicates",
    "shingle_jaccards",
    "verify_candidates",
]

#: Buckets larger than this yield star edges instead of all their pairs (see LSHIndex.candidate_pairs).
STAR_ABOVE: int = _DEFAULT_STAR_ABOVE

#: ``read(rows)`` yields ``(row, text)`` for the given rows, in any order.
ReadTexts = Callable[[IntArray], Iterable[tuple[int, str]]]
#: ``clock(stage, count)`` is called as each stage ends, with what it produced: ``"exact"`` (the
#: documents eligible for near duplicates), ``"lsh"`` (candidate pairs), ``"verify"`` (verified
#: pairs), ``"cluster"`` (documents removed) or, for containment, ``"containment"`` (documents removed).
StageClock = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class SignedTexts:
    """The documents as the duplicate stages see them, one row each.

    Attributes:
        signatures: ``(n, num_perm)`` uint32 MinHash signatures.
        digests: ``(n,)`` 16-byte content digests of the normalized words.
        lengths: ``(n,)`` int64 text lengths in characters (for ``keep="longest"``).
        sizes: ``(n,)`` int64 distinct shingles per row, for containment; None: counted from the texts.
    """

    signatures: NDArray[np.uint32]
    digests: NDArray[np.void]
    lengths: IntArray
    sizes: IntArray | None = None

    def __len__(self) -> int:
        return len(self.lengths)


def candidate_pairs(
    signatures: NDArray[np.uint32], rows: IntArray, threshold: float, num_perm: int, backend: Backend | None = None
) -> tuple[IntArray, NDArray[np.float64]]:
    """LSH candidate pairs among ``rows`` of ``signatures`` (document rows), with their estimates.

    The band plan is :meth:`LSHIndex.for_threshold`'s (banded below ``threshold``); buckets of more
    than ``STAR_ABOVE`` rows give star edges. ``backend`` runs the band-key grouping; in-process
    numpy when None. The pairs do not depend on the backend.
    """
    plan = LSHIndex.for_threshold(threshold, num_perm=num_perm).config
    if backend is None:  # the pairs an LSHIndex of signatures[rows] gives, without copying the rows
        local = candidate_pairs_of(signatures, rows, plan.num_bands, plan.rows_per_band, STAR_ABOVE)
    else:
        local = backend.candidate_pairs(
            signatures[rows], num_bands=plan.num_bands, rows_per_band=plan.rows_per_band, star_above=STAR_ABOVE
        )
    if len(local) == 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0)
    pairs = rows[local]
    return pairs, pair_similarities(signatures, pairs)


def verify_candidates(
    pairs: IntArray,
    estimates: NDArray[np.float64],
    threshold: float,
    verify: Verify,
    exact_margin: float,
    exact_jaccard: Callable[[IntArray], NDArray[np.float64]],
) -> tuple[IntArray, NDArray[np.float64]]:
    """Keep the pairs whose similarity reaches ``threshold``.

    ``exact_jaccard(pairs)`` computes exact similarities; it is called for every pair with
    ``verify="exact"``, for those whose estimate is within ``exact_margin`` of the threshold with
    ``"auto"``, and never with ``"estimate"``.
    """
    sim = estimates.copy()
    if verify != "estimate" and len(pairs):
        check = np.ones(len(pairs), dtype=bool) if verify == "exact" else np.abs(estimates - threshold) <= exact_margin
        if check.any():
            sim[check] = exact_jaccard(pairs[check])
    keep = sim >= threshold
    return pairs[keep], sim[keep]


def shingle_jaccards(texts: Mapping[int, str], pairs: IntArray, config: ShingleConfig) -> NDArray[np.float64]:
    """Exact Jaccard similarity of the shingle sets of each pair of rows (texts by row)."""
    inter, size_a, size_b = pair_overlaps(texts, pairs, config)
    union = size_a + size_b - inter
    out: NDArray[np.float64] = np.where(union == 0, 1.0, inter / np.maximum(union, 1))
    return out


class _BlockJaccard:
    """Picklable ``(pairs, texts by row) -> exact similarities``, with the shingle config bound."""

    def __init__(self, config: ShingleConfig) -> None:
        self.config = config

    def __call__(self, block: tuple[IntArray, Mapping[int, str]]) -> NDArray[np.float64]:
        pairs, texts = block
        return shingle_jaccards(texts, pairs, self.config)


@dataclass(frozen=True)
class _ExactJaccard:
    """``exact_jaccard(pairs)`` for :func:`verify_candidates`: the texts read once, blocks of pairs on a backend."""

    backend: Backend | None
    read: ReadTexts
    config: ShingleConfig
    batch_size: int

    def __call__(self, pairs: IntArray) -> NDArray[np.float64]:
        texts = dict(self.read(np.unique(pairs)))
        blocks = []
        for start in range(0, len(pairs), self.batch_size):
            part = pairs[start : start + self.batch_size]
            blocks.append((part, {r: texts[r] for r in np.unique(part).tolist()}))
        fn = _BlockJaccard(self.config)
        if self.backend is None or len(blocks) <= 1:
            # One block gains nothing from an engine (the texts are here already): run it here.
            parts = [fn(block) for block in blocks]
        else:
            parts = self.backend.map_batches(fn, blocks, stage="exact verification")
        return np.concatenate(parts) if parts else np.empty(0)


def resolve_clusters(
    n: int,
    exact_first: IntArray,
    near_pairs: IntArray,
    near_similarity: NDArray[np.float64],
    signatures: NDArray[np.uint32] | None,
    lengths: NDArray[np.int64],
    *,
    keep: Keep,
    threshold: float,
) -> DuplicateResult:
    """Combine exact groups and verified near pairs into a :class:`DuplicateResult`.

    The clusters are the connected components of the exact groups (``exact_first``: each row's
    first row with the same content digest) and the ``(k, 2)`` verified ``near_pairs`` (with their
    ``near_similarity``). Each keeps the representative that ``keep`` names (``"longest"`` by
    ``lengths``, ties to the earliest row). ``signatures`` (or None) give each near duplicate's
    estimated similarity to its representative; ``threshold`` is recorded in the result.
    """
    rows = np.arange(n, dtype=np.int64)
    exact_edges = np.stack([exact_first, rows], axis=1)[exact_first != rows]
    edges = np.concatenate([exact_edges, near_pairs.reshape(-1, 2).astype(np.int64)])
    comp = connected_components(edges, n)  # label = smallest row of the component
    if keep == "first":
        rep_of_comp = comp
    else:
        # Longest text first, then earliest row: sort by (component, -length, row).
        order = np.lexsort((rows, -lengths, comp))
        first_in_comp = np.ones(n, dtype=bool)
        first_in_comp[1:] = comp[order][1:] != comp[order][:-1]
        best = np.empty(n, dtype=np.int64)
        best[comp[order][first_in_comp]] = order[first_in_comp]
        rep_of_comp = best[comp]
    labels = rep_of_comp.astype(np.int64)
    status = np.full(n, KEPT, dtype="<U5")
    removed = labels != rows
    is_exact = removed & (exact_first == exact_first[labels])
    status[is_exact] = EXACT
    status[removed & ~is_exact] = NEAR
    similarity = np.full(n, np.nan)
    similarity[is_exact] = 1.0
    near_rows = np.flatnonzero(removed & ~is_exact)
    if len(near_rows) and signatures is not None:
        similarity[near_rows] = pair_similarities(signatures, np.stack([near_rows, labels[near_rows]], axis=1))
    pair_sim = np.concatenate([np.ones(len(exact_edges)), near_similarity])
    pair_kind = np.array([EXACT] * len(exact_edges) + [NEAR] * len(near_pairs), dtype="<U5")
    pairs = np.sort(edges, axis=1) if len(edges) else np.empty((0, 2), dtype=np.int64)
    return DuplicateResult(labels, status, similarity, pairs, pair_sim, pair_kind, threshold)


def _no_clock(stage: str, count: int) -> None:
    """The default :data:`StageClock`: time nothing."""


def resolve_duplicates(
    signed: SignedTexts,
    read: ReadTexts,
    config: DuplicateConfig,
    *,
    backend: Backend | None = None,
    batch_size: int = BATCH_SIZE,
    clock: StageClock = _no_clock,
    exact_jaccard: Callable[[IntArray], NDArray[np.float64]] | None = None,
) -> DuplicateResult:
    """The duplicate-finding sequence: exact groups, candidates, verification, clusters.

    Args:
        signed: signatures, digests and lengths of the documents, by row.
        read: fetches the texts of the rows that verification needs (see :data:`ReadTexts`).
        config: threshold, measure, verification and representative policy.
        backend: runs the band-key grouping and blocks of exact verification (Jaccard); None:
            in this process. Containment always runs here.
        batch_size: pairs per block of exact verification; results do not depend on it.
        clock: told as each stage ends (see :data:`StageClock`).
        exact_jaccard: computes the exact Jaccard of pairs of rows (the pipeline's worker pool);
            None: texts through ``read``, blocks on ``backend``. It must give the same values.

    Returns:
        The :class:`DuplicateResult` of the rows of ``signed``.
    """
    n, threshold, shingle = len(signed), float(config.threshold), config.minhash.shingle
    sigs = signed.signatures
    exact_first = first_of_groups(signed.digests)
    distinct = np.flatnonzero(exact_first == np.arange(n))
    # Documents without shingles carry the empty signature: never near duplicates. (Only rows whose
    # first slot is empty are compared in full: copying every signature took 0.1 s at 70,000 rows.)
    maybe = distinct[sigs[distinct, 0] == EMPTY_VALUE]
    empty = maybe[(sigs[maybe] == EMPTY_VALUE).all(axis=1)]
    eligible = distinct[~np.isin(distinct, empty)] if len(empty) else distinct
    clock("exact", len(eligible))
    if config.similarity == "containment":
        sizes = signed.sizes if signed.sizes is not None else stream_sizes(n, eligible, shingle, read)
        pairs, sim = verified_pairs(sigs, eligible, sizes, threshold, config.verify, shingle, read)
        result = resolve_containment(n, exact_first, pairs, sim, signed.lengths, keep=config.keep, threshold=threshold)
        clock("containment", int((~result.keep_mask).sum()))
        return result
    pairs, estimates = candidate_pairs(sigs, eligible, threshold, config.minhash.num_perm, backend)
    clock("lsh", len(pairs))
    exact = exact_jaccard if exact_jaccard is not None else _ExactJaccard(backend, read, shingle, batch_size)
    pairs, sim = verify_candidates(pairs, estimates, threshold, config.verify, config.exact_margin, exact)
    clock("verify", len(pairs))
    result = resolve_clusters(n, exact_first, pairs, sim, sigs, signed.lengths, keep=config.keep, threshold=threshold)
    clock("cluster", int((~result.keep_mask).sum()))
    return result


def find_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    similarity: Similarity = "jaccard",
    num_perm: int = 128,
    ngram_size: int = 5,
    seed: int = 1,
    keep: Keep | None = None,
    verify: Verify = "auto",
    exact_margin: float = 0.15,
    chunk_chars: int | None = None,
    backend: str | Backend | None = None,
    batch_size: int = BATCH_SIZE,
) -> DuplicateResult:
    """Find exact and near-duplicate documents and group them into clusters.

    Args:
        texts: the documents.
        threshold: similarity of word shingles at or above which two documents are near
            duplicates, in ``(0, 1]``.
        similarity: ``"jaccard"`` (shared shingles over all shingles of the pair) or
            ``"containment"``: the share of the shorter document's shingles found in the longer
            one, which finds a story inside a page several times its length (size-bucketed LSH
            candidates, exact verification, the longer document kept; see
            :mod:`dedupe.containment`). Containment runs in this process (``backend`` must be
            None or ``"local"``) and ignores ``exact_margin``.
        num_perm: MinHash slots.
        ngram_size: words per shingle.
        seed: MinHash seed.
        keep: ``"first"`` keeps the earliest document of each cluster, ``"longest"`` the longest;
            None (default) means ``"first"`` for Jaccard and ``"longest"`` for containment.
        verify: ``"auto"``, ``"estimate"`` or ``"exact"`` (see the module docstring).
        exact_margin: in ``"auto"`` mode, candidates whose estimate is within this distance of
            ``threshold`` are checked exactly.
        chunk_chars: internal chunk size for shingling; results do not depend on it.
        backend: run the heavy stages on a :class:`dedupe.backends.Backend` (or one named
            ``"local"`` or ``"ray"``, then closed on return); the result is identical. None
            means ``"local"`` (in process).
        batch_size: documents per block of the signature stage, and pairs per block of exact
            verification, on the backend; results do not depend on it.

    Returns:
        A :class:`DuplicateResult`; results do not depend on chunking or batch size.

    Raises:
        TypeError: ``texts`` is not a sequence of ``str``, or ``backend`` not a Backend or a name.
        ConfigError: a parameter is out of range.
        BackendError: a stage failed in the engine (the message names the stage).

    >>> r = find_duplicates(["a b c d e f g h", "A  b c, d e f g h!", "x y z"])
    >>> r.labels.tolist(), r.status.tolist()
    ([0, 0, 2], ['kept', 'exact', 'kept'])
    >>> story = " ".join(f"w{i}" for i in range(40))
    >>> page = f"{story} " + " ".join(f"menu{i}" for i in range(60))
    >>> find_duplicates([story, page], similarity="containment").status.tolist()
    ['near', 'kept']
    """
    docs = _check_texts(texts)
    config = DuplicateConfig.from_options(
        threshold=threshold, similarity=similarity, keep=keep, verify=verify, exact_margin=exact_margin,
        num_perm=num_perm, ngram_size=ngram_size, seed=seed,
    )  # fmt: skip
    check_int("batch_size", batch_size, low=1)
    local = backend is None or backend == "local" or getattr(backend, "name", None) == "local"
    if config.similarity == "containment" and not local:
        raise ConfigError("similarity='containment' runs on the local backend only (pass backend=None)")
    if backend is None or isinstance(backend, str):
        with get_backend("local" if backend is None else backend) as owned:
            return _find_in_memory(docs, config, owned, chunk_chars, batch_size)
    if not isinstance(backend, Backend):
        raise TypeError(f"backend must be a Backend or a backend name (got {type(backend).__name__})")
    return _find_in_memory(docs, config, backend, chunk_chars, batch_size)


def _find_in_memory(
    docs: Sequence[str], config: DuplicateConfig, backend: Backend, chunk_chars: int | None, batch_size: int
) -> DuplicateResult:
    """Sign ``docs`` on ``backend`` and run :func:`resolve_duplicates` on them."""
    hasher = MinHasher.from_config(config.minhash)
    sizes = None
    if config.similarity == "containment":  # on the local backend (checked by find_duplicates)
        chunk = DEFAULT_CHUNK_CHARS if chunk_chars is None else chunk_chars
        sigs, sizes, digests = signatures_sizes_digests(hasher, docs, chunk)
    else:
        sigs, digests = backend.signatures_and_digests(hasher, docs, batch_size=batch_size, chunk_chars=chunk_chars)
    lengths = np.fromiter((len(t) for t in docs), dtype=np.int64, count=len(docs))

    def read(rows: IntArray) -> Iterable[tuple[int, str]]:
        return ((r, docs[r]) for r in rows.tolist())

    signed = SignedTexts(np.asarray(sigs), digests, lengths, sizes)
    return resolve_duplicates(signed, read, config, backend=backend, batch_size=batch_size)


def find_duplicates_on(backend: Backend | str, texts: Sequence[str], **options: Any) -> DuplicateResult:
    """Deprecated: ``find_duplicates(texts, backend=backend, ...)`` (was ``dedupe.backends.find_duplicates_on``)."""
    deprecated("find_duplicates_on(backend, texts)", "find_duplicates(texts, backend=backend)")
    return find_duplicates(texts, backend=backend, **options)
