"""Dedupe's stages timed one by one in this process (the ``Stages`` table of ``dedupe bench``)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._typing import IntArray
from .options import BenchOptions
from .report import StageRow

__all__ = ["OurRun", "boilerplate_finder", "peak_rss_mb", "run_stages"]


def peak_rss_mb() -> float | None:
    """Peak resident set size of this process so far, in MB (2^20 bytes); None where unknown (Windows)."""
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def boilerplate_finder() -> tuple[Callable[..., list[list[Any]]] | None, str]:
    """``dedupe.boilerplate.find_boilerplate`` when it exists at run time, else ``(None, reason)``."""
    if importlib.util.find_spec("dedupe.boilerplate") is None:
        return None, "skipped: not available (dedupe.boilerplate is missing)"
    module = importlib.import_module("dedupe.boilerplate")
    finder = getattr(module, "find_boilerplate", None)
    if finder is None:
        return None, "skipped: not available (dedupe.boilerplate has no find_boilerplate)"
    return finder, ""


@dataclass
class OurRun:
    """Dedupe's side of the bench: the stage rows, its clusters and the core (peer-comparable) seconds."""

    stages: list[StageRow]
    labels: IntArray
    candidates: int
    verified: int
    core_seconds: float
    core_stages: dict[str, float]


def _mb(texts: Sequence[str]) -> float:
    return sum(len(x.encode("utf-8", "surrogatepass")) for x in texts) / 1e6


@dataclass
class _Signed:
    sigs: NDArray[np.uint32]
    digests: NDArray[np.void]
    shingle_s: float
    sign_s: float
    warm_s: float
    n_shingles: int


def _shingle_and_sign(texts: list[str], options: BenchOptions) -> tuple[_Signed, Any]:
    """Shingle and sign ``texts`` batch by batch, timing the two steps apart."""
    from ..minhash import MinHasher
    from ..shingles import iter_shingle_batches

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
    signed = _Signed(np.concatenate(sig_parts), np.concatenate(digest_parts), shingle_s, sign_s, warm_s, n_shingles)
    return signed, hasher


def _find_duplicates(texts: list[str], signed: _Signed, options: BenchOptions, config: Any) -> tuple[Any, ...]:
    """:func:`dedupe.duplicates.resolve_duplicates` on the signed texts, its stages timed.

    Returns the result, the candidate and verified pair counts, and the times at the start and at
    the end of candidates (exact groups included), verification and clusters.
    """
    from ..config import DuplicateConfig
    from ..duplicates import SignedTexts, resolve_duplicates

    times = [time.perf_counter()]
    counts: dict[str, int] = {}

    def clock(stage: str, count: int) -> None:
        counts[stage] = count
        if stage != "exact":
            times.append(time.perf_counter())

    def read(rows: Any) -> Any:
        return ((r, texts[r]) for r in rows.tolist())

    lengths = np.fromiter((len(x) for x in texts), dtype=np.int64, count=len(texts))
    dup_config = DuplicateConfig(threshold=options.threshold, minhash=config)
    dup = resolve_duplicates(SignedTexts(signed.sigs, signed.digests, lengths), read, dup_config, clock=clock)
    return dup, counts["lsh"], counts["verify"], tuple(times)


def _boilerplate_row(options: BenchOptions, texts: list[str], groups: list[str | None], kept: IntArray) -> StageRow:
    finder, why = boilerplate_finder() if options.boilerplate else (None, "skipped: --no-boilerplate")
    if finder is None:
        return StageRow("boilerplate", None, len(kept), 0.0, None, why)
    kept_texts = [texts[i] for i in kept.tolist()]
    kept_groups = None if all(g is None for g in groups) else [str(groups[i]) for i in kept.tolist()]
    kept_mb = _mb(kept_texts)
    t = time.perf_counter()
    try:
        spans = finder(kept_texts, groups=kept_groups)
    except Exception as exc:
        return StageRow("boilerplate", None, len(kept_texts), kept_mb, None, f"failed: {exc}")
    secs = time.perf_counter() - t
    n_spans = sum(len(s) for s in spans)
    with_any = sum(1 for s in spans if s)
    note = f"find_boilerplate on kept records: {n_spans:,} spans in {with_any:,} records"
    return StageRow("boilerplate", secs, len(kept_texts), kept_mb, peak_rss_mb(), note)


def run_stages(
    options: BenchOptions, input_path: Path, group_field: str | None, work: Path
) -> tuple[OurRun, list[str], list[str | None]]:
    """Time read, shingle, sign, lsh+clusters, boilerplate and write on ``input_path``."""
    from ..io import Record, read_corpus, write_corpus

    t = time.perf_counter()
    records = [r for r in read_corpus(input_path, text_field="text", id_field="id") if isinstance(r, Record)]
    secs = time.perf_counter() - t
    texts = [r.text for r in records]
    groups = [None if group_field is None else str(r.fields.get(group_field)) for r in records]
    n, mb = len(texts), _mb(texts)
    file_mb = input_path.stat().st_size / 1e6
    rows = [StageRow("read", secs, n, mb, peak_rss_mb(), f"read_corpus of {file_mb:,.1f} MB JSONL")]
    signed, hasher = _shingle_and_sign(texts, options)
    note = f"{signed.n_shingles:,} word shingles; warm-up call on 8 records ({signed.warm_s:.3g} s, one-time set-up)"
    rows.append(StageRow("normalize+shingle", signed.shingle_s, n, mb, peak_rss_mb(), note + " not counted"))
    note = f"{signed.sigs.shape[1]} slots, one-permutation"
    rows.append(StageRow("signatures", signed.sign_s, n, mb, peak_rss_mb(), note))
    dup, n_pairs, n_kept, (t0, t1, t2, t3) = _find_duplicates(texts, signed, options, hasher.config)
    removed = int((~dup.keep_mask).sum())
    note = (
        f"exact groups + candidates {t1 - t0:.3g} s, verify {t2 - t1:.3g} s, clusters {t3 - t2:.3g} s; "
        f"{n_pairs:,} candidates, {n_kept:,} verified, {removed:,} duplicates"
    )
    rows.append(StageRow("lsh+clusters", t3 - t0, n, mb, peak_rss_mb(), note))
    core = {"shingle": signed.shingle_s, "sign": signed.sign_s, "lsh": t1 - t0, "verify+cluster": t3 - t1}
    kept_rows = np.flatnonzero(dup.keep_mask)
    rows.append(_boilerplate_row(options, texts, groups, kept_rows))
    kept_records = [records[i] for i in kept_rows.tolist()]
    kept_mb = _mb([r.text for r in kept_records])
    t = time.perf_counter()
    written = write_corpus(kept_records, work / "stages-kept.jsonl")
    note = f"write_corpus of the {written:,} kept records (JSONL)"
    rows.append(StageRow("write", time.perf_counter() - t, written, kept_mb, peak_rss_mb(), note))
    timed = [s.seconds for s in rows if s.seconds is not None]
    rows.append(StageRow("total (stages)", sum(timed), n, mb, peak_rss_mb(), "sum of the rows above"))
    run = OurRun(rows, dup.labels, n_pairs, n_kept, sum(core.values()), core)
    return run, texts, groups
