"""End-to-end speed of ``dedupe clean``: MB/s per worker count, with the stage table, process start included.

Each run is one fresh ``python -m dedupe clean INPUT -o OUT --report REPORT`` process (so the
import, the code point table and the pool start are counted), timed by wall clock from outside.
Worker counts are measured back to back, ``--repeat`` times in turn (1, 2, 1, 2, ...), so a load
change on a shared machine hits both alike; every run is printed with the 1-minute load average
seen before it, then the median per worker count and the speed-up against the first count.
The stage table comes from the report's ``timings_s``; ``other`` is the wall time the stages do
not cover (process start, imports, writing the outputs).

Input: ``--input PATH``, or a generated web-like corpus (``dedupe.bench.corpus.write_synthetic_jsonl``:
``--docs`` records over ``--sites`` sites, written once under ``--dir``).

``--pooled`` measures instead the pooled boilerplate stages alone (``dedupe.boilerplate.pooled``:
counting and finding over the records' texts, in this process and its workers), per worker count.

Run: ``python benchmarks/e2e_speed.py --docs 70000 --sites 60 --workers 1,2 --repeat 3``
     ``python benchmarks/e2e_speed.py --input ../shared/data/reuters-dev.jsonl.gz --no-boilerplate``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def installed_env() -> dict[str, str]:
    """This environment as an installed package sees it: bytecode caches allowed (``pip install``
    writes them; a ``PYTHONDONTWRITEBYTECODE`` left in a developer's shell would make every child
    compile dedupe and numpy from source at each start, ~0.35 s here)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def clean_once(path: Path, workers: int, *, boilerplate: bool, group_field: str | None, id_field: str | None) -> dict:
    """One ``dedupe clean`` process on ``path``: wall seconds, the report's stage table and summary."""
    with tempfile.TemporaryDirectory(prefix="dedupe-e2e-") as tmp:
        out, report = Path(tmp) / "clean.jsonl", Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "dedupe", "clean", str(path), "-o", str(out), "--report", str(report),
               "--workers", str(workers), "--quiet"]  # fmt: skip
        if not boilerplate:
            cmd.append("--no-boilerplate")
        if group_field:
            cmd += ["--group-field", group_field]
        if id_field:
            cmd += ["--id-field", id_field]
        load = os.getloadavg()[0]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, env=installed_env())
        wall = time.perf_counter() - t
        data = json.loads(report.read_text(encoding="utf-8"))
    stages = {k: float(v) for k, v in data["timings_s"].items()}
    stages["other"] = max(0.0, wall - sum(stages.values()))
    return {"workers": workers, "wall_s": wall, "load": load, "stages": stages, "summary": data["summary"]}


def stage_table(runs: list[dict]) -> str:
    """Median seconds per stage (rows) for each worker count (columns)."""
    counts = sorted({r["workers"] for r in runs})
    names: list[str] = []
    for r in runs:
        names += [k for k in r["stages"] if k not in names]
    lines = ["| stage | " + " | ".join(f"workers {w}" for w in counts) + " |", "|---|" + "---:|" * len(counts)]
    for name in [*names, "wall_s"]:
        cells = []
        for w in counts:
            mine = [r for r in runs if r["workers"] == w]
            values = [r["wall_s"] if name == "wall_s" else r["stages"].get(name, 0.0) for r in mine]
            cells.append(f"{statistics.median(values):.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pooled_stages(path: Path, worker_counts: list[int], repeat: int, batch: int = 1000) -> None:
    """Seconds of ``count_in_pool`` and ``find_in_pool`` over every record of ``path``, per worker count."""
    from dedupe.boilerplate import BoilerplateModel
    from dedupe.boilerplate.pooled import count_in_pool, find_in_pool
    from dedupe.io import read_corpus

    records = list(read_corpus(path, id_field="id"))
    batches = [
        ([r.text for r in records[lo : lo + batch]], [str(r.fields["site"]) for r in records[lo : lo + batch]])
        for lo in range(0, len(records), batch)
    ]
    mb = sum(len(r.text.encode()) for r in records) / 1e6
    times: dict[int, list[tuple[float, float]]] = {w: [] for w in worker_counts}
    for _ in range(repeat):
        for workers in worker_counts:
            load = os.getloadavg()[0]
            model = BoilerplateModel()
            t = time.perf_counter()
            sum(count_in_pool(model, iter(batches), workers=workers))
            t1 = time.perf_counter()
            spans = sum(len(s) for found, _ in find_in_pool(model, iter(batches), workers=workers) for s in found)
            t2 = time.perf_counter()
            times[workers].append((t1 - t, t2 - t1))
            print(f"  workers {workers}: count {t1 - t:.2f} s, find {t2 - t1:.2f} s ({spans:,} spans), load {load:.2f}")
    for workers in worker_counts:
        count = statistics.median(c for c, _ in times[workers])
        find = statistics.median(f for _, f in times[workers])
        rates = f"count {count:.2f} s ({mb / count:.0f} MB/s), find {find:.2f} s ({mb / find:.0f} MB/s)"
        print(f"workers {workers}: {rates}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", type=Path, default=None)
    parser.add_argument("--docs", type=int, default=70_000)
    parser.add_argument("--sites", type=int, default=60)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dedupe-e2e"))
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-boilerplate", action="store_true")
    parser.add_argument("--pooled", action="store_true", help="time the pooled boilerplate stages alone")
    args = parser.parse_args(argv)
    if args.input is not None:
        path, group_field, id_field = args.input, None, None
    else:
        from dedupe.bench.corpus import write_synthetic_jsonl

        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir / f"web-{args.docs}-{args.sites}.jsonl"
        if not path.exists():
            write_synthetic_jsonl(path, args.docs, sites=args.sites)
        group_field, id_field = "site", "id"
    mb = path.stat().st_size / 1e6
    print(f"input {path} ({mb:.1f} MB on disk), boilerplate {'off' if args.no_boilerplate else 'on'}", flush=True)
    worker_counts = [int(w) for w in args.workers.split(",")]
    if args.pooled:
        pooled_stages(path, worker_counts, args.repeat)
        return 0
    runs = []
    for rep in range(args.repeat):
        for workers in worker_counts:
            run = clean_once(path, workers, boilerplate=not args.no_boilerplate, group_field=group_field,
                             id_field=id_field)  # fmt: skip
            runs.append(run)
            print(f"  run {rep + 1} workers {workers}: {run['wall_s']:.2f} s ({mb / run['wall_s']:.1f} MB/s), "
                  f"load {run['load']:.2f}", flush=True)  # fmt: skip
    print(f"  {runs[-1]['summary']}")
    base = statistics.median(r["wall_s"] for r in runs if r["workers"] == worker_counts[0])
    for workers in worker_counts:
        med = statistics.median(r["wall_s"] for r in runs if r["workers"] == workers)
        speedup = f"{base / med:.2f}x workers {worker_counts[0]}"
        print(f"workers {workers}: median {med:.2f} s, {mb / med:.1f} MB/s, {speedup}")
    print(stage_table(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
