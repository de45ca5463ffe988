"""Floor check of ``containment_quality.py`` at a small size (seconds): issue 16's containment targets."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from containment_quality import DATA, FLOORS, build, evaluate, exact_containment_pairs, missed_floors
from dedupe._reference import exact_containment, reference_shingles
from dedupe.config import ShingleConfig

if not (DATA / "reuters-dev.jsonl.gz").exists():  # pragma: no cover - CI and developers have ../shared
    pytest.skip(f"dev data not found in {DATA}", allow_module_level=True)


def test_truth_matches_the_reference() -> None:
    """The sparse-product truth equals plain-Python set containment on the planted pairs."""
    corpus = build(15, seed=3)
    pairs, values = exact_containment_pairs(corpus.texts, 0.0)
    truth = {(int(a), int(b)): float(v) for (a, b), v in zip(pairs.tolist(), values.tolist(), strict=True)}
    config = ShingleConfig()
    for a, b in corpus.planted:
        i, j = min(a, b), max(a, b)
        expected = exact_containment(
            reference_shingles(corpus.texts[i], config), reference_shingles(corpus.texts[j], config)
        )
        assert truth.get((i, j), 0.0) == pytest.approx(expected)
        ratio = len(corpus.texts[b]) / len(corpus.texts[a])
        assert 1.9 <= ratio <= 5.5, ratio  # pages 2-5x the story (a line may overshoot a little)


def test_floors() -> None:
    scores = evaluate(n_stories=150, seed=2)
    assert scores["true_pairs_090"] >= 50
    assert missed_floors(scores) == []
    assert scores["precision"] >= FLOORS["precision"] and scores["recall_090"] >= FLOORS["recall_090"]
    assert scores["story_removed_page_kept"] >= 0.95
    assert scores["jaccard_recall_090"] < 0.5  # the reason containment exists


def test_a_missed_floor_is_reported() -> None:
    assert missed_floors({"recall_090": 0.9, "precision": np.float64(1.0)}) == ["recall_090 0.9000 < 0.95"]
