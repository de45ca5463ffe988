"""Exact verification in the worker pool: blocks of pairs cut in order within their limits, and the
similarities equal the reference's (shingle sets built by ``_reference``), whatever the worker count."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe._reference import exact_jaccard, reference_shingles
from dedupe._verify_pooled import PooledJaccard, pair_blocks
from dedupe.config import ShingleConfig
from dedupe.errors import InputError


@given(
    lengths=st.lists(st.integers(0, 50), min_size=1, max_size=30),
    n_pairs=st.integers(0, 60),
    max_pairs=st.integers(1, 7),
    max_chars=st.integers(1, 120),
    data=st.data(),
)
def test_pair_blocks_cut_in_order_within_their_limits(
    lengths: list[int], n_pairs: int, max_pairs: int, max_chars: int, data: st.DataObject
) -> None:
    rows = st.integers(0, len(lengths) - 1)
    pairs = np.array(data.draw(st.lists(st.tuples(rows, rows), min_size=n_pairs, max_size=n_pairs)),
                     dtype=np.int64).reshape(-1, 2)  # fmt: skip
    size = np.array(lengths, dtype=np.int64)
    blocks = pair_blocks(pairs, size, max_pairs=max_pairs, max_chars=max_chars)
    joined = np.concatenate(blocks) if blocks else np.zeros((0, 2), dtype=np.int64)
    np.testing.assert_array_equal(joined, pairs)
    assert all(1 <= len(b) <= max_pairs for b in blocks)
    for k, block in enumerate(blocks):
        cost = [int(size[a] + size[b]) for a, b in block.tolist()]
        assert len(block) == 1 or sum(cost) <= max_chars  # a pair over the limit is a block of its own
        if k + 1 < len(blocks) and len(block) < max_pairs:  # cut early only where the next pair would not fit
            nxt = blocks[k + 1][0]
            assert sum(cost) + int(size[nxt[0]] + size[nxt[1]]) > max_chars


_WORDS = ["river", "bank", "flood", "city", "rain", "storm", "north", "the", "a", "day"]


@settings(max_examples=25, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=25), min_size=2, max_size=25),
    workers=st.sampled_from([1, 2]),
    batch_size=st.sampled_from([1, 2, 1000]),
    data=st.data(),
)
def test_pooled_similarities_equal_the_reference(
    tmp_path_factory: pytest.TempPathFactory, texts: list[list[str]], workers: int, batch_size: int, data: st.DataObject
) -> None:
    tmp = tmp_path_factory.mktemp("pooled")
    docs = [" ".join(words) or "x" for words in texts]
    path = tmp / "in.jsonl"
    # A line that is not a record first, so rows and input positions differ.
    path.write_text("\n" + "".join(json.dumps({"text": t}) + "\n" for t in docs), encoding="utf-8")
    result = dedupe.deduplicate(path, remove_boilerplate=False)
    src = result._source
    reader = src.index.reader(text_field="text", id_field=None)  # type: ignore[union-attr]
    rows = st.integers(0, len(docs) - 1)
    pairs = np.array(data.draw(st.lists(st.tuples(rows, rows), min_size=1, max_size=40)), dtype=np.int64)
    config = ShingleConfig()
    lengths = np.array([len(t) for t in docs], dtype=np.int64)
    positions = np.arange(len(docs), dtype=np.int64)
    pooled = PooledJaccard(reader, positions, lengths, config, workers, batch_size, src.unchanged)
    got = pooled(pairs)
    sets = [set(reference_shingles(t, config)) for t in docs]
    want = [exact_jaccard(sets[a], sets[b]) if sets[a] | sets[b] else 1.0 for a, b in pairs.tolist()]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_a_line_changed_before_verification_stops_the_run(tmp_path: Path) -> None:
    """A worker reads other bytes than the first pass: InputError, as the serial path raises."""
    path = tmp_path / "in.jsonl"
    docs = ["the river rose over the bank in the north", "the river rose over the bank in the south"]
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in docs), encoding="utf-8")
    result = dedupe.deduplicate(path, remove_boilerplate=False)
    src = result._source
    reader = src.index.reader(text_field="text", id_field=None)  # type: ignore[union-attr]
    data = path.read_bytes()
    path.write_bytes(data.replace(b"north", b"NORTH"))  # same size: only the line's hash tells
    lengths = np.array([len(t) for t in docs], dtype=np.int64)
    pooled = PooledJaccard(reader, np.arange(2), lengths, ShingleConfig(), 2, 1, lambda: None)
    with pytest.raises(InputError, match="changed while the run was going"):
        pooled(np.array([[0, 1], [1, 0]], dtype=np.int64))
