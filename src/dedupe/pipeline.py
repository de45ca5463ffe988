"""The corpus job: read, deduplicate, strip boilerplate, account for every record.

``deduplicate`` makes a few streaming passes over the input and keeps only small per-record arrays
(ids, 16-byte content digests, signatures, statuses) between them, so a corpus larger than memory
as Python objects can be cleaned. Each stage is a function of the previous stage's output:

1. **read and sign** (:func:`dedupe._signing.sign_records`): each record is checked (text field
   present, a non-empty ``str``, not over ``max_chars``), normalized and hashed once: a content
   digest for exact duplicates and a MinHash signature for near duplicates (``workers``
   processes share this stage; output does not depend on their number).
2. **duplicates** (:func:`dedupe.duplicates.resolve_duplicates`, the sequence that
   :func:`dedupe.find_duplicates` runs too): exact groups, LSH candidates, verification (exact
   Jaccard of the shingles for candidates near the threshold, which re-reads only those records),
   connected components.
3. **boilerplate** (``remove_boilerplate=True``): block frequencies are counted over the kept
   records only, i.e. once per near-duplicate cluster, then the boilerplate spans of every kept
   record are found. A record that is boilerplate from end to end is rejected (``only_boilerplate``).

:meth:`CorpusResult.write` re-reads the input once more and writes the kept records, cleaned.
A path input is re-read for each pass and must not change meanwhile; a change raises
:class:`~dedupe.errors.InputError` (``reason="input_changed"``) and writes nothing (see
:mod:`dedupe._source`).
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._corpus import CorpusResult
from ._deprecation import deprecated
from ._pipeline_boilerplate import BoilerplateRun, run_boilerplate
from ._sign_indexed import sign_indexed
from ._signing import Progress, RecordCheck, SignPass, check_record, sign_records
from ._source import OnError, Source, open_source
from ._typing import IntArray, PathLike
from ._verify_pooled import PooledJaccard
from .backends import Backend, get_backend
from .config import BATCH_SIZE, BoilerplateConfig, DuplicateConfig, Keep, Similarity, Verify, check_choice, check_int
from .duplicates import ReadTexts, SignedTexts, resolve_duplicates
from .errors import ConfigError
from .io import Record, Rejected
from .results import REJECTED, DuplicateResult

__all__ = ["CorpusResult", "check_record", "deduplicate"]


class _Timer:
    """Seconds per stage: :meth:`lap` charges the time since the last lap to a stage."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.last = time.perf_counter()

    def add(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - since
        self.last = now
        return now

    def lap(self, stage: str, count: int = 0) -> None:
        """Charge the time since the last lap to ``stage`` (``count``, what it produced, is not kept)."""
        self.add(stage, self.last)


def _progress(enabled: bool, desc: str, total: int | None = None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="rec", disable=not enabled, leave=False, dynamic_ncols=True)


def _reader(src: Source, rows: IntArray) -> ReadTexts:
    """``read(local_rows)`` for the duplicate stages: re-read the records at those rows' input positions."""

    def read(local_rows: IntArray) -> Iterator[tuple[int, str]]:
        local = {int(rows[r]): int(r) for r in local_rows.tolist()}
        return ((local[pos], rec.text) for pos, rec in src.records_at(set(local)))

    return read


def _sign(
    src: Source, items: Iterator[Record | Rejected], check: RecordCheck, config: DuplicateConfig, *, workers: int,
    engine: Backend | None, batch_size: int, progress: Progress,
) -> SignPass:  # fmt: skip
    """Pass 1: read, check and sign (parsed in the workers for an indexed input on the local backend)."""
    if src.index is not None and engine is None:
        return sign_indexed(src, check, config.minhash, workers=workers, batch_size=batch_size, progress=progress)
    return sign_records(items, check, config.minhash, workers=workers, engine=engine, batch_size=batch_size,
                        progress=progress)  # fmt: skip


def _pooled_jaccard(
    src: Source, signed: SignPass, config: DuplicateConfig, workers: int, batch_size: int
) -> PooledJaccard | None:
    """Exact verification in ``workers`` processes that read the texts themselves (indexed inputs,
    more than one worker); None: verification reads and computes here."""
    if workers == 1:
        return None
    reader = src.reader()
    if reader is None:
        return None
    return PooledJaccard(reader, signed.rows, signed.signed.lengths, config.minhash.shingle, workers, batch_size,
                         src.unchanged)  # fmt: skip


def _engine(
    backend: str | Backend, options: dict[str, Any] | None
) -> contextlib.AbstractContextManager[Backend | None]:
    """The backend the stages run on: None for ``"local"`` (streaming, in this process), a
    backend made from a name (closed on exit), or the caller's backend (left open)."""
    if isinstance(backend, str):
        if backend == "local" and not options:
            return contextlib.nullcontext(None)
        return get_backend(backend, **(options or {}))
    if options:
        raise ConfigError("backend_options apply to a backend name, not to a Backend")
    return contextlib.nullcontext(None if backend.name == "local" else backend)


@dataclass
class _Fates:
    """What became of every input record: status, similarity, the id it duplicates."""

    status: NDArray[np.str_]
    similarity: NDArray[np.float64]
    duplicate_of: list[str | None]


def _fates(signed: SignPass, dup: DuplicateResult) -> _Fates:
    """Spread the duplicate result of the signed records over all input positions."""
    n, rows, ids = len(signed.ids), signed.rows, signed.ids
    status = np.full(n, REJECTED, dtype="<U8")
    similarity = np.full(n, math.nan)
    duplicate_of: list[str | None] = [None] * n
    status[rows] = dup.status
    similarity[rows] = dup.similarity
    for local_row in np.flatnonzero(~dup.keep_mask).tolist():
        duplicate_of[int(rows[local_row])] = ids[int(rows[dup.labels[local_row]])]
    return _Fates(status, similarity, duplicate_of)


@dataclass
class _Boilerplate:
    """The boilerplate stage's output: spans and characters per input position, the fitted run."""

    spans: IntArray
    chars: IntArray
    run: BoilerplateRun | None = None

    @property
    def top_blocks(self) -> list[dict[str, Any]]:
        return self.run.top_blocks if self.run is not None else []


def _strip_stage(
    src: Source, signed: SignPass, dup: DuplicateResult, fates: _Fates, *, group_field: str | None,
    config: BoilerplateConfig | None, batch_size: int, workers: int, progress: Progress, timer: _Timer,
) -> _Boilerplate:
    """Fit boilerplate on the kept records and find their spans; reject records that are only boilerplate.

    ``config`` None (boilerplate not removed), or no usable record: nothing to do.
    """
    n = len(signed.ids)
    out = _Boilerplate(np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    if config is None or not len(signed.rows):
        return out
    out.run = run_boilerplate(
        src,
        kept=signed.rows[dup.keep_mask],
        kept_chars=signed.signed.lengths[dup.keep_mask],
        group_field=group_field,
        config=config,
        batch_size=batch_size,
        workers=workers,
        progress=progress,
        timer=timer,
    )
    for pos, (count, covered) in out.run.stats.items():
        out.spans[pos], out.chars[pos] = count, covered
    for pos, rejected in out.run.only_boilerplate.items():
        fates.status[pos] = REJECTED
        out.spans[pos] = out.chars[pos] = 0
        signed.rejects[pos] = rejected
    return out


def _drop_signatures(signed: SignPass) -> None:
    """Free the signatures and digests once the duplicates are resolved: only the lengths are read
    after that, and the boilerplate and write passes fork their workers from this process (at 1 M
    records the signatures are 512 MB that each worker would otherwise map)."""
    old = signed.signed
    signed.signed = SignedTexts(old.signatures[:0].copy(), old.digests[:0].copy(), old.lengths, old.sizes)


def _lengths(signed: SignPass) -> IntArray:
    """Characters of every input record's text, by position (0 for a rejected one)."""
    out = np.zeros(len(signed.ids), dtype=np.int64)
    out[signed.rows] = signed.signed.lengths
    return out


def _boilerplate_config(config: BoilerplateConfig | None, options: dict[str, Any] | None) -> BoilerplateConfig:
    """The boilerplate config, from ``config`` or the deprecated option dict (not both)."""
    if options is None:
        if config is not None and not isinstance(config, BoilerplateConfig):
            raise TypeError(f"boilerplate must be a BoilerplateConfig (got {type(config).__name__})")
        return config if config is not None else BoilerplateConfig()
    deprecated("deduplicate(boilerplate_options=...)", "deduplicate(boilerplate=BoilerplateConfig(...))", stacklevel=4)
    if config is not None:
        raise ConfigError("give boilerplate or boilerplate_options, not both")
    return BoilerplateConfig(**options)


def _check_run(
    similarity: str, backend: str | Backend, backend_options: dict[str, Any] | None, *, on_error: str,
    workers: int, max_chars: int, batch_size: int,
) -> None:
    """Check :func:`deduplicate`'s options that no config holds."""
    if not isinstance(backend, (str, Backend)):
        raise TypeError(f"backend must be a Backend or a backend name (got {type(backend).__name__})")
    if backend_options is not None:
        new = "deduplicate(backend=get_backend(name, **options))"
        deprecated("deduplicate(backend_options=...)", new, stacklevel=4)
    local = backend == "local" or getattr(backend, "name", None) == "local"
    if similarity == "containment" and (not local or backend_options):
        raise ConfigError("similarity='containment' runs on the local backend only")
    check_choice("on_error", on_error, ("raise", "reject"))
    check_int("workers", workers, low=1, high=256)
    check_int("max_chars", max_chars, low=1)
    check_int("batch_size", batch_size, low=1)


def deduplicate(
    source: PathLike | Iterable[Any],
    *,
    text_field: str = "text", id_field: str | None = None, group_field: str | None = None,
    on_error: OnError = "raise", max_chars: int = 50_000_000,
    threshold: float = 0.8, similarity: Similarity = "jaccard", keep: Keep | None = None,
    verify: Verify = "auto", exact_margin: float = 0.15, num_perm: int = 128, ngram_size: int = 5, seed: int = 1,
    remove_boilerplate: bool = True, boilerplate: BoilerplateConfig | None = None,
    backend: str | Backend = "local", workers: int = 1, batch_size: int = BATCH_SIZE, progress: bool = False,
    boilerplate_options: dict[str, Any] | None = None, backend_options: dict[str, Any] | None = None,
) -> CorpusResult:  # fmt: skip
    """Deduplicate a corpus and find its boilerplate; every record ends kept, duplicate or rejected.

    Args:
        source: a path (JSONL, JSONL.gz/.zst, Parquet, a folder of ``.txt`` files or of shards) or
            an iterable of dicts, :class:`~dedupe.io.Record` or ``str``.
        text_field: field holding the text; ``id_field``: the id (default: derived, see
            :func:`dedupe.io.read_corpus`); ``group_field``: the site (or domain, host) by which
            boilerplate is counted.
        on_error: ``"raise"`` stops at the first bad record with an :class:`InputError` naming
            file, line and field; ``"reject"`` records it as rejected and goes on.
        max_chars: longer texts are rejected (``too_large``).
        threshold: as for :func:`dedupe.find_duplicates`, and so are ``similarity``, ``keep``,
            ``verify``, ``exact_margin``, ``num_perm``, ``ngram_size`` and ``seed``. Containment
            re-reads the records once to count their shingles and runs on the local backend only.
        remove_boilerplate: find repeated boilerplate blocks and remove them from kept records,
            as ``boilerplate`` (a :class:`~dedupe.config.BoilerplateConfig`; default: its defaults) says.
        backend: ``"local"`` (in process, streaming, ``workers`` processes), ``"ray"``, or a
            :class:`~dedupe.backends.Backend` (left open): signatures, the band-key grouping and
            blocks of exact verification run there (the texts are collected on the driver;
            for shards no driver can hold, :func:`dedupe.deduplicate_shards` keeps them on the
            workers and writes the output there). The output does not depend on it, nor on ``workers``.
        batch_size: records per batch of every streaming pass, and per block on a backend; the
            output does not depend on it, except with ``boilerplate.near_threshold`` set (and
            a compressed output's bytes, one gzip member or zstandard frame per batch, not its content).
        progress: show progress bars on stderr.
        boilerplate_options: deprecated; pass ``boilerplate=BoilerplateConfig(**options)``;
            ``backend_options``: deprecated; pass ``backend=get_backend(name, **options)``.

    Returns:
        A :class:`CorpusResult`; ``kept + duplicates + rejected == input`` always.

    Raises:
        InputError: a bad record, with ``on_error="raise"``.
        ConfigError: a bad parameter.
    """
    config = DuplicateConfig.from_options(
        threshold=threshold, similarity=similarity, keep=keep, verify=verify, exact_margin=exact_margin,
        num_perm=num_perm, ngram_size=ngram_size, seed=seed,
    )  # fmt: skip
    _check_run(similarity, backend, backend_options, on_error=on_error, workers=workers, max_chars=max_chars,
               batch_size=batch_size)  # fmt: skip
    bp_config = _boilerplate_config(boilerplate, boilerplate_options) if remove_boilerplate else None
    timer, bar = _Timer(), functools.partial(_progress, progress)
    src, items = open_source(source, text_field, id_field, on_error)
    check = RecordCheck(text_field, group_field, max_chars, on_error)
    with _engine(backend, backend_options) as engine:
        signed = _sign(src, items, check, config, workers=workers, engine=engine, batch_size=batch_size, progress=bar)
        timer.lap("read_and_sign")
        pooled = _pooled_jaccard(src, signed, config, workers, batch_size) if engine is None else None
        dup = resolve_duplicates(signed.signed, _reader(src, signed.rows), config, backend=engine,
                                 batch_size=batch_size, clock=timer.lap, exact_jaccard=pooled)  # fmt: skip
        del pooled
    _drop_signatures(signed)
    fates = _fates(signed, dup)
    bp = _strip_stage(src, signed, dup, fates, group_field=group_field, config=bp_config, batch_size=batch_size,
                      workers=workers, progress=bar, timer=timer)  # fmt: skip
    params: dict[str, Any] = {
        "threshold": threshold, "remove_boilerplate": remove_boilerplate, "text_field": text_field,
        "id_field": id_field, "group_field": group_field, "on_error": on_error, "keep": config.keep,
        "similarity": similarity, "verify": verify, "exact_margin": exact_margin, "max_chars": max_chars,
        "minhash": config.minhash.as_dict(), "fingerprint": config.minhash.fingerprint(),
        "backend": backend if isinstance(backend, str) else backend.name,
    }  # fmt: skip
    return CorpusResult(
        ids=signed.ids, status=fates.status, duplicate_of=fates.duplicate_of, similarity=fates.similarity,
        rejects=[signed.rejects[p] for p in sorted(signed.rejects)], boilerplate_spans=bp.spans,
        boilerplate_chars=bp.chars, params=params, timings=timer.timings, top_blocks=bp.top_blocks,
        _source=src, _boilerplate=bp.run, _batch_size=batch_size, _lengths=_lengths(signed), _workers=workers,
    )  # fmt: skip


def __getattr__(name: str) -> Any:
    """Deprecated names: ``DedupResult`` is :class:`CorpusResult`."""
    if name == "DedupResult":
        deprecated("dedupe.pipeline.DedupResult", "CorpusResult")
        return CorpusResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
