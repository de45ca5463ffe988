"""End to end against datatrove: its MinHash dedup vs our ``deduplicate()`` on the same JSONL.

For each size, a generated corpus (``dedupe.bench.corpus``: web-like pages, planted exact and near
duplicates, per-site boilerplate) is written as JSONL once; then, each in a fresh process:

* dedupe: ``deduplicate(remove_boilerplate=False)`` + ``write()`` (datatrove removes no boilerplate);
* datatrove: ``MinhashDedupSignature`` -> ``MinhashDedupBuckets`` -> ``MinhashDedupCluster`` ->
  ``MinhashDedupFilter`` + ``JsonlWriter`` with ``LocalPipelineExecutor(workers=1)``, same word
  5-grams and the same band plan (21 bands x 6 hashes at threshold 0.8).

Reported: wall seconds and peak RSS of each process, the speed-up, the run seconds timed inside each
process (first pipeline call to last output byte: no interpreter start, no module imports; datatrove's
lazy tokenizer load in its first stage stays in) and their ratio, and the recall and precision of
each side's clusters against exact Jaccard (every pair >= threshold, found by an exact join).
Target: >= 5x faster (wall) at equal or better recall; exits 1 when it is not met at every size
(a size where either side did not run counts as not met).

datatrove needs its own environment (it pins ``xxhash<4``)::

    python -m venv /tmp/dt && /tmp/dt/bin/pip install 'datatrove>=0.10' spacy regex 'xxhash<4' tokenizers orjson
    python benchmarks/datatrove_e2e.py --docs 2000,20000 --datatrove-python /tmp/dt/bin/python
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dedupe.bench import BenchOptions, run_bench


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", default="2000,20000", help="comma-separated corpus sizes (default: 2000,20000)")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--datatrove-python", default=None, help="interpreter with datatrove (default: this one)")
    parser.add_argument("--out", default=None, help="keep each size's bench.md / bench.json under OUT/<size>")
    args = parser.parse_args(argv)
    print(
        "| docs | MB of text | dedupe wall s | datatrove wall s | speed-up | dedupe run s | datatrove run s | "
        "run speed-up | dedupe peak RSS MB | datatrove peak RSS MB | dedupe recall | datatrove recall | "
        "dedupe precision | datatrove precision | true pairs |"
    )
    print("|" + "---:|" * 15)
    rows = []
    for size in [int(s) for s in args.docs.split(",") if s.strip()]:
        options = BenchOptions(
            docs=size,
            peers=("datatrove",),
            threshold=args.threshold,
            num_perm=args.num_perm,
            seed=args.seed,
            boilerplate=False,
            plots=False,
            datatrove_python=args.datatrove_python,
            out=Path(args.out) / str(size) if args.out else None,
        )
        report = run_bench(options)
        runs = {e.name: e for e in report.end_to_end}
        ours, theirs = runs["dedupe (no boilerplate)"], runs["datatrove"]
        agree = report.agreement.get("datatrove (end to end)", {})
        if theirs.status != "ran" or ours.status != "ran" or not ours.wall_s or not theirs.wall_s:
            print(f"{size:>8,} docs: dedupe {ours.status}, datatrove {theirs.status}: {theirs.note or ours.note}")
            rows.append(None)
            continue
        speedup = theirs.wall_s / ours.wall_s
        run_speedup = (theirs.run_s or 0.0) / ours.run_s if ours.run_s else float("nan")
        rows.append((size, speedup, agree.get("ours_recall", float("nan")), agree.get("peer_recall", float("nan"))))
        print(
            f"| {size:,} | {report.corpus['mb']:,.1f} | {ours.wall_s:.2f} | {theirs.wall_s:.2f} | {speedup:.1f}x | "
            f"{ours.run_s or float('nan'):.2f} | {theirs.run_s or float('nan'):.2f} | {run_speedup:.1f}x | "
            f"{ours.peak_rss_mb:,.0f} | {theirs.peak_rss_mb:,.0f} | {agree.get('ours_recall', float('nan')):.4f} | "
            f"{agree.get('peer_recall', float('nan')):.4f} | {agree.get('ours_precision', float('nan')):.4f} | "
            f"{agree.get('peer_precision', float('nan')):.4f} | {agree.get('truth', 0):,} |",
            flush=True,
        )
    print("\nrecall and precision: pairs in one cluster vs pairs with exact Jaccard >= threshold (true pairs)")
    ok = [r for r in rows if r is not None]
    if not ok:
        print("datatrove did not run: pass --datatrove-python or install it (module docstring)", file=sys.stderr)
        return 1
    met = len(ok) == len(rows) and all(speedup >= 5 and ours >= theirs for _, speedup, ours, theirs in ok)
    print(f"target (>= 5x faster at equal or better recall): {'met' if met else 'NOT met'} at every size")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
