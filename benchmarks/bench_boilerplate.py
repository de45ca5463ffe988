"""Stage benchmark: boilerplate detection (segmentation, counting, rules, spans), exact and near-exact.

The corpus is the labelled synthetic web corpus of ``boilerplate_quality.py`` (sites with header,
navigation, promo and footer blocks around article bodies made from the seeds), scaled up, with
a fixed seed. Every benchmark checks what it produced against the labels, so it measures what it
names. ``extra_info`` holds ``mb_per_s`` (UTF-8 megabytes of text per second of the fastest round,
one core) and ``peak_mb`` (peak of Python/numpy allocations in one extra run, from tracemalloc).

Run: ``pytest benchmarks/bench_boilerplate.py --benchmark-only`` (``-k exact`` for the exact path);
on a shared machine add ``--benchmark-timer=time.process_time`` to time CPU, not wall clock.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from boilerplate_quality import build_synthetic, flagged_lines
from conftest import record_throughput
from dedupe.blocks import split_lines
from dedupe.boilerplate import BoilerplateModel, BoilerplateSpan, find_boilerplate, strip_boilerplate

SIZES = {"small": 40, "medium": 160}  # sites; about 0.9 and 3.6 MB of text
PATHS = {"exact": {}, "near": {"near_threshold": 0.7}}


@pytest.fixture(scope="module", params=list(SIZES))
def web(request: pytest.FixtureRequest) -> dict[str, Any]:
    pages, golds, groups, labels, _ = build_synthetic(seed=11, n_sites=SIZES[request.param], n_syndicated=20)
    return {
        "texts": ["\n".join(lines) for lines in pages],
        "pages": pages,
        "golds": golds,
        "groups": groups,
        "labels": labels,
    }


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def line_scores(web: dict[str, Any], spans: list[list[BoilerplateSpan]]) -> tuple[float, float]:
    tp = fp = fn = 0
    for lines, gold, page_spans in zip(web["pages"], web["golds"], spans, strict=True):
        for line, g, p in zip(lines, gold, flagged_lines(lines, page_spans), strict=True):
            if line.strip():
                tp += p and g
                fp += p and not g
                fn += g and not p
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def test_split_lines(benchmark, web: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "boilerplate"
    table = benchmark(split_lines, web["texts"], trim_words=3)
    assert len(table) == sum(len(lines) for lines in web["pages"])
    record_throughput(benchmark, web["texts"])


@pytest.mark.parametrize("path", list(PATHS))
def test_fit(benchmark, web: dict[str, Any], path: str) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "boilerplate"
    options = PATHS[path]

    def fit() -> BoilerplateModel:
        return BoilerplateModel.fit(web["texts"], groups=web["groups"], labels=web["labels"], **options)

    model = benchmark(fit)
    assert model.n_docs == len(web["texts"]) and model.n_blocks > 0
    record_throughput(benchmark, web["texts"])
    benchmark.extra_info["peak_mb"] = peak_mb(fit)
    benchmark.extra_info["model_mb"] = model.nbytes / 1e6


@pytest.mark.parametrize("path", list(PATHS))
def test_model_find(benchmark, web: dict[str, Any], path: str) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "boilerplate"
    options = PATHS[path]
    model = BoilerplateModel.fit(web["texts"], groups=web["groups"], labels=web["labels"], **options)
    spans = benchmark(model.find, web["texts"], groups=web["groups"])
    precision, recall = line_scores(web, spans)
    assert precision > 0.99 and recall > (0.98 if path == "near" else 0.9)
    record_throughput(benchmark, web["texts"])
    benchmark.extra_info["peak_mb"] = peak_mb(lambda: model.find(web["texts"], groups=web["groups"]))


@pytest.mark.parametrize("path", list(PATHS))
def test_find_boilerplate(benchmark, web: dict[str, Any], path: str) -> None:  # type: ignore[no-untyped-def]
    """Fit and apply in one call (the texts are segmented once)."""
    benchmark.group = "boilerplate"
    options = PATHS[path]

    def run() -> list[list[BoilerplateSpan]]:
        return find_boilerplate(web["texts"], groups=web["groups"], labels=web["labels"], **options)

    spans = benchmark(run)
    precision, recall = line_scores(web, spans)
    assert precision > 0.99 and recall > (0.98 if path == "near" else 0.9)
    record_throughput(benchmark, web["texts"])
    benchmark.extra_info["peak_mb"] = peak_mb(run)


def test_strip_boilerplate(benchmark, web: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "boilerplate"

    def run() -> list[str]:
        return strip_boilerplate(web["texts"], groups=web["groups"], labels=web["labels"])

    out = benchmark(run)
    assert len(out) == len(web["texts"])
    assert sum(map(len, out)) < sum(map(len, web["texts"]))
    assert not any("Skip to main content" in text for text in out)
    record_throughput(benchmark, web["texts"])
