"""The boilerplate quality floors, checked on every test run (a regression fails CI).

Runs the quality benchmarks on the development data beside the checkout (``../shared/data``) and
asserts the floors they name: newswire kept (``boilerplate_content.py`` a), generated sites on real
news text (b), and the labelled real pages (``boilerplate_quality.py``, precision 0.94, F1 0.91).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import boilerplate_content as content
import boilerplate_quality as quality

DATA = content.DEFAULT_DATA
pytestmark = pytest.mark.skipif(not (DATA / "reuters-dev.jsonl.gz").exists(), reason=f"no dev data at {DATA}")


def test_reuters_stories_keep_their_text() -> None:
    results = content.run_reuters(content.load_reuters(DATA))
    assert content.check(results) == []


def test_sites_on_real_news_text() -> None:
    results = content.run_sites(content.load_reuters(DATA))
    assert content.check(results) == []


def test_real_pages_precision_and_f1() -> None:
    results = quality.run_real(Path(DATA) / "webpages-dev.jsonl.gz", {})
    assert results is not None
    precision, _, f1, _ = results["corpus"]
    assert precision >= 0.94 and f1 >= 0.91


def test_synthetic_sites_lose_no_syndicated_line() -> None:
    results = quality.run_synthetic({})
    assert results["syndicated_lost"] == 0
    assert results["synthetic"][0] >= 0.995
    near = quality.run_synthetic({"near_threshold": 0.7})
    assert near["synthetic"][2] >= 0.99
