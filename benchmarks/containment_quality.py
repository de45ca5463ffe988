"""Stories inside longer pages: containment quality, and what Jaccard finds on the same pairs.

Corpus (fixed seed): Reuters stories of the dev half (``../shared/data/reuters-dev.jsonl.gz``, 80-600
words) published twice, bare and embedded in a web page 2-5x its length (in characters). The page
is made of boilerplate lines of the dev web pages (``webpages-dev.jsonl.gz``, lines labelled
boilerplate, at most 300 characters): a header and footer of one of 20 "sites" (the first 4 and
last 6 boilerplate lines of a real page, shared by that site's pages), and between them random
boilerplate lines of all pages (menus, comments, related links) until the page is long enough; the
story sits at a random point.
The embedded copy is re-wrapped and has 0-4 % of its words edited (replaced by another word of the
story), so containment spreads around 0.9. More stories are added bare and more pages without a
bare copy, as distractors.

The truth is the exact containment of word 5-gram sets (the library's shingles) of *every* pair of
documents (a sparse product of the document-shingle incidence matrix), so re-sent Reuters stories and
shared site furniture count as they are. Reported:

* precision: reported pairs (verified) whose exact containment reaches the threshold (0.8);
* recall: pairs with exact containment >= 0.9 (and >= 0.8) that are reported, directly or between
  the exact-duplicate groups of their documents (pairs are verified between groups, once);
* planted: planted pairs with containment >= 0.9 that are reported, and planted stories removed as
  contained in their own page (the longer document kept; a story that is also inside a longer
  story, or a copy of another story, may be removed in favour of that one instead);
* Jaccard: the same pairs found (both documents in one cluster) by ``find_duplicates`` with Jaccard 0.8.

Floors (issue 16): recall >= 0.95 at containment >= 0.9 with precision >= 0.98; exit 1 below them.

Run: ``python benchmarks/containment_quality.py [--stories 400] [--seed 1]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from dedupe.config import ShingleConfig
from dedupe.duplicates import find_duplicates
from dedupe.shingles import shingle_texts

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"  # ../shared beside the checkout
FLOORS = {"recall_090": 0.95, "precision": 0.98}
THRESHOLD = 0.8


def load(data: Path) -> tuple[list[str], list[list[str]], list[str]]:
    """Reuters story texts, per-page boilerplate lines, and the pool of all boilerplate lines."""
    with gzip.open(data / "reuters-dev.jsonl.gz", "rt", encoding="utf-8") as f:
        stories = [json.loads(line)["text"] for line in f]
    stories = [s for s in stories if 80 <= len(s.split()) <= 600]
    pages: list[list[str]] = []
    with gzip.open(data / "webpages-dev.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            lines = [x["text"] for x in json.loads(line)["lines"] if x["is_boilerplate"] and len(x["text"]) <= 300]
            if len(lines) >= 10:
                pages.append(lines)
    pool = sorted({x for p in pages for x in p if len(x.split()) >= 2})
    return stories, pages, pool


def edited(story: str, rate: float, rng: random.Random) -> str:
    """The story re-wrapped (one line per paragraph) with ``rate`` of its words replaced."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n    ", story) if p.strip()]
    words = [p.split(" ") for p in paragraphs]
    flat = [(i, j) for i, p in enumerate(words) for j in range(len(p))]
    vocabulary = [w for p in words for w in p]
    for i, j in rng.sample(flat, round(rate * len(flat))):
        words[i][j] = rng.choice(vocabulary)
    return "\n".join(" ".join(p) for p in words)


@dataclass
class Corpus:
    texts: list[str]
    planted: list[tuple[int, int]]  # (bare story row, its page row)


def build(n_stories: int, seed: int, data: Path = DATA) -> Corpus:
    rng = random.Random(seed)
    stories, pages, pool = load(data)
    if 2 * n_stories > len(stories):
        have = len(stories)
        raise SystemExit(f"--stories {n_stories} needs {2 * n_stories} stories of 80-600 words; there are {have}")
    chosen = rng.sample(stories, 2 * n_stories)
    sites = [(p[:4], p[-6:]) for p in rng.sample(pages, 20)]
    texts: list[str] = []
    planted: list[tuple[int, int]] = []

    def page(story: str) -> str:
        header, footer = rng.choice(sites)
        target = len(story) * rng.uniform(2.0, 5.0)
        filler: list[str] = []
        size = len(story) + sum(len(x) + 1 for x in header + footer)
        while size < target:
            filler.append(rng.choice(pool))
            size += len(filler[-1]) + 1
        cut = rng.randint(0, len(filler))
        return "\n".join([*header, *filler[:cut], edited(story, rng.uniform(0.0, 0.04), rng), *filler[cut:], *footer])

    for k, story in enumerate(chosen):
        if k < n_stories:  # planted: bare and in a page
            texts.append(story)
            texts.append(page(story))
            planted.append((len(texts) - 2, len(texts) - 1))
        elif k % 2:
            texts.append(story)  # distractor: bare story only
        else:
            texts.append(page(story))  # distractor: page without a bare copy
    order = list(range(len(texts)))
    rng.shuffle(order)
    where = {old: new for new, old in enumerate(order)}
    return Corpus([texts[i] for i in order], [(where[a], where[b]) for a, b in planted])


def exact_containment_pairs(texts: list[str], floor: float) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every pair ``(i, j)``, ``i < j``, with exact containment >= ``floor``, and its containment."""
    batch = shingle_texts(texts, ShingleConfig())
    doc = np.repeat(np.arange(len(texts)), batch.counts())
    _, col = np.unique(batch.hashes, return_inverse=True)
    m = sparse.csr_matrix((np.ones(len(doc)), (doc, col.reshape(-1))), shape=(len(texts), int(col.max()) + 1))
    m.data[:] = 1.0  # duplicates summed: back to 0/1
    sizes = np.asarray(m.sum(axis=1)).reshape(-1)
    inter = sparse.triu(m @ m.T, k=1).tocoo()
    small = np.minimum(sizes[inter.row], sizes[inter.col])
    containment = inter.data / np.maximum(small, 1)
    keep = containment >= floor
    return np.stack([inter.row[keep], inter.col[keep]], axis=1).astype(np.int64), containment[keep]


def codes(pairs: np.ndarray[Any, Any], n: int) -> set[int]:
    p = np.sort(pairs.reshape(-1, 2), axis=1)
    return set((p[:, 0] * n + p[:, 1]).tolist())


def evaluate(n_stories: int = 400, seed: int = 1, data: Path = DATA) -> dict[str, Any]:
    corpus = build(n_stories, seed, data)
    texts, n = corpus.texts, len(corpus.texts)
    truth_pairs, truth_c = exact_containment_pairs(texts, 0.5)
    truth = dict(zip((truth_pairs[:, 0] * n + truth_pairs[:, 1]).tolist(), truth_c.tolist(), strict=True))
    start = time.perf_counter()
    result = find_duplicates(texts, similarity="containment", threshold=THRESHOLD)
    seconds = time.perf_counter() - start
    # Verified pairs join exact groups (same normalized words): a pair counts as reported when the
    # groups of its two documents are joined by a verified pair (or are one group).
    exact = result.pair_kind == "exact"
    head = np.arange(n)
    head[result.pairs[exact].max(axis=1)] = result.pairs[exact].min(axis=1)
    near = np.sort(head[result.pairs[~exact]], axis=1)
    reported_heads = codes(near, n)

    def is_reported(code: int) -> bool:
        a, b = sorted((int(head[code // n]), int(head[code % n])))
        return a == b or a * n + b in reported_heads

    reported = codes(result.pairs[~exact], n)
    t90 = {c for c, v in truth.items() if v >= 0.9}
    t80 = {c for c, v in truth.items() if v >= THRESHOLD}
    precision = sum(truth.get(c, 0.0) >= THRESHOLD for c in reported) / max(len(reported), 1)
    start = time.perf_counter()
    jaccard = find_duplicates(texts, threshold=THRESHOLD)
    jaccard_seconds = time.perf_counter() - start

    def same_cluster(pairs: set[int]) -> float:
        hits = [jaccard.labels[c // n] == jaccard.labels[c % n] for c in pairs]
        return float(np.mean(hits)) if hits else 1.0

    planted_c = [truth.get(min(a, b) * n + max(a, b), 0.0) for a, b in corpus.planted]
    kept = [result.labels[a] == b and result.status[b] == "kept" for a, b in corpus.planted]
    planted90 = [min(a, b) * n + max(a, b) for (a, b), c in zip(corpus.planted, planted_c, strict=True) if c >= 0.9]
    return {
        "documents": n,
        "stories": n_stories,
        "true_pairs_080": len(t80),
        "true_pairs_090": len(t90),
        "planted_containment_median": float(np.median(planted_c)),
        "reported": len(reported),
        "precision": precision,
        "recall_090": sum(map(is_reported, t90)) / max(len(t90), 1),
        "recall_080": sum(map(is_reported, t80)) / max(len(t80), 1),
        "story_removed_page_kept": float(np.mean(kept)),
        "planted_recall_090": float(np.mean([is_reported(c) for c in planted90])) if planted90 else 1.0,
        "jaccard_recall_090": same_cluster(t90),
        "jaccard_recall_080": same_cluster(t80),
        "seconds": seconds,
        "jaccard_seconds": jaccard_seconds,
    }


def missed_floors(scores: dict[str, Any]) -> list[str]:
    return [
        f"{name} {scores[name]:.4f} < {floor}" for name, floor in FLOORS.items() if scores[name] < floor
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=400, help="stories planted bare and in a page")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DATA, help="folder with the two dev files")
    args = parser.parse_args(argv)
    s = evaluate(args.stories, args.seed, args.data)
    print(f"{s['documents']:,} documents ({s['stories']} stories planted bare and in a page 2-5x longer); "
          f"{s['true_pairs_090']:,} pairs with containment >= 0.9, {s['true_pairs_080']:,} >= 0.8 "
          f"(planted median {s['planted_containment_median']:.3f})")  # fmt: skip
    print()
    print("| method | precision | recall (c >= 0.9) | recall (c >= 0.8) | seconds |")
    print("|---|---:|---:|---:|---:|")
    print(f"| containment 0.8 | {s['precision']:.4f} | {s['recall_090']:.4f} | {s['recall_080']:.4f} | "
          f"{s['seconds']:.2f} |")  # fmt: skip
    print(f"| Jaccard 0.8 (same cluster) | | {s['jaccard_recall_090']:.4f} | {s['jaccard_recall_080']:.4f} | "
          f"{s['jaccard_seconds']:.2f} |")  # fmt: skip
    print()
    print(f"planted pairs with containment >= 0.9 reported: {s['planted_recall_090']:.4f}; planted stories "
          f"removed with their own page kept: {s['story_removed_page_kept']:.4f}")  # fmt: skip
    missed = missed_floors(s)
    for line in missed:
        print(f"FLOOR MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
