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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray
from .clusters import connected_components, pair_similarities
from .config import ShingleConfig, check_int
from .errors import ConfigError
from .lsh import _DEFAULT_STAR_ABOVE, LSHIndex
from .minhash import MinHasher
from .shingles import _check_texts, pair_overlaps

if TYPE_CHECKING:
    from .backends import Backend

__all__ = [
    "DuplicateResult",
    "Similarity",
    "candidate_pairs",
    "check_options",
    "exact_duplicate_groups",
    "find_duplicates",
    "first_of_groups",
    "resolve_clusters",
    "shingle_jaccards",
    "verify_candidates",
]

Keep = Literal["first", "longest"]
Verify = Literal["auto", "estimate", "exact"]
Similarity = Literal["jaccard", "containment"]

#: Buckets larger than this yield star edges instead of all their pairs (see LSHIndex.candidate_pairs).
STAR_ABOVE: int = _DEFAULT_STAR_ABOVE
#: Per-document kinds.
UNIQUE, KEPT, EXACT, NEAR = "unique", "kept", "exact", "near"


@dataclass(frozen=True, slots=True)
class DuplicateResult:
    """Duplicate structure of a batch of documents (rows are input positions).

    Attributes:
        labels: ``(n,)`` int64; the row of the cluster's representative (a unique document is
            its own label), so equal labels mean the same cluster.
        kind: ``(n,)`` str: ``"unique"``, ``"kept"`` (representative of a cluster), ``"exact"`` or
            ``"near"`` (removed duplicates).
        similarity: ``(n,)`` float64; 1.0 for exact duplicates, the estimated Jaccard similarity
            to the representative for near duplicates, NaN for kept and unique documents.
        pairs: ``(k, 2)`` int64 rows ``(i, j)``, ``i < j``, of verified duplicate pairs.
        pair_similarity: ``(k,)`` float64 similarity of each pair (1.0 for exact pairs).
        pair_kind: ``(k,)`` str, ``"exact"`` or ``"near"``.
        threshold: the similarity threshold used.
    """

    labels: IntArray
    kind: NDArray[np.str_]
    similarity: NDArray[np.float64]
    pairs: IntArray
    pair_similarity: NDArray[np.float64]
    pair_kind: NDArray[np.str_]
    threshold: float

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def keep_mask(self) -> NDArray[np.bool_]:
        """``(n,)`` bool: True for documents to keep (unique ones and representatives)."""
        mask: NDArray[np.bool_] = (self.kind == UNIQUE) | (self.kind == KEPT)
        return mask

    @property
    def clusters(self) -> list[IntArray]:
        """Rows of every cluster with at least two documents, representative first, by representative."""
        order = np.argsort(self.labels, kind="stable")
        labels = self.labels[order]
        cuts = np.flatnonzero(np.diff(labels)) + 1
        out = []
        for group in np.split(order, cuts):
            if len(group) > 1:
                rep = int(self.labels[group[0]])
                out.append(np.concatenate([[rep], group[group != rep]]).astype(np.int64))
        return out

    def summary(self) -> str:
        """One line, e.g. ``1,000 documents: 900 kept, 60 exact duplicates, 40 near duplicates``."""
        kept = int(self.keep_mask.sum())
        exact = int((self.kind == EXACT).sum())
        near = int((self.kind == NEAR).sum())
        return (
            f"{len(self):,} documents: {kept:,} kept, {exact:,} exact duplicates, {near:,} near duplicates "
            f"in {len(self.clusters):,} clusters (threshold {self.threshold:g})"
        )


def first_of_groups(digests: NDArray[np.void]) -> IntArray:
    """For each digest, the first row holding the same digest (itself if none earlier)."""
    if len(digests) == 0:
        return np.empty(0, dtype=np.int64)
    _, first, inverse = np.unique(digests, return_index=True, return_inverse=True)
    return first[inverse.reshape(-1)].astype(np.int64)


def exact_duplicate_groups(texts: Sequence[str]) -> IntArray:
    """Return, for each text, the first row with the same normalized words (itself if none earlier)."""
    return first_of_groups(MinHasher(num_perm=2).signatures_and_digests(_check_texts(texts))[1])


def candidate_pairs(
    signatures: NDArray[np.uint32], rows: IntArray, threshold: float, num_perm: int, backend: Backend | None = None
) -> tuple[IntArray, NDArray[np.float64]]:
    """LSH candidate pairs among ``rows`` of ``signatures`` (document rows), with their estimates.

    The band plan is :meth:`LSHIndex.for_threshold`'s (banded below ``threshold``); buckets of more
    than ``STAR_ABOVE`` rows give star edges. ``backend`` (a :class:`dedupe.backends.Backend`) runs
    the band-key grouping; in-process numpy when None. The pairs do not depend on the backend.
    """
    index = LSHIndex.for_threshold(threshold, num_perm=num_perm)
    if backend is None:
        index.insert(np.arange(len(rows), dtype=np.int64), signatures[rows])
        local = index.candidate_pairs(star_above=STAR_ABOVE)
    else:
        plan = index.config
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


def check_options(*, threshold: object, keep: object, verify: object, exact_margin: object, num_perm: object) -> None:
    """Validate the options shared by :func:`find_duplicates` and the pipeline."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ConfigError(f"threshold must be a number in (0, 1] (got {threshold!r})")
    if keep not in ("first", "longest"):
        raise ConfigError(f"keep must be 'first' or 'longest' (got {keep!r})")
    if verify not in ("auto", "estimate", "exact"):
        raise ConfigError(f"verify must be 'auto', 'estimate' or 'exact' (got {verify!r})")
    if isinstance(exact_margin, bool) or not isinstance(exact_margin, (int, float)) or not 0 <= exact_margin <= 1:
        raise ConfigError(f"exact_margin must be a number in [0, 1] (got {exact_margin!r})")
    check_int("num_perm", num_perm, low=2, high=8192)


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

    Args:
        n: number of documents.
        exact_first: ``(n,)`` first row with the same normalized text.
        near_pairs: ``(k, 2)`` verified near pairs (rows of documents).
        near_similarity: ``(k,)`` their similarities.
        signatures: ``(n, num_perm)`` signatures by row (for member-to-representative similarity),
            or None.
        lengths: ``(n,)`` text lengths (for ``keep="longest"``).
        keep: representative policy.
        threshold: recorded in the result.
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
    sizes = np.bincount(comp, minlength=n)[comp]
    kind = np.full(n, UNIQUE, dtype="<U6")
    kind[(sizes > 1) & (labels == rows)] = KEPT
    removed = labels != rows
    is_exact = removed & (exact_first == exact_first[labels])
    kind[is_exact] = EXACT
    kind[removed & ~is_exact] = NEAR
    similarity = np.full(n, np.nan)
    similarity[is_exact] = 1.0
    near_rows = np.flatnonzero(removed & ~is_exact)
    if len(near_rows) and signatures is not None:
        similarity[near_rows] = pair_similarities(signatures, np.stack([near_rows, labels[near_rows]], axis=1))
    pair_sim = np.concatenate([np.ones(len(exact_edges)), near_similarity])
    pair_kind = np.array([EXACT] * len(exact_edges) + [NEAR] * len(near_pairs), dtype="<U5")
    pairs = np.sort(edges, axis=1) if len(edges) else np.empty((0, 2), dtype=np.int64)
    return DuplicateResult(labels, kind, similarity, pairs, pair_sim, pair_kind, threshold)


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
            ``"local"`` or ``"ray"``); the result is identical. None means ``"local"`` (in process).

    Returns:
        A :class:`DuplicateResult`; results do not depend on chunking or batch size.

    Raises:
        TypeError: ``texts`` is not a sequence of ``str``.
        ConfigError: a parameter is out of range.

    >>> r = find_duplicates(["a b c d e f g h", "A  b c, d e f g h!", "x y z"])
    >>> r.labels.tolist(), r.kind.tolist()
    ([0, 0, 2], ['kept', 'exact', 'unique'])
    >>> story = " ".join(f"w{i}" for i in range(40))
    >>> page = f"{story} " + " ".join(f"menu{i}" for i in range(60))
    >>> find_duplicates([story, page], similarity="containment").kind.tolist()
    ['near', 'kept']
    """
    from .backends import find_duplicates_on  # backends import this module: import here

    if similarity not in ("jaccard", "containment"):
        raise ConfigError(f"similarity must be 'jaccard' or 'containment' (got {similarity!r})")
    if keep is None:
        keep = "longest" if similarity == "containment" else "first"
    if similarity == "containment":
        from .containment import find_contained

        docs = _check_texts(texts)
        check_options(threshold=threshold, keep=keep, verify=verify, exact_margin=exact_margin, num_perm=num_perm)
        check_int("ngram_size", ngram_size, low=1, high=64)
        if backend not in (None, "local") and getattr(backend, "name", None) != "local":
            raise ConfigError("similarity='containment' runs on the local backend only (pass backend=None)")
        return find_contained(
            docs, threshold=float(threshold), num_perm=num_perm, ngram_size=ngram_size, seed=seed, keep=keep,
            verify=verify, chunk_chars=chunk_chars,
        )  # fmt: skip
    return find_duplicates_on(
        "local" if backend is None else backend, texts, threshold=threshold, num_perm=num_perm,
        ngram_size=ngram_size, seed=seed, keep=keep, verify=verify, exact_margin=exact_margin, chunk_chars=chunk_chars,
    )  # fmt: skip
