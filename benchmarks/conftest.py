"""Shared fixtures for the pytest-benchmark suites: corpora built from seeds/ with a fixed seed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe.bench.corpus import generate_corpus

SIZES = {"small": 200, "medium": 1000}


@pytest.fixture(scope="session", params=list(SIZES))
def corpus(request: pytest.FixtureRequest) -> list[str]:
    """Generated documents of 300-3,000 words, the same on every run."""
    return generate_corpus(SIZES[request.param], seed=42)


def record_throughput(benchmark: object, texts: list[str]) -> None:
    """Store docs/s and MB/s of the fastest round in ``benchmark.extra_info``."""
    stats = getattr(benchmark, "stats", None)
    if stats is None or not getattr(stats, "stats", None):
        return  # --benchmark-disable: nothing was timed
    best = stats.stats.min
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    benchmark.extra_info["docs_per_s"] = len(texts) / best  # type: ignore[attr-defined]
    benchmark.extra_info["mb_per_s"] = mb / best  # type: ignore[attr-defined]
