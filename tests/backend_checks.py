"""Shared by the duplicate and backend tests: a brute-force reference, a comparison, a test backend.

:func:`reference_duplicates` finds duplicates the slow, obvious way: every pair of distinct
documents compared by the exact Jaccard similarity of their shingle sets (plain-Python shingles
from :mod:`dedupe._reference`), exact groups by equal token sequences (equal normalized texts for
documents without words), components by a plain search, representatives by the stated rule.
No production duplicate, LSH or cluster code runs.
"""

from __future__ import annotations

import pickle
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from dedupe._reference import exact_jaccard, reference_normalize, reference_shingles, reference_tokens
from dedupe.backends.local import LocalBackend
from dedupe.config import ShingleConfig
from dedupe.minhash import MinHasher
from dedupe.results import DuplicateResult

T = TypeVar("T")
R = TypeVar("R")

FIELDS = ("labels", "status", "similarity", "pairs", "pair_similarity", "pair_kind")


def assert_same_result(got: DuplicateResult, expected: DuplicateResult) -> None:
    """Two results equal byte for byte, field by field."""
    for name in FIELDS:
        a, b = getattr(got, name), getattr(expected, name)
        assert a.dtype == b.dtype, f"{name}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{name}: shape {a.shape} != {b.shape}"
        assert a.tobytes() == b.tobytes(), f"{name} differs"
    assert got.threshold == expected.threshold


def planted_corpus(n_base: int = 150, seed: int = 7) -> list[str]:
    """Random documents with near duplicates (one word changed), exact duplicates and empty texts."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(2000)]
    base = [" ".join(rng.choice(vocab) for _ in range(rng.randint(30, 90))) for _ in range(n_base)]
    docs = list(base)
    for _ in range(n_base // 3):
        words = base[rng.randrange(n_base)].split()
        words[rng.randrange(len(words))] = rng.choice(vocab)
        docs.append(" ".join(words))
    docs += ["  " + base[rng.randrange(n_base)].upper() for _ in range(n_base // 10)]
    docs += ["", "!!!", ""]
    rng.shuffle(docs)
    return docs


@dataclass
class Reference:
    """What :func:`reference_duplicates` found."""

    labels: list[int]
    status: list[str]
    near_pairs: dict[tuple[int, int], float]  # verified near pairs -> exact Jaccard
    exact_pairs: set[tuple[int, int]]  # (first row of the group, row)


def reference_duplicates(
    texts: Sequence[str], *, threshold: float = 0.8, keep: str = "first", config: ShingleConfig | None = None
) -> Reference:
    """Duplicates by brute force (see the module docstring)."""
    config = config or ShingleConfig()
    n = len(texts)
    tokens = [tuple(reference_tokens(t)) or ("\x00", reference_normalize(t)) for t in texts]
    first: dict[tuple[str, ...], int] = {}
    exact_first = [first.setdefault(tok, row) for row, tok in enumerate(tokens)]
    distinct = [r for r in range(n) if exact_first[r] == r and tokens[r][0] != "\x00"]
    sets = {r: set(reference_shingles(texts[r], config)) for r in distinct}
    near = {}
    for i, a in enumerate(distinct):
        for b in distinct[i + 1 :]:
            sim = exact_jaccard(sets[a], sets[b])
            if sim >= threshold:
                near[(a, b)] = sim
    edges: dict[int, set[int]] = {r: set() for r in range(n)}
    exact_pairs = {(exact_first[r], r) for r in range(n) if exact_first[r] != r}
    for a, b in [*near, *exact_pairs]:
        edges[a].add(b)
        edges[b].add(a)
    labels = [-1] * n
    for start in range(n):
        if labels[start] != -1:
            continue
        component, todo = [], [start]
        while todo:
            row = todo.pop()
            if row not in component:
                component.append(row)
                todo.extend(edges[row])
        rep = min(component) if keep == "first" else min(component, key=lambda r: (-len(texts[r]), r))
        for row in component:
            labels[row] = rep
    status = [
        "kept" if labels[r] == r else "exact" if tokens[r] == tokens[labels[r]] else "near" for r in range(n)
    ]
    return Reference(labels, status, near, exact_pairs)


def assert_matches_reference(result: DuplicateResult, ref: Reference) -> None:
    """``result`` (made with ``verify="exact"``) has the reference's clusters, statuses and pairs."""
    assert result.labels.tolist() == ref.labels
    assert result.status.tolist() == ref.status
    kinds = dict(zip(map(tuple, result.pairs.tolist()), result.pair_kind.tolist(), strict=True))
    sims = dict(zip(map(tuple, result.pairs.tolist()), result.pair_similarity.tolist(), strict=True))
    assert {p for p, k in kinds.items() if k == "exact"} == ref.exact_pairs
    assert {p for p, k in kinds.items() if k == "near"} == set(ref.near_pairs)
    for pair, sim in ref.near_pairs.items():
        assert abs(sims[pair] - sim) < 1e-12


def reference_candidate_pairs(
    signatures: NDArray[np.uint32], num_bands: int, rows_per_band: int, star_above: int | None
) -> list[tuple[int, int]]:
    """LSH candidates by brute force: rows bucketed by each band's slot values (as tuples)."""
    pairs: set[tuple[int, int]] = set()
    for band in range(num_bands):
        buckets: dict[tuple[int, ...], list[int]] = {}
        for row, sig in enumerate(signatures.tolist()):
            buckets.setdefault(tuple(sig[band * rows_per_band : (band + 1) * rows_per_band]), []).append(row)
        for rows in buckets.values():
            if star_above is None or len(rows) <= star_above:
                pairs.update((a, b) for i, a in enumerate(rows) for b in rows[i + 1 :])
            else:
                pairs.update((rows[0], b) for b in rows[1:])
    return sorted(pairs)


class PicklingBackend:
    """A test backend that behaves like a distributed one: every function and batch it is handed
    is pickled and unpickled (as a Ray task's would be), and results come back in reverse order
    before they are put back in place; it counts the calls of each stage."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.inner = LocalBackend()

    @property
    def name(self) -> str:
        return "pickling"

    def _count(self, stage: str) -> None:
        self.calls[stage] = self.calls.get(stage, 0) + 1

    def map_batches(self, fn: Callable[[T], R], batches: Sequence[T], *, stage: str = "map_batches") -> list[R]:
        self._count(stage)
        shipped = pickle.loads(pickle.dumps((fn, list(batches))))
        done = [(i, shipped[0](b)) for i, b in reversed(list(enumerate(shipped[1])))]
        return [pickle.loads(pickle.dumps(r)) for _, r in sorted(done, key=lambda item: item[0])]

    def signatures_and_digests(
        self, hasher: MinHasher, texts: Sequence[str], *, batch_size: int = 1000, chunk_chars: int | None = None
    ) -> tuple[NDArray[np.uint32], NDArray[np.void]]:
        self._count("signatures")
        blocks = [list(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]
        parts = self.map_batches(pickle.loads(pickle.dumps(hasher)).signatures_and_digests, blocks, stage="sign")
        if not parts:
            return np.empty((0, hasher.num_perm), dtype=np.uint32), np.empty(0, dtype="V16")
        return np.concatenate([np.asarray(s) for s, _ in parts]), np.concatenate([d for _, d in parts])

    def candidate_pairs(
        self, signatures: NDArray[np.uint32], *, num_bands: int, rows_per_band: int, star_above: int | None = None
    ) -> NDArray[np.int64]:
        self._count("candidate pairs")
        return self.inner.candidate_pairs(
            pickle.loads(pickle.dumps(signatures)), num_bands=num_bands, rows_per_band=rows_per_band,
            star_above=star_above,
        )  # fmt: skip

    def close(self) -> None:
        self._count("close")

    def __enter__(self) -> PicklingBackend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
