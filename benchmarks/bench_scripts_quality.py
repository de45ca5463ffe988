"""Floor check of ``scripts_quality.py`` at a small size (seconds): issue 16's targets in seven scripts."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe._reference import reference_shingles
from dedupe.config import ShingleConfig
from dedupe.shingles import shingle_texts
from scripts_quality import FLOORS, LANGUAGES, build, evaluate, missed_floors, word_list


def test_word_lists_are_in_their_scripts() -> None:
    lists = {language: word_list(language) for language in LANGUAGES}
    assert all(len(words) >= 200 for words in lists.values()), {k: len(v) for k, v in lists.items()}
    assert all(w[0] >= "\u3040" for w in lists["ja"])
    assert all("\u0e00" <= w[0] <= "\u0e7f" for w in lists["th"])
    assert all("\uac00" <= ch <= "\ud7a3" for w in lists["ko"] for ch in w)


def test_truth_shingles_match_the_reference() -> None:
    """The truth uses the library's shingles: check them against the plain-Python twin on a sample."""
    texts, langs, _ = build(2, seed=3)
    config = ShingleConfig()
    batch = shingle_texts(texts, config)
    for i in range(0, len(texts), 3):
        assert batch.document(i).tolist() == reference_shingles(texts[i], config), langs[i]


def test_floors_in_every_script() -> None:
    scores, _ = evaluate(families=40, seed=2)
    assert [s.language for s in scores] == list(LANGUAGES)
    assert all(s.true_pairs >= 20 and s.true_pairs_090 >= 2 for s in scores), scores
    assert missed_floors(scores) == []
    assert all(s.recall_090 >= FLOORS["recall_090"] and s.f1 >= FLOORS["f1"] for s in scores)
    by_language = {s.language: s for s in scores}
    assert by_language["zh"].unspaced_share == 1.0 and by_language["en"].unspaced_share == 0.0


def test_a_missed_floor_is_reported() -> None:
    scores, _ = evaluate(families=8, seed=4)
    scores[0].f1 = 0.96
    assert missed_floors(scores) == [
        f"{scores[0].language}: F1 0.9600 < 0.97",
        f"{scores[0].language}: f1 {scores[-1].f1 - 0.96:.4f} below English (> 0.01)",
    ]
