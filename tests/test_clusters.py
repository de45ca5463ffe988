"""Tests of dedupe.clusters: union-find, connected components and pair verification."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.clusters import UnionFind, connected_components, pair_similarities, verify_pairs
from dedupe.errors import ConfigError

# ---------------------------------------------------------------------------------------------
# References: obviously correct, one Python step per edge.


def bfs_components(pairs: list[tuple[int, int]], n: int) -> list[int]:
    """Label every node with the smallest node of its component, by breadth-first search."""
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for a, b in pairs:
        neighbours[a].append(b)
        neighbours[b].append(a)
    labels = [-1] * n
    for start in range(n):  # ascending, so the first node reached is the component's minimum
        if labels[start] != -1:
            continue
        labels[start] = start
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for other in neighbours[node]:
                if labels[other] == -1:
                    labels[other] = start
                    queue.append(other)
    return labels


def per_edge_union_find(pairs: np.ndarray, n: int) -> np.ndarray:
    """UnionFind's single-step path: one union per edge (checked against :func:`bfs_components`)."""
    finder = UnionFind(n)
    for a, b in pairs.tolist():
        finder.union(a, b)
    return np.array([finder.find(i) for i in range(n)], dtype=np.int64)


edge_lists = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
    )
)


# ---------------------------------------------------------------------------------------------
# Connected components


@settings(max_examples=200, deadline=None)
@given(edge_lists)
def test_components_match_bfs(graph: tuple[int, list[tuple[int, int]]]) -> None:
    n, pairs = graph
    array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    labels = connected_components(array, n)
    assert labels.dtype == np.int64
    assert labels.tolist() == bfs_components(pairs, n)
    assert per_edge_union_find(array, n).tolist() == labels.tolist()


@settings(max_examples=50, deadline=None)
@given(edge_lists, st.randoms(use_true_random=False))
def test_components_do_not_depend_on_edge_order(graph: tuple[int, list[tuple[int, int]]], rnd) -> None:
    n, pairs = graph
    shuffled = [(b, a) if rnd.random() < 0.5 else (a, b) for a, b in pairs]
    rnd.shuffle(shuffled)
    first = connected_components(np.array(pairs, dtype=np.int64).reshape(-1, 2), n)
    second = connected_components(np.array(shuffled, dtype=np.int64).reshape(-1, 2), n)
    assert first.tolist() == second.tolist()


@pytest.mark.parametrize("shape", ["random", "path", "star", "chains"])
def test_components_match_bfs_on_large_graphs(shape: str) -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    if shape == "random":
        pairs = rng.integers(0, n, size=(15_000, 2))
    elif shape == "path":  # worst case for label propagation: a long path over shuffled rows
        order = rng.permutation(n)
        pairs = np.stack([order[:-1], order[1:]], axis=1)
    elif shape == "star":
        pairs = np.stack([np.full(n - 1, n // 2), np.delete(np.arange(n), n // 2)], axis=1)
    else:
        order = rng.permutation(n)
        pairs = np.stack([order[:-1], order[1:]], axis=1)[rng.random(n - 1) < 0.9]
    labels = connected_components(pairs, n)
    assert labels.tolist() == bfs_components([(int(a), int(b)) for a, b in pairs.tolist()], n)
    if shape in ("path", "star"):
        assert np.all(labels == 0)


def test_components_of_empty_inputs() -> None:
    assert connected_components(np.empty((0, 2), dtype=np.int64), 3).tolist() == [0, 1, 2]
    assert connected_components(np.empty((0, 2), dtype=np.int64), 0).tolist() == []
    assert connected_components([], 2).tolist() == [0, 1]  # type: ignore[arg-type]


def test_components_reject_bad_pairs() -> None:
    with pytest.raises(ConfigError, match=r"rows in \[0, 3\)"):
        connected_components(np.array([[0, 3]]), 3)
    with pytest.raises(ConfigError, match=r"rows in \[0, 3\)"):
        connected_components(np.array([[-1, 2]]), 3)
    with pytest.raises(ConfigError, match=r"shape \(k, 2\)"):
        connected_components(np.array([[0, 1, 2]]), 3)
    with pytest.raises(TypeError, match="integer array"):
        connected_components(np.array([[0.0, 1.0]]), 3)
    with pytest.raises(ConfigError, match="at least 0"):
        UnionFind(-1)
    with pytest.raises(TypeError, match="n must be an int"):
        UnionFind(2.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# UnionFind


def test_union_find_single_steps() -> None:
    finder = UnionFind(6)
    assert len(finder) == 6
    assert finder.union(5, 3) is True
    assert finder.union(3, 5) is False
    assert finder.find(5) == 3
    assert finder.union(4, 1) is True
    assert finder.union(5, 4) is True
    assert finder.find(3) == 1
    assert finder.labels().tolist() == [0, 1, 2, 1, 1, 1]
    with pytest.raises(ConfigError, match=r"row must be in \[0, 6\)"):
        finder.find(6)


def test_union_find_mixes_single_and_batched_unions() -> None:
    rng = np.random.default_rng(3)
    n = 500
    pairs = rng.integers(0, n, size=(400, 2))
    finder = UnionFind(n)
    for a, b in pairs[:150].tolist():
        finder.union(a, b)
    finder.union_pairs(pairs[150:300])
    for a, b in pairs[300:].tolist():
        finder.union(a, b)
    assert np.array_equal(finder.labels(), connected_components(pairs, n))


# ---------------------------------------------------------------------------------------------
# Verification


def test_pair_similarities_count_agreeing_slots() -> None:
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(4, 128), dtype=np.uint32)
    sigs[1] = sigs[0]
    sigs[1, :28] += np.uint32(1)  # 100 of 128 slots agree
    sims = pair_similarities(sigs, np.array([[0, 1], [1, 0], [0, 0], [2, 3]]))
    assert sims.dtype == np.float64
    assert sims.tolist() == [100 / 128, 100 / 128, 1.0, 0.0]


def test_pair_similarities_chunking_matches_direct_computation() -> None:
    rng = np.random.default_rng(1)
    sigs = rng.integers(0, 4, size=(300, 64), dtype=np.uint32)  # small alphabet: many agreements
    pairs = rng.integers(0, 300, size=(80_000, 2))  # more than one chunk of 32,768 pairs
    direct = (sigs[pairs[:, 0]] == sigs[pairs[:, 1]]).mean(axis=1)
    assert np.array_equal(pair_similarities(sigs, pairs), direct)


def test_verify_pairs_threshold_is_exact_on_slot_counts() -> None:
    base = np.arange(128, dtype=np.uint32)
    sigs = np.tile(base, (4, 1))
    sigs[1, :25] += np.uint32(1000)  # 103 agree: 103 / 128 = 0.8047 >= 0.8
    sigs[2, :26] += np.uint32(1000)  # 102 agree: 0.7969 < 0.8
    sigs[3, :] += np.uint32(1000)
    pairs = np.array([[0, 1], [0, 2], [0, 3], [1, 2]])
    kept, sims = verify_pairs(sigs, pairs, 0.8)
    assert kept.tolist() == [[0, 1], [1, 2]]  # rows 1 and 2 also agree on the shifted slots: 127
    assert sims.tolist() == [103 / 128, 127 / 128]
    kept, _ = verify_pairs(sigs, pairs, 102 / 128)  # threshold exactly representable by a count
    assert kept.tolist() == [[0, 1], [0, 2], [1, 2]]
    kept, sims = verify_pairs(sigs, pairs, 0.0)
    assert kept.tolist() == pairs.tolist()
    kept, sims = verify_pairs(sigs, np.empty((0, 2), dtype=np.int64), 0.5)
    assert kept.shape == (0, 2) and sims.shape == (0,)


def test_verify_pairs_rejects_bad_input() -> None:
    sigs = np.zeros((3, 8), dtype=np.uint32)
    with pytest.raises(ConfigError, match=r"threshold must be in \[0, 1\]"):
        verify_pairs(sigs, np.array([[0, 1]]), 1.5)
    with pytest.raises(TypeError, match="threshold must be a float"):
        verify_pairs(sigs, np.array([[0, 1]]), "0.8")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dtype uint32"):
        verify_pairs(sigs.astype(np.uint64), np.array([[0, 1]]), 0.8)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="numpy array"):
        verify_pairs([[1, 2]], np.array([[0, 1]]), 0.8)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"rows in \[0, 3\)"):
        verify_pairs(sigs, np.array([[0, 3]]), 0.8)
