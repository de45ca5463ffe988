"""End to end against datasketch: ``dedupe clean`` (a fresh process) vs the same job written with datasketch.

The job: read a JSON Lines corpus (gzip or plain), drop exact copies (same word sequence), find
near duplicates at Jaccard 0.8 of word 5-gram sets, verify the pairs whose estimate is within 0.15
of the threshold by exact Jaccard, join clusters, write the kept records. dedupe runs it as
``python -m dedupe clean INPUT -o OUT --no-boilerplate --workers W`` and is timed from outside, so
process start, imports and tables count. datasketch runs it in this process, already imported,
with the code a user would write: ``json.loads`` per line, a regex tokenizer, ``MinHash.bulk``,
``MinHashLSH`` with dedupe's band plan (21 bands of 6 rows), ``MinHash.jaccard``, exact Jaccard
of Python sets, a union-find, ``json.dumps`` per kept record. Both sides are timed ``--repeat``
times in turn; the medians give the ratio. The removed counts are printed side by side (the
tokenizers differ a little: dedupe folds Unicode, the datasketch side lowercases).

Exits 1 if the ratio at the default worker count (the machine's cores, as ``dedupe clean``
uses) is under ``--floor`` (5).

Run: ``python benchmarks/e2e_vs_datasketch.py [--input ../shared/data/reuters-dev.jsonl.gz] [--workers 1,2]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe.lsh import LSHIndex
from dedupe.parallel import default_workers
from e2e_speed import clean_once

_REUTERS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "reuters-dev.jsonl.gz"
_WORD = re.compile(r"\w+")


def _open(path: Path) -> Any:
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def _shingles(text: str, n: int) -> tuple[tuple[str, ...], set[str]]:
    words = tuple(_WORD.findall(text.lower()))
    if len(words) < n:
        return words, {" ".join(words)} if words else set()
    return words, {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def _find(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def datasketch_clean(path: Path, out: Path, *, threshold: float = 0.8, num_perm: int = 128, margin: float = 0.15,
                     ngram: int = 5) -> dict[str, int]:  # fmt: skip
    """The job with datasketch; returns how many records were kept and removed (exact, near)."""
    from datasketch import MinHash, MinHashLSH

    plan = LSHIndex.for_threshold(threshold, num_perm=num_perm).config
    with _open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    first: dict[tuple[str, ...], int] = {}
    removed = [False] * len(records)
    sets: dict[int, set[str]] = {}
    for i, rec in enumerate(records):
        words, grams = _shingles(rec["text"], ngram)
        if first.setdefault(words, i) != i:
            removed[i] = True  # an exact copy of an earlier record
        elif grams:
            sets[i] = grams
    rows = list(sets)
    hashes = MinHash.bulk([[g.encode("utf-8") for g in sets[r]] for r in rows], num_perm=num_perm, seed=1)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(plan.num_bands, plan.rows_per_band))
    with lsh.insertion_session() as session:
        for r, m in zip(rows, hashes, strict=True):
            session.insert(r, m, check_duplication=False)
    by_row = dict(zip(rows, hashes, strict=True))
    parent = list(range(len(records)))
    for r, m in zip(rows, hashes, strict=True):
        for other in lsh.query(m):
            if other <= r:
                continue
            sim = float(m.jaccard(by_row[other]))
            if abs(sim - threshold) <= margin:
                a, b = sets[r], sets[other]
                sim = len(a & b) / len(a | b)
            if sim >= threshold:
                ra, rb = _find(parent, r), _find(parent, other)
                parent[max(ra, rb)] = min(ra, rb)  # the first record of a cluster is kept
    near = 0
    with out.open("w", encoding="utf-8") as f:
        for i, rec in enumerate(records):
            if not removed[i] and _find(parent, i) != i:
                removed[i], near = True, near + 1
            if not removed[i]:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return {"kept": removed.count(False), "exact": removed.count(True) - near, "near": near}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=_REUTERS)
    parser.add_argument(
        "--workers", default=None, help="dedupe worker counts, comma-separated (default: 1 and the cores)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--floor", type=float, default=5.0)
    args = parser.parse_args(argv)
    default = default_workers()
    counts = sorted({1, default}) if args.workers is None else [int(w) for w in args.workers.split(",")]
    mb = args.input.stat().st_size / 1e6
    print(f"input {args.input} ({mb:.1f} MB on disk); dedupe workers {counts} (default {default})", flush=True)
    walls: dict[int, list[float]] = {w: [] for w in counts}
    peer: list[float] = []
    summary: dict[str, Any] = {}
    for rep in range(args.repeat):
        for workers in counts:
            run = clean_once(args.input, workers, boilerplate=False, group_field=None, id_field="id")
            walls[workers].append(run["wall_s"])
            summary = run["summary"]
            print(
                f"  run {rep + 1} dedupe workers {workers}: {run['wall_s']:.2f} s, load {run['load']:.2f}", flush=True
            )
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            got = datasketch_clean(args.input, Path(tmp) / "out.jsonl")
            peer.append(time.perf_counter() - t)
        print(f"  run {rep + 1} datasketch: {peer[-1]:.2f} s", flush=True)
    print(f"dedupe: {json.dumps(summary)}")
    print(f"datasketch: {json.dumps(got)}")
    peer_s = statistics.median(peer)
    ratios = {w: peer_s / statistics.median(walls[w]) for w in counts}
    for workers in counts:
        print(f"workers {workers}: dedupe {statistics.median(walls[workers]):.2f} s, datasketch {peer_s:.2f} s: "
              f"{ratios[workers]:.1f}x")  # fmt: skip
    floor_workers = default if default in ratios else max(ratios)
    if ratios[floor_workers] < args.floor:
        print(f"MISSED: {ratios[floor_workers]:.1f}x at workers {floor_workers}, floor {args.floor:g}x")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
