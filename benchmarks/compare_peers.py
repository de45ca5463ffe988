"""Signatures from text: dedupe vs datasketch 2.x vs rensa, same corpus, one process, one core.

Every contestant takes Python ``str`` documents and returns 128-slot MinHash signatures over word
5-grams; tokenizing and shingling are inside the timed region for everyone. The peers get the
usual Python tokenizer (lower-case, ``\\w+`` words, 5-grams joined by spaces). Accuracy: mean
absolute error of the estimated Jaccard against the exact Jaccard of the same contestant's shingle
sets, over near-duplicate pairs (edit rates 2-30 %) and unrelated pairs.

Run: ``python benchmarks/compare_peers.py [--docs 3000] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # rensa's bulk calls use rayon: keep them on one core
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np

from dedupe import MinHasher, word_shingles
from dedupe.bench.corpus import edited_copy, generate_corpus

NUM_PERM, NGRAM = 128, 5
_WORD = re.compile(r"\w+")


def peer_shingles(text: str) -> list[str]:
    """The tokenizer the peers get: lower-case ``\\w+`` words, word 5-grams joined by spaces."""
    words = _WORD.findall(text.lower())
    if len(words) < NGRAM:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def run_dedupe(texts: list[str]) -> np.ndarray[Any, Any]:
    return np.asarray(MinHasher(num_perm=NUM_PERM, seed=1, ngram_size=NGRAM).signatures(texts))


def run_datasketch_bulk(texts: list[str]) -> np.ndarray[Any, Any]:
    from datasketch import MinHash

    sets = [[s.encode("utf-8") for s in peer_shingles(t)] for t in texts]
    return np.array([m.hashvalues for m in MinHash.bulk(sets, num_perm=NUM_PERM, seed=1)])


def run_datasketch_update(texts: list[str]) -> np.ndarray[Any, Any]:
    from datasketch import MinHash

    out = []
    for t in texts:
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([s.encode("utf-8") for s in peer_shingles(t)])
        out.append(m.hashvalues)
    return np.array(out)


def run_rensa_rminhash(texts: list[str]) -> np.ndarray[Any, Any]:
    from rensa import RMinHash

    out = []
    for t in texts:
        m = RMinHash(num_perm=NUM_PERM, seed=1)
        m.update(peer_shingles(t))
        out.append(m.digest())
    return np.array(out)


def run_rensa_matrix(texts: list[str]) -> np.ndarray[Any, Any]:
    from rensa import RMinHash

    flat = RMinHash.digest_matrix_from_token_sets([peer_shingles(t) for t in texts], NUM_PERM, 1)
    return np.array(flat.to_rows())


def run_rensa_cminhash(texts: list[str]) -> np.ndarray[Any, Any]:
    from rensa import CMinHash

    return np.array(CMinHash.digests_from_token_sets([peer_shingles(t) for t in texts], NUM_PERM, 1))


CONTESTANTS: dict[str, Callable[[list[str]], np.ndarray[Any, Any]]] = {
    "dedupe MinHasher.signatures": run_dedupe,
    "datasketch MinHash.bulk": run_datasketch_bulk,
    "datasketch MinHash.update_batch": run_datasketch_update,
    "rensa RMinHash.update per doc": run_rensa_rminhash,
    "rensa RMinHash.digest_matrix_from_token_sets": run_rensa_matrix,
    "rensa CMinHash.digests_from_token_sets": run_rensa_cminhash,
}


def exact_jaccard(a: set[Any], b: set[Any]) -> float:
    union = len(a | b)
    return 1.0 if union == 0 else len(a & b) / union


def make_pairs(texts: list[str], rng: random.Random) -> tuple[list[str], list[tuple[int, int]]]:
    """Append edited copies; return all texts and the (i, j) pairs to score."""
    texts = list(texts)
    pairs = []
    base = len(texts)
    for k in range(min(400, base)):
        rate = [0.02, 0.05, 0.1, 0.2, 0.3][k % 5]
        texts.append(edited_copy(texts[k], rate, rng))
        pairs.append((k, base + k))
    for _ in range(200):
        pairs.append((rng.randrange(base), rng.randrange(base)))
    return texts, pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated name prefixes to run")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    texts, pairs = make_pairs(generate_corpus(args.docs, seed=42), random.Random(7))
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts):,} docs, {mb:.1f} MB, mean {mb * 1e3 / len(texts):.2f} KB/doc; "
          f"num_perm={NUM_PERM}, word {NGRAM}-grams, best of {args.repeats}, one core")
    names = [n for n in CONTESTANTS if not args.only or any(n.startswith(p) for p in args.only.split(","))]
    # Exact Jaccard per contestant family, from its own shingle sets.
    ours = word_shingles(texts, ngram_size=NGRAM)
    our_sets = [set(ours.document(i).tolist()) for i in range(len(texts))]
    peer_sets = [set(peer_shingles(t)) for t in texts]
    results: dict[str, tuple[float, float]] = {}
    for name in names:
        fn = CONTESTANTS[name]
        best = float("inf")
        sigs: np.ndarray[Any, Any] | None = None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            sigs = fn(texts)
            best = min(best, time.perf_counter() - t0)
        assert sigs is not None and sigs.shape == (len(texts), NUM_PERM), (name, None if sigs is None else sigs.shape)
        sets = our_sets if name.startswith("dedupe") else peer_sets
        errors = [abs(float((sigs[i] == sigs[j]).mean()) - exact_jaccard(sets[i], sets[j])) for i, j in pairs]
        results[name] = (best, float(np.mean(errors)))
    ds = min(results[n][0] for n in results if n.startswith("datasketch")) if any(
        n.startswith("datasketch") for n in results) else None
    rs = min(results[n][0] for n in results if n.startswith("rensa")) if any(
        n.startswith("rensa") for n in results) else None
    print("\n| contestant | docs/s | MB/s | dedupe speed-up | Jaccard MAE |")
    print("|---|---:|---:|---:|---:|")
    ours_t = results.get("dedupe MinHasher.signatures", (float("nan"), 0))[0]
    for name, (secs, mae) in results.items():
        print(f"| {name} | {len(texts) / secs:,.0f} | {mb / secs:.1f} | {secs / ours_t:.1f}x | {mae:.4f} |")
    if ds is not None:
        print(f"\ndedupe vs fastest datasketch: {ds / ours_t:.1f}x (target >= 15x)")
    if rs is not None:
        print(f"dedupe vs fastest rensa:      {rs / ours_t:.1f}x (target >= 3.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
