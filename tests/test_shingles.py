from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe._reference import reference_shingles, reference_tokens
from dedupe.config import ShingleConfig
from dedupe.errors import ConfigError
from dedupe.shingles import _check_texts, char_shingles, iter_shingle_batches, shingle_texts, word_shingles
from strategies import corpora

CONFIGS = st.builds(
    ShingleConfig,
    kind=st.sampled_from(["word", "char"]),
    ngram_size=st.integers(1, 7),
    mask_digits=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    script=st.sampled_from(["auto", "words"]),
)


@given(corpora(), CONFIGS)
def test_matches_reference(docs: list[str], config: ShingleConfig) -> None:
    batch = shingle_texts(docs, config)
    assert len(batch) == len(docs)
    for i, doc in enumerate(docs):
        assert batch.document(i).tolist() == reference_shingles(doc, config)


@given(corpora(max_size=20), st.integers(1, 300), CONFIGS)
def test_independent_of_chunking(docs: list[str], chunk: int, config: ShingleConfig) -> None:
    whole = shingle_texts(docs, config)
    parts = list(iter_shingle_batches(docs, config, chunk_chars=chunk))
    assert np.array_equal(np.concatenate([p.hashes for p in parts] + [np.empty(0, np.uint64)]), whole.hashes)
    assert sum(len(p) for p in parts) == len(docs)


def test_curly_and_straight_quotes_shingle_alike() -> None:
    a, b = word_shingles(["Meta’s AI — revenue", "meta's AI - revenue"], ngram_size=2).hashes.reshape(2, -1)
    assert a.tolist() == b.tolist()
    assert reference_tokens("Meta’s\u00a0AI—x") == ["meta", "s", "ai", "x"]


def test_short_and_empty_documents() -> None:
    batch = word_shingles(["one two", "", "  !!! ", "a b c d e f"], ngram_size=5)
    assert batch.counts().tolist() == [1, 0, 0, 2]
    assert char_shingles(["abc", ""], ngram_size=5).counts().tolist() == [1, 0]


def test_long_tokens_and_control_characters() -> None:
    docs = ["x" * 5000 + " tail", "a\x00b\x07c \ud800 d\udfff", "e\u0301" * 100]
    for config in (ShingleConfig(ngram_size=2), ShingleConfig(kind="char", ngram_size=4)):
        batch = shingle_texts(docs, config)
        for i, doc in enumerate(docs):
            assert batch.document(i).tolist() == reference_shingles(doc, config)


@pytest.mark.parametrize("bad", [None, b"bytes", 1.5])
def test_non_str_items_name_the_index(bad: object) -> None:
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        word_shingles(["ok", bad])  # type: ignore[list-item]


def test_check_texts_shared_by_blocks_boilerplate_and_duplicates() -> None:
    assert _check_texts(x for x in ("a", "b")) == ["a", "b"]
    with pytest.raises(TypeError, match="sequence of str, not a single str"):
        _check_texts("abc")
    with pytest.raises(TypeError, match=r"sequence of str \(got int\)"):
        _check_texts(5)
    with pytest.raises(TypeError, match=r"texts\[2\] must be a str \(got NoneType"):
        _check_texts(["a", "b", None])


def test_single_string_is_rejected() -> None:
    with pytest.raises(TypeError, match="iterable of str"):
        word_shingles("not a list")


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"ngram_size": 0}, ConfigError, "ngram_size must be between 1 and 64"),
        ({"ngram_size": "5"}, TypeError, "ngram_size must be an int"),
        ({"seed": -1}, ConfigError, "seed"),
        ({"seed": 2**32}, ConfigError, "seed"),
    ],
)
def test_bad_config(kwargs: dict[str, object], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        word_shingles(["x"], **kwargs)  # type: ignore[arg-type]


def test_seed_changes_hashes() -> None:
    a = word_shingles(["a b c d e"], seed=0).hashes
    b = word_shingles(["a b c d e"], seed=1).hashes
    assert a.tolist() != b.tolist()


@given(corpora(), st.integers(0, 2**32 - 1), st.booleans())
def test_content_digests_match_reference(docs: list[str], seed: int, mask: bool) -> None:
    from dedupe._reference import reference_digest

    config = ShingleConfig(seed=seed, mask_digits=mask)
    batch = shingle_texts(docs, config)
    assert batch.digests is not None and len(batch.digests) == len(docs)
    for i, doc in enumerate(docs):
        assert batch.digests[i].tobytes() == reference_digest(doc, config)


def test_content_digest_ignores_case_space_and_punctuation_only() -> None:
    batch = word_shingles(["Hello,  World!", "hello world", "hello there world", "", "!!!", "..."])
    d = [x.tobytes() for x in batch.digests]  # type: ignore[union-attr]
    assert d[0] == d[1] and d[1] != d[2]
    assert len({d[3], d[4], d[5]}) == 3  # texts without words are keyed by their whole normalized text
