"""A text with more units than its size allows (``unit_budget``) is not searched for boilerplate:
kept whole, and said so.

The budget is ``MIN_UNITS`` units, or one per ``CHARS_PER_UNIT`` characters past that, at most
``MAX_UNITS``. Only texts segmented a window at a time (over ``LONG_CHARS`` characters, or of more
than ``MIN_UNITS`` short lines) can pass it, so the tests shrink the limits.
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
    assert all(m.startswith("text(s) 0 hold too many units for their size") and "kept whole" in m for m in messages)


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
        assert "1 records with too many units for their size kept whole" in result.summary()
        assert result.counts()["kept"] == 5


@pytest.fixture
def small_floor(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A floor of 10 units, no ceiling, and no text long enough to be windowed by its length alone."""
    monkeypatch.setattr(long_docs, "LONG_CHARS", 1 << 40)
    monkeypatch.setattr(long_docs, "WINDOW_CHARS", 40)
    monkeypatch.setattr(long_docs, "MIN_UNITS", 10)
    monkeypatch.setattr(long_docs, "MAX_UNITS", 1 << 40)
    return monkeypatch


_SHORT = "Subscribe now, {:02d}.\n"  # 19 characters a unit: under 21, so the budget is the floor
_LONG = "Subscribe to the weekly letter, {:02d}.\n"  # 35 characters a unit: over 21


@pytest.mark.parametrize("line", [_SHORT, _LONG])
@pytest.mark.parametrize("units", [8, 10, 11, 30, 60, 61, 62, 90])
def test_the_budget_is_the_floor_or_one_unit_per_21_characters(
    small_floor: pytest.MonkeyPatch, line: str, units: int
) -> None:
    """A text is searched while it holds at most 10 units, or at most one per 21 characters."""
    text = "".join(line.format(i) for i in range(units - 1)) + _BODY
    searched = units <= max(10, len(text) // 21)  # the budget, written out
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = BoilerplateModel.fit([text, _BODY])
        spans = model.find([text])[0]
    assert bool(spans) == searched  # the body, repeated in the other text, is found where it is searched
    assert len(caught) == (0 if searched else 2)  # fit, find


def test_the_budget_in_numbers() -> None:
    """The shipped limits: 65,536 units whatever the size, one per 21 characters past that, at most 1,048,576."""
    assert [long_docs.unit_budget(n) for n in (0, 1_376_256, 1_376_277, 22_020_096, 10**9)] == [
        65_536, 65_536, 65_537, 1_048_576, 1_048_576,
    ]  # fmt: skip


def test_many_short_lines_are_windowed_under_long_chars(small_floor: pytest.MonkeyPatch) -> None:
    """A text of more than MIN_UNITS lines of under 28 characters on average is segmented a window
    at a time (and skipped there, past its budget); one of longer lines takes the batch path."""
    calls: list[int] = []
    real = long_docs.long_units
    small_floor.setattr(long_docs, "long_units", lambda text, *a: calls.append(len(text)) or real(text, *a))
    short = "".join(_SHORT.format(i) for i in range(40))  # 40 lines of 19 characters
    wide = "".join(_LONG.format(i) for i in range(40))  # 40 lines of 35 characters
    units = long_docs.prepare_bounded([wide, short, "Home\n" * 9], None, None, BoilerplateConfig())
    assert calls == [len(short)]
    assert units.skipped.tolist() == [False, True, False]
    assert units.doc.tolist().count(0) == 40  # the wide text's units, by the batch path
