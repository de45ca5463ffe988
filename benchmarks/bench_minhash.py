"""Stage benchmark: text to MinHash signatures (shingling included)."""

from __future__ import annotations

import pytest

from conftest import record_throughput
from dedupe._reference import reference_shingles, reference_signature
from dedupe.minhash import MinHasher


@pytest.mark.parametrize("num_perm", [128, 256])
def test_signatures(benchmark, corpus: list[str], num_perm: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "minhash"
    hasher = MinHasher(num_perm=num_perm)
    sigs = benchmark(hasher.signatures, corpus)
    assert sigs.shape == (len(corpus), num_perm)
    expected = reference_signature(reference_shingles(corpus[5], hasher.config.shingle), hasher.config)
    assert sigs[5].tolist() == expected
    record_throughput(benchmark, corpus)
