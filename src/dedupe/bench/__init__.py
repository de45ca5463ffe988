"""``dedupe bench``: stage timings, peers side by side, agreement with exact Jaccard, scaling.

On the user's corpus (its first ``docs`` records) or on a generated one
(:mod:`dedupe.bench.corpus`: web-like pages with planted exact and near duplicates and per-site
boilerplate, the same for the same ``seed``), one run reports

1. **Stages** of dedupe in this process, each timed on its own by calling the library's stage
   functions: read (:func:`dedupe.io.read_corpus`), normalize+shingle
   (:func:`dedupe.shingles.iter_shingle_batches`), signatures (:meth:`MinHasher.sign_batch`),
   lsh+clusters (exact groups, :func:`dedupe.duplicates.candidate_pairs`,
   :func:`~dedupe.duplicates.verify_candidates`, :func:`~dedupe.duplicates.resolve_clusters`),
   boilerplate (``dedupe.boilerplate.find_boilerplate`` on the kept records, when that module
   exists) and write (:func:`dedupe.io.write_corpus` of the kept records); seconds, docs/s, MB/s of
   text (UTF-8) and the peak RSS of the process so far (``getrusage``).
2. **End to end**: :func:`dedupe.pipeline.deduplicate` + :meth:`DedupResult.write` in a fresh
   process (wall time, in-process run time and that process's peak RSS), and datatrove's MinHash
   dedup on the same JSONL in another (:mod:`dedupe.bench.e2e`).
3. **Peers** in this process on the same texts with the same parameters (:mod:`dedupe.bench.peers`),
   as ratios to dedupe's shingle + sign + lsh+clusters seconds, with and without tokenizing (the
   peers share one tokenizer's output, timed once). Every side gets one untimed warm-up call on 8
   documents and one timed run. A peer that is not installed is listed as skipped, with its
   install command.
4. **Agreement**: every side's *found pairs* are the pairs of documents it puts in one cluster; the
   truth is every pair whose word 5-gram sets have exact Jaccard >= threshold
   (:mod:`dedupe.bench.quality`, an exact all-pairs join). Per peer: pairs both found, only dedupe,
   only the peer, and the precision and recall of each side.

``--scaling 10000,100000`` instead times ``deduplicate()`` + write at each size in a fresh process
and fits the growth exponent of time and memory. ``--out DIR`` writes ``bench.md``, ``bench.json``
and PNG figures (matplotlib, the ``plot`` extra).

Run ``dedupe bench --docs 2000`` (or ``python -m dedupe.bench --docs 2000``). Nothing here is
imported by ``import dedupe`` or ``dedupe clean``: the CLI loads this package in its bench handler.
"""

from __future__ import annotations

from .cli import add_parser, main, options_from_args, run
from .options import ALL_PEERS, BenchOptions
from .report import BenchReport, ScalingReport
from .runner import run_bench
from .scaling import run_scaling

__all__ = [
    "ALL_PEERS",
    "BenchOptions",
    "BenchReport",
    "ScalingReport",
    "add_parser",
    "main",
    "options_from_args",
    "run",
    "run_bench",
    "run_scaling",
]
