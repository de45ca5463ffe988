"""Backends without Ray: the protocol, get_backend's errors, and the local backend against the library."""

from __future__ import annotations

import random
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_checks import assert_same_result
from dedupe.backends import (
    BACKENDS,
    STAR_ABOVE,
    Backend,
    BackendError,
    find_duplicates_on,
    get_backend,
)
from dedupe.backends.local import LocalBackend, sum_counts
from dedupe.duplicates import find_duplicates
from dedupe.errors import ConfigError, DedupeError, MissingDependencyError
from dedupe.lsh import LSHIndex
from dedupe.minhash import MinHasher


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


# -- protocol and get_backend ------------------------------------------------------------------


def test_local_backend_conforms_to_the_protocol() -> None:
    backend = get_backend("local")
    assert isinstance(backend, LocalBackend)
    assert isinstance(backend, Backend)
    assert backend.name == "local"
    with backend as entered:
        assert entered is backend
    backend.close()  # idempotent


def test_backends_lists_the_names() -> None:
    assert BACKENDS == ("local", "ray")


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"unknown backend 'spark'; choose one of 'local', 'ray'"):
        get_backend("spark")


def test_backend_name_must_be_a_str() -> None:
    with pytest.raises(TypeError, match="name must be a str"):
        get_backend(3)  # type: ignore[arg-type]


def test_local_backend_takes_no_options() -> None:
    with pytest.raises(ConfigError, match="takes no options"):
        get_backend("local", num_cpus=2)


def test_missing_ray_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    monkeypatch.delitem(sys.modules, "dedupe.backends.ray", raising=False)
    with pytest.raises(MissingDependencyError) as info:
        get_backend("ray")
    message = str(info.value)
    assert "the Ray backend" in message
    assert message.endswith("pip install 'dedupe-text[ray]'")
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, DedupeError)


def test_backend_error_is_a_dedupe_error() -> None:
    error = BackendError("boom", stage="signatures", backend="ray")
    assert isinstance(error, DedupeError)
    assert (error.stage, error.backend) == ("signatures", "ray")


# -- the local backend's stages ----------------------------------------------------------------


def test_map_batches_keeps_order() -> None:
    assert LocalBackend().map_batches(sum, [[1, 2], [], [3]]) == [3, 0, 3]


def test_local_errors_propagate_unchanged() -> None:
    def fail(batch: list[int]) -> int:
        raise ValueError("bad batch")

    with pytest.raises(ValueError, match="bad batch"):
        LocalBackend().map_batches(fail, [[1]])


def test_signatures_and_digests_match_the_hasher() -> None:
    docs = planted_corpus(40)
    hasher = MinHasher(num_perm=64, seed=3)
    sigs, digests = LocalBackend().signatures_and_digests(hasher, docs, batch_size=7)
    ref_sigs, ref_digests = hasher.signatures_and_digests(docs)
    assert type(sigs) is np.ndarray
    assert sigs.tobytes() == np.asarray(ref_sigs).tobytes()
    assert digests.tobytes() == ref_digests.tobytes()


@pytest.mark.parametrize("star_above", [STAR_ABOVE, 2, None])
def test_candidate_pairs_equal_the_index(star_above: int | None) -> None:
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 4, size=(300, 16), dtype=np.uint32)  # tiny alphabet: many big buckets
    index = LSHIndex(num_bands=4, rows_per_band=2, num_perm=16)
    index.insert(np.arange(300), sigs)
    got = LocalBackend().candidate_pairs(sigs, num_bands=4, rows_per_band=2, star_above=star_above)
    assert np.array_equal(got, index.candidate_pairs(star_above=star_above))


def test_candidate_pairs_of_fewer_than_two_rows() -> None:
    for n in (0, 1):
        sigs = np.zeros((n, 8), dtype=np.uint32)
        assert LocalBackend().candidate_pairs(sigs, num_bands=2, rows_per_band=4).shape == (0, 2)


@given(st.lists(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 5), max_size=20), max_size=6))
@settings(max_examples=50)
def test_combine_counts_equals_counter(parts: list[list[int]]) -> None:
    keys, counts = LocalBackend().combine_counts([np.array(p, dtype=np.uint64) for p in parts])
    expected = Counter(k for p in parts for k in p)
    assert keys.dtype == np.uint64 and counts.dtype == np.int64
    assert keys.tolist() == sorted(expected)
    assert counts.tolist() == [expected[k] for k in sorted(expected)]


def test_combine_counts_wants_uint64_arrays() -> None:
    with pytest.raises(TypeError, match=r"keys\[1\] must be a uint64 numpy array \(got array of dtype int64\)"):
        LocalBackend().combine_counts([np.zeros(2, dtype=np.uint64), np.zeros(2, dtype=np.int64)])
    with pytest.raises(TypeError, match="keys must be a sequence"):
        LocalBackend().combine_counts(np.zeros(2, dtype=np.uint64))  # type: ignore[arg-type]


def test_sum_counts_sums_by_key() -> None:
    keys, counts = sum_counts(np.array([9, 1, 9, 9], dtype=np.uint64), np.array([1, 2, 3, 4]))
    assert keys.tolist() == [1, 9] and counts.tolist() == [2, 8]


# -- find_duplicates_on ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keep", "verify", "batch_size"),
    [("first", "auto", 16), ("longest", "auto", 1), ("first", "exact", 1000), ("longest", "estimate", 33)],
)
def test_find_duplicates_on_local_equals_find_duplicates(keep: str, verify: str, batch_size: int) -> None:
    docs = planted_corpus()
    expected = find_duplicates(docs, keep=keep, verify=verify)  # type: ignore[arg-type]
    assert (expected.kind == "near").sum() > 5 and (expected.kind == "exact").sum() > 5
    got = find_duplicates_on(LocalBackend(), docs, keep=keep, verify=verify, batch_size=batch_size)  # type: ignore[arg-type]
    assert_same_result(got, expected)


def test_find_duplicates_on_takes_a_backend_name() -> None:
    docs = planted_corpus(30)
    assert_same_result(find_duplicates_on("local", docs, threshold=0.7), find_duplicates(docs, threshold=0.7))


def test_find_duplicates_on_empty_input() -> None:
    assert_same_result(find_duplicates_on("local", []), find_duplicates([]))


def test_find_duplicates_on_checks_like_find_duplicates() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        find_duplicates_on("local", ["a"], threshold=0)
    with pytest.raises(ConfigError, match="batch_size"):
        find_duplicates_on("local", ["a"], batch_size=0)
    with pytest.raises(TypeError, match="texts"):
        find_duplicates_on("local", "abc")
    with pytest.raises(TypeError, match="backend must be a Backend"):
        find_duplicates_on(object(), ["a"])  # type: ignore[arg-type]
