"""Pipeline benchmark: ``deduplicate()`` end to end on generated JSONL, then ``write()``.

The corpus (``dedupe.bench.corpus.write_synthetic_jsonl``, from ``seeds/`` with a fixed seed) has per-site
boilerplate and planted exact and near duplicates (1 % of body words edited), so the assertions
check that the pipeline finds what was planted and accounts for every record.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe.bench.corpus import write_synthetic_jsonl
from dedupe.pipeline import CorpusResult, deduplicate

SIZES = [500, 2000]


@pytest.fixture(scope="module", params=SIZES, ids=[f"{n:,}docs" for n in SIZES])
def jsonl(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A generated JSONL corpus and its planted duplicate counts."""
    path = tmp_path_factory.mktemp("pipeline") / f"corpus-{request.param}.jsonl"
    planted = write_synthetic_jsonl(path, request.param, seed=42, sites=20)
    return path, planted


def _text_mb(path: Path) -> float:
    """MB of text (UTF-8) in the corpus: the basis of ``mb_per_s``."""
    with path.open(encoding="utf-8") as fh:
        return sum(len(json.loads(line)["text"].encode("utf-8")) for line in fh) / 1e6


def _record(benchmark: Any, docs: int, mb: float) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is None or not getattr(stats, "stats", None):
        return  # --benchmark-disable: nothing was timed
    best = stats.stats.min
    benchmark.extra_info["docs_per_s"] = docs / best
    benchmark.extra_info["mb_per_s"] = mb / best


def _check(result: CorpusResult, planted: dict[str, int], docs: int) -> None:
    counts = result.counts()
    assert counts["input"] == docs
    assert counts["kept"] + counts["duplicates"] + counts["rejected"] == docs
    # Whole-text copies are always found. A near copy (1 % of body words edited, published under
    # another site's header and footer) lands near 0.8, so only most of them are. A copy is counted
    # "near" when its cluster keeps a page that it copies only approximately: only totals are checked.
    assert counts["exact"] > 0
    assert counts["duplicates"] >= planted["exact"] + planted["near"] // 2


@pytest.mark.parametrize("boilerplate", [False, True], ids=["dedup", "dedup+boilerplate"])
def test_deduplicate(benchmark: Any, jsonl: tuple[Path, dict[str, int]], boilerplate: bool) -> None:
    benchmark.group = "pipeline"
    path, planted = jsonl

    def run() -> CorpusResult:
        return deduplicate(path, id_field="id", group_field="site", remove_boilerplate=boilerplate)

    result = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    docs = len(result)
    _check(result, planted, docs)
    if boilerplate:
        assert int(result.boilerplate_spans.sum()) > 0  # every page carries its site's header and footer
    _record(benchmark, docs, _text_mb(path))


def test_deduplicate_and_write(benchmark: Any, jsonl: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    benchmark.group = "pipeline"
    path, planted = jsonl
    out = tmp_path / "kept.jsonl"

    def run() -> tuple[CorpusResult, int]:
        result = deduplicate(path, id_field="id", group_field="site", remove_boilerplate=False)
        return result, result.write(out)

    result, written = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    _check(result, planted, len(result))
    assert written == result.counts()["kept"]
    assert sum(1 for _ in out.open(encoding="utf-8")) == written
    _record(benchmark, len(result), _text_mb(path))
