"""Driver memory of the sharded Ray run against corpus size: ``python benchmarks/ray_scale.py --mb 100``.

Generates a corpus of about ``--mb`` MB in ``--shards`` JSON Lines shards (the project's corpus
generator: documents of 50-300 words, plus 10% near copies at a 2% edit rate and 5% exact copies,
copies placed in random shards), runs :func:`dedupe.deduplicate_shards` on a
local Ray instance and prints one JSON line: wall time, the driver's peak RSS (``VmHWM`` of this
process only, not of the Ray workers), and the bytes shuffled per document, computed from the
counts the run reports and the row formats (band-key rows 14 B, digest rows 32 B, join rows).
Run each size in its own process: VmHWM is a high-water mark.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe.bench.corpus import edited_copy, generate_corpus


def vm_hwm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def write_shards(folder: Path, target_bytes: int, shards: int, seed: int = 7) -> tuple[int, int]:
    """Write the corpus in batches (never all in memory); return (documents, bytes)."""
    rng = random.Random(seed)
    files = [open(folder / f"part-{s:03d}.jsonl", "w", encoding="utf-8") for s in range(shards)]  # noqa: SIM115
    written = docs = 0
    batch = 0
    try:
        while written < target_bytes:
            base = generate_corpus(2000, seed=seed + batch, min_words=50, max_words=300)
            extra = [edited_copy(rng.choice(base), 0.02, rng) for _ in range(200)]
            extra += [rng.choice(base) for _ in range(100)]
            for text in base + extra:
                line = json.dumps({"id": f"d{docs}", "text": text}) + "\n"
                files[rng.randrange(shards)].write(line)
                written += len(line.encode())
                docs += 1
            batch += 1
    finally:
        for f in files:
            f.close()
    return docs, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, required=True)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--num-cpus", type=int, default=2)
    args = parser.parse_args()
    import ray

    from dedupe import deduplicate_shards
    from dedupe.backends.ray import RayBackend

    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
        shards = Path(tmp) / "shards"
        shards.mkdir()
        docs, size = write_shards(shards, int(args.mb * 1e6), args.shards)
        ray.init(num_cpus=args.num_cpus, include_dashboard=False, log_to_driver=False)
        import logging

        logging.getLogger("ray.data").setLevel(logging.ERROR)
        rss_before = vm_hwm_bytes()
        t = time.perf_counter()
        with RayBackend() as engine:
            run = deduplicate_shards(shards, Path(tmp) / "out", backend=engine, id_field="id")
        wall = time.perf_counter() - t
        g = run.graph
        per_doc = {
            "digest rows (32 B)": 32.0,
            "band-key rows (14 B x bands)": 14.0 * 21,
            "signature join (doc side, 520 B)": 520.0 * (1 if g["candidate_pairs"] else 0),
            "pair requests (35 B x 2 per candidate)": 70.0 * g["candidate_pairs"] / docs,
        }
        print(json.dumps({
            "docs": docs, "corpus_bytes": size, "shards": args.shards, "wall_s": round(wall, 1),
            "driver_hwm_before_run_mb": round(rss_before / 2**20, 1), "driver_hwm_mb": round(vm_hwm_bytes() / 2**20, 1),
            "counts": run.counts, "graph": g, "timings_s": run.timings,
            "shuffled_bytes_per_doc": round(sum(per_doc.values()), 1), "shuffle_breakdown": per_doc,
        }))  # fmt: skip
        ray.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
