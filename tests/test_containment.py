"""Containment: candidates, exact verification and which document stays, against plain-Python references."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import deduplicate, find_duplicates
from dedupe._reference import exact_containment, exact_jaccard, reference_shingles
from dedupe.cli import main
from dedupe.config import ShingleConfig
from dedupe.containment import (
    MAX_RATIO,
    containment_candidates,
    distinct_counts,
    estimated_containment,
    resolve_containment,
)
from dedupe.errors import ConfigError
from dedupe.minhash import MinHasher
from dedupe.shingles import shingle_texts
from strategies import corpora

CONFIG = ShingleConfig()
_WORDS = [f"w{i}" for i in range(3000)]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _edited(text: str, rate: float, rng: random.Random) -> str:
    words = text.split()
    for j in rng.sample(range(len(words)), round(rate * len(words))):
        words[j] = rng.choice(_WORDS)
    return " ".join(words)


def _page(story: str, ratio: float, rng: random.Random) -> str:
    extra = round(len(story.split()) * (ratio - 1))
    cut = rng.randint(0, extra)
    return f"{_text(rng, cut)}\n{story}\n{_text(rng, extra - cut)}"


def _containment(a: str, b: str) -> float:
    return exact_containment(reference_shingles(a, CONFIG), reference_shingles(b, CONFIG))


@given(corpora())
def test_distinct_counts_match_python_sets(docs: list[str]) -> None:
    batch = shingle_texts(docs, CONFIG)
    assert distinct_counts(batch).tolist() == [len(set(reference_shingles(d, CONFIG))) for d in docs]


def test_estimated_containment_inverts_the_jaccard_identity() -> None:
    """With the exact Jaccard similarity, the estimate is the exact containment."""
    rng = random.Random(1)
    story = _text(rng, 200)
    page = _page(_edited(story, 0.02, rng), 3.0, rng)
    a, b = set(reference_shingles(story, CONFIG)), set(reference_shingles(page, CONFIG))
    est = estimated_containment(np.array([exact_jaccard(a, b)]), np.array([len(a)]), np.array([len(b)]))
    assert est[0] == pytest.approx(_containment(story, page))


def test_stories_inside_pages_are_found_and_the_page_is_kept() -> None:
    rng = random.Random(2)
    stories = [_text(rng, rng.randint(60, 400)) for _ in range(60)]
    ratios = [1.2, 2.0, 3.0, 4.0, 5.0, 6.5, 8.0, 11.0, 14.0]
    pages = [_page(_edited(s, rng.uniform(0.0, 0.01), rng), ratios[k % 9], rng) for k, s in enumerate(stories)]
    texts = stories + pages + [_text(rng, 300) for _ in range(40)]
    truth = [_containment(s, p) for s, p in zip(stories, pages, strict=True)]
    assert min(truth) >= 0.9
    result = find_duplicates(texts, similarity="containment", threshold=0.8)
    n = len(stories)
    assert result.status[:n].tolist() == ["near"] * n
    assert result.labels[:n].tolist() == list(range(n, 2 * n))  # each story's own page is kept
    assert (result.status[n:] == "kept").all()
    assert result.labels[2 * n :].tolist() == list(range(2 * n, len(texts)))  # the other texts: no cluster
    assert result.similarity[:n] == pytest.approx(truth)
    # Jaccard at the same threshold misses the pages more than about 1.25x the story.
    jaccard = find_duplicates(texts, threshold=0.8)
    alone = (jaccard.status[:n] == "kept") & (np.bincount(jaccard.labels, minlength=len(texts))[:n] == 1)
    assert alone.sum() >= n * 0.8


def test_keep_first_keeps_the_earlier_document() -> None:
    rng = random.Random(3)
    story = _text(rng, 150)
    page = _page(story, 3.0, rng)
    assert find_duplicates([page, story], similarity="containment").status.tolist() == ["kept", "near"]
    assert find_duplicates([story, page], similarity="containment", keep="first").status.tolist() == ["kept", "near"]
    assert find_duplicates([story, page], similarity="containment").status.tolist() == ["near", "kept"]


def test_below_the_threshold_is_not_reported() -> None:
    rng = random.Random(4)
    story = _text(rng, 300)
    texts = [story]
    for rate in (0.02, 0.06, 0.10):  # containment about 0.9, 0.7, 0.55
        texts.append(_page(_edited(story, rate, rng), 2.5, rng))
    truth = [_containment(story, t) for t in texts[1:]]
    for verify in ("auto", "exact"):
        result = find_duplicates(texts, similarity="containment", threshold=0.8, verify=verify)  # type: ignore[arg-type]
        found = {tuple(p) for p in result.pairs.tolist()}
        assert found == {(0, k + 1) for k, c in enumerate(truth) if c >= 0.8}, (truth, found)


@settings(max_examples=60)
@given(st.integers(0, 2**16))
def test_every_removal_is_an_exact_containment_in_a_kept_longer_document(seed: int) -> None:
    rng = random.Random(seed)
    stories = [_text(rng, rng.randint(5, 120)) for _ in range(6)]
    texts = list(stories)
    for _ in range(8):
        story = rng.choice(texts)
        texts.append(_page(_edited(story, rng.choice([0.0, 0.03, 0.1]), rng), rng.uniform(1.0, 4.0), rng))
    texts.append(rng.choice(texts))  # an exact copy
    rng.shuffle(texts)
    result = find_duplicates(texts, similarity="containment", threshold=0.8, verify="exact")
    for row in np.flatnonzero(~result.keep_mask).tolist():
        label = int(result.labels[row])
        assert result.keep_mask[label]
        if result.status[row] == "near":
            assert _containment(texts[row], texts[label]) >= 0.8
        assert (len(texts[label]), -label) >= (len(texts[row]), -row)  # keep="longest": the longer one stays
    for (a, b), sim, kind in zip(result.pairs.tolist(), result.pair_similarity, result.pair_kind, strict=True):
        if kind == "near":
            assert sim == pytest.approx(_containment(texts[a], texts[b])) and sim >= 0.8


def test_candidates_across_size_classes() -> None:
    """Every pair with containment >= 0.8 and length ratio <= MAX_RATIO is a candidate (a deterministic draw)."""
    rng = random.Random(5)
    texts, pairs = [], []
    for k in range(300):
        story = _text(rng, rng.randint(20, 300))
        ratio = 1.0 + (MAX_RATIO - 1.0) * k / 300
        texts += [story, _page(_edited(story, 0.02, rng), ratio, rng)]
        pairs.append((2 * k, 2 * k + 1))
    batch = shingle_texts(texts, CONFIG)
    sizes = distinct_counts(batch)
    sigs = np.asarray(MinHasher().signatures(batch))
    found = {tuple(p) for p in containment_candidates(sigs, np.arange(len(texts)), sizes, 0.8, 128).tolist()}
    hits = [p in found for p in pairs if _containment(texts[p[0]], texts[p[1]]) >= 0.8]
    assert len(hits) > 250 and np.mean(hits) >= 0.99


def test_resolve_containment_greedy_semantics() -> None:
    # 0 is inside both 1 and 2 (which do not contain each other); 3 is inside 4, 4 inside 5.
    pairs = np.array([[0, 1], [0, 2], [3, 4], [4, 5]])
    sims = np.array([0.9, 0.95, 0.85, 0.9])
    lengths = np.array([10, 50, 40, 10, 30, 90])
    r = resolve_containment(6, np.arange(6), pairs, sims, lengths, keep="longest", threshold=0.8)
    assert r.labels.tolist() == [1, 1, 2, 3, 5, 5]  # 3 stays: its container 4 is removed (not transitive)
    assert r.status.tolist() == ["near", "kept", "kept", "kept", "near", "kept"]
    assert r.similarity[[0, 4]].tolist() == [0.9, 0.9]
    # Exact copies: the group goes with its best member; a removed group takes all its members along.
    exact_first = np.array([0, 0, 2])
    r = resolve_containment(3, exact_first, np.array([[0, 2]]), np.array([0.9]), np.array([10, 12, 40]),
                            keep="longest", threshold=0.8)  # fmt: skip
    assert r.labels.tolist() == [2, 2, 2] and r.status.tolist() == ["near", "near", "kept"]
    r = resolve_containment(3, exact_first, np.empty((0, 2), np.int64), np.empty(0), np.array([10, 12, 40]),
                            keep="longest", threshold=0.8)  # fmt: skip
    assert r.labels.tolist() == [1, 1, 2] and r.status.tolist() == ["exact", "kept", "kept"]


def test_options() -> None:
    with pytest.raises(ConfigError, match="similarity must be 'jaccard' or 'containment'"):
        find_duplicates(["a"], similarity="cosine")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="local backend only"):
        find_duplicates(["a"], similarity="containment", backend="ray")
    with pytest.raises(ConfigError, match="threshold"):
        find_duplicates(["a"], similarity="containment", threshold=1.5)
    empty = find_duplicates([], similarity="containment")
    assert len(empty) == 0
    assert find_duplicates(["", "!!", "a b c"], similarity="containment").status.tolist() == ["kept"] * 3


def test_pipeline_containment(tmp_path: Path) -> None:
    """``deduplicate(similarity="containment")`` on a file: the story goes, its page stays, the params say so."""
    rng = random.Random(6)
    story = _text(rng, 200)
    records = [
        {"id": "story", "text": story},
        {"id": "page", "text": _page(story, 4.0, rng)},
        {"id": "other", "text": _text(rng, 200)},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = deduplicate(path, id_field="id", similarity="containment", remove_boilerplate=False)
    assert result.status.tolist() == ["near", "kept", "kept"] and result.duplicate_of == ["page", None, None]
    assert result.similarity[0] == pytest.approx(_containment(records[0]["text"], records[1]["text"]))
    assert result.report()["params"]["similarity"] == "containment"
    assert deduplicate(records, id_field="id", remove_boilerplate=False).status.tolist() == ["kept"] * 3
    with pytest.raises(ConfigError, match="local backend only"):
        deduplicate(records, similarity="containment", backend="ray")


def test_cli_similarity_containment(tmp_path: Path) -> None:
    rng = random.Random(7)
    story = _text(rng, 150)
    path = tmp_path / "in.jsonl"
    rows = [{"id": "story", "text": story}, {"id": "page", "text": _page(story, 3.0, rng)}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out, dups = tmp_path / "out.jsonl", tmp_path / "dups.jsonl"
    args = ["clean", str(path), "-o", str(out), "--id-field", "id", "--duplicates", str(dups), "--no-boilerplate"]
    assert main([*args, "--quiet"]) == 0 and dups.read_text() == ""
    assert main([*args, "--quiet", "--similarity", "containment"]) == 0
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["page"]
    assert json.loads(dups.read_text())["duplicate_of"] == "page"
    with pytest.raises(SystemExit) as exc:
        main([*args, "--similarity", "cosine"])
    assert exc.value.code == 2
