"""Ground truth for the benchmark: exact Jaccard of word 5-gram sets, and agreement counts.

**Shingles.** The reference tokenizer is the one the peers get: ``re.findall(r"\\w+", text.lower())``,
word n-grams joined by one space (a text with fewer than n words gives one shingle of all its
words, a text without words none); each shingle string is hashed to 64 bits with xxh3 (a
collision between two distinct shingles of a 10^7-shingle corpus has probability about 3e-6).

**All pairs above a threshold, exactly** (:func:`exact_similar_pairs`): prefix filtering
(Chaudhuri et al., 2006; Bayardo et al., 2007). Order every shingle by its document frequency,
rarest first. Two sets with Jaccard >= t share at least one shingle among the first
``|A| - ceil(t |A|) + 1`` shingles of each, so the pairs that share such a *prefix* shingle (and pass
the size filter ``t <= |A| / |B|``) include every pair above t; each of them is then scored exactly.
No pair is sampled or estimated: the result is every pair with Jaccard >= t.

**Agreement** (:func:`agreement`): a side's *found pairs* are the pairs of documents it puts in the
same cluster (one of the two is removed as a duplicate of the other). Against the truth (pairs with
exact Jaccard >= threshold): a found pair is a true positive if it is in the truth, and recall is
the share of true pairs found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from .._typing import IntArray
from ..hashing import fmix64

__all__ = [
    "Agreement",
    "ShingleSets",
    "agreement",
    "cluster_pair_codes",
    "exact_similar_pairs",
    "pair_codes",
    "reference_shingles",
    "shingle_sets",
]

_WORD = re.compile(r"\w+")


def reference_shingles(text: str, ngram_size: int = 5) -> list[str]:
    """Word n-grams of ``text`` as the peers get them: lower-cased ``\\w+`` words joined by spaces.

    >>> reference_shingles("A b, C d e f", 5)
    ['a b c d e', 'b c d e f']
    >>> reference_shingles("Hi there", 5)
    ['hi there']
    """
    words = _WORD.findall(text.lower())
    if len(words) < ngram_size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + ngram_size]) for i in range(len(words) - ngram_size + 1)]


@dataclass(frozen=True, slots=True)
class ShingleSets:
    """Distinct shingle hashes of each document (CSR: ``hashes[offsets[i]:offsets[i + 1]]``, sorted)."""

    hashes: NDArray[np.uint64]
    offsets: IntArray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def sizes(self) -> IntArray:
        """``(n,)`` int64 number of distinct shingles per document."""
        return np.diff(self.offsets)

    def document(self, i: int) -> NDArray[np.uint64]:
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _word_hashes(text: str) -> NDArray[np.uint64]:
    words = _WORD.findall(text.lower())
    return np.fromiter(
        (xxhash.xxh3_64_intdigest(w.encode("utf-8", "surrogatepass")) for w in words), np.uint64, len(words)
    )


def shingle_sets(texts: Sequence[str], ngram_size: int = 5) -> ShingleSets:
    """Hash the :func:`reference_shingles` of every text into sorted distinct sets.

    Each word is hashed with xxh3-64; a shingle of words ``w_0 .. w_{k-1}`` hashes to
    ``fmix64(sum(hash(w_i) * odd_i) + k * MIX)`` (mod 2^64), so n-grams are hashed without
    building their strings. Equal shingles always get equal hashes.
    """
    if ngram_size < 1:
        raise ValueError(f"ngram_size must be at least 1 (got {ngram_size!r})")
    mults = fmix64(np.arange(1, ngram_size + 1, dtype=np.uint64) * _MIX) | np.uint64(1)
    parts: list[NDArray[np.uint64]] = []
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        for i, text in enumerate(texts):
            words = _word_hashes(text)
            k = min(len(words), ngram_size)
            if k == 0:
                values = np.empty(0, dtype=np.uint64)
            else:
                count = len(words) - k + 1
                acc = np.full(count, np.uint64(k) * _MIX, dtype=np.uint64)
                for j in range(k):
                    acc += words[j : j + count] * mults[j]
                values = np.unique(fmix64(acc))
            parts.append(values)
            offsets[i + 1] = offsets[i] + len(values)
    hashes = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    return ShingleSets(hashes, offsets)


def _group_pairs(values: IntArray, group_starts: IntArray, group_ends: IntArray) -> tuple[IntArray, IntArray]:
    """All pairs ``(values[p], values[q])``, ``p < q``, within each group ``[start, end)``."""
    sizes = group_ends - group_starts
    keep = sizes > 1
    starts, ends = group_starts[keep], group_ends[keep]
    if len(starts) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    # For every member p of a group: partners p+1 .. end-1.
    m = ends - starts
    member = np.repeat(starts, m) + np.arange(int(m.sum())) - np.repeat(np.cumsum(m) - m, m)
    end_of = np.repeat(ends, m)
    counts = end_of - member - 1
    total = int(counts.sum())
    left = np.repeat(member, counts)
    first = np.cumsum(counts) - counts
    right = np.arange(total) - np.repeat(first, counts) + np.repeat(member + 1, counts)
    return values[left], values[right]


def exact_similar_pairs(sets: ShingleSets, threshold: float) -> tuple[IntArray, NDArray[np.float64]]:
    """Every pair of documents whose shingle sets have Jaccard similarity >= ``threshold``.

    Returns:
        ``(pairs, jaccard)``: ``(k, 2)`` int64 rows ``(i, j)``, ``i < j``, sorted, and their exact
        Jaccard similarities (float64). Documents without shingles are never paired.

    >>> s = shingle_sets(["a b c d e f g", "a b c d e f g h", "x y z w v u"], 5)
    >>> pairs, jac = exact_similar_pairs(s, 0.5)
    >>> pairs.tolist(), jac.round(3).tolist()
    ([[0, 1]], [0.75])
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1] (got {threshold!r})")
    n = len(sets)
    sizes = sets.sizes()
    if n < 2 or len(sets.hashes) == 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0)
    uniq, inverse, freq = np.unique(sets.hashes, return_inverse=True, return_counts=True)
    order = np.argsort(freq, kind="stable")  # rarest first; ties by hash value (uniq is sorted)
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq))
    n_tok = len(uniq)
    # Sort every document's shingles by rank: one sort of doc * n_tok + rank.
    keys = np.sort(np.repeat(np.arange(n, dtype=np.int64) * n_tok, sizes) + rank[inverse.reshape(-1)])
    doc, tok = keys // n_tok, keys % n_tok
    position = np.arange(len(tok)) - sets.offsets[doc]
    # Prefix length |A| - ceil(t |A|) + 1; the 1e-9 only ever lengthens it (safe for rounding).
    prefix = sizes - np.ceil(threshold * sizes - 1e-9).astype(np.int64) + 1
    in_prefix = position < prefix[doc]
    grouped = np.sort(tok[in_prefix] * n + doc[in_prefix])
    ptok, pdoc = grouped // n, grouped % n
    cuts = np.flatnonzero(np.diff(ptok)) + 1
    starts = np.concatenate([[0], cuts]).astype(np.int64)
    ends = np.concatenate([cuts, [len(ptok)]]).astype(np.int64)
    left, right = _group_pairs(pdoc, starts, ends)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    small, large = np.minimum(sizes[lo], sizes[hi]), np.maximum(sizes[lo], sizes[hi])
    ok = (lo != hi) & (small >= threshold * large - 1e-9)
    codes = np.unique(lo[ok] * n + hi[ok])
    cand = np.stack([codes // n, codes % n], axis=1)
    jac = np.empty(len(cand), dtype=np.float64)
    for k, (a, b) in enumerate(cand.tolist()):
        sa, sb = sets.document(a), sets.document(b)
        inter = len(np.intersect1d(sa, sb, assume_unique=True))
        jac[k] = inter / (len(sa) + len(sb) - inter)
    keep = jac >= threshold
    return cand[keep], jac[keep]


def pair_codes(pairs: IntArray, n: int) -> NDArray[np.int64]:
    """Sorted distinct codes ``i * n + j`` (``i < j``) of ``(k, 2)`` pairs."""
    p = np.sort(np.asarray(pairs, dtype=np.int64).reshape(-1, 2), axis=1)
    p = p[p[:, 0] != p[:, 1]]
    return np.unique(p[:, 0] * n + p[:, 1])


def cluster_pair_codes(labels: IntArray) -> NDArray[np.int64]:
    """Codes of every pair of rows with equal ``labels`` (same cluster)."""
    n = len(labels)
    order = np.argsort(labels, kind="stable").astype(np.int64)
    sorted_labels = labels[order]
    cuts = np.flatnonzero(np.diff(sorted_labels)) + 1
    starts = np.concatenate([[0], cuts]).astype(np.int64)
    ends = np.concatenate([cuts, [n]]).astype(np.int64)
    left, right = _group_pairs(order, starts, ends)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    return np.unique(lo * n + hi)


@dataclass(frozen=True, slots=True)
class Agreement:
    """Found pairs of us and one peer, compared with each other and with the exact-Jaccard truth.

    ``both + only_ours == ours``, ``both + only_peer == peer``, ``ours_true + ours_false == ours``,
    ``peer_true + peer_false == peer``, ``ours_true + ours_missed == truth`` and the same for the peer.
    """

    truth: int
    ours: int
    peer: int
    both: int
    only_ours: int
    only_peer: int
    ours_true: int
    ours_false: int
    ours_missed: int
    peer_true: int
    peer_false: int
    peer_missed: int

    @property
    def ours_precision(self) -> float:
        return self.ours_true / self.ours if self.ours else 1.0

    @property
    def ours_recall(self) -> float:
        return self.ours_true / self.truth if self.truth else 1.0

    @property
    def peer_precision(self) -> float:
        return self.peer_true / self.peer if self.peer else 1.0

    @property
    def peer_recall(self) -> float:
        return self.peer_true / self.truth if self.truth else 1.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("ours_precision", "ours_recall", "peer_precision", "peer_recall"):
            out[name] = round(getattr(self, name), 6)
        return out

    def check(self) -> None:
        """Raise ``AssertionError`` unless the counts add up."""
        sums = {
            "both + only_ours == ours": self.both + self.only_ours == self.ours,
            "both + only_peer == peer": self.both + self.only_peer == self.peer,
            "ours_true + ours_false == ours": self.ours_true + self.ours_false == self.ours,
            "peer_true + peer_false == peer": self.peer_true + self.peer_false == self.peer,
            "ours_true + ours_missed == truth": self.ours_true + self.ours_missed == self.truth,
            "peer_true + peer_missed == truth": self.peer_true + self.peer_missed == self.truth,
        }
        bad = [k for k, ok in sums.items() if not ok]
        if bad:
            raise AssertionError(f"agreement counts do not add up: {', '.join(bad)} ({self})")


def agreement(truth: NDArray[np.int64], ours: NDArray[np.int64], peer: NDArray[np.int64]) -> Agreement:
    """Compare two sets of found pair codes with the truth codes (all sorted and distinct).

    >>> a = agreement(np.array([1, 2, 3]), np.array([1, 2, 9]), np.array([2, 3]))
    >>> (a.both, a.only_ours, a.only_peer, a.ours_true, a.peer_true, a.ours_missed)
    (1, 2, 1, 2, 2, 1)
    """

    def common(a: NDArray[np.int64], b: NDArray[np.int64]) -> int:
        return len(np.intersect1d(a, b, assume_unique=True))

    def minus(a: NDArray[np.int64], b: NDArray[np.int64]) -> int:
        return len(np.setdiff1d(a, b, assume_unique=True))

    # Every count is computed on its own (no count is derived from others), so check() means something.
    result = Agreement(
        truth=len(truth),
        ours=len(ours),
        peer=len(peer),
        both=common(ours, peer),
        only_ours=minus(ours, peer),
        only_peer=minus(peer, ours),
        ours_true=common(ours, truth),
        ours_false=minus(ours, truth),
        ours_missed=minus(truth, ours),
        peer_true=common(peer, truth),
        peer_false=minus(peer, truth),
        peer_missed=minus(truth, peer),
    )
    result.check()
    return result
