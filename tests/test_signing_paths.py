"""The batched signing paths against the one-bin-at-a-time reference.

Densification resolves an empty bin in one of three places (the probes run on the whole matrix,
the remaining probes gathered, the cyclic fallback); the shingler cuts lists of texts into chunks
from a prefix sum. Each path is driven here on purpose and compared with ``_reference.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe import minhash
from dedupe._reference import _bin, reference_digest, reference_shingles, reference_signature
from dedupe.hashing import fmix64_int, seed_key
from dedupe.minhash import EMPTY_VALUE, NUM_PROBES, PERM_SALT, PROBE_SALT, MinHasher
from dedupe.shingles import LongDocument, ShingleBatch, iter_shingle_batches, iter_shingle_units, word_shingles


def _batch(docs: list[list[int]], hasher: MinHasher) -> ShingleBatch:
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=offsets[1:])
    hashes = np.array([h for d in docs for h in d], dtype=np.uint64)
    return ShingleBatch(hashes, offsets, hasher.config.shingle)


def _check(docs: list[list[int]], hasher: MinHasher) -> None:
    got = np.asarray(hasher.sign_batch(_batch(docs, hasher)))
    for i, doc in enumerate(docs):
        expected = reference_signature(doc, hasher.config)
        assert got[i].tolist() == expected, f"document {i} ({len(doc)} shingles)"


@given(
    st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), min_size=1, max_size=8),
    st.sampled_from([2, 3, 16, 128, 300]),
    st.integers(0, 2**32 - 1),
)
def test_signatures_equal_reference_for_any_fill(docs: list[list[int]], num_perm: int, seed: int) -> None:
    _check(docs, MinHasher(num_perm=num_perm, seed=seed))


def _paths(doc: list[int], hasher: MinHasher) -> set[str]:
    """Where each empty bin of ``doc`` is resolved, found one bin at a time with the reference formulas."""
    k = hasher.num_perm
    perm_key, probe_key = seed_key(hasher.config.seed, PERM_SALT), seed_key(hasher.config.seed, PROBE_SALT)
    filled = {_bin(fmix64_int(h ^ perm_key), k) for h in doc}
    out = set()
    for i in set(range(k)) - filled:
        hits = [t for t in range(NUM_PROBES) if _bin(fmix64_int(probe_key ^ ((i << 32) | t)), k) in filled]
        out.add("cyclic" if not hits else "matrix" if hits[0] < minhash.FULL_PROBES else "gathered")
    return out


def test_every_densification_path_is_taken() -> None:
    rng = np.random.default_rng(7)
    docs = [rng.integers(0, 2**63, size=n).tolist() for n in (1, 1, 2, 3, 5, 9, 40, 200, 0)]
    for num_perm in (1024, 128):
        hasher = MinHasher(num_perm=num_perm, seed=3)
        _check(docs, hasher)
        taken = set().union(*(_paths(d, hasher) for d in docs if d))
        assert taken == {"matrix", "gathered", "cyclic"}, f"num_perm {num_perm}: only {taken}"


def test_documents_without_shingles_get_the_empty_signature() -> None:
    hasher = MinHasher(num_perm=64)
    sigs = np.asarray(hasher.sign_batch(_batch([[], [5], []], hasher)))
    assert (sigs[0] == EMPTY_VALUE).all() and (sigs[2] == EMPTY_VALUE).all()
    assert (sigs[1] != EMPTY_VALUE).all()


@given(st.lists(st.text(st.sampled_from("ab c\u00e9\n"), max_size=30), max_size=30), st.integers(-1, 80))
def test_list_chunking_matches_one_chunk(texts: list[str], chunk_chars: int) -> None:
    config = word_shingles([], ngram_size=2).config
    parts = list(iter_shingle_batches(texts, config, chunk_chars=chunk_chars))
    assert sum(len(p) for p in parts) == len(texts)
    whole = ShingleBatch.concat(list(iter_shingle_batches(iter(texts), config, chunk_chars=10**9)), config)
    joined = ShingleBatch.concat(parts, config)
    assert joined.hashes.tolist() == whole.hashes.tolist()
    assert joined.offsets.tolist() == whole.offsets.tolist()


def test_bad_item_in_a_list_names_its_index() -> None:
    with pytest.raises(TypeError, match=r"texts\[2\] must be a str"):
        MinHasher().signatures(["a b", "c d", 3])  # type: ignore[list-item]


_PIECE_ALPHABET = st.sampled_from(
    ["ab", "Cd", "12", "\u00e9", "\ufb01", "\u6771\u4eac", "\u0e2a\u0e27", " ", "\n", "\r\n", "\t", ",", "\u00a0",
     "\u200b", "\u0301", "\u2014", "\u0663"]
)


@given(
    st.lists(st.lists(_PIECE_ALPHABET, max_size=60).map("".join), min_size=1, max_size=6),
    st.integers(1, 40),
    st.integers(1, 6),
    st.booleans(),
)
def test_long_documents_in_pieces_equal_the_whole(texts: list[str], chunk: int, n: int, mask: bool) -> None:
    """Documents longer than the chunk are signed piece by piece: the same signatures, digests and
    shingles as in one chunk, and as the reference."""
    hasher = MinHasher(num_perm=32, ngram_size=n, mask_digits=mask)
    sigs, digests = hasher.signatures_and_digests(texts, chunk_chars=chunk)
    whole_sigs, whole_digests = hasher.signatures_and_digests(texts, chunk_chars=10**9)
    assert np.asarray(sigs).tolist() == np.asarray(whole_sigs).tolist()
    assert digests.tolist() == whole_digests.tolist()
    assert np.asarray(hasher.signatures(iter(texts), chunk_chars=chunk)).tolist() == np.asarray(sigs).tolist()
    config = hasher.config.shingle
    pieces = ShingleBatch.concat(list(iter_shingle_batches(texts, config, chunk_chars=chunk)), config)
    for i, text in enumerate(texts):
        assert pieces.document(i).tolist() == reference_shingles(text, config), repr(text)
        assert digests[i].tobytes() == reference_digest(text, config), repr(text)


def test_a_long_record_is_cut_into_many_pieces() -> None:
    text = "".join(f"ab {i % 97:02d}\n" for i in range(5000))
    units = list(iter_shingle_units([text, "x y"], word_shingles([]).config, chunk_chars=1000))
    assert isinstance(units[0], LongDocument) and isinstance(units[1], ShingleBatch)
    sizes: list[int] = []
    units[0].shingles(lambda hashes: sizes.append(len(hashes)))
    assert len(sizes) >= 30 and max(sizes) <= 400
    assert sum(sizes) == len(reference_shingles(text, word_shingles([]).config))
