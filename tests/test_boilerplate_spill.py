"""Units kept on disk between counting and finding give what segmenting the texts again gives.

The reference is :meth:`BoilerplateModel.find_removals` on the texts (segmented afresh); the
spill path counts with :func:`count_batch_units`, saves, loads and decides with
:meth:`BoilerplateModel.find_removals_of`. The pipeline must write the same output with and
without the spill, and leave no file behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe._pipeline_boilerplate as pipeline_boilerplate
from dedupe import deduplicate
from dedupe.boilerplate import BoilerplateModel, long_docs, spill
from dedupe.boilerplate.model import count_batch, count_batch_units
from dedupe.config import BoilerplateConfig
from test_boilerplate_long import _TEXTS, _spans

_CONFIGS = [BoilerplateConfig(), BoilerplateConfig(unwrap=False, min_doc_fraction=0.0, stoplist_min_groups=1,
                                                   trim_words=4)]  # fmt: skip


def _round_trip(tmp: Path, docs: list[str], groups: list[str] | None, cfg: BoilerplateConfig) -> None:
    """Count ``docs`` in two halves (units kept on disk), then find: the same as finding afresh."""
    half = len(docs) // 2
    parts = [(docs[:half], None if groups is None else groups[:half]), (docs[half:], None if groups is None
                                                                          else groups[half:])]  # fmt: skip
    fresh, kept = BoilerplateModel(cfg), BoilerplateModel(cfg)
    for k, (texts, part_groups) in enumerate(parts):
        fresh.add_counts(count_batch(texts, groups=part_groups, config=cfg))
        counts, units = count_batch_units(texts, groups=part_groups, config=cfg)
        kept.add_counts(counts)
        assert spill.save_units(tmp / f"{k}.npz", units)
    for k, (texts, part_groups) in enumerate(parts):
        want_spans, want = fresh.find_removals(texts, groups=part_groups)
        units = spill.load_units(tmp / f"{k}.npz", list(texts))
        assert units is not None and not (tmp / f"{k}.npz").exists()
        assert units.ckeys is units.keys
        # Positions and counts come back as int32 (half the memory while finding), hashes as uint64.
        for name in ("rows", "last_rows", "doc", "words", "doc_labels"):
            assert getattr(units, name).dtype == np.int32
        for name in ("starts", "next_starts", "paragraphs"):
            assert getattr(units.table, name).dtype == np.int32
        for name in ("keys", "xkeys", "doc_groups"):
            assert getattr(units, name).dtype == np.uint64
        have_spans, have = kept.find_removals_of(units)
        assert _spans(have_spans) == _spans(want_spans)
        for x, y in zip(want, have, strict=True):
            np.testing.assert_array_equal(x, y)
            assert x.dtype == y.dtype


@pytest.mark.parametrize("cfg", _CONFIGS, ids=["default", "loose"])
@settings(max_examples=80)
@given(docs=st.lists(_TEXTS, min_size=2, max_size=8), grouped=st.booleans())
def test_units_kept_on_disk_find_what_segmenting_again_finds(
    tmp_path_factory: pytest.TempPathFactory, cfg: BoilerplateConfig, docs: list[str], grouped: bool
) -> None:
    groups = [f"g{i % 2}" for i in range(len(docs))] if grouped else None
    _round_trip(tmp_path_factory.mktemp("units"), docs, groups, cfg)


def test_units_of_long_documents_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bounded path's reduced tables (long texts, a window at a time) survive the disk too."""
    monkeypatch.setattr(long_docs, "LONG_CHARS", 40)
    monkeypatch.setattr(long_docs, "WINDOW_CHARS", 7)
    page = "Home\nAbout us\nA story told once, of more than eight words in all.\n\nSubscribe now\n"
    docs = [page * 3, "Home\nAbout us\nAnother story, told once here.\n", page, "x" * 100 + "\nHome\n"]
    _round_trip(tmp_path, docs, ["a", "a", "b", "a"], BoilerplateConfig())


def test_a_missing_or_mismatched_file_is_no_units(tmp_path: Path) -> None:
    cfg = BoilerplateConfig()
    _, units = count_batch_units(["Home\nA story.\n", "Home\nAnother.\n"], groups=None, config=cfg)
    assert spill.load_units(tmp_path / "none.npz", ["a"]) is None
    assert spill.save_units(tmp_path / "u.npz", units)
    assert spill.load_units(tmp_path / "u.npz", ["only one text"]) is None


def test_no_units_are_written_where_the_disk_is_nearly_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, units = count_batch_units(["Home\nA story.\n"], groups=None, config=BoilerplateConfig())
    monkeypatch.setattr(spill, "MIN_FREE_BYTES", 1 << 62)
    assert not spill.save_units(tmp_path / "u.npz", units)
    assert list(tmp_path.iterdir()) == []


def test_units_with_normalized_lines_are_refused(tmp_path: Path) -> None:
    cfg = BoilerplateConfig(near_threshold=0.7)
    units = BoilerplateModel(cfg)._units(["Home\nA story.\n"], None, None, learn=False)
    with pytest.raises(ValueError, match="exact path"):
        spill.save_units(tmp_path / "u.npz", units)
    with pytest.raises(Exception, match="exact path"):
        count_batch_units(["Home"], groups=None, config=cfg)


def _corpus(path: Path) -> None:
    footer = "Leave a Reply\nScroll to Top\nArticles You May Like"
    rows = []
    for i in range(240):
        site = f"s{i % 3}.com"
        body = f"Story {i} about the river and the {i % 17} bridges, told in a sentence of its own."
        text = f"Menu of {site}\nHome | News\n\n{body}\n{body.upper() if i % 5 == 0 else ''}\n\n{footer}\n"
        rows.append({"id": str(i), "site": site, "text": text})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _clean(src: Path, out: Path, workers: int) -> tuple[bytes, dict[str, Any]]:
    result = deduplicate(src, id_field="id", group_field="site", workers=workers, batch_size=32)
    result.write(out)
    return out.read_bytes(), result.counts()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pipeline_writes_the_same_with_and_without_kept_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    src = tmp_path / "in.jsonl"
    _corpus(src)
    spills = tmp_path / "tmp"
    spills.mkdir()
    monkeypatch.setattr(pipeline_boilerplate.tempfile, "tempdir", str(spills))
    saved: list[bool] = []
    real_save = spill.save_units

    def counting_save(path: Path, units: Any) -> bool:
        saved.append(real_save(path, units))
        return saved[-1]

    monkeypatch.setattr(pipeline_boilerplate, "save_units", counting_save)
    with_units = _clean(src, tmp_path / "a.jsonl", workers)
    if workers == 1:  # counted in this process: every batch was kept on disk
        assert saved and all(saved)
    assert list(spills.iterdir()) == []  # the folder and every file are gone
    monkeypatch.setattr(spill, "MIN_FREE_BYTES", 1 << 62)  # nothing can be kept: every batch segmented again
    again = _clean(src, tmp_path / "b.jsonl", workers)
    assert with_units == again
    assert with_units[1]["kept"] > 0 and b"Scroll to Top" not in with_units[0]
