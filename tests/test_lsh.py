"""Tests of dedupe.lsh and its parts (banding, _buckets, _lsh_files): plans, keys, the index, its files."""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from datasketch.lsh import _optimal_param
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from dedupe._buckets import candidate_pairs_of
from dedupe._reference import reference_band_keys
from dedupe.banding import BAND_KEY_SCHEME, band_keys
from dedupe.clusters import connected_components
from dedupe.config import LSHConfig, MinHashConfig
from dedupe.errors import ConfigError, CorruptFileError, IncompatibleSignaturesError, InputError
from dedupe.lsh import (
    MIN_CANDIDATE_PROBABILITY,
    LSHIndex,
    _band_keys,
    candidate_probability,
    default_candidate_threshold,
    optimal_band_plan,
)
from dedupe.minhash import MinHasher, SignatureArray

P = 128


def random_signatures(rng: np.random.Generator, n: int, num_perm: int = P) -> NDArray[np.uint32]:
    return rng.integers(0, 2**32, size=(n, num_perm), dtype=np.uint32)


def plant_exact(rng: np.random.Generator, base: NDArray[np.uint32], similarity: float) -> NDArray[np.uint32]:
    """Copies of ``base`` rows agreeing on exactly ``round(similarity * num_perm)`` slots each."""
    n, num_perm = base.shape
    changed = num_perm - round(similarity * num_perm)
    out = base.copy()
    slots = np.argsort(rng.random((n, num_perm)), axis=1)[:, :changed]
    bump = rng.integers(1, 2**32, size=(n, changed), dtype=np.uint32)  # never 0: always a new value
    np.put_along_axis(out, slots, np.take_along_axis(out, slots, axis=1) + bump, axis=1)
    return out


def plant_bernoulli(rng: np.random.Generator, base: NDArray[np.uint32], similarity: float) -> NDArray[np.uint32]:
    """Copies of ``base`` rows keeping each slot independently with probability ``similarity``."""
    out = base.copy()
    change = rng.random(base.shape) >= similarity
    out[change] += rng.integers(1, 2**32, size=int(change.sum()), dtype=np.uint32)
    return out


def pair_set(pairs: NDArray[np.int64]) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in pairs}


# ---------------------------------------------------------------------------------------------
# Band plans


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.63, 0.7, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("num_perm", [32, 128, 256])
@pytest.mark.parametrize("weights", [(0.5, 0.5), (0.2, 0.8), (0.9, 0.1)])
def test_band_plan_matches_datasketch(threshold: float, num_perm: int, weights: tuple[float, float]) -> None:
    ours = optimal_band_plan(threshold, num_perm, false_positive_weight=weights[0], false_negative_weight=weights[1])
    assert ours == _optimal_param(threshold, num_perm, *weights)


def test_candidate_probability_is_the_s_curve() -> None:
    s = np.linspace(0.0, 1.0, 11)
    expected = 1.0 - (1.0 - s**7) ** 18
    assert np.allclose(candidate_probability(s, 18, 7), expected, rtol=1e-12, atol=1e-15)
    assert isinstance(candidate_probability(0.8, 18, 7), float)
    assert candidate_probability(0.8, 18, 7) == pytest.approx(0.98554, abs=1e-5)
    assert candidate_probability(0.0, 18, 7) == 0.0
    assert candidate_probability(1.0, 18, 7) == 1.0


def test_default_plan_for_0_8_and_128() -> None:
    assert default_candidate_threshold(0.8, 128) == 0.58
    index = LSHIndex.for_threshold(0.8, num_perm=128)
    assert (index.num_bands, index.rows_per_band, index.threshold) == (21, 6, 0.8)
    assert index.config == LSHConfig()  # the config defaults document this plan
    assert candidate_probability(0.8, 21, 6) > 0.998
    assert candidate_probability(0.9, 21, 6) > 0.99999
    # datasketch's own plan for 0.8 misses most pairs at 0.8:
    assert candidate_probability(0.8, *_optimal_param(0.8, 128, 0.5, 0.5)) < 0.4


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_default_plan_finds_pairs_at_the_threshold(threshold: float, num_perm: int) -> None:
    index = LSHIndex.for_threshold(threshold, num_perm=num_perm)
    assert index.num_bands * index.rows_per_band <= num_perm
    assert candidate_probability(threshold, index.num_bands, index.rows_per_band) >= MIN_CANDIDATE_PROBABILITY


def test_explicit_candidate_threshold_uses_the_optimal_plan() -> None:
    index = LSHIndex.for_threshold(0.8, num_perm=128, candidate_threshold=0.7)
    assert (index.num_bands, index.rows_per_band) == optimal_band_plan(0.7, 128) == (14, 9)
    index = LSHIndex.for_threshold(0.8, num_perm=128, candidate_threshold=0.8)
    assert (index.num_bands, index.rows_per_band) == (9, 13)


def test_band_plan_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="must not exceed threshold"):
        LSHIndex.for_threshold(0.8, candidate_threshold=0.9)
    with pytest.raises(ConfigError, match=r"threshold must be in \[0, 1\]"):
        optimal_band_plan(1.2, 128)
    with pytest.raises(TypeError, match="threshold must be a float"):
        optimal_band_plan("0.8", 128)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="num_perm must be between 2 and 8192"):
        optimal_band_plan(0.8, 1)
    with pytest.raises(ConfigError, match="must not both be 0"):
        optimal_band_plan(0.8, 128, false_positive_weight=0.0, false_negative_weight=0.0)
    with pytest.raises(ConfigError, match="at least 0"):
        optimal_band_plan(0.8, 128, false_positive_weight=-1.0)
    with pytest.raises(ConfigError, match=r"threshold must be in \(0, 1\]"):
        LSHIndex.for_threshold(0.0)
    with pytest.raises(ConfigError, match="must not exceed num_perm=128"):
        LSHIndex(num_bands=20, rows_per_band=7)
    with pytest.raises(TypeError, match="num_bands must be an int"):
        LSHIndex(num_bands=2.0, rows_per_band=7)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Band keys


def test_band_keys_match_the_reference_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    sigs = random_signatures(rng, 5000)  # more than one chunk of rows
    keys = _band_keys(sigs, 18, 7)
    assert keys.shape == (18, 5000) and keys.dtype == np.uint64
    for row in (0, 1, 2047, 2048, 4999):
        assert keys[:, row].tolist() == reference_band_keys(sigs[row].tolist(), 18, 7)
    # A selection of rows, in any order and across chunks, hashes as those rows do.
    picked = rng.permutation(5000)[:4100]
    assert np.array_equal(band_keys(sigs, 18, 7, rows=picked), keys[:, picked])


def test_band_keys_golden_values() -> None:
    """Keys are part of the saved format (BAND_KEY_SCHEME): pinned to values recorded from version 1."""
    signature = np.arange(1, P + 1, dtype=np.uint32) * np.uint32(2654435761)
    keys = band_keys(signature[None, :], 21, 6)[:, 0]
    assert BAND_KEY_SCHEME == "multilinear-fmix64-v1"
    assert [hex(k) for k in keys[[0, 1, 2, 20]].tolist()] == [
        "0x468f6fcb43be68a9",
        "0x3d6ba21910dfed59",
        "0x1262a96d005aa37f",
        "0x8468dd6267335d1b",
    ]


def test_band_keys_reject_bad_signatures() -> None:
    with pytest.raises(TypeError, match="2-D uint32 array"):
        band_keys(np.zeros((2, 8), dtype=np.int64), 2, 4)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="at least 12 slots wide"):
        band_keys(np.zeros((2, 8), dtype=np.uint32), 3, 4)


def test_band_keys_differ_between_bands_for_equal_slot_values() -> None:
    sigs = np.full((1, P), 12345, dtype=np.uint32)
    keys = _band_keys(sigs, 18, 7)
    assert len(set(keys[:, 0].tolist())) == 18


# ---------------------------------------------------------------------------------------------
# Reference banding, with a Python dict of band tuples


def reference_candidate_pairs(sigs: NDArray[np.uint32], num_bands: int, rows_per_band: int) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for band in range(num_bands):
        buckets: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for row, values in enumerate(sigs[:, band * rows_per_band : (band + 1) * rows_per_band].tolist()):
            buckets[tuple(values)].append(row)
        for members in buckets.values():
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


small_indexes = st.tuples(
    st.integers(min_value=0, max_value=40),  # documents
    st.integers(min_value=1, max_value=4),  # num_bands
    st.integers(min_value=1, max_value=3),  # rows_per_band
    st.integers(min_value=1, max_value=3),  # alphabet: tiny, so buckets collide a lot
    st.integers(min_value=0, max_value=2**32 - 1),
)


@settings(max_examples=150, deadline=None)
@given(small_indexes)
def test_candidate_pairs_match_reference_banding(case: tuple[int, int, int, int, int]) -> None:
    n, num_bands, rows_per_band, alphabet, seed = case
    num_perm = max(2, num_bands * rows_per_band + 1)
    sigs = np.random.default_rng(seed).integers(0, alphabet, size=(n, num_perm), dtype=np.uint32)
    index = LSHIndex(num_bands=num_bands, rows_per_band=rows_per_band, num_perm=num_perm)
    index.insert(list(range(n)), sigs)
    expected = reference_candidate_pairs(sigs, num_bands, rows_per_band)
    all_pairs = index.candidate_pairs(star_above=None)
    assert all_pairs.dtype == np.int64
    assert pair_set(all_pairs) == expected
    assert all_pairs.tolist() == [list(pair) for pair in sorted(expected)]  # sorted, i < j, no repeats
    # Star edges in big buckets keep the same connected components.
    star = index.candidate_pairs(star_above=2)
    assert pair_set(star) <= expected
    assert np.array_equal(connected_components(star, n), connected_components(all_pairs, n))
    # A query finds exactly the rows that share a band with it (itself included).
    found = pair_set(index.query_pairs(sigs))
    assert found == {(a, b) for a, b in expected} | {(b, a) for a, b in expected} | {(i, i) for i in range(n)}


@settings(max_examples=150, deadline=None)
@given(small_indexes, st.data())
def test_candidate_pairs_of_selected_rows_match_reference_banding(
    case: tuple[int, int, int, int, int], data: st.DataObject
) -> None:
    """The pipeline's pairs of a row selection (no copy, no index) are the reference's on those rows."""
    n, num_bands, rows_per_band, alphabet, seed = case
    num_perm = max(2, num_bands * rows_per_band + 1)
    sigs = np.random.default_rng(seed).integers(0, alphabet, size=(n, num_perm), dtype=np.uint32)
    rows = np.array(data.draw(st.lists(st.integers(0, max(n - 1, 0)), unique=True, max_size=n)) if n else [],
                    dtype=np.int64)  # fmt: skip
    expected = reference_candidate_pairs(sigs[rows], num_bands, rows_per_band)
    pairs = candidate_pairs_of(sigs, rows, num_bands, rows_per_band, None)
    assert pairs.dtype == np.int64
    assert pairs.tolist() == [list(pair) for pair in sorted(expected)]
    star = candidate_pairs_of(sigs, rows, num_bands, rows_per_band, 2)
    assert pair_set(star) <= expected
    assert np.array_equal(connected_components(star, len(rows)),
                          connected_components(pairs, len(rows)))  # fmt: skip


def test_star_edges_in_giant_buckets() -> None:
    rng = np.random.default_rng(2)
    sigs = random_signatures(rng, 300)
    sigs[100:200] = sigs[100]  # one exact cluster of 100 rows: a bucket of 100 in every band
    index = LSHIndex.for_threshold(0.8)
    index.insert(np.arange(300), sigs)
    star = index.candidate_pairs()
    assert pair_set(star) == {(100, j) for j in range(101, 200)}
    full = index.candidate_pairs(star_above=None)
    assert len(full) == 100 * 99 // 2
    assert len(index.candidate_pairs(star_above=100)) == 100 * 99 // 2
    with pytest.raises(ConfigError, match="star_above must be at least 1"):
        index.candidate_pairs(star_above=0)


# ---------------------------------------------------------------------------------------------
# Planted near-duplicates


def planted_corpus(seed: int, n_random: int, n_pairs: int, low: float, high: float):
    """Random rows, then ``n_pairs`` sources and their near-duplicates at similarities in [low, high]."""
    rng = np.random.default_rng(seed)
    sources = random_signatures(rng, n_pairs)
    sims = rng.uniform(low, high, size=n_pairs)
    copies = np.concatenate([plant_exact(rng, sources[i : i + 1], s) for i, s in enumerate(sims)])
    sigs = np.concatenate([random_signatures(rng, n_random), sources, copies])
    order = rng.permutation(sigs.shape[0])  # interleave, so rows of a pair are far apart
    position = np.argsort(order)
    truth = {
        tuple(sorted((int(position[n_random + i]), int(position[n_random + n_pairs + i])))) for i in range(n_pairs)
    }
    return sigs[order], truth


def test_planted_duplicates_are_found_and_verified() -> None:
    sigs, truth = planted_corpus(seed=11, n_random=3000, n_pairs=300, low=0.85, high=1.0)
    index = LSHIndex.for_threshold(0.8)
    index.insert([f"doc-{i}" for i in range(len(sigs))], sigs)
    candidates = pair_set(index.candidate_pairs())
    assert len(truth - candidates) <= 1  # P(miss) < 0.001 per pair at similarity >= 0.85
    assert candidates - truth == set()  # random rows never share a band
    kept, sims = index.similar_pairs()
    assert pair_set(kept) == candidates and np.all(sims >= 0.85 - 1 / P)


def test_recall_and_precision_of_the_default_pipeline() -> None:
    """Pairs at 0.8 to 1 are kept, pairs at 0.5 to 0.79 are dropped (exact-fraction planting)."""
    pos_sigs, positives = planted_corpus(seed=21, n_random=0, n_pairs=1500, low=0.8, high=1.0)
    neg_sigs, negatives = planted_corpus(seed=22, n_random=0, n_pairs=1500, low=0.5, high=0.79)
    sigs = np.concatenate([pos_sigs, neg_sigs])
    negatives = {(a + len(pos_sigs), b + len(pos_sigs)) for a, b in negatives}
    index = LSHIndex.for_threshold(0.8)
    index.insert(np.arange(len(sigs)), sigs)
    kept = pair_set(index.similar_pairs()[0])
    recall = len(kept & positives) / len(positives)
    high = {pair for pair in positives if np.mean(sigs[pair[0]] == sigs[pair[1]]) >= 0.9}
    assert recall >= 0.99
    assert len(kept & high) == len(high)
    assert kept & negatives == set()


@pytest.mark.parametrize("similarity", [0.55, 0.6, 0.7, 0.75, 0.8])
def test_candidate_frequency_follows_the_s_curve(similarity: float) -> None:
    """Bernoulli-planted pairs (bands independent) become candidates at the predicted rate."""
    rng = np.random.default_rng(int(similarity * 1000))
    n_pairs = 4000
    sources = random_signatures(rng, n_pairs)
    copies = plant_bernoulli(rng, sources, similarity)
    index = LSHIndex.for_threshold(0.8)
    index.insert(np.arange(2 * n_pairs), np.concatenate([sources, copies]))
    found = pair_set(index.candidate_pairs())
    hits = sum((i, i + n_pairs) in found for i in range(n_pairs))
    assert len(found) == hits  # nothing else collides
    p = candidate_probability(similarity, index.num_bands, index.rows_per_band)
    sigma = math.sqrt(n_pairs * p * (1 - p))
    assert abs(hits - n_pairs * p) <= 5 * sigma + 1, (hits, n_pairs * p)


def test_real_minhash_signatures_of_edited_texts() -> None:
    words = [f"w{i}" for i in range(400)]
    base = [" ".join(words[i : i + 300]) for i in range(0, 60, 6)]
    edited = [text.replace(" w10 ", " x ", 1).replace(" w150 ", " y ", 1) + " tail words here" for text in base]
    hasher = MinHasher(num_perm=128, seed=1)
    texts = base + edited + [" ".join(f"v{j}" for j in range(k, k + 300)) for k in range(0, 3000, 300)]
    sigs = hasher.signatures(texts)
    index = LSHIndex.for_threshold(0.8)
    index.insert([f"t{i}" for i in range(len(texts))], sigs)
    assert index.minhash_config == hasher.config
    kept, _ = index.similar_pairs()
    found = pair_set(kept)
    for i in range(len(base)):
        assert (i, i + len(base)) in found
    assert all(a < 2 * len(base) and b < 2 * len(base) for a, b in found)


# ---------------------------------------------------------------------------------------------
# Batches, queries and ids


def test_inserting_in_batches_equals_inserting_at_once() -> None:
    sigs, _ = planted_corpus(seed=3, n_random=2000, n_pairs=400, low=0.6, high=1.0)
    ids = [f"id{i}" for i in range(len(sigs))]
    whole = LSHIndex.for_threshold(0.8)
    whole.insert(ids, sigs)
    batched = LSHIndex.for_threshold(0.8)
    bounds = [0, 1, 7, 500, 501, 1400, 2100, 2700, len(sigs)]
    for start, stop in itertools.pairwise(bounds):
        batched.insert(ids[start:stop], sigs[start:stop])
        # queries work between batches, on the runs not merged yet
        assert len(batched.query_pairs(sigs[:50])) >= min(stop, 50)
    assert len(batched) == len(whole) == len(sigs)
    queries = sigs[::37]
    assert np.array_equal(batched.query_pairs(queries), whole.query_pairs(queries))
    assert np.array_equal(batched.candidate_pairs(), whole.candidate_pairs())
    assert np.array_equal(batched.doc_ids, whole.doc_ids)
    assert np.array_equal(batched.signatures, whole.signatures)
    assert [a.tolist() for a in batched.query(queries)] == [a.tolist() for a in whole.query(queries)]


def test_the_index_keeps_its_own_copy_of_the_signatures() -> None:
    rng = np.random.default_rng(14)
    sigs = random_signatures(rng, 50)
    sigs[1] = sigs[0]
    index = LSHIndex.for_threshold(0.8)
    index.insert(np.arange(50), sigs[:, :])
    sigs[1] += np.uint32(1)
    assert index.candidate_pairs().tolist() == [[0, 1]]
    assert index.similar_pairs()[1].tolist() == [1.0]
    with pytest.raises(ValueError, match="read-only"):
        index.signatures[0, 0] = 5
    fortran = np.asfortranarray(random_signatures(rng, 5))
    index.insert(np.arange(50, 55), fortran)
    assert np.array_equal(index.signatures[50:], fortran)


def test_query_returns_doc_ids_per_query_row() -> None:
    rng = np.random.default_rng(4)
    sigs = random_signatures(rng, 100)
    index = LSHIndex.for_threshold(0.8)
    index.insert([f"d{i}" for i in range(100)], sigs)
    near = plant_exact(rng, sigs[[5, 9]], 0.95)
    stranger = random_signatures(rng, 1)
    result = index.query(np.concatenate([near, stranger]))
    assert [ids.tolist() for ids in result] == [["d5"], ["d9"], []]
    assert result[0].dtype.kind == "U"
    assert index.query(np.empty((0, P), dtype=np.uint32)) == []
    assert LSHIndex.for_threshold(0.8).query(near)[0].tolist() == []


def test_duplicate_ids_are_rejected_and_nothing_is_added() -> None:
    rng = np.random.default_rng(6)
    index = LSHIndex.for_threshold(0.8)
    index.insert(["a", "b"], random_signatures(rng, 2))
    with pytest.raises(InputError, match="'c' appears more than once") as info:
        index.insert(["c", "d", "c"], random_signatures(rng, 3))
    assert info.value.doc_id == "c" and info.value.reason == "duplicate_id"
    with pytest.raises(InputError, match=r"doc_ids\[1\]: id 'b' is already in the index \(row 1\)") as info:
        index.insert(["e", "b"], random_signatures(rng, 2))
    assert info.value.doc_id == "b"
    assert len(index) == 2 and index.doc_ids.tolist() == ["a", "b"]
    ints = LSHIndex.for_threshold(0.8)
    ints.insert([10, 20], random_signatures(rng, 2))
    ints.insert(np.array([30, 40]), random_signatures(rng, 2))
    with pytest.raises(InputError, match="id 20 is already in the index") as info:
        ints.insert([50, 20], random_signatures(rng, 2))
    assert info.value.doc_id == "20"


def test_insert_checks_its_arguments() -> None:
    rng = np.random.default_rng(8)
    index = LSHIndex.for_threshold(0.8)
    sigs = random_signatures(rng, 2)
    with pytest.raises(TypeError, match="dtype uint32 \\(got int64\\)"):
        index.insert(["a", "b"], sigs.astype(np.int64))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"shape \(n, 128\) to match num_perm=128 \(got \(2, 64\)\)"):
        index.insert(["a", "b"], sigs[:, :64])
    with pytest.raises(TypeError, match="numpy uint32 array"):
        index.insert(["a", "b"], sigs.tolist())  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="same length"):
        index.insert(["a"], sigs)
    with pytest.raises(TypeError, match="all str or all int"):
        index.insert(["a", 1], sigs)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="all str or all int"):
        index.insert([True, False], sigs)
    with pytest.raises(TypeError, match="single str"):
        index.insert("ab", sigs)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="NUL"):
        index.insert(["a\0", "b"], sigs)
    index.insert(["a", "b"], sigs)
    with pytest.raises(TypeError, match="must be str like the ids already in the index"):
        index.insert([1, 2], random_signatures(rng, 2))
    index.insert([], np.empty((0, P), dtype=np.uint32))
    index.insert([np.str_("c")], random_signatures(rng, 1))  # numpy scalars are accepted
    index.insert(np.array(["d"], dtype=object), random_signatures(rng, 1))
    assert len(index) == 4 and index.doc_ids.tolist() == ["a", "b", "c", "d"]
    with pytest.raises(ConfigError, match="fit in int64"):
        LSHIndex.for_threshold(0.8).insert([2**63], random_signatures(rng, 1))


def test_signature_configs_must_agree() -> None:
    rng = np.random.default_rng(9)
    first = SignatureArray(random_signatures(rng, 3), MinHashConfig(seed=1))
    other = SignatureArray(random_signatures(rng, 3), MinHashConfig(seed=2))
    index = LSHIndex.for_threshold(0.8)
    index.insert(["a", "b", "c"], first)
    assert index.minhash_fingerprint == MinHashConfig(seed=1).fingerprint()
    with pytest.raises(IncompatibleSignaturesError, match="different settings"):
        index.insert(["d", "e", "f"], other)
    with pytest.raises(IncompatibleSignaturesError, match="different settings"):
        index.query(other)
    index.insert(["d", "e", "f"], np.asarray(other))  # a plain array carries no config
    short = SignatureArray(random_signatures(rng, 1, 64), MinHashConfig(num_perm=64))
    with pytest.raises(ConfigError, match="num_perm=128"):
        index.insert(["g"], short)
    assert len(index) == 6


def test_memory_per_document_at_128_slots() -> None:
    rng = np.random.default_rng(10)
    n = 20_000
    index = LSHIndex.for_threshold(0.8)
    index.insert(np.arange(n), random_signatures(rng, n))
    per_doc = index.nbytes / n
    assert per_doc == 512 + 21 * (8 + 4) + 8 + 4  # signatures, band keys and rows, id, id order
    assert per_doc <= 1024


# ---------------------------------------------------------------------------------------------
# Files


@pytest.fixture
def built() -> tuple[LSHIndex, NDArray[np.uint32], list[str]]:
    sigs, _ = planted_corpus(seed=12, n_random=1500, n_pairs=300, low=0.7, high=1.0)
    sigs = SignatureArray(sigs, MinHashConfig())
    ids = [f"doc/{i}" for i in range(len(sigs))]
    index = LSHIndex.for_threshold(0.8)
    index.insert(ids[:1000], sigs[:1000])
    index.insert(ids[1000:1500], sigs[1000:1500])
    return index, sigs, ids


def test_save_load_round_trip(tmp_path: Path, built) -> None:
    index, sigs, _ = built
    index.save(tmp_path / "idx")
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["num_docs"] == 1500
    assert manifest["lsh_fingerprint"] == index.config.fingerprint()
    assert manifest["minhash_fingerprint"] == MinHashConfig().fingerprint()
    loaded = LSHIndex.load(tmp_path / "idx")
    assert loaded.config == index.config and len(loaded) == 1500
    assert loaded.minhash_config == MinHashConfig()
    assert np.array_equal(loaded.candidate_pairs(), index.candidate_pairs())
    assert np.array_equal(loaded.doc_ids, index.doc_ids) and np.array_equal(loaded.signatures, index.signatures)
    assert np.array_equal(loaded.query_pairs(sigs[1500:]), index.query_pairs(sigs[1500:]))


def test_insert_after_load_equals_building_at_once(tmp_path: Path, built) -> None:
    index, sigs, ids = built
    index.save(tmp_path / "idx")
    loaded = LSHIndex.load(tmp_path / "idx")
    loaded.insert(ids[1500:], sigs[1500:])
    whole = LSHIndex.for_threshold(0.8)
    whole.insert(ids, sigs)
    assert np.array_equal(loaded.candidate_pairs(), whole.candidate_pairs())
    assert [a.tolist() for a in loaded.query(sigs[::50])] == [a.tolist() for a in whole.query(sigs[::50])]
    with pytest.raises(InputError, match="'doc/7' is already in the index"):
        loaded.insert(["new", "doc/7"], sigs[:2])
    with pytest.raises(IncompatibleSignaturesError):
        loaded.insert(["new"], SignatureArray(sigs[:1], MinHashConfig(seed=5)))


def test_empty_index_round_trip(tmp_path: Path) -> None:
    LSHIndex(num_bands=4, rows_per_band=3, num_perm=16, threshold=0.5).save(tmp_path / "empty")
    loaded = LSHIndex.load(tmp_path / "empty")
    assert len(loaded) == 0 and loaded.config == LSHConfig(num_perm=16, num_bands=4, rows_per_band=3, threshold=0.5)
    loaded.insert([1, 2], np.zeros((2, 16), dtype=np.uint32))
    assert loaded.candidate_pairs().tolist() == [[0, 1]]


def test_int_ids_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(13)
    index = LSHIndex.for_threshold(0.9)
    index.insert([2**40, -5, 7], random_signatures(rng, 3))
    index.save(tmp_path / "ints")
    loaded = LSHIndex.load(tmp_path / "ints")
    assert loaded.doc_ids.dtype == np.int64 and loaded.doc_ids.tolist() == [2**40, -5, 7]


def _corrupt(directory: Path, name: str, how: str) -> None:
    path = directory / name
    if how == "delete":
        path.unlink()
    elif how == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00\x01 not what it should be")


@pytest.mark.parametrize(
    ("name", "how", "message"),
    [
        ("manifest.json", "delete", "missing"),
        ("manifest.json", "truncate", "not valid JSON"),
        ("manifest.json", "garbage", "not valid JSON"),
        ("signatures.npy", "delete", "missing"),
        ("signatures.npy", "truncate", "corrupt or truncated"),
        ("band_keys.npy", "truncate", "corrupt or truncated"),
        ("band_rows.npy", "garbage", "corrupt or truncated"),
        ("doc_ids.npy", "truncate", "corrupt or truncated"),
    ],
)
def test_corrupt_files_are_named(tmp_path: Path, built, name: str, how: str, message: str) -> None:
    index, _, _ = built
    index.save(tmp_path / "idx")
    _corrupt(tmp_path / "idx", name, how)
    with pytest.raises(CorruptFileError, match=message) as info:
        LSHIndex.load(tmp_path / "idx")
    assert name in str(info.value)


def _edit_manifest(directory: Path, **changes: object) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format_version": 2}, "format version 2 is not supported"),
        ({"format": "something else"}, "not an LSHIndex manifest"),
        ({"band_key_scheme": "other"}, "band_key_scheme"),
        ({"num_docs": 1499}, r"signatures.npy: expected uint32 array of shape \(1499, 128\)"),
        ({"num_docs": "1500"}, "num_docs"),
        ({"lsh_config": {"num_perm": 128, "num_bands": 9, "rows_per_band": 13, "threshold": 0.8}}, "lsh_fingerprint"),
        ({"lsh_config": {"num_perm": 128}}, "lsh_config"),
        ({"doc_id_kind": "int"}, r"doc_ids.npy: expected int64"),
    ],
)
def test_inconsistent_manifests_are_rejected(tmp_path: Path, built, changes: dict[str, object], message: str) -> None:
    index, _, _ = built
    index.save(tmp_path / "idx")
    _edit_manifest(tmp_path / "idx", **changes)
    with pytest.raises(CorruptFileError, match=message):
        LSHIndex.load(tmp_path / "idx")


def _save_unchecked(directory: Path, name: str, array: np.ndarray, **kwargs: object) -> None:
    """Replace one array and re-record its checksum, so the load reaches the consistency checks."""
    from dedupe._persist import file_checksum

    np.save(directory / name, array, **kwargs)  # type: ignore[arg-type]
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    for entry in manifest["arrays"].values():
        if entry["file"] == name:
            entry["xxh3_64"] = file_checksum(directory / name)
    path.write_text(json.dumps(manifest))


def test_inconsistent_arrays_are_rejected(tmp_path: Path, built) -> None:
    index, _, _ = built
    directory = tmp_path / "idx"
    index.save(directory)
    keys = np.load(directory / "band_keys.npy")
    _save_unchecked(directory, "band_keys.npy", keys[:, ::-1].copy())
    with pytest.raises(CorruptFileError, match=r"band_keys\.npy: keys are not sorted"):
        LSHIndex.load(directory)
    index.save(directory)
    rows = np.load(directory / "band_rows.npy")
    rows[3, 0] = rows[3, 1]
    _save_unchecked(directory, "band_rows.npy", rows)
    with pytest.raises(CorruptFileError, match=r"band_rows\.npy: band 3 does not hold every row"):
        LSHIndex.load(directory)
    index.save(directory)
    sigs = np.load(directory / "signatures.npy")
    _save_unchecked(directory, "signatures.npy", sigs[::-1].copy())
    with pytest.raises(CorruptFileError, match=r"band_keys\.npy: band 0 keys do not match"):
        LSHIndex.load(directory)
    index.save(directory)
    _save_unchecked(directory, "doc_ids.npy", np.array(["same"] * 1500))
    with pytest.raises(CorruptFileError, match=r"doc_ids\.npy: id 'same' appears twice"):
        LSHIndex.load(directory)
    index.save(directory)
    _save_unchecked(directory, "doc_ids.npy", np.array([{"a": 1}] * 1500, dtype=object), allow_pickle=True)
    with pytest.raises(CorruptFileError, match=r"doc_ids\.npy: cannot be read"):
        LSHIndex.load(directory)


def test_load_of_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no saved LSHIndex"):
        LSHIndex.load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorruptFileError, match=r"manifest\.json: missing"):
        LSHIndex.load(tmp_path / "empty")


def test_insert_without_copy_keeps_the_array_and_finds_the_same_pairs() -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 50, size=(40, 128), dtype=np.uint32)  # few values: many shared bands
    sigs[1] = sigs[0]
    pairs = []
    for copy in (True, False):
        index = LSHIndex.for_threshold(0.8, num_perm=128)
        index.insert(np.arange(40), sigs, copy=copy)
        assert np.shares_memory(index._runs[0].signatures, sigs) is not copy
        pairs.append(index.candidate_pairs().tolist())
    assert pairs[0] == pairs[1] and [0, 1] in pairs[0]
