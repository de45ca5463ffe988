"""Stage benchmark: text to word and character shingle hashes."""

from __future__ import annotations

import pytest

from conftest import record_throughput
from dedupe._reference import reference_shingles
from dedupe.config import ShingleConfig
from dedupe.shingles import shingle_texts


@pytest.mark.parametrize("config", [ShingleConfig(), ShingleConfig(kind="char", ngram_size=5)], ids=["word5", "char5"])
def test_shingles(benchmark, corpus: list[str], config: ShingleConfig) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "shingles"
    batch = benchmark(shingle_texts, corpus, config)
    assert len(batch) == len(corpus)
    assert batch.document(3).tolist() == reference_shingles(corpus[3], config)
    record_throughput(benchmark, corpus)
