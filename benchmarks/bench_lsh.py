"""Stage benchmark: MinHash signatures to candidate pairs, verified pairs and clusters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from dedupe.clusters import connected_components
from dedupe.lsh import LSHIndex

NUM_PERM = 128
SIZES = [10_000, 100_000]


def _record(benchmark: Any, docs: int) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is None or not getattr(stats, "stats", None):
        return  # --benchmark-disable: nothing was timed
    benchmark.extra_info["docs_per_s"] = docs / stats.stats.min


def _planted(n: int) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Random signatures where rows ``n/2 .. n/2 + n/10`` copy rows ``0 .. n/10`` at Jaccard 0.9."""
    rng = np.random.default_rng(42)
    sigs = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
    k = n // 10
    copies = sigs[:k].copy()
    slots = np.argsort(rng.random((k, NUM_PERM)), axis=1)[:, : NUM_PERM // 10]  # 13 of 128 slots changed
    np.put_along_axis(copies, slots, np.take_along_axis(copies, slots, axis=1) + np.uint32(1), axis=1)
    sigs[n // 2 : n // 2 + k] = copies
    planted = np.stack([np.arange(k), np.arange(n // 2, n // 2 + k)], axis=1)
    return sigs, planted


@pytest.fixture(scope="module", params=SIZES, ids=[f"{n:,}docs" for n in SIZES])
def planted(request: pytest.FixtureRequest) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    return _planted(request.param)


def _build(sigs: NDArray[np.uint32]) -> LSHIndex:
    index = LSHIndex.for_threshold(0.8, num_perm=NUM_PERM)
    index.insert(np.arange(sigs.shape[0]), sigs)
    return index


def test_insert(benchmark: Any, planted: tuple[NDArray[np.uint32], NDArray[np.int64]]) -> None:
    benchmark.group = "lsh"
    sigs, _ = planted
    index = benchmark(_build, sigs)
    assert len(index) == sigs.shape[0]
    assert index.nbytes / len(index) <= 1024
    _record(benchmark, sigs.shape[0])


def test_candidate_pairs(benchmark: Any, planted: tuple[NDArray[np.uint32], NDArray[np.int64]]) -> None:
    benchmark.group = "lsh"
    sigs, truth = planted
    index = _build(sigs)
    pairs = benchmark(index.candidate_pairs)
    assert np.array_equal(pairs, truth)  # every planted pair (P = 0.99999 each) and nothing else
    _record(benchmark, sigs.shape[0])


def test_end_to_end(benchmark: Any, planted: tuple[NDArray[np.uint32], NDArray[np.int64]]) -> None:
    """Insert, candidate pairs, verification and connected components."""
    benchmark.group = "lsh"
    sigs, truth = planted

    def run() -> NDArray[np.int64]:
        index = _build(sigs)
        pairs, _ = index.similar_pairs()
        return connected_components(pairs, len(index))

    labels = benchmark(run)
    assert np.array_equal(labels[truth[:, 1]], truth[:, 0])
    assert len(np.unique(labels)) == sigs.shape[0] - truth.shape[0]
    _record(benchmark, sigs.shape[0])


def test_connected_components_million_edges(benchmark: Any) -> None:
    benchmark.group = "lsh"
    rng = np.random.default_rng(0)
    n = 1_000_000
    pairs = rng.integers(0, n, size=(1_000_000, 2))
    labels = benchmark(connected_components, pairs, n)
    assert np.all(labels[pairs[:, 0]] == labels[pairs[:, 1]])
    assert np.all(labels <= np.arange(n))
    _record(benchmark, n)
