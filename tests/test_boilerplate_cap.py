"""A text with more units than ``MAX_UNITS`` is not searched for boilerplate: kept whole, and said so.

Only texts over ``LONG_CHARS`` are segmented a window at a time, and only those can hold that many
units (a shorter one holds at most half its characters), so the tests shrink both limits.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from dedupe import deduplicate
from dedupe.boilerplate import BoilerplateModel, long_docs
from dedupe.boilerplate.model import count_batch
from dedupe.config import BoilerplateConfig

_UNIT = "Subscribe now.\n"  # 15 characters, one unit each
_BODY = "A story of more than eight words, told once in this page.\n"


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(long_docs, "LONG_CHARS", 100)
    monkeypatch.setattr(long_docs, "WINDOW_CHARS", 40)
    monkeypatch.setattr(long_docs, "MAX_UNITS", 10)
    return monkeypatch


@pytest.mark.parametrize(("units", "searched"), [(9, True), (10, True), (11, False), (40, False)])
def test_a_text_is_searched_up_to_max_units(small_limits: pytest.MonkeyPatch, units: int, searched: bool) -> None:
    text = _BODY + _UNIT * (units - 1)  # the body is a unit too
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BoilerplateModel.fit([text])
        spans = model.find([text])[0]
        stripped = model.strip([text])
    assert bool(spans) == searched  # the repeated line is found where the text is searched
    assert stripped == [text] if not searched else stripped[0].count(_UNIT) == 0
    messages = [str(w.message) for w in caught]
    assert len(messages) == (0 if searched else 3)  # fit, find, strip
    assert all(m.startswith("text(s) 0 hold over 10 units") and "kept whole" in m for m in messages)


def test_a_skipped_text_adds_no_counts(small_limits: pytest.MonkeyPatch) -> None:
    """Counting leaves the text out (its units are not known); the others count as without it."""
    cfg = BoilerplateConfig(min_doc_fraction=0.0)
    pages = [f"Home\nAbout us\nStory {i} of more than eight words, told once here.\n" for i in range(3)]
    huge = "Home\nAbout us\n" + _UNIT * 40
    with_huge = count_batch([pages[0], huge, pages[1], pages[2]], config=cfg)
    without = count_batch(pages, config=cfg)
    assert with_huge.site_keys.tolist() == without.site_keys.tolist()
    assert with_huge.site_counts.tolist() == without.site_counts.tolist()
    assert with_huge.n_docs == 4


def test_the_pipeline_keeps_a_skipped_record_whole_and_reports_it(
    tmp_path: Path, small_limits: pytest.MonkeyPatch
) -> None:
    footer = "Leave a Reply\nScroll to Top\n"
    rows = [{"id": f"p{i}", "text": f"Story {i}, of more than eight words, told once in its page.\n{footer}"}
            for i in range(4)]  # fmt: skip
    rows.append({"id": "huge", "text": f"The only long record here, with its own words.\n{_UNIT * 40}{footer}"})
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    for workers in (1, 2):
        result = deduplicate(src, id_field="id", workers=workers)
        out = tmp_path / f"out{workers}.jsonl"
        result.write(out)
        written = {r["id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
        assert written["huge"] == rows[-1]["text"]  # byte for byte: nothing searched, nothing removed
        assert "Scroll to Top" not in written["p0"]  # the others are cleaned as usual
        assert result.boilerplate_skipped == ["huge"]
        assert result.report()["boilerplate_skipped"] == {"records": 1, "ids": ["huge"]}
        assert "1 records with over 10 units kept whole" in result.summary()
        assert result.counts()["kept"] == 5
