"""Compare dedupe's LSHIndex with datasketch's MinHashLSH on the same synthetic signatures.

Both sides band the same ``(n, 128)`` uint32 signatures with the same plan (dedupe's default for
threshold 0.8: 21 bands of 6 slots), in one process:

* dedupe: ``LSHIndex.for_threshold`` + ``insert`` + ``similar_pairs`` (candidate pairs and their
  verification) + ``connected_components``;
* datasketch: ``MinHashLSH.insert`` of every document, then ``query`` of every document (the
  ``LeanMinHash`` objects are made beforehand and not timed).

The corpus has planted near-duplicates: 10% of the documents copy another one at Jaccard 0.8 to 1,
5% at 0.5 to 0.8 (near misses), the rest are random. The candidate pairs of both sides are
compared, so the two sides are known to do the same work.

Usage::

    python benchmarks/lsh_vs_datasketch.py                 # 100,000 docs, both sides
    python benchmarks/lsh_vs_datasketch.py --docs 1000000  # dedupe only: seconds and peak RSS
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time

import numpy as np
from numpy.typing import NDArray

from dedupe.clusters import connected_components
from dedupe.lsh import LSHIndex, candidate_probability

NUM_PERM = 128
THRESHOLD = 0.8


def rss_bytes() -> int:
    """Current resident set size of this process."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: fall back to the peak
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def planted_signatures(n: int, seed: int) -> tuple[NDArray[np.uint32], NDArray[np.int64], NDArray[np.float64]]:
    """Random signatures with planted copies; returns (signatures, (k, 2) planted pairs, their Jaccard)."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)
    n_close, n_near = n // 10, n // 20
    rows = rng.permutation(n)
    sources = rows[: n_close + n_near]
    copies = rows[n_close + n_near : 2 * (n_close + n_near)]
    sims = np.concatenate([rng.uniform(0.8, 1.0, n_close), rng.uniform(0.5, 0.8, n_near)])
    changed = NUM_PERM - np.rint(sims * NUM_PERM).astype(np.int64)
    out = sigs[sources]
    rank = np.argsort(rng.random(out.shape), axis=1).argsort(axis=1)
    replace = rank < changed[:, None]  # exactly `changed` random slots per copy
    out[replace] += rng.integers(1, 2**32, size=int(replace.sum()), dtype=np.uint32)
    sigs[copies] = out
    pairs = np.sort(np.stack([sources, copies], axis=1), axis=1)
    return sigs, pairs, (NUM_PERM - changed) / NUM_PERM


def run_dedupe(sigs: NDArray[np.uint32], ids: NDArray[np.int64]) -> dict[str, float | NDArray[np.int64] | LSHIndex]:
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    index = LSHIndex.for_threshold(THRESHOLD, num_perm=NUM_PERM)
    index.insert(ids, sigs)
    inserted = time.perf_counter()
    pairs, _ = index.similar_pairs()
    verified = time.perf_counter()
    labels = connected_components(pairs, len(index))
    done = time.perf_counter()
    return {
        "index": index,
        "pairs": pairs,
        "labels": labels,
        "insert_s": inserted - start,
        "pairs_s": verified - inserted,
        "cluster_s": done - verified,
        "total_s": done - start,
        "rss_delta": float(rss_bytes() - before),
    }


def run_datasketch(
    sigs: NDArray[np.uint32], num_bands: int, rows_per_band: int
) -> dict[str, float | set[tuple[int, int]]]:
    from datasketch import LeanMinHash, MinHashLSH

    gc.collect()
    before_objects = rss_bytes()
    minhashes = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sigs.astype(np.uint64)]
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(num_bands, rows_per_band))
    for key, minhash in enumerate(minhashes):
        lsh.insert(key, minhash, check_duplication=False)
    inserted = time.perf_counter()
    after_insert = rss_bytes()
    found: set[tuple[int, int]] = set()
    for key, minhash in enumerate(minhashes):
        for other in lsh.query(minhash):
            if other != key:
                found.add((key, other) if key < other else (other, key))
    done = time.perf_counter()
    return {
        "pairs": found,
        "insert_s": inserted - start,
        "query_s": done - inserted,
        "total_s": done - start,
        "rss_delta": float(after_insert - before),
        "objects_rss_delta": float(before - before_objects),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="number of signatures (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-datasketch", action="store_true", help="time dedupe only (implied above 200,000 docs)")
    args = parser.parse_args(argv)
    n = args.docs
    with_peer = not args.skip_datasketch and n <= 200_000

    sigs, planted, planted_sims = planted_signatures(n, args.seed)
    ids = np.arange(n, dtype=np.int64)
    print(f"{n:,} signatures of {NUM_PERM} slots; {len(planted):,} planted pairs", flush=True)

    ours = run_dedupe(sigs, ids)
    index = ours["index"]
    assert isinstance(index, LSHIndex)
    kept = ours["pairs"]
    assert isinstance(kept, np.ndarray)
    labels = ours["labels"]
    assert isinstance(labels, np.ndarray)
    b, r = index.num_bands, index.rows_per_band

    # Quality on the planted pairs (their similarity is exact here, so verification is exact too).
    code = kept[:, 0] * n + kept[:, 1]
    found = np.isin(planted[:, 0] * n + planted[:, 1], code)
    for low, high in ((0.8, 0.9), (0.9, 1.01), (0.5, 0.8)):
        sel = (planted_sims >= low) & (planted_sims < high)
        predicted = float(np.mean(candidate_probability(planted_sims[sel], b, r)))
        print(
            f"  planted pairs at Jaccard [{low}, {min(high, 1.0)}]: {found[sel].mean():.4f} kept "
            f"(candidate probability {predicted:.4f})"
        )
    same_cluster = labels[planted[:, 0]] == labels[planted[:, 1]]
    assert np.array_equal(same_cluster & (planted_sims >= 0.8), found & (planted_sims >= 0.8))

    per_doc = index.nbytes / n
    print(
        f"dedupe     plan {b}x{r}: insert {ours['insert_s']:.2f} s, candidates+verify {ours['pairs_s']:.2f} s, "
        f"components {ours['cluster_s']:.2f} s; total {ours['total_s']:.2f} s = "
        f"{n / float(ours['total_s']):,.0f} docs/s"
    )
    print(
        f"dedupe     memory: {per_doc:.0f} B/doc in index arrays "
        f"(signatures {NUM_PERM * 4} B + bands {b * 12} B + ids and order 12 B); "
        f"RSS delta {float(ours['rss_delta']) / n:.0f} B/doc; peak RSS {peak_rss_bytes() / 2**20:,.0f} MiB"
    )
    if not with_peer:
        return 0

    candidates = index.candidate_pairs(star_above=None)
    theirs = run_datasketch(sigs, b, r)
    their_pairs = theirs["pairs"]
    assert isinstance(their_pairs, set)
    ours_set = set(map(tuple, candidates.tolist()))
    print(
        f"datasketch plan {b}x{r}: insert {theirs['insert_s']:.2f} s, query {theirs['query_s']:.2f} s; "
        f"total {theirs['total_s']:.2f} s = {n / float(theirs['total_s']):,.0f} docs/s"
    )
    print(
        f"datasketch memory: RSS delta {float(theirs['rss_delta']) / n:.0f} B/doc for the index "
        f"(+ {float(theirs['objects_rss_delta']) / n:.0f} B/doc of LeanMinHash objects)"
    )
    print(
        f"candidate pairs: dedupe {len(ours_set):,}, datasketch {len(their_pairs):,}, "
        f"only dedupe {len(ours_set - their_pairs)}, only datasketch {len(their_pairs - ours_set)}"
    )
    ratio = float(theirs["total_s"]) / float(ours["total_s"])
    print(f"throughput ratio dedupe / datasketch: {ratio:.1f}x (target >= 20x)")
    if ours_set != their_pairs:
        print("error: the two sides found different candidate pairs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
