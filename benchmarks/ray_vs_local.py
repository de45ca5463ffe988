"""Local numpy vs Ray Data on one machine: the same find_duplicates on a backend, stage by stage.

A generated corpus (``dedupe.bench.corpus.generate_corpus`` with short documents, plus planted near duplicates
at a 2% edit rate and exact copies) runs through :func:`dedupe.find_duplicates` (``backend=``) on the
local backend and on the Ray backend (a local Ray instance); the two results must be identical.
Reported per backend: seconds per stage (signatures + digests, candidate pairs, exact
verification, the rest on the driver) and the total of the fastest of ``--repeat`` runs, the
first run's total (Ray starts its workers then), Ray's start-up, the band-key rows shuffled and
their bytes, and the peak of the machine's memory in use above the idle baseline (sampled from
``/proc/meminfo`` every 0.1 s, so it includes every Ray process).

Run: ``python benchmarks/ray_vs_local.py --docs 100000 [--num-cpus 2] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe.backends import Backend, get_backend
from dedupe.bench.corpus import edited_copy, generate_corpus
from dedupe.duplicates import DuplicateResult, find_duplicates
from dedupe.lsh import LSHIndex

FIELDS = ("labels", "kind", "similarity", "pairs", "pair_similarity", "pair_kind")
#: Bytes of one band-key row in the shuffle: key (uint64) + band (uint16) + row (uint32).
BAND_ROW_BYTES = 8 + 2 + 4


def make_corpus(n_docs: int, seed: int = 42) -> list[str]:
    """``n_docs`` documents: 85% generated (50-300 words), 10% near copies (2% edits), 5% exact copies."""
    rng = random.Random(seed)
    n_base = int(n_docs * 0.85)
    docs = generate_corpus(n_base, seed=seed, min_words=50, max_words=300)
    near = [edited_copy(docs[rng.randrange(n_base)], 0.02, rng) for _ in range(int(n_docs * 0.10))]
    exact = [docs[rng.randrange(n_base)] for _ in range(n_docs - n_base - len(near))]
    docs += near + exact
    rng.shuffle(docs)
    return docs


class MemorySampler:
    """Peak of (MemTotal - MemAvailable) above the value at start, sampled every 0.1 s."""

    def __init__(self) -> None:
        self.baseline = self._used()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _used() -> int:
        info = {}
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                name, value = line.split(":")
                info[name] = int(value.split()[0]) * 1024
        return info["MemTotal"] - info["MemAvailable"]

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._used())

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return (self.peak - self.baseline) / 2**20


class TimedBackend:
    """Wraps a backend and adds up the seconds spent in each of its methods."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.seconds: dict[str, float] = {}
        self.candidate_rows = 0
        self.candidate_pairs_found = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def _timed(self, what: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return call()
        finally:
            self.seconds[what] = self.seconds.get(what, 0.0) + time.perf_counter() - start

    def map_batches(self, fn: Any, batches: Sequence[Any], *, stage: str = "map_batches") -> Any:
        return self._timed(stage, lambda: self.inner.map_batches(fn, batches, stage=stage))

    def signatures_and_digests(self, hasher: Any, texts: Sequence[str], **kwargs: Any) -> Any:
        return self._timed("signatures", lambda: self.inner.signatures_and_digests(hasher, texts, **kwargs))

    def candidate_pairs(self, signatures: Any, **kwargs: Any) -> Any:
        self.candidate_rows = len(signatures)
        pairs = self._timed("candidate pairs", lambda: self.inner.candidate_pairs(signatures, **kwargs))
        self.candidate_pairs_found = len(pairs)
        return pairs

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> TimedBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def same(a: DuplicateResult, b: DuplicateResult) -> bool:
    return all(getattr(a, f).tobytes() == getattr(b, f).tobytes() for f in FIELDS)


def run(
    name: str, docs: list[str], options: dict[str, Any], batch_size: int, repeat: int
) -> tuple[DuplicateResult, dict[str, Any]]:
    """Start the backend once, run ``repeat`` times; report the first run and the fastest."""
    runs: list[dict[str, Any]] = []
    with MemorySampler() as memory:
        start = time.perf_counter()
        inner = get_backend(name, **options)
        started = time.perf_counter() - start
        try:
            for _ in range(repeat):
                backend = TimedBackend(inner)
                start = time.perf_counter()
                result = find_duplicates(docs, backend=backend, batch_size=batch_size)
                total = time.perf_counter() - start
                stages = {k: round(v, 2) for k, v in backend.seconds.items()}
                stages["driver"] = round(total - sum(backend.seconds.values()), 2)
                runs.append({"total_s": round(total, 2), "stages_s": stages})
        finally:
            inner.close()
    best = min(runs, key=lambda r: float(r["total_s"]))
    numbers = {
        "start_s": round(started, 2),
        "first_total_s": runs[0]["total_s"],
        "total_s": best["total_s"],
        "stages_s": best["stages_s"],
        "peak_mem_mb": round(memory.peak_mb),
        "candidate_rows": backend.candidate_rows,
        "candidate_pairs": backend.candidate_pairs_found,
    }
    return result, numbers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--num-cpus", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--object-store-mb", type=int, default=2048)
    parser.add_argument("--repeat", type=int, default=2, help="runs per backend; the fastest is reported")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    docs = make_corpus(args.docs)
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    print(f"corpus: {len(docs):,} docs, {mb:.0f} MB, generated in {time.perf_counter() - start:.0f} s", flush=True)

    find_duplicates(docs[:200])  # warm up cached band plans and key constants
    library_s = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        expected = find_duplicates(docs)
        library_s = min(library_s, time.perf_counter() - start)
    print(f"find_duplicates (library, in process): {library_s:.1f} s; {expected.summary()}", flush=True)

    report: dict[str, Any] = {"docs": len(docs), "mb": round(mb, 1), "find_duplicates_s": round(library_s, 2)}
    ray_options = {"num_cpus": args.num_cpus, "object_store_memory": args.object_store_mb * 2**20}
    for name, options in (("local", {}), ("ray", ray_options)):
        result, numbers = run(name, docs, options, args.batch_size, args.repeat)
        if not same(result, expected):
            raise SystemExit(f"{name}: the result differs from find_duplicates")
        numbers["docs_per_s"] = round(len(docs) / numbers["total_s"])
        report[name] = numbers
        print(f"{name}: {json.dumps(numbers)}", flush=True)

    plan = LSHIndex.for_threshold(0.8, num_perm=128)
    rows = report["ray"]["candidate_rows"] * plan.num_bands
    report["band_key_rows"] = rows
    report["band_key_mb"] = round(rows * BAND_ROW_BYTES / 2**20, 1)
    report["ray_overhead_x"] = round(report["ray"]["total_s"] / report["local"]["total_s"], 2)
    print(
        f"band plan {plan.num_bands} x {plan.rows_per_band}: {rows:,} band-key rows shuffled "
        f"({report['band_key_mb']} MB at {BAND_ROW_BYTES} B/row); Ray / local = {report['ray_overhead_x']}x "
        f"(+ {report['ray']['start_s']} s Ray start-up)"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
