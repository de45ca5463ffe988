"""Long documents segmented a window at a time give the units, counts, rules and spans of the batch path.

The reference is :func:`dedupe.boilerplate.units.prepare`, which holds the per-line arrays of the
whole batch; :func:`dedupe.boilerplate.long_docs.prepare_bounded` is what the model uses. Windows
are made tiny here (a few characters) so that units, blank runs and wrapped paragraphs cross many
window edges.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import dedupe.blocks as blocks
from dedupe.boilerplate import BoilerplateModel, find_boilerplate, long_docs, strip_boilerplate
from dedupe.boilerplate.model import _batch_counts, count_batch
from dedupe.boilerplate.near import Representatives, canonicalize
from dedupe.boilerplate.rules import decide
from dedupe.boilerplate.spans import removals, spans
from dedupe.boilerplate.units import Units, prepare
from dedupe.config import BoilerplateConfig
from strategies import texts

_LINES = [
    "Home", "About us", "Subscribe now", "Log in | Sign up", "Share this page", "© 2024 Example Media",
    "Posted 3 hours ago", "Page 2 of 19", "12", "3,660,273", "Net 2,853,000 vs 1,579,000",
    "The council met on Tuesday to discuss the budget for the coming year.",
    "A story of more than eight words, told only once in this page.",
    "  indented code line();", "News: Ünïcode café ﬁle straße", "Read more.", "said the mayor.\u201d",
    "", "", " ", "\t", "\u00a0", "\x01", "\u200b",
]  # fmt: skip
_WRAP = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "and",
    "then",
    "it",
    "runs",
    "off",
    "to",
    "the",
    "woods",
]


@st.composite
def pages(draw: st.DrawFn) -> str:
    """A page of lines: furniture, repeated blocks, data rows, blank and control lines, or wrapped prose."""
    if draw(st.integers(0, 3)) == 0:  # hard-wrapped prose: lines of similar width breaking inside sentences
        n = draw(st.integers(2, 40))
        lines = [" ".join(draw(st.lists(st.sampled_from(_WRAP), min_size=5, max_size=11))) for _ in range(n)]
        lines = [line + draw(st.sampled_from(["", "", ".", ","])) for line in lines]
        if draw(st.booleans()):
            lines.insert(draw(st.integers(0, n)), "")
    else:
        block = draw(st.lists(st.sampled_from(_LINES), min_size=1, max_size=8))
        lines = []
        for _ in range(draw(st.integers(1, 8))):
            lines += block if draw(st.booleans()) else draw(st.lists(st.sampled_from(_LINES), max_size=10))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(lines) + draw(st.sampled_from(["", sep, sep * 3]))


_TEXTS = st.one_of(pages(), pages(), texts())


def _same_units(a: Units, b: Units) -> None:
    for name in ("keys", "xkeys", "data", "sentence", "words", "doc"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    for name in ("starts", "next_starts", "paragraphs"):
        for rows in ("rows", "last_rows"):
            got = getattr(b.table, name)[getattr(b, rows)]
            np.testing.assert_array_equal(getattr(a.table, name)[getattr(a, rows)], got, err_msg=f"{name}[{rows}]")
    assert b.ckeys is b.keys and b.texts == a.texts


def _spans(found: list[list[Any]]) -> list[list[tuple[Any, ...]]]:
    return [[(s.start, s.end, s.reason, s.count, s.group, s.text) for s in doc] for doc in found]


def _assert_same_results(docs: list[str], groups: list[str] | None, cfg: BoilerplateConfig) -> None:
    """Units, batch counts, decisions, spans and removals of the bounded path are the batch path's."""
    ref = prepare(docs, groups, None, cfg)
    got = long_docs.prepare_bounded(docs, groups, None, cfg)
    _same_units(ref, got)
    if cfg.near_threshold is not None:
        for batch in (ref, got):
            canonicalize(cfg, Representatives(cfg.near_num_perm), batch, learn=True)
        np.testing.assert_array_equal(ref.ckeys, got.ckeys)
    counts = _batch_counts(cfg, ref), _batch_counts(cfg, got)
    for name in ("site_keys", "site_counts", "group_keys", "group_counts", "short_site", "short_line"):
        np.testing.assert_array_equal(getattr(counts[0], name), getattr(counts[1], name), err_msg=name)
    model = BoilerplateModel(cfg).add_counts(counts[0])
    want, have = decide(cfg, model._counts, ref), decide(cfg, model._counts, got)
    for name in ("reason", "count", "key"):
        np.testing.assert_array_equal(getattr(want, name), getattr(have, name), err_msg=name)
    assert _spans(spans(got, have)) == _spans(spans(ref, want))
    for keep in ("none", "first"):
        for x, y in zip(removals(ref, want, keep), removals(got, have, keep), strict=True):
            np.testing.assert_array_equal(x, y)


@pytest.fixture
def tiny_windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Every text over 40 characters is long; windows of 7 characters."""
    monkeypatch.setattr(long_docs, "LONG_CHARS", 40)
    monkeypatch.setattr(long_docs, "WINDOW_CHARS", 7)
    yield monkeypatch


_OPTIONS: list[dict[str, Any]] = [
    {},
    {"near_threshold": 0.6, "near_min_words": 3},
    {"unwrap": False},
    {"min_doc_fraction": 0.0, "stoplist_min_groups": 1, "trim_words": 4},
]


@pytest.mark.parametrize("options", _OPTIONS, ids=["default", "near", "no-unwrap", "loose"])
@settings(max_examples=150)
@given(docs=st.lists(_TEXTS, min_size=1, max_size=6), window=st.sampled_from([1, 5, 30, 400]), grouped=st.booleans())
@example(docs=["a b c d e f\ng h i j k\n" * 6], window=3, grouped=False)
def test_long_documents_give_the_batch_path_results(
    options: dict[str, Any], docs: list[str], window: int, grouped: bool
) -> None:
    cfg = BoilerplateConfig(**options)
    groups = [f"site{i % 2}" for i in range(len(docs))] if grouped else None
    with pytest.MonkeyPatch.context() as m:
        m.setattr(long_docs, "LONG_CHARS", 30)
        m.setattr(long_docs, "WINDOW_CHARS", window)
        _assert_same_results(docs, groups, cfg)


@pytest.mark.parametrize("chunk", [16, 1 << 20])
@settings(max_examples=40)  # each example runs the long path on up to ~100 KB of text
@given(docs=st.lists(_TEXTS, min_size=1, max_size=4), repeat=st.integers(1, 12))
def test_long_documents_of_many_lines_and_huge_lines(chunk: int, docs: list[str], repeat: int) -> None:
    """Pages repeated into long texts; with a chunk of 16 characters, lines over it are hashed alone."""
    long_text = "\n".join(docs) * repeat
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blocks, "CHUNK_CHARS", chunk)
        m.setattr(long_docs, "LONG_CHARS", 100)
        m.setattr(long_docs, "WINDOW_CHARS", 50)
        _assert_same_results([docs[0], long_text, *docs[1:]], None, BoilerplateConfig())


def test_a_wrapped_paragraph_over_many_windows_is_one_unit(tiny_windows: pytest.MonkeyPatch) -> None:
    """The benchmark's record in small: short lowercase lines that join into one hard-wrapped unit."""
    block = "".join(f"ab {i:02d}\n" for i in range(97))
    record = block * 30
    cfg = BoilerplateConfig()
    ref, got = prepare([record], None, None, cfg), long_docs.prepare_bounded([record], None, None, cfg)
    assert len(got.rows) == len(ref.rows) == 1
    _same_units(ref, got)
    # Kept rows: the unit's first and last line and the empty line after the last terminator.
    assert len(got.table) == 3 and len(ref.table) == 97 * 30 + 1


def test_the_model_api_on_a_corpus_with_long_documents(tiny_windows: pytest.MonkeyPatch) -> None:
    """fit, find, find_removals, strip and count_batch with long texts equal the batch path's."""
    short = ["Home\nAbout us\nFirst story, told once.\n", "Home\nAbout us\nSecond story, told once.\n"]
    menu = "Home\nAbout us\nContact\n\n"
    long_pages = [menu + f"Story {i}: a long article body line that appears once.\n\n" * 3 for i in range(4)]
    corpus = short + long_pages + ["Home\n" * 20]
    groups = ["a", "a", "b", "b", "a", "b", "a"]
    results = []
    for long_chars in (40, 1 << 40):  # windowed, then the batch path for every text
        tiny_windows.setattr(long_docs, "LONG_CHARS", long_chars)
        model = BoilerplateModel.fit(corpus, groups=groups)
        found, ranges = model.find_removals(corpus, groups=groups)
        counts = count_batch(corpus, groups=groups)
        results.append(
            (
                _spans(model.find(corpus, groups=groups)),
                _spans(found),
                [r.tolist() for r in ranges],
                model.strip(corpus, groups=groups, keep="first"),
                _spans(find_boilerplate(corpus, groups=groups, near_threshold=0.6)),
                strip_boilerplate(corpus, groups=groups),
                counts.site_keys.tolist(),
                counts.site_counts.tolist(),
            )
        )
    assert results[0] == results[1]
    assert sum(len(doc) for doc in results[0][0]) > 0


_MEMORY_CHILD = """
import json, resource, sys
import dedupe
block = "".join(f"ab {i:02d}\\n" for i in range(97))
record = block * int(float(sys.argv[1]) * 1e6 / len(block))
with open("/proc/self/statm") as f:
    before = int(f.read().split()[1]) * resource.getpagesize()
result = dedupe.deduplicate([{"id": "huge", "text": record}], max_chars=10**9)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so it would hold pytest's own peak.
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) * 1024
print(json.dumps({"size": len(record), "before": before, "peak": peak, "status": str(result.status[0])}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_record_of_a_million_short_lines_cleans_within_ten_record_sizes() -> None:
    """dedupe clean (boilerplate on) of one 8 MB record of 1.3 M short lines: peak RSS growth under 10x.

    The batch path held ~40x (per-line arrays of the whole record); windows hold one window's.
    A fresh interpreter, so the peak is this run's alone.
    """
    out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, "8"], check=True, capture_output=True, text=True)
    got = json.loads(out.stdout)
    growth = (got["peak"] - got["before"]) / got["size"]
    assert got["status"] == "kept"
    assert growth < 10, f"peak RSS grew by {growth:.1f} record sizes (limit 10)"
