from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend_checks import assert_matches_reference, planted_corpus, reference_duplicates
from dedupe._reference import exact_jaccard, reference_digest, reference_shingles
from dedupe.clusters import first_of_groups
from dedupe.config import DuplicateConfig, MinHashConfig, ShingleConfig
from dedupe.duplicates import find_duplicates
from dedupe.errors import ConfigError

WORDS = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma",
]  # fmt: skip


def _doc(rng: random.Random, n: int = 200) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(n))


def _edit(text: str, rate: float, rng: random.Random) -> str:
    return " ".join(w if rng.random() >= rate else "EDIT" + str(rng.randrange(10**6)) for w in text.split())


def test_seed_rewrites_are_not_near_duplicates(seed_texts: list[str]) -> None:
    result = find_duplicates(seed_texts, threshold=0.8)
    assert result.status.tolist() == ["kept"] * 5
    assert result.keep_mask.all() and result.clusters() == []


def test_edited_copy_of_a_seed_is_found(seed_texts: list[str]) -> None:
    rng = random.Random(3)
    words = seed_texts[2].split(" ")
    edited = " ".join(w if rng.random() > 0.01 else "changed" for w in words)
    texts = [*seed_texts, edited, seed_texts[4].upper()]
    result = find_duplicates(texts, threshold=0.8)
    assert result.labels[5] == 2 and result.status[5] == "near"
    assert result.labels[6] == 4 and result.status[6] == "exact" and result.similarity[6] == 1.0
    assert result.keep_mask.tolist() == [True] * 5 + [False, False]
    config = ShingleConfig()
    truth = exact_jaccard(reference_shingles(texts[2], config), reference_shingles(edited, config))
    assert truth >= 0.8
    assert abs(result.similarity[5] - truth) < 0.1


def test_keep_longest_and_clusters() -> None:
    rng = random.Random(1)
    base = _doc(rng)
    longer = base + " tail words appended here"
    result = find_duplicates([base, "unrelated " + _doc(rng), longer], keep="longest")
    assert result.labels.tolist() == [2, 1, 2]
    assert result.status.tolist() == ["near", "kept", "kept"]
    assert [c.tolist() for c in result.clusters()] == [[2, 0]]
    assert result.summary() == (
        "3 documents: 2 kept, 0 exact duplicates, 1 near duplicates in 1 clusters (threshold 0.8)"
    )


def test_exact_groups_point_to_first_occurrence() -> None:
    texts = ["A b", "x", "a  B", "x ", "y", "", "!!!", ""]
    digests = np.array([reference_digest(t, ShingleConfig()) for t in texts], dtype="V16")
    assert first_of_groups(digests).tolist() == [0, 1, 0, 1, 4, 5, 6, 5]  # golden: by reading the texts


def test_empty_documents_are_only_exact_duplicates() -> None:
    result = find_duplicates(["", "!!!", "", "...", "real words here and there again"])
    assert result.labels.tolist() == [0, 1, 0, 3, 4]
    assert result.status.tolist() == ["kept", "kept", "exact", "kept", "kept"]


@pytest.mark.parametrize(
    ("keep", "threshold", "seed"), [("first", 0.8, 7), ("longest", 0.8, 8), ("first", 0.6, 9), ("longest", 0.95, 10)]
)
def test_exact_verification_equals_brute_force(keep: str, threshold: float, seed: int) -> None:
    docs = planted_corpus(80, seed=seed)
    ref = reference_duplicates(docs, threshold=threshold, keep=keep)
    assert ref.status.count("near") >= 2 and ref.status.count("exact") > 3
    result = find_duplicates(docs, threshold=threshold, keep=keep, verify="exact")  # type: ignore[arg-type]
    assert_matches_reference(result, ref)


def test_old_kind_vocabulary_is_deprecated() -> None:
    result = find_duplicates(["a b c d e f g h", "a b c d e f g h", "x y z"])
    assert result.status.tolist() == ["kept", "exact", "kept"]
    with pytest.warns(DeprecationWarning, match=r"DuplicateResult\.kind is deprecated"):
        assert result.kind.tolist() == ["kept", "exact", "unique"]


def test_config_of_the_options() -> None:
    config = DuplicateConfig.from_options(
        threshold=0.7, similarity="containment", keep=None, verify="exact", exact_margin=0.1,
        num_perm=64, ngram_size=3, seed=5,
    )  # fmt: skip
    assert config.keep == "longest"  # the default for containment
    assert config.minhash == MinHashConfig(num_perm=64, seed=5, shingle=ShingleConfig(ngram_size=3))
    assert DuplicateConfig().keep == "first" and DuplicateConfig().threshold == 0.8
    with pytest.raises(ConfigError, match=r"keep must be 'first' or 'longest' \(got 'last'\)"):
        DuplicateConfig(keep="last")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="threshold must be a float"):
        DuplicateConfig(threshold="high")  # type: ignore[arg-type]


@settings(max_examples=25, derandomize=True)
@given(st.integers(0, 10**6), st.integers(1, 7), st.randoms(use_true_random=False))
def test_independent_of_order_and_chunking(seed: int, chunk_kb: int, rnd: random.Random) -> None:
    rng = random.Random(seed)
    bases = [_doc(rng, 60) for _ in range(6)]
    texts = bases + [_edit(b, 0.03, rng) for b in bases[:4]] + [bases[1]]
    result = find_duplicates(texts)
    assert np.array_equal(find_duplicates(texts, chunk_chars=chunk_kb * 97).labels, result.labels)
    order = list(range(len(texts)))
    rnd.shuffle(order)
    shuffled = find_duplicates([texts[i] for i in order])
    # The same partition into clusters, whatever the order.
    def partition(labels: np.ndarray, rows: list[int]) -> set[frozenset[int]]:
        groups: dict[int, set[int]] = {}
        for pos, lab in enumerate(labels.tolist()):
            groups.setdefault(lab, set()).add(rows[pos])
        return {frozenset(g) for g in groups.values()}

    assert partition(shuffled.labels, order) == partition(result.labels, list(range(len(texts))))


@pytest.mark.parametrize("verify", ["auto", "estimate", "exact"])
def test_verify_modes_find_clear_duplicates(verify: str) -> None:
    rng = random.Random(5)
    base = _doc(rng, 400)
    texts = [base, _edit(base, 0.005, rng), _doc(rng, 400)]
    result = find_duplicates(texts, verify=verify)  # type: ignore[arg-type]
    assert result.labels.tolist() == [0, 0, 2]


def test_exact_verification_rejects_pairs_below_threshold() -> None:
    rng = random.Random(11)
    base = _doc(rng, 600)
    texts = [base, _edit(base, 0.06, rng)]  # true Jaccard of 5-grams ~ 0.73
    config = ShingleConfig()
    truth = exact_jaccard(reference_shingles(texts[0], config), reference_shingles(texts[1], config))
    assert truth < 0.8
    assert find_duplicates(texts, verify="exact").status.tolist() == ["kept", "kept"]


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"threshold": 0}, ConfigError),
        ({"threshold": 1.5}, ConfigError),
        ({"keep": "last"}, ConfigError),
        ({"verify": "maybe"}, ConfigError),
        ({"num_perm": 1}, ConfigError),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], exc: type[Exception]) -> None:
    with pytest.raises(exc):
        find_duplicates(["a b c"], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["a string", None, [b"bytes"], ["ok", 3]])
def test_bad_texts(bad: object) -> None:
    with pytest.raises(TypeError):
        find_duplicates(bad)  # type: ignore[arg-type]
