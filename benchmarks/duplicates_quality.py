"""Near-duplicate quality on a labelled set generated with a fixed seed.

Families: a generated article plus variants of it (edited copies at known word-edit rates,
reordered paragraphs, an added header and footer, re-wrapped whitespace). The true Jaccard
similarity of word 5-grams is computed exactly for every pair inside a family and for every pair
the library reports. Reported:

* precision: reported duplicate pairs whose true Jaccard >= threshold;
* recall: true pairs (Jaccard >= threshold) whose documents end in the same cluster, overall and for
  pairs with Jaccard >= 0.9; also the share of true pairs reported directly as a verified pair;
* ARI: adjusted Rand index of the clusters against the components of the true-pair graph.

Run: ``python benchmarks/duplicates_quality.py [--families 400] [--threshold 0.8] [--verify auto]``
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from dedupe.bench.corpus import edited_copy, generate_document
from dedupe.clusters import connected_components
from dedupe.duplicates import find_duplicates
from dedupe.shingles import word_shingles

HEADER = "Home News Sport Business Tech Subscribe Sign in Menu Search Today's paper Latest headlines from the newsroom"
FOOTER = "Share this article Leave a Reply Your email address will not be published Scroll to Top Articles You May Like"


def variant(text: str, kind: str, rng: random.Random) -> str:
    if kind.startswith("edit"):
        return edited_copy(text, float(kind[4:]), rng)
    paras = text.split("\n\n")
    if kind == "reorder":
        rng.shuffle(paras)
        return "\n\n".join(paras)
    if kind == "wrap":
        return "\n\n".join(p.replace(" ", "\n", max(1, len(p) // 400)) for p in paras)
    return f"{HEADER}\n\n{text}\n\n{FOOTER}"


KINDS = ["edit0.005", "edit0.01", "edit0.02", "edit0.03", "edit0.05", "edit0.08", "edit0.12"]
KINDS += ["reorder", "wrap", "frame"]


def build(n_families: int, seed: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts: list[str] = []
    family: list[int] = []
    for f in range(n_families):
        base = generate_document(rng, 200, 1500)
        texts.append(base)
        family.append(f)
        for kind in rng.sample(KINDS, rng.randint(1, 3)):
            texts.append(variant(base, kind, rng))
            family.append(f)
    return texts, family


def true_jaccard(sets: list[np.ndarray[Any, Any]], pairs: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = np.empty(len(pairs))
    for k, (a, b) in enumerate(pairs.tolist()):
        inter = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
        out[k] = inter / (len(sets[a]) + len(sets[b]) - inter)
    return out


def adjusted_rand_index(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    def comb2(x: np.ndarray[Any, Any]) -> float:
        return float((x * (x - 1) // 2).sum())

    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1), dtype=np.int64)
    np.add.at(table, (ia, ib), 1)
    index = comb2(table)
    sa, sb, total = comb2(table.sum(1)), comb2(table.sum(0)), comb2(np.array([len(a)]))
    expected = sa * sb / total
    return (index - expected) / ((sa + sb) / 2 - expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=400)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--verify", default="auto", choices=["auto", "estimate", "exact"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    texts, family = build(args.families, args.seed)
    fam = np.array(family)
    batch = word_shingles(texts)
    sets = [np.unique(batch.document(i)) for i in range(len(texts))]
    # Every pair inside a family, with its true Jaccard.
    members = [np.flatnonzero(fam == f).tolist() for f in range(args.families)]
    within = [(i, j) for rows in members for i in rows for j in rows if i < j]
    within_pairs = np.array(within, dtype=np.int64)
    within_j = true_jaccard(sets, within_pairs)
    truth = within_pairs[within_j >= args.threshold]
    t0 = time.perf_counter()
    result = find_duplicates(texts, threshold=args.threshold, verify=args.verify)
    secs = time.perf_counter() - t0
    reported = result.pairs
    reported_j = true_jaccard(sets, reported)
    precision = float((reported_j >= args.threshold).mean()) if len(reported) else 1.0
    same = result.labels[truth[:, 0]] == result.labels[truth[:, 1]]
    recall = float(same.mean())
    high = within_j[within_j >= args.threshold] >= 0.9
    recall_09 = float(same[high].mean())
    reported_set = {tuple(p) for p in reported.tolist()}
    direct = float(np.mean([tuple(p) in reported_set for p in truth.tolist()]))
    f1 = 2 * precision * recall / (precision + recall)
    true_labels = connected_components(truth, len(texts))
    ari = adjusted_rand_index(true_labels, result.labels)
    print(f"{len(texts):,} documents in {args.families} families; {len(truth):,} true pairs at Jaccard >= "
          f"{args.threshold} ({int(high.sum()):,} at >= 0.9); find_duplicates(verify={args.verify!r}) {secs:.2f} s")
    print(f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  recall(J>=0.9) {recall_09:.4f}  "
          f"direct pair recall {direct:.4f}  ARI {ari:.4f}  ({len(reported):,} reported pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
