"""A batch cut into parts of bounded lines counts and finds what the whole batch does.

The reference is the batch in one piece: :class:`BoilerplateModel` fitted on all the texts and
:meth:`~BoilerplateModel.find_removals` on all of them. The parts path (:func:`count_batch`,
:func:`count_batch_parts` and :func:`find_batch` with a tiny ``PART_LINES``) must give the same
counts, spans and ranges, and the pipeline the same output bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import deduplicate
from dedupe.boilerplate import BoilerplateModel, parts
from dedupe.boilerplate.counts import BatchCounts
from dedupe.boilerplate.found import find_batch
from dedupe.boilerplate.model import count_batch, count_batch_parts
from dedupe.config import BoilerplateConfig
from dedupe.io import Record
from test_boilerplate_long import _TEXTS, _spans
from test_boilerplate_spill import _corpus


def _lines(text: str) -> int:
    """Lines as the segmenter splits them (\\r\\n, \\r and \\n end a line), at least one."""
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


@settings(max_examples=300)
@given(texts=st.lists(st.text(alphabet="ab \r\n", max_size=12), max_size=12), budget=st.integers(1, 30))
def test_parts_cover_the_texts_in_order_within_the_budget(texts: list[str], budget: int) -> None:
    cut = parts.line_parts(texts, budget)
    bounds = [0, *(hi for _, hi in cut)] if cut else [0]
    assert [lo for lo, _ in cut] == bounds[:-1] and bounds[-1] == len(texts)
    for k, (lo, hi) in enumerate(cut):
        assert hi > lo
        assert hi - lo == 1 or sum(_lines(t) for t in texts[lo:hi]) <= budget
        if k + 1 < len(cut):  # cut only where the next text might not fit (its \\r\\n counted twice)
            bound = sum(t.count("\n") + t.count("\r") + 1 for t in texts[lo : hi + 1])
            assert bound > budget


def _same_counts(a: BatchCounts, b: BatchCounts) -> None:
    for name in ("site_keys", "site_counts", "group_keys", "group_counts", "short_site", "short_line"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.n_docs == b.n_docs


_CONFIG = BoilerplateConfig(stoplist_min_groups=1, min_doc_fraction=0.0)


@settings(max_examples=80)
@given(docs=st.lists(_TEXTS, min_size=1, max_size=8), grouped=st.booleans(), budget=st.integers(1, 40))
def test_a_batch_in_parts_counts_and_finds_what_the_whole_batch_does(
    docs: list[str], grouped: bool, budget: int
) -> None:
    groups = [f"g{i % 2}" for i in range(len(docs))] if grouped else None
    whole = count_batch(docs, groups=groups, config=_CONFIG)  # one part: the default budget
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parts, "PART_LINES", budget)
        _same_counts(whole, count_batch(docs, groups=groups, config=_CONFIG))
        cut = parts.line_parts(docs)
        pieces = list(count_batch_parts(docs, groups=groups, config=_CONFIG))
        assert [(lo, hi) for lo, hi, _, _ in pieces] == cut
        _same_counts(whole, BatchCounts.merge([c for _, _, c, _ in pieces]))
        model = BoilerplateModel.fit(docs, groups=groups, config=_CONFIG)
        want_spans, want = model.find_removals(docs, groups=groups)
        records = [Record(str(i), text, {}) for i, text in enumerate(docs)]
        units = {lo: u for lo, _, _, u in pieces}
        for units_of, given in ((None, None), (None, cut), (lambda lo, hi: units[lo], cut)):
            found = find_batch(model, records, groups, None, units_of, given)
            assert _spans(found.spans) == _spans(want_spans)
            for x, y in zip(want, (found.doc, found.start, found.end), strict=True):
                np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_pipeline_writes_the_same_whatever_the_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    src = tmp_path / "in.jsonl"
    _corpus(src)

    def clean(out: Path) -> tuple[bytes, dict[str, int]]:
        result = deduplicate(src, id_field="id", group_field="site", workers=workers, batch_size=40)
        result.write(out)
        return out.read_bytes(), result.counts()

    whole = clean(tmp_path / "whole.jsonl")
    monkeypatch.setattr(parts, "PART_LINES", 20)  # a few records a part; forked workers see it too
    assert clean(tmp_path / "parts.jsonl") == whole
    assert whole[1]["kept"] > 0 and b"Scroll to Top" not in whole[0]


_BATCH_CHILD = """
import dataclasses, json, resource, sys, tempfile
from pathlib import Path
import numpy as np
import dedupe
from dedupe._pipeline_boilerplate import _Stage, _count, _find
from dedupe._position_batches import Item
from dedupe.boilerplate import parts
from dedupe.io import Record
parts.PART_LINES = int(sys.argv[1])
texts = [f"Record {i} of the batch.\\n" + "A.\\n" * 13_000 for i in range(200)]  # 7.8 MB of 3-byte units
with open("/proc/self/statm") as f:
    before = int(f.read().split()[1]) * resource.getpagesize()
cfg = dedupe.BoilerplateConfig()
item = Item(np.arange(len(texts)), [Record(str(i), t, {}) for i, t in enumerate(texts)])
with tempfile.TemporaryDirectory() as tmp:  # the pipeline's own count and find of one batch
    stage = _Stage(None, None, cfg, spill=Path(tmp))
    counts, cut = _count(stage, item)
    found = _find(dataclasses.replace(stage, model=dedupe.BoilerplateModel(cfg).add_counts(counts)), (item, cut))
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) * 1024
removed = len(set(found.range_pos.tolist()))
print(json.dumps({"size": sum(map(len, texts)), "before": before, "peak": peak, "removed": removed, "parts": len(cut)}))
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_batch_of_tiny_units_is_held_a_part_at_a_time() -> None:
    """One worker's boilerplate passes over a batch of 200 records of 3-byte units (7.8 MB): with
    parts of 64 K lines the peak RSS grows by under 10 batch sizes (in one part: about 70).
    A fresh interpreter, so the peak is this run's alone."""
    out = subprocess.run([sys.executable, "-c", _BATCH_CHILD, str(1 << 16)], check=True, capture_output=True, text=True)
    got = json.loads(out.stdout)
    growth = (got["peak"] - got["before"]) / got["size"]
    assert got["removed"] == 200  # every record has its repeated line removed
    assert got["parts"] == 40  # 13,002 lines counted a record: 5 records a part
    assert growth < 10, f"peak RSS grew by {growth:.1f} batch sizes (limit 10)"
