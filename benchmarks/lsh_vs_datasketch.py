"""Compare dedupe's LSHIndex with datasketch's MinHashLSH on the same signatures of real-looking text.

Both sides band the same ``(n, 128)`` uint32 signatures with the same plan (dedupe's default for
threshold 0.8: 21 bands of 6 slots), in one process. The signatures are dedupe's MinHash (seed 1,
word 5-grams) of a corpus with duplicates, signed beforehand and not timed:

* ``--corpus generated`` (default): ``dedupe.bench.corpus.generate_records`` web-like pages (seed 42:
  3 % exact copies, 7 % near copies at 0.2-10 % edits, per-site boilerplate), of which
  ``--template-share`` (2 %) are turned into template pages (the navigation, share and legal lines
  every site has, the page's dated line and one of four short notices, as a crawl's "page not
  found" or "subscribe" pages), so that some band buckets hold hundreds of documents;
* ``--corpus reuters``: the Reuters dev stories (``../shared/data/reuters-dev.jsonl.gz``; real
  re-sent stories and earnings tables), ``--docs`` at most 9,466.

Timed, best of ``--repeats`` for both sides (no other warm-up for either):

* dedupe: ``LSHIndex.for_threshold`` + ``insert`` + ``candidate_pairs(star_above=None)`` (every pair in
  every bucket, as datasketch) -- then, reported apart, ``verify_pairs`` + ``connected_components``;
* datasketch: ``MinHashLSH.insert`` of every document, then ``query`` of every document (the
  ``LeanMinHash`` objects are made beforehand and not timed).

"Same candidates" is checked on the timed calls' own output: the pairs from dedupe's timed
``candidate_pairs(star_above=None)`` against the pairs from datasketch's timed queries; the script
exits 1 when they differ. Dedupe's default ``similar_pairs()`` (large buckets as stars,
``star_above=32``) is timed too and reported on its own line: datasketch has no such option.

Usage::

    python benchmarks/lsh_vs_datasketch.py                 # 100,000 generated pages, both sides
    python benchmarks/lsh_vs_datasketch.py --corpus reuters --docs 9466
    python benchmarks/lsh_vs_datasketch.py --docs 1000000  # dedupe only: seconds and peak RSS
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dedupe import MinHasher
from dedupe.bench.corpus import generate_records
from dedupe.clusters import connected_components, verify_pairs
from dedupe.lsh import LSHIndex

NUM_PERM = 128
THRESHOLD = 0.8
REUTERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "reuters-dev.jsonl.gz"


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


NOTICES = (
    "Page not found. The page you requested could not be found.",
    "Subscribe to read this article. Already a subscriber? Sign in.",
    "This article is no longer available.",
    "Please enable JavaScript to view this page.",
)


def corpus_texts(name: str, n: int, template_share: float = 0.0) -> list[str]:
    """The first ``n`` texts of the named corpus (generated: with ``template_share`` template pages)."""
    if name == "generated":
        texts = [r["text"] for r in generate_records(n, seed=42)]
        rng = np.random.default_rng(7)
        for i in np.flatnonzero(rng.random(n) < template_share).tolist():
            lines = texts[i].split("\n")
            # The lines every site shares (navigation, share and legal lines), the page's dated line, a notice.
            notice = NOTICES[int(rng.integers(len(NOTICES)))]
            texts[i] = "\n".join([lines[1], lines[3], "", notice, "", lines[-3], lines[-2]])
        return texts
    with gzip.open(REUTERS, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    if n > len(texts):
        raise SystemExit(f"--docs {n}: the Reuters dev file has {len(texts):,} stories")
    return texts[:n]


def largest_buckets(sigs: NDArray[np.uint32], num_bands: int, rows_per_band: int) -> list[int]:
    """Size of the largest bucket of each band, counted with numpy (independently of either index)."""
    out = []
    for b in range(num_bands):
        band = np.ascontiguousarray(sigs[:, b * rows_per_band : (b + 1) * rows_per_band])
        _, counts = np.unique(band.view(np.dtype((np.void, band.dtype.itemsize * rows_per_band))), return_counts=True)
        out.append(int(counts.max()))
    return out


def best_of(repeats: int, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``fn`` ``repeats`` times; keep the run with the least ``total_s``, with the first run's RSS delta.

    Later runs reuse memory the earlier ones freed, so only the first run's RSS growth means anything.
    """
    runs = [fn() for _ in range(repeats)]
    return {**min(runs, key=lambda r: float(r["total_s"])), "rss_delta": runs[0]["rss_delta"]}


def run_dedupe(sigs: NDArray[np.uint32], ids: NDArray[np.int64]) -> dict[str, Any]:
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    index = LSHIndex.for_threshold(THRESHOLD, num_perm=NUM_PERM)
    index.insert(ids, sigs)
    inserted = time.perf_counter()
    candidates = index.candidate_pairs(star_above=None)
    done = time.perf_counter()
    rss = float(rss_bytes() - before)
    pairs, _ = verify_pairs(index.signatures, candidates, THRESHOLD)
    verified = time.perf_counter()
    labels = connected_components(pairs, len(index))
    clustered = time.perf_counter()
    default_pairs, _ = index.similar_pairs()
    default_s = time.perf_counter() - clustered
    return {
        "index": index,
        "candidates": candidates,
        "pairs": pairs,
        "labels": labels,
        "insert_s": inserted - start,
        "candidates_s": done - inserted,
        "total_s": done - start,
        "verify_s": verified - done,
        "cluster_s": clustered - verified,
        "default_similar_pairs_s": default_s,
        "default_pairs": len(default_pairs),
        "rss_delta": rss,
    }


def run_datasketch(minhashes: list[Any], num_bands: int, rows_per_band: int) -> dict[str, Any]:
    from datasketch import MinHashLSH

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
    }


def _report_dedupe(ours: dict[str, Any], n: int, repeats: int) -> None:
    index = ours["index"]
    b, r = index.num_bands, index.rows_per_band
    print(
        f"dedupe     plan {b}x{r} (best of {repeats}): insert {ours['insert_s']:.3f} s, "
        f"candidate_pairs(star_above=None) {ours['candidates_s']:.3f} s; insert + candidates "
        f"{ours['total_s']:.3f} s = {n / float(ours['total_s']):,.0f} docs/s; "
        f"{len(ours['candidates']):,} candidates"
    )
    print(
        f"dedupe     then verify_pairs {ours['verify_s']:.3f} s ({len(ours['pairs']):,} kept), "
        f"connected_components {ours['cluster_s']:.3f} s; default similar_pairs() (star_above=32) "
        f"{ours['default_similar_pairs_s']:.3f} s ({ours['default_pairs']:,} kept)"
    )
    print(
        f"dedupe     memory: {index.nbytes / n:.0f} B/doc in index arrays "
        f"(signatures {NUM_PERM * 4} B + bands {b * 12} B + ids and order 12 B); "
        f"RSS delta {float(ours['rss_delta']) / n:.0f} B/doc; peak RSS {peak_rss_bytes() / 2**20:,.0f} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="number of documents (default 100,000)")
    parser.add_argument("--corpus", choices=["generated", "reuters"], default="generated")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side, best kept (default 3)")
    parser.add_argument("--template-share", type=float, default=0.02, help="generated: share of template pages")
    parser.add_argument("--skip-datasketch", action="store_true", help="time dedupe only (implied above 200,000 docs)")
    args = parser.parse_args(argv)
    n = args.docs
    with_peer = not args.skip_datasketch and n <= 200_000
    texts = corpus_texts(args.corpus, n, args.template_share)
    sigs = np.asarray(MinHasher(num_perm=NUM_PERM, seed=1).signatures(texts))
    del texts
    ids = np.arange(n, dtype=np.int64)
    ours = best_of(args.repeats, lambda: run_dedupe(sigs, ids))
    b, r = ours["index"].num_bands, ours["index"].rows_per_band
    sizes = largest_buckets(sigs, b, r)
    print(
        f"{n:,} signatures of {NUM_PERM} slots ({args.corpus}, template share "
        f"{args.template_share if args.corpus == 'generated' else 0:g}); largest bucket per band: "
        f"max {max(sizes):,}, median {int(np.median(sizes)):,}",
        flush=True,
    )
    _report_dedupe(ours, n, args.repeats)
    if not with_peer:
        return 0
    from datasketch import LeanMinHash

    gc.collect()
    before_objects = rss_bytes()
    minhashes = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sigs.astype(np.uint64)]
    objects_rss = float(rss_bytes() - before_objects)
    theirs = best_of(args.repeats, lambda: run_datasketch(minhashes, b, r))
    print(
        f"datasketch plan {b}x{r} (best of {args.repeats}): insert {theirs['insert_s']:.3f} s, "
        f"query {theirs['query_s']:.3f} s; total {theirs['total_s']:.3f} s = "
        f"{n / float(theirs['total_s']):,.0f} docs/s"
    )
    print(
        f"datasketch memory: RSS delta {float(theirs['rss_delta']) / n:.0f} B/doc for the index "
        f"(+ {objects_rss / n:.0f} B/doc of LeanMinHash objects)"
    )
    ours_set = set(map(tuple, ours["candidates"].tolist()))
    their_pairs = theirs["pairs"]
    print(
        f"candidate pairs of the timed calls: dedupe {len(ours_set):,}, datasketch {len(their_pairs):,}, "
        f"only dedupe {len(ours_set - their_pairs)}, only datasketch {len(their_pairs - ours_set)}"
    )
    ratio = float(theirs["total_s"]) / float(ours["total_s"])
    print(f"insert + candidates, datasketch / dedupe: {ratio:.1f}x (target >= 20x)")
    if ours_set != their_pairs:
        print("error: the two timed calls found different candidate pairs", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
