"""``dedupe bench``: stage timings, peers side by side, agreement with exact Jaccard, scaling.

On the user's corpus (its first ``docs`` records) or on a generated one
(:mod:`dedupe._bench_corpus`: web-like pages with planted exact and near duplicates and per-site
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
   process (wall time and that process's peak RSS), and datatrove's MinHash dedup on the same JSONL
   in another (:mod:`dedupe._bench_e2e`).
3. **Peers** in this process on the same texts with the same parameters (:mod:`dedupe._bench_peers`),
   as ratios to dedupe's shingle + sign + lsh+clusters seconds. A peer that is not installed is
   listed as skipped, with its install command.
4. **Agreement**: every side's *found pairs* are the pairs of documents it puts in one cluster; the
   truth is every pair whose word 5-gram sets have exact Jaccard >= threshold
   (:mod:`dedupe._bench_quality`, an exact all-pairs join). Per peer: pairs both found, only dedupe,
   only the peer, and the precision and recall of each side.

``--scaling 10000,100000`` instead times ``deduplicate()`` + write at each size in a fresh process
and fits the growth exponent of time and memory. ``--out DIR`` writes ``bench.md``, ``bench.json``
and PNG figures (matplotlib, the ``plot`` extra).

Run ``python -m dedupe.bench --docs 2000`` (or ``dedupe bench`` once wired into the CLI).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import itertools
import json
import math
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import __version__, _args
from ._bench_e2e import run_measured
from ._typing import IntArray
from .config import MinHashConfig, ShingleConfig
from .errors import ConfigError, DedupeError

__all__ = ["BenchOptions", "BenchReport", "ScalingReport", "add_parser", "main", "run", "run_bench", "run_scaling"]

ALL_PEERS = ("datasketch", "rensa", "datatrove")
_IN_PROCESS_PEERS = ("datasketch", "rensa")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (2^20 bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    """What ``dedupe bench`` runs; the fields mirror the command-line options."""

    corpus: str | None = None
    docs: int = 10_000
    peers: tuple[str, ...] = ALL_PEERS
    out: Path | None = None
    threshold: float = 0.8
    num_perm: int = 128
    ngram_size: int = 5
    text_field: str = "text"
    id_field: str | None = None
    group_field: str | None = None
    seed: int = 42
    quality: bool = True
    plots: bool = True
    boilerplate: bool = True
    scaling: tuple[int, ...] = ()
    datatrove_python: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        if self.docs < 2:
            raise ConfigError(f"docs must be at least 2 (got {self.docs!r})")
        unknown = [p for p in self.peers if p not in ALL_PEERS]
        if unknown:
            raise ConfigError(f"unknown peer {unknown[0]!r}; choose from {', '.join(ALL_PEERS)} (comma-separated)")
        if not 0 < self.threshold <= 1:
            raise ConfigError(f"threshold must be in (0, 1] (got {self.threshold!r})")
        if any(s < 2 for s in self.scaling):
            raise ConfigError(f"every --scaling size must be at least 2 (got {list(self.scaling)})")
        # Validates num_perm and ngram_size with the library's own messages.
        MinHashConfig(num_perm=self.num_perm, shingle=ShingleConfig(ngram_size=self.ngram_size))


# ---------------------------------------------------------------------------------------------
# Report rows


@dataclass
class StageRow:
    """One timed stage of dedupe in this process."""

    stage: str
    seconds: float | None
    docs: int
    mb: float
    peak_rss_mb: float | None
    note: str = ""

    @property
    def docs_per_s(self) -> float | None:
        return None if not self.seconds else self.docs / self.seconds

    @property
    def mb_per_s(self) -> float | None:
        return None if not self.seconds else self.mb / self.seconds


@dataclass
class EndToEndRow:
    """One end-to-end run in its own process."""

    name: str
    status: str  # "ran", "skipped" or "failed"
    wall_s: float | None = None
    run_s: float | None = None
    peak_rss_mb: float | None = None
    docs: int = 0
    mb: float = 0.0
    kept: int | None = None
    note: str = ""
    stages_s: dict[str, float] = field(default_factory=dict)


@dataclass
class PeerRow:
    """One side of the in-process comparison (dedupe itself is the first row)."""

    name: str
    status: str  # "ran", "skipped" or "failed"
    seconds: float | None = None
    speedup: float | None = None  # peer seconds / dedupe seconds
    candidates: int | None = None
    verified: int | None = None
    found: int | None = None
    precision: float | None = None
    recall: float | None = None
    api: str = ""
    note: str = ""
    stages_s: dict[str, float] = field(default_factory=dict)


@dataclass
class BenchReport:
    """Everything one ``dedupe bench`` run measured."""

    corpus: dict[str, Any]
    params: dict[str, Any]
    stages: list[StageRow]
    end_to_end: list[EndToEndRow]
    peers: list[PeerRow]
    agreement: dict[str, dict[str, Any]]
    truth: dict[str, Any]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.end_to_end) or any(r.status == "failed" for r in self.peers)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "corpus": self.corpus,
            "params": self.params,
            "stages": [{**asdict(r), "docs_per_s": r.docs_per_s, "mb_per_s": r.mb_per_s} for r in self.stages],
            "end_to_end": [asdict(r) for r in self.end_to_end],
            "peers": [asdict(r) for r in self.peers],
            "agreement": self.agreement,
            "truth": self.truth,
            "files": self.files,
            "notes": self.notes,
        }
        return out

    def to_markdown(self) -> str:
        return _report_markdown(self)


@dataclass
class ScalingReport:
    """``deduplicate()`` + write at several sizes, each in a fresh process."""

    params: dict[str, Any]
    rows: list[EndToEndRow]
    time_exponent: float | None
    rss_exponent: float | None
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "rows": [asdict(r) for r in self.rows],
            "time_exponent": self.time_exponent,
            "rss_exponent": self.rss_exponent,
            "files": self.files,
            "notes": self.notes,
        }

    def to_markdown(self) -> str:
        return _scaling_markdown(self)


# ---------------------------------------------------------------------------------------------
# Formatting


def _num(value: float | None, kind: str = "g") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "s":
        return f"{value:.3g}" if value < 10 else f"{value:,.1f}"
    if kind == "x":
        return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"
    if kind == "p":
        return f"{value:.4f}"
    if kind == "mb":
        return f"{value:,.1f}" if value >= 1 else f"{value:.3g}"
    return f"{value:.3g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _report_markdown(r: BenchReport) -> str:
    c, p = r.corpus, r.params
    lines = [f"# dedupe bench ({p['dedupe_version']}, Python {p['python']}, {p['cpus']} CPUs)", ""]
    lines.append(f"Corpus: {c['description']}.")
    lines.append(
        f"Parameters: threshold {p['threshold']:g}, num_perm {p['num_perm']}, word {p['ngram_size']}-grams, "
        f"MinHash seed {p['minhash_seed']}, band plan {p['num_bands']} bands x {p['rows_per_band']} rows "
        f"(candidate probability {p['candidate_probability']:.3f} at the threshold)."
    )
    lines += ["", "## Stages (dedupe, in this process)", ""]
    rows = [
        [
            s.stage,
            _num(s.seconds, "s"),
            _num(s.docs_per_s, "int"),
            _num(s.mb_per_s, "mb"),
            _num(s.peak_rss_mb, "mb"),
            s.note,
        ]
        for s in r.stages
    ]
    lines += _table(["stage", "seconds", "docs/s", "MB/s", "peak RSS MB", "notes"], rows, "lrrrrl")
    lines += ["", "## End to end (each run in a fresh process)", ""]
    rows = []
    for e in r.end_to_end:
        if e.status != "ran":
            rows.append([e.name, e.status, "-", "-", "-", "-", "-", e.note])
            continue
        wall = e.wall_s or 0.0
        rows.append(
            [
                e.name,
                "ran",
                _num(e.wall_s, "s"),
                _num(e.docs / wall if wall else None, "int"),
                _num(e.mb / wall if wall else None, "mb"),
                _num(e.peak_rss_mb, "mb"),
                _num(e.kept, "int"),
                e.note,
            ]
        )
    lines += _table(["run", "status", "wall s", "docs/s", "MB/s", "peak RSS MB", "kept", "notes"], rows, "llrrrrrl")
    ratio = _e2e_ratio(r)
    if ratio:
        lines += ["", ratio]
    lines += ["", "## Peers (this process, same documents and parameters)", ""]
    rows = []
    for q in r.peers:
        if q.status != "ran":
            rows.append([q.name, q.status, "-", "-", "-", "-", "-", "-", "-", "-", "-", q.note])
            continue
        secs = q.seconds or 0.0
        rows.append(
            [
                q.name,
                "ran",
                _num(q.seconds, "s"),
                _num(c["docs"] / secs if secs else None, "int"),
                _num(c["mb"] / secs if secs else None, "mb"),
                _num(q.speedup, "x"),
                _num(q.candidates, "int"),
                _num(q.verified, "int"),
                _num(q.found, "int"),
                _num(q.precision, "p"),
                _num(q.recall, "p"),
                q.note,
            ]
        )
    lines += _table(
        [
            "side",
            "status",
            "seconds",
            "docs/s",
            "MB/s",
            "dedupe speed-up",
            "candidates",
            "verified pairs",
            "found pairs",
            "precision",
            "recall",
            "notes",
        ],
        rows,
        "llrrrrrrrrrl",
    )
    apis = [f"- {q.name}: {q.api}" for q in r.peers if q.api]
    if apis:
        lines += ["", "Calls timed:", *apis]
    if r.agreement:
        t = r.truth
        lines += ["", "## Agreement with exact Jaccard", ""]
        lines.append(
            f"Truth: {t['pairs']:,} pairs with exact Jaccard >= {p['threshold']:g} of lower-cased `\\w+` word "
            f"{p['ngram_size']}-gram sets (all pairs, prefix-filtered exact join, {t['seconds']:.1f} s). "
            "A side's found pairs: pairs of documents in one of its clusters."
        )
        lines.append("")
        rows = []
        for name, a in r.agreement.items():
            rows.append(
                [
                    name,
                    _num(a["truth"], "int"),
                    _num(a["both"], "int"),
                    _num(a["only_ours"], "int"),
                    _num(a["only_peer"], "int"),
                    _num(a["ours_precision"], "p"),
                    _num(a["ours_recall"], "p"),
                    _num(a["peer_precision"], "p"),
                    _num(a["peer_recall"], "p"),
                ]
            )
        lines += _table(
            [
                "peer",
                "true pairs",
                "both found",
                "only dedupe",
                "only peer",
                "dedupe precision",
                "dedupe recall",
                "peer precision",
                "peer recall",
            ],
            rows,
            "lrrrrrrrr",
        )
    if r.notes:
        lines += ["", "Notes:", *[f"- {n}" for n in r.notes]]
    if r.files:
        lines += ["", "Files:", *[f"- {f}" for f in r.files]]
    return "\n".join(lines) + "\n"


def _e2e_ratio(r: BenchReport) -> str:
    by = {e.name: e for e in r.end_to_end if e.status == "ran"}
    ours = by.get("dedupe (no boilerplate)")
    theirs = by.get("datatrove")
    if not ours or not theirs or not ours.wall_s or not theirs.wall_s:
        return ""
    a = r.agreement.get("datatrove (end to end)", {})
    recall = ""
    if a:
        recall = f"; recall dedupe {a['ours_recall']:.4f} vs datatrove {a['peer_recall']:.4f}"
    return (
        f"dedupe vs datatrove end to end: {theirs.wall_s / ours.wall_s:.1f}x faster "
        f"(wall {ours.wall_s:.1f} s vs {theirs.wall_s:.1f} s), peak RSS {ours.peak_rss_mb:,.0f} MB vs "
        f"{theirs.peak_rss_mb:,.0f} MB{recall} (target: >= 5x at equal or better recall)"
    )


def _scaling_markdown(r: ScalingReport) -> str:
    p = r.params
    lines = [f"# dedupe bench --scaling ({p['dedupe_version']}, Python {p['python']}, {p['cpus']} CPUs)", ""]
    lines.append(
        f"Corpus: {p['corpus']}; deduplicate() + write in a fresh process per size "
        f"(threshold {p['threshold']:g}, num_perm {p['num_perm']}, boilerplate {p['boilerplate']})."
    )
    lines.append("")
    rows = []
    for e in r.rows:
        if e.status != "ran":
            rows.append([_num(e.docs, "int"), "-", "-", "-", "-", "-", "-", f"{e.status}: {e.note}"])
            continue
        wall = e.wall_s or 0.0
        rows.append(
            [
                _num(e.docs, "int"),
                _num(e.mb, "mb"),
                _num(e.wall_s, "s"),
                _num(e.run_s, "s"),
                _num(e.docs / wall if wall else None, "int"),
                _num(e.mb / wall if wall else None, "mb"),
                _num(e.peak_rss_mb, "mb"),
                e.note,
            ]
        )
    lines += _table(["docs", "MB", "wall s", "pipeline s", "docs/s", "MB/s", "peak RSS MB", "notes"], rows, "rrrrrrrl")
    lines.append("")
    if r.time_exponent is not None and r.rss_exponent is not None:
        lines.append(
            f"Fitted growth: wall time ~ n^{r.time_exponent:.2f}, peak RSS ~ n^{r.rss_exponent:.2f} "
            "(least squares on log-log; 1.00 = linear)."
        )
    else:
        lines.append("Fitted growth: needs at least two sizes that ran.")
    if r.notes:
        lines += ["", "Notes:", *[f"- {n}" for n in r.notes]]
    if r.files:
        lines += ["", "Files:", *[f"- {f}" for f in r.files]]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Running


def _say(options: BenchOptions, message: str) -> None:
    if options.progress:
        print(f"bench: {message}", file=sys.stderr, flush=True)


@contextmanager
def _workdir(options: BenchOptions) -> Iterator[Path]:
    if options.out is not None:
        work = Path(options.out) / "work"
        work.mkdir(parents=True, exist_ok=True)
        yield work
        return
    with tempfile.TemporaryDirectory(prefix="dedupe-bench-") as tmp:
        yield Path(tmp)


def _prepare_input(options: BenchOptions, path: Path, n_docs: int) -> tuple[dict[str, Any], str | None]:
    """Write the benchmark input as JSONL ``{"id", "text"[, group]}``; return its description and group field."""
    if options.corpus is None:
        from ._bench_corpus import write_corpus_jsonl

        planted = write_corpus_jsonl(path, n_docs, seed=options.seed)
        desc = (
            f"generated (seed {options.seed}): {n_docs:,} web-like pages, {planted['exact']:,} planted exact and "
            f"{planted['near']:,} planted near copies, per-site boilerplate"
        )
        return {"source": "generated", "seed": options.seed, "planted": planted, "description": desc}, "site"
    from .io import Record, read_corpus, write_jsonl

    group = options.group_field
    rows: list[dict[str, Any]] = []
    rejected = 0
    first_reject = ""
    for item in itertools.islice(
        read_corpus(options.corpus, text_field=options.text_field, id_field=options.id_field, on_error="reject"),
        n_docs,
    ):
        if not isinstance(item, Record):
            rejected += 1
            first_reject = first_reject or item.message
            continue
        row: dict[str, Any] = {"id": item.id, "text": item.text}
        if group is not None:
            row["group"] = str(item.fields.get(group, ""))
        rows.append(row)
    if len(rows) < 2:
        why = f"; the first rejected one: {first_reject}" if first_reject else ""
        raise ConfigError(f"{options.corpus}: the benchmark needs at least 2 good records (got {len(rows)}){why}")
    write_jsonl(rows, path)
    desc = f"{options.corpus}: first {len(rows) + rejected:,} records ({len(rows):,} good, {rejected:,} rejected)"
    return {"source": str(options.corpus), "rejected": rejected, "description": desc}, (
        "group" if group is not None else None
    )


def _boilerplate_finder() -> tuple[Callable[..., list[list[Any]]] | None, str]:
    """``dedupe.boilerplate.find_boilerplate`` when it exists at run time, else ``(None, reason)``."""
    if importlib.util.find_spec("dedupe.boilerplate") is None:
        return None, "skipped: not available (dedupe.boilerplate is missing)"
    module = importlib.import_module("dedupe.boilerplate")
    finder = getattr(module, "find_boilerplate", None)
    if finder is None:
        return None, "skipped: not available (dedupe.boilerplate has no find_boilerplate)"
    return finder, ""


@dataclass
class _OurRun:
    stages: list[StageRow]
    labels: IntArray
    candidates: int
    verified: int
    core_seconds: float
    core_stages: dict[str, float]


def _run_stages(
    options: BenchOptions, input_path: Path, group_field: str | None, work: Path
) -> tuple[_OurRun, list[str], list[str | None]]:
    from .duplicates import (
        candidate_pairs,
        first_of_groups,
        resolve_clusters,
        shingle_jaccards,
        verify_candidates,
    )
    from .io import Record, read_corpus, write_corpus
    from .minhash import EMPTY_VALUE, MinHasher
    from .shingles import iter_shingle_batches

    rows: list[StageRow] = []
    t = time.perf_counter()
    records = [r for r in read_corpus(input_path, text_field="text", id_field="id") if isinstance(r, Record)]
    secs = time.perf_counter() - t
    texts = [r.text for r in records]
    groups = [None if group_field is None else str(r.fields.get(group_field)) for r in records]
    n = len(texts)
    mb = sum(len(x.encode("utf-8", "surrogatepass")) for x in texts) / 1e6
    file_mb = input_path.stat().st_size / 1e6
    rows.append(StageRow("read", secs, n, mb, peak_rss_mb(), f"read_corpus of {file_mb:,.1f} MB JSONL"))

    hasher = MinHasher(num_perm=options.num_perm, seed=1, ngram_size=options.ngram_size)
    # One-time set-up (lazily built character tables) is paid by a warm-up call, not by the stage.
    t = time.perf_counter()
    hasher.signatures(texts[:8])
    warm_s = time.perf_counter() - t
    shingle_s = sign_s = 0.0
    sig_parts: list[NDArray[np.uint32]] = []
    digest_parts: list[NDArray[np.void]] = []
    batches = iter_shingle_batches(texts, hasher.config.shingle)
    n_shingles = 0
    while True:
        t = time.perf_counter()
        batch = next(batches, None)
        shingle_s += time.perf_counter() - t
        if batch is None:
            break
        t = time.perf_counter()
        sig_parts.append(np.asarray(hasher.sign_batch(batch)))
        sign_s += time.perf_counter() - t
        n_shingles += len(batch.hashes)
        if batch.digests is not None:
            digest_parts.append(batch.digests)
    rows.append(
        StageRow(
            "normalize+shingle",
            shingle_s,
            n,
            mb,
            peak_rss_mb(),
            f"{n_shingles:,} word shingles; warm-up call on 8 records ({warm_s:.3g} s, one-time set-up) not counted",
        )
    )
    sigs = np.concatenate(sig_parts)
    digests = np.concatenate(digest_parts)
    rows.append(StageRow("signatures", sign_s, n, mb, peak_rss_mb(), f"{sigs.shape[1]} slots, one-permutation"))

    t0 = time.perf_counter()
    exact_first = first_of_groups(digests)
    distinct = np.flatnonzero(exact_first == np.arange(n))
    eligible = distinct[~(sigs[distinct] == EMPTY_VALUE).all(axis=1)]
    pairs, est = candidate_pairs(sigs, eligible, options.threshold, options.num_perm)
    t1 = time.perf_counter()
    by_row = dict(enumerate(texts))
    kept_pairs, sim = verify_candidates(
        pairs, est, options.threshold, "auto", 0.15, lambda p: shingle_jaccards(by_row, p, hasher.config.shingle)
    )
    t2 = time.perf_counter()
    lengths = np.fromiter((len(x) for x in texts), dtype=np.int64, count=n)
    dup = resolve_clusters(n, exact_first, kept_pairs, sim, sigs, lengths, keep="first", threshold=options.threshold)
    t3 = time.perf_counter()
    removed = int((~dup.keep_mask).sum())
    rows.append(
        StageRow(
            "lsh+clusters",
            t3 - t0,
            n,
            mb,
            peak_rss_mb(),
            f"exact groups + candidates {t1 - t0:.3g} s, verify {t2 - t1:.3g} s, clusters {t3 - t2:.3g} s; "
            f"{len(pairs):,} candidates, {len(kept_pairs):,} verified, {removed:,} duplicates",
        )
    )
    core = {"shingle+sign": shingle_s + sign_s, "lsh": t1 - t0, "verify+cluster": t3 - t1}

    kept_rows = np.flatnonzero(dup.keep_mask)
    finder, why = _boilerplate_finder() if options.boilerplate else (None, "skipped: --no-boilerplate")
    if finder is None:
        rows.append(StageRow("boilerplate", None, len(kept_rows), 0.0, None, why))
    else:
        kept_texts = [texts[i] for i in kept_rows.tolist()]
        kept_groups = None if group_field is None else [str(groups[i]) for i in kept_rows.tolist()]
        kept_mb = sum(len(x.encode("utf-8", "surrogatepass")) for x in kept_texts) / 1e6
        t = time.perf_counter()
        try:
            spans = finder(kept_texts, groups=kept_groups)
        except Exception as exc:
            rows.append(StageRow("boilerplate", None, len(kept_texts), kept_mb, None, f"failed: {exc}"))
        else:
            secs = time.perf_counter() - t
            n_spans = sum(len(s) for s in spans)
            with_any = sum(1 for s in spans if s)
            rows.append(
                StageRow(
                    "boilerplate",
                    secs,
                    len(kept_texts),
                    kept_mb,
                    peak_rss_mb(),
                    f"find_boilerplate on kept records: {n_spans:,} spans in {with_any:,} records",
                )
            )
    kept_records = [records[i] for i in kept_rows.tolist()]
    kept_mb = sum(len(r.text.encode("utf-8", "surrogatepass")) for r in kept_records) / 1e6
    t = time.perf_counter()
    written = write_corpus(kept_records, work / "stages-kept.jsonl")
    rows.append(
        StageRow(
            "write",
            time.perf_counter() - t,
            written,
            kept_mb,
            peak_rss_mb(),
            f"write_corpus of the {written:,} kept records (JSONL)",
        )
    )
    timed = [s.seconds for s in rows if s.seconds is not None]
    rows.append(StageRow("total (stages)", sum(timed), n, mb, peak_rss_mb(), "sum of the rows above"))
    run = _OurRun(rows, dup.labels, len(pairs), len(kept_pairs), sum(core.values()), core)
    return run, texts, groups


def _datatrove_python(options: BenchOptions) -> str | None:
    if options.datatrove_python:
        return options.datatrove_python
    from ._bench_peers import is_installed

    return sys.executable if is_installed("datatrove") else None


def _e2e(
    name: str, cmd: list[str], work: Path, docs: int, mb: float, note: str
) -> tuple[EndToEndRow, list[int] | None]:
    try:
        res = run_measured(cmd, stderr_path=work / f"{name.split()[0]}-{len(cmd)}.stderr")
    except RuntimeError as exc:
        return EndToEndRow(name, "failed", docs=docs, mb=mb, note=str(exc).splitlines()[0]), None
    labels = res.get("labels")
    if res.get("boilerplate_note"):
        note = f"{note}; {res['boilerplate_note']}" if note else str(res["boilerplate_note"])
    row = EndToEndRow(
        name,
        "ran",
        wall_s=float(res["wall_s"]),
        run_s=float(res["run_s"]),
        peak_rss_mb=float(res["peak_rss_mb"]),
        docs=int(res["docs"]),
        mb=mb,
        kept=int(res["kept"]),
        note=note,
        stages_s={k: float(v) for k, v in res.get("stages_s", {}).items()},
    )
    return row, labels


def _dedupe_cmd(
    options: BenchOptions, path: Path, work: Path, group_field: str | None, *, boilerplate: bool, labels: bool
) -> list[str]:
    from . import _bench_e2e

    cmd = [
        sys.executable,
        _bench_e2e.__file__,
        "dedupe",
        str(path),
        str(work),
        "--threshold",
        repr(options.threshold),
        "--num-perm",
        str(options.num_perm),
        "--ngram-size",
        str(options.ngram_size),
        "--id-field",
        "id",
    ]
    if group_field is not None:
        cmd += ["--group-field", group_field]
    if boilerplate:
        cmd.append("--boilerplate")
    if labels:
        cmd.append("--labels")
    return cmd


def run_bench(options: BenchOptions) -> BenchReport:
    """Run the benchmark described by ``options`` and return its report (nothing is printed on stdout)."""
    from ._bench_peers import INSTALL, PeerSettings, is_installed, run_peer
    from .lsh import LSHIndex, candidate_probability

    plan = LSHIndex.for_threshold(options.threshold, num_perm=options.num_perm)
    params: dict[str, Any] = {
        "dedupe_version": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "threshold": options.threshold,
        "num_perm": options.num_perm,
        "ngram_size": options.ngram_size,
        "minhash_seed": 1,
        "num_bands": plan.num_bands,
        "rows_per_band": plan.rows_per_band,
        "candidate_probability": candidate_probability(options.threshold, plan.num_bands, plan.rows_per_band),
    }
    notes: list[str] = []
    files: list[str] = []
    with _workdir(options) as work:
        input_path = work / "bench-input.jsonl"
        _say(options, f"preparing {options.docs:,} records in {input_path}")
        corpus, group_field = _prepare_input(options, input_path, options.docs)
        _say(options, "timing dedupe's stages")
        ours, texts, _ = _run_stages(options, input_path, group_field, work)
        n = len(texts)
        mb = ours.stages[0].mb
        corpus.update({"docs": n, "mb": mb, "file_mb": input_path.stat().st_size / 1e6})
        corpus["description"] += f"; {n:,} records, {mb:,.1f} MB of text"

        # End to end, each in a fresh process.
        end_to_end: list[EndToEndRow] = []
        labels_e2e: dict[str, IntArray] = {}
        want_datatrove = "datatrove" in options.peers
        dt_python = _datatrove_python(options) if want_datatrove else None
        bp_finder, bp_why = _boilerplate_finder()
        with_bp = options.boilerplate and bp_finder is not None
        if with_bp:
            _say(options, "deduplicate() + write with boilerplate removal, fresh process")
            row, _ = _e2e(
                "dedupe (boilerplate)",
                _dedupe_cmd(options, input_path, work / "e2e-bp", group_field, boilerplate=True, labels=False),
                work,
                n,
                mb,
                "deduplicate(remove_boilerplate=True) + write",
            )
            end_to_end.append(row)
        _say(options, "deduplicate() + write without boilerplate removal, fresh process")
        row, lab = _e2e(
            "dedupe (no boilerplate)",
            _dedupe_cmd(options, input_path, work / "e2e", group_field, boilerplate=False, labels=True),
            work,
            n,
            mb,
            "deduplicate(remove_boilerplate=False) + write",
        )
        end_to_end.append(row)
        if lab is not None:
            labels_e2e["dedupe"] = np.asarray(lab, dtype=np.int64)
        if not with_bp:
            why = bp_why if options.boilerplate else "off (--no-boilerplate)"
            notes.append(f"end-to-end boilerplate removal: {why}")
        if want_datatrove and dt_python is None:
            end_to_end.append(EndToEndRow("datatrove", "skipped", note=f"not installed: {INSTALL['datatrove']}"))
        elif want_datatrove and dt_python is not None:
            from . import _bench_e2e

            _say(options, f"datatrove MinHash dedup on the same JSONL, fresh process ({dt_python})")
            cmd = [
                dt_python,
                _bench_e2e.__file__,
                "datatrove",
                str(input_path),
                str(work / "e2e-datatrove"),
                "--num-bands",
                str(plan.num_bands),
                "--rows-per-band",
                str(plan.rows_per_band),
                "--ngram-size",
                str(options.ngram_size),
                "--seed",
                "1",
                "--id-field",
                "id",
                "--labels",
            ]
            shutil.rmtree(work / "e2e-datatrove", ignore_errors=True)
            row, lab = _e2e(
                "datatrove",
                cmd,
                work,
                n,
                mb,
                f"MinhashDedup* stages, {plan.num_bands} x {plan.rows_per_band} hashes, no verification",
            )
            end_to_end.append(row)
            if lab is not None:
                labels_e2e["datatrove"] = np.asarray(lab, dtype=np.int64)

        # Peers in this process.
        settings = PeerSettings(
            threshold=options.threshold,
            num_perm=options.num_perm,
            ngram_size=options.ngram_size,
            num_bands=plan.num_bands,
            rows_per_band=plan.rows_per_band,
            seed=1,
        )
        peers = [
            PeerRow(
                "dedupe",
                "ran",
                seconds=ours.core_seconds,
                speedup=1.0,
                candidates=ours.candidates,
                verified=ours.verified,
                api="iter_shingle_batches + MinHasher.sign_batch + LSHIndex candidate pairs "
                "+ verify (exact Jaccard near the threshold) + resolve_clusters",
                stages_s=ours.core_stages,
            )
        ]
        peer_labels: dict[str, IntArray] = {}
        for name in options.peers:
            if name not in _IN_PROCESS_PEERS:
                continue
            if not is_installed(name):
                peers.append(PeerRow(name, "skipped", note=f"not installed: {INSTALL[name]}"))
                continue
            _say(options, f"running {name} in this process")
            try:
                run = run_peer(name, texts, settings)
            except Exception as exc:
                peers.append(PeerRow(name, "failed", note=f"{type(exc).__name__}: {exc}"))
                continue
            peer_labels[name] = run.labels
            peers.append(
                PeerRow(
                    name,
                    "ran",
                    seconds=run.seconds,
                    speedup=run.seconds / ours.core_seconds,
                    candidates=run.candidates,
                    verified=run.verified,
                    api=run.api,
                    note="; ".join(run.notes),
                    stages_s=run.stages,
                )
            )
        if "datatrove" in options.peers:
            peers.append(PeerRow("datatrove", "skipped", note="end to end only (see above)"))

        agreement: dict[str, dict[str, Any]] = {}
        truth: dict[str, Any] = {}
        if options.quality:
            _say(options, "exact Jaccard of every pair above the threshold (ground truth)")
            agreement, truth = _quality(options, texts, ours.labels, peer_labels, labels_e2e, peers, work, files)
        if options.out is not None and options.plots:
            files += _plots(options, params, ours.labels, peer_labels, truth, notes)
        elif options.out is not None:
            notes.append("plots: off (--no-plots)")
    report = BenchReport(corpus, params, ours.stages, end_to_end, peers, agreement, truth, files, notes)
    if options.out is not None:
        _write_outputs(options.out, "bench", report.to_markdown(), report.to_dict(), report.files)
    return report


def _quality(
    options: BenchOptions,
    texts: list[str],
    our_labels: IntArray,
    peer_labels: dict[str, IntArray],
    labels_e2e: dict[str, IntArray],
    peers: list[PeerRow],
    work: Path,
    files: list[str],
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from ._bench_quality import agreement, cluster_pair_codes, exact_similar_pairs, pair_codes, shingle_sets

    t = time.perf_counter()
    sets = shingle_sets(texts, options.ngram_size)
    low = min(options.threshold, max(0.5, options.threshold - 0.2))
    pairs, jac = exact_similar_pairs(sets, low)
    seconds = time.perf_counter() - t
    n = len(texts)
    above = jac >= options.threshold
    truth_codes = pair_codes(pairs[above], n)
    ours_codes = cluster_pair_codes(our_labels)
    found_all = np.isin(pairs[:, 0] * n + pairs[:, 1], ours_codes)
    truth = {
        "pairs": int(above.sum()),
        "seconds": seconds,
        "join_threshold": low,
        "pairs_above_join_threshold": len(pairs),
        "definition": "pairs with exact Jaccard >= threshold of lower-cased \\w+ word n-gram sets",
        "_jaccard": jac,
        "_found": found_all,
    }
    out: dict[str, dict[str, Any]] = {}
    our_row = peers[0]
    for name, labels in peer_labels.items():
        a = agreement(truth_codes, ours_codes, cluster_pair_codes(labels))
        out[name] = a.as_dict()
    for name, labels in labels_e2e.items():
        if name == "dedupe":
            continue
        ours_e2e = cluster_pair_codes(labels_e2e.get("dedupe", our_labels))
        a = agreement(truth_codes, ours_e2e, cluster_pair_codes(labels))
        out[f"{name} (end to end)"] = a.as_dict()
    base = agreement(truth_codes, ours_codes, ours_codes)
    our_row.found, our_row.precision, our_row.recall = base.ours, base.ours_precision, base.ours_recall
    for row in peers[1:]:
        if row.name in out:
            a_dict = out[row.name]
            row.found, row.precision, row.recall = a_dict["peer"], a_dict["peer_precision"], a_dict["peer_recall"]
    return out, truth


def _plots(
    options: BenchOptions,
    params: dict[str, Any],
    our_labels: IntArray,
    peer_labels: dict[str, IntArray],
    truth: dict[str, Any],
    notes: list[str],
) -> list[str]:
    from . import _bench_plots as plots

    if not plots.plots_available():
        notes.append(f"plots: skipped, matplotlib is not installed: {plots.INSTALL_PLOT}")
        return []
    assert options.out is not None
    out = Path(options.out)
    made = [
        plots.plot_s_curve(
            out / "s_curve.png",
            threshold=options.threshold,
            num_bands=params["num_bands"],
            rows_per_band=params["rows_per_band"],
        )
    ]
    if truth:
        made.append(
            plots.plot_similarities(
                out / "similarities.png",
                jaccard=truth["_jaccard"],
                found=truth["_found"],
                threshold=options.threshold,
                low=truth["join_threshold"],
            )
        )
    sizes = {"dedupe": np.bincount(our_labels)}
    sizes.update({name: np.bincount(labels) for name, labels in peer_labels.items()})
    made.append(plots.plot_cluster_sizes(out / "cluster_sizes.png", sizes))
    return [str(p) for p in made]


def _write_outputs(out: Path, stem: str, markdown: str, data: dict[str, Any], files: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / f"{stem}.md", out / f"{stem}.json"
    files += [str(md), str(js)]
    clean = _jsonable(data)
    clean["files"] = list(files)
    md.write_text(markdown + "".join(f"- {f}\n" for f in (str(md), str(js))), encoding="utf-8")
    js.write_text(json.dumps(clean, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _fit_exponent(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return None if den == 0 else sum((p[0] - mx) * (p[1] - my) for p in pts) / den


def run_scaling(options: BenchOptions) -> ScalingReport:
    """Time ``deduplicate()`` + write at each of ``options.scaling`` sizes, each in a fresh process."""
    bp_finder, bp_why = _boilerplate_finder()
    with_bp = options.boilerplate and bp_finder is not None
    params: dict[str, Any] = {
        "dedupe_version": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "threshold": options.threshold,
        "num_perm": options.num_perm,
        "boilerplate": "on" if with_bp else "off",
        "corpus": options.corpus or f"generated (seed {options.seed})",
        "sizes": list(options.scaling),
    }
    notes: list[str] = []
    if options.boilerplate and not with_bp:
        notes.append(f"boilerplate removal: {bp_why}")
    rows: list[EndToEndRow] = []
    files: list[str] = []
    with _workdir(options) as work:
        for size in options.scaling:
            path = work / f"scaling-{size}.jsonl"
            _say(options, f"scaling: preparing {size:,} records")
            _, group_field = _prepare_input(options, path, size)
            mb = _text_mb(path)
            _say(options, f"scaling: deduplicate() + write on {size:,} records, fresh process")
            row, _ = _e2e(
                f"dedupe {size}",
                _dedupe_cmd(options, path, work / f"scaling-{size}", group_field, boilerplate=with_bp, labels=False),
                work,
                size,
                mb,
                "",
            )
            if row.status == "ran":
                row.note = ", ".join(f"{k} {v:.3g} s" for k, v in row.stages_s.items())
            rows.append(row)
            path.unlink(missing_ok=True)
            shutil.rmtree(work / f"scaling-{size}", ignore_errors=True)
    ran = [r for r in rows if r.status == "ran"]
    t_exp = _fit_exponent([r.docs for r in ran], [r.wall_s or 0.0 for r in ran])
    m_exp = _fit_exponent([r.docs for r in ran], [r.peak_rss_mb or 0.0 for r in ran])
    report = ScalingReport(params, rows, t_exp, m_exp, files, notes)
    if options.out is not None:
        from . import _bench_plots as plots

        if not options.plots:
            notes.append("plots: off (--no-plots)")
        elif not plots.plots_available():
            notes.append(f"plots: skipped, matplotlib is not installed: {plots.INSTALL_PLOT}")
        elif len(ran) >= 1:
            png = plots.plot_scaling(
                Path(options.out) / "scaling.png",
                docs=[r.docs for r in ran],
                seconds=[r.wall_s or 0.0 for r in ran],
                rss_mb=[r.peak_rss_mb or 0.0 for r in ran],
                time_exponent=t_exp,
                rss_exponent=m_exp,
            )
            files.append(str(png))
        _write_outputs(Path(options.out), "scaling", report.to_markdown(), report.to_dict(), report.files)
    return report


def _text_mb(path: Path) -> float:
    total = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            total += len(str(json.loads(line).get("text", "")).encode("utf-8", "surrogatepass"))
    return total / 1e6


# ---------------------------------------------------------------------------------------------
# Command line


def _peers(value: str) -> tuple[str, ...]:
    if value.strip().lower() in ("", "none"):
        return ()
    if value.strip().lower() == "all":
        return ALL_PEERS
    names = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in names if v not in ALL_PEERS]
    if unknown:
        choices = ", ".join(ALL_PEERS)
        raise argparse.ArgumentTypeError(f"unknown peer {unknown[0]!r}; choose from {choices}, all or none")
    return names


def _sizes(value: str) -> tuple[int, ...]:
    message = f"expected comma-separated sizes such as 10000,100000, got {value!r}"
    try:
        sizes = tuple(_args.positive_int(v.strip()) for v in value.split(",") if v.strip())
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(message) from None
    if not sizes:
        raise argparse.ArgumentTypeError(message)
    return sizes


def _configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "corpus",
        nargs="?",
        metavar="CORPUS",
        help="corpus to benchmark on (anything read_corpus takes); default: a generated one",
    )
    parser.add_argument("--docs", type=_args.positive_int, default=10_000, help="records to use (default: 10,000)")
    parser.add_argument(
        "--peers",
        type=_peers,
        default=ALL_PEERS,
        metavar="LIST",
        help="comma-separated peers: datasketch,rensa,datatrove (default), 'all' or 'none'",
    )
    parser.add_argument("--out", metavar="DIR", help="write bench.md, bench.json and PNG plots to DIR")
    parser.add_argument("--threshold", type=_args.threshold, default=0.8, help="Jaccard threshold (default: 0.8)")
    parser.add_argument("--num-perm", type=_args.positive_int, default=128, help="MinHash slots (default: 128)")
    parser.add_argument("--ngram-size", type=_args.positive_int, default=5, help="words per shingle (default: 5)")
    parser.add_argument("--text-field", default="text", help="field holding the text (default: text)")
    parser.add_argument("--id-field", default=None, help="field holding the id (default: position)")
    parser.add_argument("--group-field", default=None, help="field (site, domain) to count boilerplate by")
    parser.add_argument(
        "--seed", type=_args.seed, default=42, help="seed of the generated corpus, 0 to 2**32 - 1 (default: 42)"
    )
    parser.add_argument(
        "--scaling",
        type=_sizes,
        metavar="SIZES",
        help="instead: time deduplicate() at these sizes, e.g. 10000,100000,1000000",
    )
    parser.add_argument(
        "--datatrove-python",
        metavar="PYTHON",
        help="interpreter that has datatrove (default: this one, if it has datatrove)",
    )
    parser.add_argument("--no-quality", action="store_true", help="skip the exact-Jaccard agreement")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG files")
    parser.add_argument("--no-boilerplate", action="store_true", help="skip the boilerplate stage")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


_DESCRIPTION = (
    "Benchmark dedupe on CORPUS (its first --docs records) or on a generated corpus: stage timings, "
    "end-to-end wall time and peak RSS, installed peers (datasketch, rensa, datatrove) on the same "
    "documents with the same parameters, and agreement with exact Jaccard."
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``bench`` subcommand on ``subparsers`` (from ``add_subparsers``); return its parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench", help="benchmark stages, peers and agreement on a corpus", description=_DESCRIPTION
    )
    return _configure(parser)


def options_from_args(args: argparse.Namespace) -> BenchOptions:
    """Build :class:`BenchOptions` from parsed ``bench`` arguments."""
    return BenchOptions(
        corpus=args.corpus,
        docs=args.docs,
        peers=tuple(args.peers),
        out=Path(args.out) if args.out else None,
        threshold=args.threshold,
        num_perm=args.num_perm,
        ngram_size=args.ngram_size,
        text_field=args.text_field,
        id_field=args.id_field,
        group_field=args.group_field,
        seed=args.seed,
        quality=not args.no_quality,
        plots=not args.no_plots,
        boilerplate=not args.no_boilerplate,
        scaling=tuple(args.scaling or ()),
        datatrove_python=args.datatrove_python,
        progress=not args.quiet,
    )


def run(args: argparse.Namespace) -> int:
    """Execute ``dedupe bench`` with parsed arguments: print the report on stdout; 1 if a run failed.

    Raises:
        DedupeError: bad options or input (the CLI prints one line and exits 1).
    """
    options = options_from_args(args)
    report: BenchReport | ScalingReport
    report = run_scaling(options) if options.scaling else run_bench(options)
    sys.stdout.write(report.to_markdown())
    sys.stdout.flush()
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: ``python -m dedupe.bench [options]``."""
    parser = _configure(argparse.ArgumentParser(prog="python -m dedupe.bench", description=_DESCRIPTION))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("dedupe bench: interrupted", file=sys.stderr)
        return 130
    except (DedupeError, OSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"dedupe bench: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
