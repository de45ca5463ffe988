"""Documents contained in longer ones: size-bucketed LSH candidates, exact containment, kept longest.

The same story published bare on one site and wrapped in comments, related links and a long footer
on another has a low Jaccard similarity but is plainly a copy. The *containment* of the shorter
shingle set ``A`` in the longer ``B`` is ``c = |A ∩ B| / |A|``; ``find_duplicates(texts,
similarity="containment", threshold=t)`` reports the pairs with ``c >= t``.

**Candidates.** MinHash estimates Jaccard similarity, and containment fixes it once the sizes are
known: with ``a = |A| <= b = |B|`` and ``|A ∩ B| = c·a``,

    J = c·a / (a + b - c·a) = c / (1 + r - c),   r = b / a.

So a pair with ``c >= t`` has ``J >= t / (1 + r - t)``, which falls as the length ratio ``r`` grows
(at ``t = 0.8``: 0.36 for ``r = 2``, 0.15 for ``r = 5``). One LSH plan banded at the worst ratio
would make every pair of similar-length documents a candidate too, so documents are put in size
classes ``k = floor(log(size) / log(q))`` with ``q = sqrt(2)``: two documents in classes ``k`` and
``k + d`` have ``r < q**(d + 1)``, hence ``J >= J_d = t / (1 + q**(d + 1) - t)``. For every gap
``d = 0 .. D`` and every class ``k`` the documents of classes ``k`` and ``k + d`` are banded with
:meth:`LSHIndex.for_threshold` ``(J_d)`` (candidate probability at least 0.99 at ``J_d``, so at
least that for every pair with ``c >= t``), and the pairs across the two classes are kept. Sizes
with ``b / a <= R`` are at most ``ceil(log_q(R))`` classes apart, so ``D = ceil(log_q(MAX_RATIO))``
(8 for ``MAX_RATIO = 16``): a document more than 16 times longer (in distinct shingles) than the
one it contains may be missed. The lowest band threshold is ``J_8 = t / (1 + q**9 - t)`` (0.035 at
``t = 0.8``), searched only between classes 8 apart.

**Verification.** For each candidate the signature estimate ``Ĵ`` is compared with the Jaccard
similarity ``J_t = t·a / (a + b - t·a)`` that containment ``t`` implies at the pair's exact sizes:
candidates with ``Ĵ < J_t - 4σ`` (``σ = sqrt(J_t (1 - J_t) / num_perm)``, the binomial error of the
estimate) are dropped, the others are decided by their exact containment (re-shingled texts).
``verify="exact"`` checks every candidate exactly; ``verify="estimate"`` decides by the estimated
containment ``ĉ = Ĵ (a + b) / ((1 + Ĵ) a)`` alone.

**Which document stays.** Containment is not transitive and not symmetric, so clusters are not
connected components: documents are visited in keep order (longest first with ``keep="longest"``,
the default for containment; input order with ``keep="first"``) and a document is removed when it
is verified against a document that comes earlier and is kept; its label is the earliest such
document. A page that contains a story is kept even when a longer page contains the same story.
Exact duplicates (same normalized words) are grouped first, as for Jaccard.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray
from .clusters import pair_similarities
from .config import ShingleConfig
from .lsh import LSHIndex
from .minhash import MinHasher
from .results import EXACT, KEPT, NEAR, DuplicateResult
from .shingles import ShingleBatch, iter_shingle_batches, pair_overlaps, shingle_texts

if TYPE_CHECKING:
    from .config import Keep, Verify

__all__ = [
    "MAX_RATIO",
    "SIZE_CLASS_BASE",
    "containment_candidates",
    "distinct_counts",
    "estimated_containment",
    "resolve_containment",
    "shingle_containments",
    "signatures_sizes_digests",
    "stream_sizes",
    "verified_pairs",
]

#: Length ratio (in distinct shingles) up to which containment candidates are searched.
MAX_RATIO = 16.0
#: Ratio of consecutive size classes.
SIZE_CLASS_BASE = math.sqrt(2.0)
#: Binomial standard errors below the implied Jaccard similarity at which a candidate is dropped.
SCREEN_SIGMAS = 4.0


def distinct_counts(batch: ShingleBatch) -> IntArray:
    """Number of distinct shingle hashes of every document of ``batch`` (vectorised).

    >>> from dedupe.shingles import word_shingles
    >>> distinct_counts(word_shingles(["a b a b a b", "", "x"], ngram_size=2)).tolist()
    [2, 0, 1]
    """
    n = len(batch)
    counts = batch.counts()
    doc = np.repeat(np.arange(n, dtype=np.int64), counts)
    order = np.lexsort((batch.hashes, doc))
    hashes, doc = batch.hashes[order], doc[order]
    new = np.ones(len(hashes), dtype=bool)
    new[1:] = (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])
    out: IntArray = np.bincount(doc[new], minlength=n).astype(np.int64)
    return out


def estimated_containment(jaccard: NDArray[np.float64], small: IntArray, large: IntArray) -> NDArray[np.float64]:
    """Containment of the smaller set implied by a Jaccard similarity and the two set sizes."""
    est: NDArray[np.float64] = jaccard * (small + large) / ((1.0 + jaccard) * np.maximum(small, 1))
    return np.clip(est, 0.0, 1.0)


def containment_candidates(
    signatures: NDArray[np.uint32], rows: IntArray, sizes: IntArray, threshold: float, num_perm: int
) -> IntArray:
    """Candidate pairs ``(i, j)``, ``i < j``, among ``rows`` that may reach containment ``threshold``.

    ``sizes`` are the distinct shingle counts by row (all of ``rows`` at least 1). See the module
    docstring for the size classes and band plans.
    """
    if len(rows) < 2:
        return np.empty((0, 2), dtype=np.int64)
    classes = np.floor(np.log(sizes[rows].astype(np.float64)) / math.log(SIZE_CLASS_BASE) + 1e-9).astype(np.int64)
    # Sizes a <= b with b / a <= MAX_RATIO lie at most ceil(log_q(MAX_RATIO)) classes apart.
    max_gap = math.ceil(math.log(MAX_RATIO) / math.log(SIZE_CLASS_BASE) - 1e-9)
    present = np.unique(classes).tolist()
    present_set = set(present)
    found: list[IntArray] = []
    for gap in range(max_gap + 1):
        floor = threshold / (1.0 + SIZE_CLASS_BASE ** (gap + 1) - threshold)
        index_plan = LSHIndex.for_threshold(min(floor, 1.0), num_perm=num_perm).config
        for k in present:
            if gap and k + gap not in present_set:
                continue
            members = np.flatnonzero((classes == k) | (classes == k + gap))
            if len(members) < 2:
                continue
            index = LSHIndex(num_bands=index_plan.num_bands, rows_per_band=index_plan.rows_per_band, num_perm=num_perm)
            index.insert(np.arange(len(members), dtype=np.int64), signatures[rows[members]])
            local = index.candidate_pairs()
            if len(local) == 0:
                continue
            pairs = members[local]
            gaps = np.abs(classes[pairs[:, 0]] - classes[pairs[:, 1]])
            found.append(rows[pairs[gaps == gap]])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.sort(np.concatenate(found), axis=1)
    unique: IntArray = np.unique(pairs, axis=0).astype(np.int64)
    return unique


def shingle_containments(texts: dict[int, str], pairs: IntArray, config: ShingleConfig) -> NDArray[np.float64]:
    """Exact containment of the smaller shingle set of each pair of rows in the other (texts by row)."""
    inter, size_a, size_b = pair_overlaps(texts, pairs, config)
    small = np.minimum(size_a, size_b)
    out: NDArray[np.float64] = np.where(small == 0, 1.0, inter / np.maximum(small, 1))
    return out


def resolve_containment(
    n: int,
    exact_first: IntArray,
    pairs: IntArray,
    similarity: NDArray[np.float64],
    lengths: IntArray,
    *,
    keep: Keep,
    threshold: float,
) -> DuplicateResult:
    """Decide which documents stay, given exact groups and verified containment pairs.

    Args:
        n: number of documents.
        exact_first: ``(n,)`` first row with the same normalized text.
        pairs: ``(k, 2)`` verified pairs between rows that are their exact group's first row.
        similarity: ``(k,)`` their containments.
        lengths: ``(n,)`` text lengths in characters.
        keep: ``"longest"`` visits documents longest first, ``"first"`` in input order.
        threshold: recorded in the result.

    Returns:
        A :class:`~dedupe.duplicates.DuplicateResult` whose labels point at kept documents.

    >>> r = resolve_containment(3, np.arange(3), np.array([[0, 1]]), np.array([0.9]), np.array([10, 30, 5]),
    ...                         keep="longest", threshold=0.8)
    >>> r.labels.tolist(), r.status.tolist()
    ([1, 1, 2], ['near', 'kept', 'kept'])
    """
    rows = np.arange(n, dtype=np.int64)
    order = np.lexsort((rows, -lengths)) if keep == "longest" else rows
    rank = np.empty(n, dtype=np.int64)
    rank[order] = rows
    # One representative per exact group: its best-ranked member.
    group_rank = np.full(n, n, dtype=np.int64)
    np.minimum.at(group_rank, exact_first, rank)
    group_rep = np.full(n, -1, dtype=np.int64)
    heads = np.flatnonzero(group_rank < n)
    group_rep[heads] = order[group_rank[heads]]
    # Greedy over groups in keep order: removed when verified against an earlier kept group.
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    ends = np.concatenate([pairs, pairs[:, ::-1]])
    sims = np.concatenate([similarity, similarity])
    by_group = np.lexsort((group_rank[ends[:, 1]], ends[:, 0]))
    ends, sims = ends[by_group], sims[by_group]
    starts = np.searchsorted(ends[:, 0], heads)
    stops = np.searchsorted(ends[:, 0], heads, side="right")
    kept_group = np.ones(n, dtype=bool)
    into = np.arange(n, dtype=np.int64)  # group head -> head of the kept group it is contained in
    into_sim = np.full(n, np.nan)
    linked = stops > starts
    visit = np.argsort(group_rank[heads[linked]], kind="stable")
    for g, lo, hi in zip(*(a[linked][visit].tolist() for a in (heads, starts, stops)), strict=True):
        for e in range(lo, hi):  # partners sorted by their group rank: the first kept earlier one wins
            other = int(ends[e, 1])
            if group_rank[other] >= group_rank[g]:
                break
            if kept_group[other]:
                kept_group[g] = False
                into[g], into_sim[g] = other, sims[e]
                break
    labels = np.where(kept_group[exact_first], group_rep[exact_first], group_rep[into[exact_first]])
    kind = np.full(n, KEPT, dtype="<U5")
    removed = labels != rows
    is_near = removed & ~kept_group[exact_first]
    kind[removed & ~is_near] = EXACT
    kind[is_near] = NEAR
    sim = np.full(n, np.nan)
    sim[removed & ~is_near] = 1.0
    sim[is_near] = into_sim[exact_first[is_near]]
    exact_edges = np.stack([exact_first, rows], axis=1)[exact_first != rows]
    out_pairs = np.sort(np.concatenate([exact_edges, pairs]), axis=1)
    pair_sim = np.concatenate([np.ones(len(exact_edges)), similarity])
    pair_kind = np.array([EXACT] * len(exact_edges) + [NEAR] * len(pairs), dtype="<U5")
    return DuplicateResult(labels.astype(np.int64), kind, sim, out_pairs, pair_sim, pair_kind, threshold)


def signatures_sizes_digests(
    hasher: MinHasher, docs: Sequence[str], chunk_chars: int
) -> tuple[NDArray[np.uint32], IntArray, NDArray[np.void]]:
    """Signatures, distinct shingle counts and content digests of ``docs``, in one shingling pass."""
    sigs: list[NDArray[np.uint32]] = []
    sizes: list[IntArray] = []
    digests: list[NDArray[np.void]] = []
    for batch in iter_shingle_batches(docs, hasher.config.shingle, chunk_chars=chunk_chars):
        sigs.append(np.asarray(hasher.sign_batch(batch)))
        sizes.append(distinct_counts(batch))
        if batch.digests is not None:
            digests.append(batch.digests)
    if not sigs:
        return np.empty((0, hasher.num_perm), np.uint32), np.empty(0, np.int64), np.empty(0, "V16")
    return np.concatenate(sigs), np.concatenate(sizes), np.concatenate(digests)


def verified_pairs(
    signatures: NDArray[np.uint32],
    rows: IntArray,
    sizes: IntArray,
    threshold: float,
    verify: Verify,
    config: ShingleConfig,
    read: Callable[[IntArray], Iterable[tuple[int, str]]],
) -> tuple[IntArray, NDArray[np.float64]]:
    """Candidates among ``rows`` and their verification (see the module docstring).

    Args:
        signatures: ``(n, num_perm)`` signatures by row.
        rows: rows that take part (distinct, non-empty documents).
        sizes: ``(n,)`` distinct shingle counts by row.
        threshold: containment to reach.
        verify: ``"auto"``, ``"exact"`` or ``"estimate"``.
        config: the shingling of the signatures (for exact containment).
        read: ``read(rows)`` yields ``(row, text)`` for the given rows, in any order.

    Returns:
        ``(pairs, containments)``: the ``(k, 2)`` verified pairs and their ``(k,)`` containments.
    """
    num_perm = int(signatures.shape[1])
    pairs = containment_candidates(signatures, rows, np.maximum(sizes, 1), threshold, num_perm)
    if len(pairs) == 0:
        return pairs, np.empty(0)
    small = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    large = np.maximum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    jaccard = pair_similarities(signatures, pairs)
    if verify == "estimate":
        sim = estimated_containment(jaccard, small, large)
    else:
        if verify == "auto":
            implied = threshold * small / (small + large - threshold * small)
            sigma = np.sqrt(implied * (1.0 - implied) / num_perm)
            pairs = pairs[jaccard >= implied - SCREEN_SIGMAS * sigma]
        texts = dict(read(np.unique(pairs)))
        sim = shingle_containments(texts, pairs, config) if len(pairs) else np.empty(0)
    keep = sim >= threshold
    return pairs[keep], sim[keep]


def stream_sizes(
    n: int, rows: IntArray, config: ShingleConfig, read: Callable[[IntArray], Iterable[tuple[int, str]]]
) -> IntArray:
    """``(n,)`` distinct shingle counts of ``rows`` (0 elsewhere), reading the texts once in blocks."""
    sizes = np.zeros(n, dtype=np.int64)
    block_rows: list[int] = []
    block_texts: list[str] = []

    def flush() -> None:
        sizes[block_rows] = distinct_counts(shingle_texts(block_texts, config))
        block_rows.clear()
        block_texts.clear()

    for row, text in read(rows):
        block_rows.append(row)
        block_texts.append(text)
        if len(block_rows) >= 4096:
            flush()
    if block_rows:
        flush()
    return sizes
