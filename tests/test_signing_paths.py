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
from dedupe._reference import _bin, reference_signature
from dedupe.hashing import fmix64_int, seed_key
from dedupe.minhash import EMPTY_VALUE, NUM_PROBES, PERM_SALT, PROBE_SALT, MinHasher
from dedupe.shingles import ShingleBatch, iter_shingle_batches, word_shingles


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
