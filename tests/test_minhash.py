from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe._reference import exact_jaccard, reference_shingles, reference_signature
from dedupe.config import MinHashConfig
from dedupe.errors import ConfigError, IncompatibleSignaturesError
from dedupe.minhash import EMPTY_VALUE, MinHasher, SignatureArray, jaccard
from dedupe.shingles import ShingleBatch, word_shingles
from strategies import corpora

HASHERS = st.builds(
    MinHasher,
    num_perm=st.sampled_from([2, 7, 64, 128, 200]),
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["word", "char"]),
    ngram_size=st.integers(1, 6),
    mask_digits=st.booleans(),
)


@given(corpora(max_size=8), HASHERS)
def test_matches_reference(docs: list[str], hasher: MinHasher) -> None:
    sigs = hasher.signatures(docs)
    assert sigs.shape == (len(docs), hasher.num_perm) and sigs.dtype == np.uint32
    for i, doc in enumerate(docs):
        expected = reference_signature(reference_shingles(doc, hasher.config.shingle), hasher.config)
        assert sigs[i].tolist() == expected


@given(corpora(max_size=16), st.integers(1, 500), st.randoms(use_true_random=False))
def test_independent_of_chunking_and_order(docs: list[str], chunk: int, rnd: object) -> None:
    hasher = MinHasher(num_perm=32)
    whole = hasher.signatures(docs)
    assert np.array_equal(hasher.signatures(docs, chunk_chars=chunk), whole)
    order = list(range(len(docs)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = hasher.signatures([docs[i] for i in order])
    assert np.array_equal(shuffled, whole[order])


def test_identical_across_processes(seed_texts: list[str]) -> None:
    code = (
        "import sys, hashlib, pathlib; from dedupe import MinHasher;"
        "t=[p.read_text(encoding='utf-8') for p in sorted(pathlib.Path(sys.argv[1]).glob('*.txt'))];"
        "print(hashlib.sha256(MinHasher().signatures(t).tobytes()).hexdigest())"
    )
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    out = subprocess.run([sys.executable, "-c", code, str(seeds)], capture_output=True, text=True, check=True)
    here = hashlib.sha256(MinHasher().signatures(seed_texts).tobytes()).hexdigest()
    assert out.stdout.strip() == here


def _pair_batch(n_common: int, n_a: int, n_b: int, rng: np.random.Generator, hasher: MinHasher) -> ShingleBatch:
    size = n_common + n_a + n_b
    # Distinct by construction: random high bits, the index in the low bits.
    values = (rng.integers(0, 2**40, size=size, dtype=np.uint64) << np.uint64(20)) | np.arange(size, dtype=np.uint64)
    common, only_a, only_b = np.split(values, [n_common, n_common + n_a])
    hashes = np.concatenate([common, only_a, common, only_b])
    offsets = np.array([0, n_common + n_a, 2 * n_common + n_a + n_b], dtype=np.int64)
    return ShingleBatch(hashes, offsets, hasher.config.shingle)


@settings(derandomize=True)
@given(st.integers(0, 600), st.integers(0, 600), st.integers(0, 600), st.integers(0, 2**32 - 1))
def test_estimate_within_binomial_bound(n_common: int, n_a: int, n_b: int, seed: int) -> None:
    if n_common + n_a + n_b < 20:
        return
    hasher = MinHasher(num_perm=256, seed=seed % 1000)
    sigs = hasher.signatures(_pair_batch(n_common, n_a, n_b, np.random.default_rng(seed), hasher))
    truth = n_common / (n_common + n_a + n_b)
    bound = 5.0 * np.sqrt(truth * (1 - truth) / 256) + 2 / 256
    assert abs(hasher.jaccard(sigs[0], sigs[1]) - truth) <= bound


@pytest.mark.parametrize(("n_common", "n_a", "n_b"), [(300, 60, 40), (50, 100, 100), (10, 5, 3), (900, 5, 5)])
def test_estimate_is_unbiased(n_common: int, n_a: int, n_b: int) -> None:
    truth = n_common / (n_common + n_a + n_b)
    rng = np.random.default_rng(7)
    estimates = []
    for seed in range(300):
        hasher = MinHasher(num_perm=64, seed=seed)
        sigs = hasher.signatures(_pair_batch(n_common, n_a, n_b, rng, hasher))
        estimates.append(jaccard(sigs[0], sigs[1]))
    est = np.array(estimates)
    stderr = est.std(ddof=1) / np.sqrt(len(est))
    assert abs(est.mean() - truth) <= 4.5 * stderr + 1e-3


def test_estimate_close_to_exact_on_text(seed_texts: list[str]) -> None:
    hasher = MinHasher(num_perm=256)
    base = seed_texts[0]
    words = base.split()
    edited = " ".join(w if i % 25 else "EDITED" for i, w in enumerate(words))
    sigs = hasher.signatures([base, edited])
    shingles = [reference_shingles(t, hasher.config.shingle) for t in (base, edited)]
    truth = exact_jaccard(*shingles)
    assert abs(hasher.jaccard(sigs[0], sigs[1]) - truth) < 5 * np.sqrt(truth * (1 - truth) / 256) + 0.01


def test_empty_and_short_documents() -> None:
    hasher = MinHasher(num_perm=16)
    sigs = hasher.signatures(["", "   ", "one", "one two three four five six"])
    assert (sigs[0] == EMPTY_VALUE).all() and (sigs[1] == EMPTY_VALUE).all()
    assert not (sigs[2] == EMPTY_VALUE).all()
    assert hasher.signature("one").tolist() == sigs[2].tolist()


def test_signature_array_keeps_config_and_fingerprint() -> None:
    hasher = MinHasher(num_perm=8, seed=3)
    sigs = hasher.signatures(["a b c d e f", "x y z"])
    assert isinstance(sigs, SignatureArray)
    assert sigs.config == hasher.config
    assert sigs[0].config == hasher.config
    assert sigs.fingerprint == hasher.config.fingerprint()
    assert sigs.fingerprint != MinHasher(num_perm=8, seed=4).config.fingerprint()


@pytest.mark.parametrize(
    "other",
    [
        MinHasher(num_perm=16, seed=2),
        MinHasher(num_perm=16, ngram_size=3),
        MinHasher(num_perm=16, kind="char"),
        MinHasher(num_perm=16, mask_digits=True),
    ],
)
def test_mixing_configs_raises(other: MinHasher) -> None:
    hasher = MinHasher(num_perm=16)
    a = hasher.signatures(["a b c d e f g"])[0]
    b = other.signatures(["a b c d e f g"])[0]
    with pytest.raises(IncompatibleSignaturesError, match="different settings"):
        jaccard(a, b)
    with pytest.raises(IncompatibleSignaturesError):
        hasher.jaccard(b, b)


def test_batch_from_other_shingle_config_is_refused() -> None:
    with pytest.raises(ConfigError, match="shingle batch was made with"):
        MinHasher().signatures(word_shingles(["a b c"], ngram_size=3))


def test_accepts_matching_shingle_batch() -> None:
    batch = word_shingles(["a b c d e f", "q"])
    assert np.array_equal(MinHasher().signatures(batch), MinHasher().signatures(["a b c d e f", "q"]))


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"num_perm": 1}, ConfigError, "num_perm must be between 2 and 8192"),
        ({"num_perm": 128.0}, TypeError, "num_perm must be an int"),
        ({"num_perm": True}, TypeError, "num_perm must be an int"),
        ({"seed": -1}, ConfigError, "seed must be between 0 and 4294967295"),
        ({"seed": 2**40}, ConfigError, "seed must be between"),
        ({"ngram_size": 0}, ConfigError, "ngram_size"),
        ({"kind": "sentence"}, ConfigError, "kind must be 'word' or 'char'"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        MinHasher(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, b"bytes", 5, [b"x"]])
def test_bad_inputs(bad: object) -> None:
    hasher = MinHasher()
    with pytest.raises(TypeError):
        hasher.signatures(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hasher.signature(bad)  # type: ignore[arg-type]


def test_lone_surrogates_and_controls_do_not_crash() -> None:
    sigs = MinHasher(num_perm=8).signatures(["\ud800\udfff x \x00\x01\x1b y z", "\udc80"])
    assert sigs.shape == (2, 8)


def test_config_as_dict_round_trips() -> None:
    cfg = MinHasher(num_perm=64, seed=9, kind="char", ngram_size=4).config
    d = cfg.as_dict()
    assert d["num_perm"] == 64 and d["shingle"] == {
        "kind": "char", "ngram_size": 4, "mask_digits": False, "seed": 0, "script": "auto"
    }
    assert MinHasher.from_config(cfg).config == cfg
    assert isinstance(MinHashConfig().fingerprint(), str)
