"""Backends without Ray: the protocol, get_backend's errors, the local backend's stages against
plain-Python references, and the one duplicate sequence on a backend that ships work like Ray."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from backend_checks import (
    PicklingBackend,
    assert_matches_reference,
    planted_corpus,
    reference_candidate_pairs,
    reference_duplicates,
)
from dedupe._reference import reference_digest, reference_shingles, reference_signature
from dedupe.backends import BACKENDS, STAR_ABOVE, Backend, BackendError, get_backend
from dedupe.backends.local import LocalBackend
from dedupe.config import MinHashConfig, ShingleConfig
from dedupe.duplicates import find_duplicates
from dedupe.errors import ConfigError, DedupeError, MissingDependencyError
from dedupe.minhash import MinHasher

# -- protocol and get_backend ------------------------------------------------------------------


def test_local_backend_conforms_to_the_protocol() -> None:
    backend = get_backend("local")
    assert isinstance(backend, LocalBackend)
    assert isinstance(backend, Backend)
    assert backend.name == "local"
    with backend as entered:
        assert entered is backend
    backend.close()  # idempotent


def test_every_listed_name_is_a_backend_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # ray absent: its name is known, its extra missing
    monkeypatch.delitem(sys.modules, "dedupe.backends.ray", raising=False)
    for name in BACKENDS:
        try:
            with get_backend(name) as backend:
                assert backend.name == name
        except MissingDependencyError:
            assert name == "ray"
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
    assert isinstance(error, DedupeError) and isinstance(error, RuntimeError)
    assert (error.stage, error.backend, str(error)) == ("signatures", "ray", "boom")


# -- the local backend's stages ----------------------------------------------------------------


def test_map_batches_keeps_order() -> None:
    assert LocalBackend().map_batches(sum, [[1, 2], [], [3]]) == [3, 0, 3]


def test_local_errors_propagate_unchanged() -> None:
    def fail(batch: list[int]) -> int:
        raise ValueError("bad batch")

    with pytest.raises(ValueError, match="bad batch"):
        LocalBackend().map_batches(fail, [[1]])


def test_signatures_and_digests_equal_the_plain_python_reference() -> None:
    docs = planted_corpus(12)
    config = MinHashConfig(num_perm=64, seed=3, shingle=ShingleConfig(ngram_size=3))
    sigs, digests = LocalBackend().signatures_and_digests(MinHasher.from_config(config), docs, batch_size=7)
    assert type(sigs) is np.ndarray and sigs.dtype == np.uint32 and sigs.shape == (len(docs), 64)
    for row, text in enumerate(docs):
        assert sigs[row].tolist() == reference_signature(reference_shingles(text, config.shingle), config)
        assert digests[row].tobytes() == reference_digest(text, config.shingle)


@pytest.mark.parametrize("star_above", [STAR_ABOVE, 2, None])
def test_candidate_pairs_equal_brute_force_banding(star_above: int | None) -> None:
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 4, size=(300, 16), dtype=np.uint32)  # tiny alphabet: many big buckets
    got = LocalBackend().candidate_pairs(sigs, num_bands=4, rows_per_band=2, star_above=star_above)
    assert got.dtype == np.int64
    assert list(map(tuple, got.tolist())) == reference_candidate_pairs(sigs, 4, 2, star_above)


def test_candidate_pairs_of_fewer_than_two_rows() -> None:
    for n in (0, 1):
        sigs = np.zeros((n, 8), dtype=np.uint32)
        assert LocalBackend().candidate_pairs(sigs, num_bands=2, rows_per_band=4).shape == (0, 2)


# -- the duplicate sequence on a backend -------------------------------------------------------


@pytest.mark.parametrize(("keep", "batch_size"), [("first", 16), ("longest", 1), ("first", 1000)])
def test_sequence_on_a_shipping_backend_equals_brute_force(keep: str, batch_size: int) -> None:
    docs = planted_corpus(60)
    ref = reference_duplicates(docs, keep=keep)
    assert ref.status.count("near") > 5 and ref.status.count("exact") > 3
    backend = PicklingBackend()
    result = find_duplicates(docs, keep=keep, verify="exact", backend=backend, batch_size=batch_size)  # type: ignore[arg-type]
    assert_matches_reference(result, ref)
    assert backend.calls["signatures"] == backend.calls["candidate pairs"] == 1
    # Every candidate is verified exactly: on the backend when they fill more than one block,
    # on the driver when one block holds them all (the texts are there already).
    if batch_size < len(ref.near_pairs):
        assert backend.calls["exact verification"] == 1
    if batch_size == 1000:
        assert "exact verification" not in backend.calls
    assert "close" not in backend.calls  # a caller's backend is left open


def test_a_backend_name_is_opened_and_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[PicklingBackend] = []

    def fake_get_backend(name: str) -> PicklingBackend:
        made.append(PicklingBackend())
        return made[-1]

    monkeypatch.setattr("dedupe.duplicates.get_backend", fake_get_backend)
    docs = planted_corpus(20)
    result = find_duplicates(docs, threshold=0.7, verify="exact", backend="local")
    assert_matches_reference(result, reference_duplicates(docs, threshold=0.7))
    assert len(made) == 1 and made[0].calls["close"] == 1


def test_empty_input_on_a_backend() -> None:
    result = find_duplicates([], backend=PicklingBackend())
    assert len(result) == 0 and result.pairs.shape == (0, 2) and result.clusters() == []


def test_backend_arguments_are_checked() -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        find_duplicates(["a"], batch_size=0)
    with pytest.raises(TypeError, match="backend must be a Backend"):
        find_duplicates(["a"], backend=object())  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="local backend only"):
        find_duplicates(["a"], similarity="containment", backend=PicklingBackend())


def test_find_duplicates_on_is_deprecated() -> None:
    from dedupe.duplicates import find_duplicates_on

    docs = planted_corpus(20)
    with pytest.warns(DeprecationWarning, match="find_duplicates_on"):
        result = find_duplicates_on("local", docs, verify="exact")
    assert_matches_reference(result, reference_duplicates(docs))
