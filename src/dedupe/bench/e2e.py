"""End-to-end runs in a fresh process: ``deduplicate()`` + write, or datatrove's MinHash dedup.

This file imports only the standard library at module level, so it also runs as a script under
another interpreter (a virtual environment that has datatrove but not dedupe)::

    python e2e.py dedupe INPUT.jsonl WORKDIR --threshold 0.8 --num-perm 128
    python e2e.py datatrove INPUT.jsonl WORKDIR --num-bands 21 --rows-per-band 6

It prints one JSON object on stdout: ``run_s`` (seconds from the first pipeline call to the last
output byte), ``stages_s``, ``docs``, ``kept`` and ``labels`` (for every input position, the position
of its cluster's kept record). The caller measures the process's wall time and peak RSS
(:func:`run_measured`).

datatrove's pipeline is the one its README and examples show for MinHash deduplication:
``JsonlReader`` -> ``MinhashDedupSignature`` (21 x 6 = 126 hashes here: its signature is exactly
``num_buckets * hashes_per_bucket`` long) -> ``MinhashDedupBuckets`` (one task per bucket) ->
``MinhashDedupCluster(save_cluster_id=True)`` -> ``JsonlReader`` -> ``MinhashDedupFilter`` ->
``JsonlWriter`` (uncompressed, as ours), each stage a ``LocalPipelineExecutor(workers=1)``; English
word tokenizer (spaCy's blank ``en``), 64-bit xxhash shingle hashes. It does not verify candidates:
every LSH collision joins a cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def own_peak_rss_mb() -> float | None:
    """Peak RSS of this process image in MB: ``VmHWM`` of ``/proc/self/status`` (Linux), else None.

    ``getrusage`` is no use in a child: Linux carries the parent's high-water mark across
    fork + exec into ``ru_maxrss``, so a small child of a big parent reports the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_measured(cmd: Sequence[str], *, stderr_path: Path) -> dict[str, Any]:
    """Run ``cmd``; return its JSON output plus ``wall_s`` and ``peak_rss_mb`` of that process.

    The peak RSS is the one the child reports (:func:`own_peak_rss_mb`); where it cannot, the
    ``wait4`` usage of that child.

    Raises:
        RuntimeError: the command failed (the message ends with the tail of its stderr).
    """
    start = time.perf_counter()
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = stderr_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd[1:3])} exited with status {proc.returncode}; its stderr ends with:\n{tail}")
    result: dict[str, Any] = json.loads(out)
    result["wall_s"] = wall
    if result.get("peak_rss_mb") is None:  # not Linux: the child's rusage (may include the parent's peak)
        result["peak_rss_mb"] = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
    return result


def _run_dedupe(args: argparse.Namespace) -> dict[str, Any]:
    from dedupe.pipeline import deduplicate

    def call(boilerplate: bool) -> Any:
        return deduplicate(
            args.input,
            threshold=args.threshold,
            num_perm=args.num_perm,
            ngram_size=args.ngram_size,
            text_field=args.text_field,
            id_field=args.id_field,
            group_field=args.group_field,
            remove_boilerplate=boilerplate,
            on_error="reject",
        )

    note = ""
    t0 = time.perf_counter()
    try:
        result = call(args.boilerplate)
    except ImportError as exc:
        # The pipeline's boilerplate stage may not be installed yet: say so and run without it.
        if not args.boilerplate or not (exc.name or "").startswith("dedupe"):
            raise
        note = f"boilerplate removal not available ({exc}); ran without it"
        t0 = time.perf_counter()
        result = call(False)
    t1 = time.perf_counter()
    kept = result.write(Path(args.workdir) / "dedupe-kept.jsonl")
    t2 = time.perf_counter()
    out: dict[str, Any] = {
        "run_s": t2 - t0,
        "stages_s": {**result.timings, "write": t2 - t1},
        "docs": len(result),
        "kept": kept,
        "summary": result.summary(),
        "boilerplate_note": note,
    }
    if args.labels:
        position = {doc_id: i for i, doc_id in enumerate(result.ids) if doc_id is not None}
        out["labels"] = [i if rep is None else position[rep] for i, rep in enumerate(result.duplicate_of)]
    return out


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def _datatrove_executors(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """datatrove's MinHash dedup as its README shows it: one ``LocalPipelineExecutor`` per stage."""
    import importlib
    import logging

    # Imported by name: datatrove is usually installed in another environment than dedupe.
    executor_mod = importlib.import_module("datatrove.executor")
    dedup = importlib.import_module("datatrove.pipeline.dedup")
    minhash = importlib.import_module("datatrove.pipeline.dedup.minhash")
    readers = importlib.import_module("datatrove.pipeline.readers")
    writers = importlib.import_module("datatrove.pipeline.writers")
    hashing = importlib.import_module("datatrove.utils.hashing")
    LocalPipelineExecutor = executor_mod.LocalPipelineExecutor
    JsonlReader, JsonlWriter = readers.JsonlReader, writers.JsonlWriter
    logging.disable(logging.INFO)
    inp = Path(args.input)
    config = minhash.MinhashConfig(
        n_grams=args.ngram_size,
        num_buckets=args.num_bands,
        hashes_per_bucket=args.rows_per_band,
        seed=args.seed,
        hash_config=hashing.HashConfig(precision=64),
    )

    def reader() -> Any:
        return JsonlReader(
            str(inp.parent),
            glob_pattern=inp.name,
            text_key=args.text_field,
            id_key=args.id_field or "id",
            recursive=False,
        )

    return {
        "signatures": LocalPipelineExecutor(
            pipeline=[reader(), dedup.MinhashDedupSignature(output_folder=str(work / "signatures"), config=config)],
            tasks=1,
            workers=1,
            logging_dir=str(work / "logs" / "signatures"),
        ),
        "buckets": LocalPipelineExecutor(
            pipeline=[
                dedup.MinhashDedupBuckets(
                    input_folder=str(work / "signatures"), output_folder=str(work / "buckets"), config=config
                )
            ],
            tasks=config.num_buckets,
            workers=1,
            logging_dir=str(work / "logs" / "buckets"),
        ),
        "cluster": LocalPipelineExecutor(
            pipeline=[
                dedup.MinhashDedupCluster(
                    input_folder=str(work / "buckets"),
                    output_folder=str(work / "remove_ids"),
                    config=config,
                    save_cluster_id=True,
                )
            ],
            tasks=1,
            workers=1,
            logging_dir=str(work / "logs" / "cluster"),
        ),
        "filter+write": LocalPipelineExecutor(
            pipeline=[
                reader(),
                dedup.MinhashDedupFilter(input_folder=str(work / "remove_ids")),
                JsonlWriter(str(work / "output"), output_filename="kept.jsonl", compression=None),
            ],
            tasks=1,
            workers=1,
            logging_dir=str(work / "logs" / "filter"),
        ),
    }


def _cluster_labels(work: Path, n: int) -> list[int]:
    """For every input position, the position of the first record of its datatrove cluster."""
    cluster_of: dict[int, int] = {}
    clusters = work / "remove_ids" / "000000.clusters"
    if clusters.exists():
        for doc, cid in struct.iter_unpack("<II", clusters.read_bytes()):
            cluster_of[doc] = cid
    first: dict[int, int] = {}
    labels = []
    for i in range(n):
        cid = cluster_of.get(i)
        labels.append(i if cid is None else first.setdefault(cid, i))
    return labels


def _run_datatrove(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.workdir) / "datatrove"
    inp = Path(args.input)
    stages = _datatrove_executors(args, work)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    for name, executor in stages.items():
        t = time.perf_counter()
        executor.run()
        times[name] = time.perf_counter() - t
    run_s = time.perf_counter() - t0
    kept_path = work / "output" / "kept.jsonl"
    kept = _count_lines(kept_path) if kept_path.exists() else 0
    n = _count_lines(inp)
    out: dict[str, Any] = {"run_s": run_s, "stages_s": times, "docs": n, "kept": kept}
    if args.labels:
        out["labels"] = _cluster_labels(work, n)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("side", choices=["dedupe", "datatrove"])
    parser.add_argument("input")
    parser.add_argument("workdir")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram-size", type=int, default=5)
    parser.add_argument("--num-bands", type=int, default=18)
    parser.add_argument("--rows-per-band", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--id-field", default=None)
    parser.add_argument("--group-field", default=None)
    parser.add_argument("--boilerplate", action="store_true")
    parser.add_argument("--labels", action="store_true", help="print the cluster label of every record")
    args = parser.parse_args(argv)
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    out = _run_dedupe(args) if args.side == "dedupe" else _run_datatrove(args)
    out["peak_rss_mb"] = own_peak_rss_mb()
    sys.stdout.write(json.dumps(out))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
