"""End-to-end scale: ``deduplicate`` + write on generated JSONL of growing size, one process each.

For every size, a generated corpus (planted exact and near duplicates, per-site boilerplate) is
cleaned end to end in a fresh process; reported: wall seconds per stage, docs/s, MB/s, the peak
RSS of that process (plus its largest worker's) and the peak memory of its whole process tree
(the process and its workers, sampled every 0.2 s from /proc: the sum of PSS, which counts pages
the forked workers share once, and the sum of RSS, which counts them in each), then the fitted
growth exponent of total time (1.0 = linear).

Run: ``python benchmarks/pipeline_scale.py --sizes 10000,100000,1000000 [--workers 1] [--dir /tmp/scale]``
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_one(path: Path, out: Path, workers: int, boilerplate: bool) -> dict[str, object]:
    from dedupe.pipeline import deduplicate

    t0 = time.perf_counter()
    result = deduplicate(
        path, id_field="id", group_field="site", workers=workers, remove_boilerplate=boilerplate, progress=False
    )
    t1 = time.perf_counter()
    written = result.write(out)
    t2 = time.perf_counter()
    counts = result.counts()
    assert counts["kept"] + counts["duplicates"] + counts["rejected"] == counts["input"]
    assert written == counts["kept"]
    return {
        "docs": counts["input"],
        "mb": path.stat().st_size / 1e6,
        "dedup_s": t1 - t0,
        "write_s": t2 - t1,
        "total_s": t2 - t0,
        "stages": result.timings,
        "summary": result.summary(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _memory(pids: list[int]) -> tuple[int, int]:
    """(sum of PSS, sum of RSS) in kB of ``pids``: PSS splits the pages forked workers share."""
    pss = rss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def run_sampled(cmd: list[str], every: float = 0.2) -> dict[str, object]:
    """Run the child ``cmd``; its JSON line, plus the peak PSS and RSS sums of its process tree
    (the child and its workers), sampled every ``every`` seconds."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak_pss = peak_rss = 0
    while proc.poll() is None:
        pss, rss = _memory(_tree(proc.pid))
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(every)
    stdout = proc.stdout.read() if proc.stdout is not None else ""
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    res: dict[str, object] = json.loads(stdout)
    res["tree_pss_mb"], res["tree_rss_mb"] = peak_pss / 1024, peak_rss / 1024
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--dir", default="/tmp/dedupe-scale")
    parser.add_argument("--no-boilerplate", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("PATH", "OUT", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        res = run_one(Path(args.child[0]), Path(args.child[1]), int(args.child[2]), not args.no_boilerplate)
        print(json.dumps(res))
        return 0
    from dedupe.bench.corpus import write_synthetic_jsonl

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        path = folder / f"corpus-{size}.jsonl"
        if not path.exists():
            t = time.perf_counter()
            planted = write_synthetic_jsonl(path, size)
            print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB, planted {planted}) in "
                  f"{time.perf_counter() - t:.0f} s", flush=True)
        cmd = [sys.executable, __file__, "--child", str(path), str(folder / f"clean-{size}.jsonl"), str(args.workers)]
        if args.no_boilerplate:
            cmd.append("--no-boilerplate")
        res = run_sampled(cmd)
        rows.append(res)
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in res["stages"].items())  # type: ignore[union-attr]
        print(f"{size:>9,} docs {res['mb']:7.0f} MB: total {res['total_s']:7.1f} s "
              f"({size / res['total_s']:,.0f} docs/s, {res['mb'] / res['total_s']:.1f} MB/s), "
              f"peak RSS {res['peak_rss_mb']:,.0f} MB (process + largest worker), whole tree: peak PSS "
              f"{res['tree_pss_mb']:,.0f} MB, peak RSS sum {res['tree_rss_mb']:,.0f} MB; {stages}; "
              f"write {res['write_s']:.1f}s", flush=True)  # fmt: skip
        print(f"          {res['summary']}", flush=True)
    if len(rows) > 1:
        xs = [math.log(float(r["docs"])) for r in rows]  # type: ignore[arg-type]
        ys = [math.log(float(r["total_s"])) for r in rows]  # type: ignore[arg-type]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        print(f"growth exponent of total time: {slope:.2f} (1.00 = linear)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
