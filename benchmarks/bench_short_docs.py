"""Stage benchmark: signatures of one batch of 800 short Reuters stories (text in), and a smoke run
of ``short_docs.py`` (the peer comparison, floors off: timings on a shared machine are no test)."""

from __future__ import annotations

import pytest

from conftest import record_throughput
from dedupe._reference import reference_shingles, reference_signature
from dedupe.minhash import MinHasher
from short_docs import DATA, load_texts, main

pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not there")


def test_short_docs_batch(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "short-docs"
    texts = load_texts(DATA, 800)
    hasher = MinHasher(num_perm=128, seed=1)
    sigs = benchmark(hasher.signatures, texts)
    for i in (0, 399, 799):
        expected = reference_signature(reference_shingles(texts[i], hasher.config.shingle), hasher.config)
        assert sigs[i].tolist() == expected
    record_throughput(benchmark, texts)


def test_short_docs_script_runs() -> None:
    pytest.importorskip("rensa")
    pytest.importorskip("datasketch")
    floors_off = ["--floor-datasketch", "0", "--floor-rensa", "0"]
    assert main(["--docs", "200", "--batch", "100", "--rounds", "1", *floors_off]) == 0
