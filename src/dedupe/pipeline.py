"""The corpus job: read, deduplicate, strip boilerplate, account for every record.

``deduplicate`` makes a few streaming passes over the input and keeps only small per-record arrays
(ids, 16-byte content digests, signatures, statuses) between them, so a corpus larger than memory
as Python objects can be cleaned:

1. **read and sign**: each record is checked (text field present, a non-empty ``str``, not over
   ``max_chars``), normalized and hashed once: a content digest for exact duplicates and a MinHash
   signature for near duplicates (``workers`` processes share this stage; output does not depend
   on their number).
2. **cluster**: exact groups, LSH candidates, verification (exact Jaccard of the shingles for
   candidates near the threshold, which re-reads only those records), connected components.
3. **boilerplate** (``remove_boilerplate=True``): block frequencies are counted over the kept
   records only, i.e. once per near-duplicate cluster, then the boilerplate spans of every kept
   record are found. A record that is boilerplate from end to end is rejected (``only_boilerplate``).

:meth:`DedupResult.write` re-reads the input once more and writes the kept records, cleaned.
A path input is re-read for each pass, and must not change meanwhile: each file's size, mtime and
xxh3 of its bytes are recorded in the first pass and checked in every later one, write included;
a change raises :class:`~dedupe.errors.InputError` (``reason="input_changed"``) and writes nothing
(:mod:`dedupe.io._watch`). Standard input (``"-"``) and named pipes, which cannot be re-read, are
copied once into a temporary file that the passes read (removed with the result). An in-memory
iterable is held as a list.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._pipeline_boilerplate import BoilerplateRun, run_boilerplate
from ._typing import IntArray, PathLike
from .backends import get_backend
from .config import MinHashConfig, ShingleConfig, check_int
from .containment import resolve_containment, stream_sizes, verified_pairs
from .duplicates import (
    EXACT,
    NEAR,
    DuplicateResult,
    Keep,
    Similarity,
    Verify,
    candidate_pairs,
    check_options,
    first_of_groups,
    resolve_clusters,
    shingle_jaccards,
    verify_candidates,
)
from .errors import ConfigError, InputError
from .io import Record, Rejected, read_corpus, read_path_watched, write_corpus, write_jsonl
from .io._watch import InputWatch, is_stream, spill_stream
from .minhash import EMPTY_VALUE, MinHasher
from .shingles import _classes

__all__ = ["DedupResult", "deduplicate"]

OnError = Literal["raise", "reject"]
Status = Literal["kept", "exact", "near", "rejected"]
KEPT, REJECTED = "kept", "rejected"
#: Records per batch in the streaming passes.
BATCH_RECORDS = 2000


def _sign(texts: Sequence[str], config: MinHashConfig) -> tuple[bytes, NDArray[np.uint32]]:
    """Content digests and signatures of a batch (a top-level function, so worker processes can run it)."""
    sigs, digests = MinHasher.from_config(config).signatures_and_digests(texts)
    return digests.tobytes(), np.asarray(sigs)


class _Signer:
    """Runs :func:`_sign` over batches in order, in this process or in a pool of ``workers``."""

    def __init__(self, workers: int, config: MinHashConfig) -> None:
        self.config = config
        self.pool = None
        if workers > 1:
            _classes()  # build the code point table once, before forking, so workers share it
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            # Workers ignore SIGINT: Ctrl-C reaches the whole process group, and only the parent
            # should turn it into KeyboardInterrupt (then terminate the pool), not every worker.
            self.pool = multiprocessing.get_context(method).Pool(workers, initializer=_ignore_sigint)

    def map(self, batches: Iterable[list[str]]) -> Iterator[tuple[bytes, NDArray[np.uint32]]]:
        if self.pool is None:
            for texts in batches:
                yield _sign(texts, self.config)
        else:
            yield from self.pool.imap(_SignTask(self.config), batches)

    def close(self, *, failed: bool = False) -> None:
        """Wait for the workers; after a failure or an interrupt, stop them at once instead."""
        if self.pool is not None:
            if failed:
                self.pool.terminate()
            else:
                self.pool.close()
            self.pool.join()
            self.pool = None


def _ignore_sigint() -> None:
    """Pool initializer: ignore Ctrl-C; let SIGTERM (``Pool.terminate``) end the worker silently,
    whatever handler the parent had installed (the CLI turns SIGTERM into KeyboardInterrupt)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass(frozen=True)
class _SignTask:
    config: MinHashConfig

    def __call__(self, texts: list[str]) -> tuple[bytes, NDArray[np.uint32]]:
        return _sign(texts, self.config)


@dataclass
class _Source:
    """Re-readable input: a path read again for each pass, or a list of items held in memory."""

    path: Path | None
    items: list[Record | Rejected] | None
    text_field: str
    id_field: str | None
    watch: InputWatch = field(default_factory=InputWatch)
    names: dict[str, str] = field(default_factory=dict)

    def read(self, on_error: OnError) -> Iterator[Record | Rejected]:
        if self.items is not None:
            yield from self.items
            return
        assert self.path is not None  # invariant of _open_source
        yield from read_path_watched(
            self.path,
            text_field=self.text_field,
            id_field=self.id_field,
            on_error=on_error,
            watch=self.watch,
            names=self.names,
        )

    def records_at(self, positions: set[int]) -> Iterator[tuple[int, Record]]:
        """``(position, record)`` for the wanted positions, in input order."""
        for pos, item in enumerate(self.read("reject")):
            if pos in positions and isinstance(item, Record):
                yield pos, item


def _open_source(
    source: PathLike | Iterable[Any], text_field: str, id_field: str | None, on_error: OnError
) -> tuple[_Source, Iterator[Record | Rejected]]:
    if isinstance(source, (str, os.PathLike)):
        if is_stream(source):
            import weakref

            spilled, name, cleanup = spill_stream(source)
            src = _Source(spilled, None, text_field, id_field, names={str(spilled): name})
            weakref.finalize(src, cleanup)
        else:
            read_corpus(source, text_field=text_field, id_field=id_field, on_error=on_error)  # checks up front
            src = _Source(Path(source), None, text_field, id_field)
        return src, src.read(on_error)
    items = list(read_corpus(source, text_field=text_field, id_field=id_field, on_error=on_error))
    src = _Source(None, items, text_field, id_field)
    return src, iter(items)


@dataclass
class DedupResult:
    """What happened to every input record, in input order.

    Attributes:
        ids: record ids (``None`` for an entry rejected before an id was known).
        status: ``(n,)`` str: ``"kept"``, ``"exact"``, ``"near"`` or ``"rejected"``.
        duplicate_of: for duplicates, the id of the kept record of their cluster; else ``None``.
        similarity: ``(n,)`` float64: 1.0 for exact duplicates, the estimated Jaccard similarity to
            the kept record for near duplicates, NaN otherwise.
        rejects: one :class:`~dedupe.io.Rejected` per rejected record (raw line, position, reason).
        boilerplate_spans: ``(n,)`` int64 boilerplate spans found in each kept record.
        boilerplate_chars: ``(n,)`` int64 characters those spans cover.
        params: the parameters, with ``fingerprint`` (of the signature config).
        timings: seconds per stage.
    """

    ids: list[str | None]
    status: NDArray[np.str_]
    duplicate_of: list[str | None]
    similarity: NDArray[np.float64]
    rejects: list[Rejected]
    boilerplate_spans: IntArray
    boilerplate_chars: IntArray
    params: dict[str, Any]
    timings: dict[str, float]
    top_blocks: list[dict[str, Any]] = field(default_factory=list)
    _source: _Source | None = field(default=None, repr=False)
    _boilerplate: BoilerplateRun | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def counts(self) -> dict[str, int]:
        """Records per status, plus ``input`` and ``duplicates``."""
        out = {s: int((self.status == s).sum()) for s in (KEPT, EXACT, NEAR, REJECTED)}
        out["duplicates"] = out[EXACT] + out[NEAR]
        out["input"] = len(self)
        return out

    def summary(self) -> str:
        """One line that accounts for every input record."""
        c = self.counts()
        line = (
            f"{c['input']:,} in = {c[KEPT]:,} kept + {c['duplicates']:,} duplicates "
            f"({c[EXACT]:,} exact, {c[NEAR]:,} near) + {c[REJECTED]:,} rejected"
        )
        if self.params.get("remove_boilerplate"):
            docs = int((self.boilerplate_spans > 0).sum())
            line += (
                f"; {int(self.boilerplate_spans.sum()):,} boilerplate blocks "
                f"({int(self.boilerplate_chars.sum()):,} chars) removed from {docs:,} records"
            )
        return line

    def clusters(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Clusters as ``{"kept": id, "size": n, "members": [...]}``, largest first."""
        members: dict[str, list[str]] = {}
        for i, rep in enumerate(self.duplicate_of):
            if rep is not None:
                members.setdefault(rep, []).append(str(self.ids[i]))
        out: list[dict[str, Any]] = [{"kept": rep, "size": len(m) + 1, "members": m} for rep, m in members.items()]
        out.sort(key=lambda c: (-int(c["size"]), str(c["kept"])))
        return out if limit is None else out[:limit]

    def kept_records(self) -> Iterator[Record]:
        """The kept records in input order, with boilerplate removed (re-reads a path input)."""
        if self._source is None:
            raise ConfigError("this result has no input attached")
        kept = {int(p) for p in np.flatnonzero(self.status == KEPT).tolist()}
        positions: list[int] = []
        batch: list[Record] = []
        for pos, item in self._source.records_at(kept):
            positions.append(pos)
            batch.append(item)
            if len(batch) >= BATCH_RECORDS:
                yield from self._cleaned(positions, batch)
                positions, batch = [], []
        yield from self._cleaned(positions, batch)

    def _cleaned(self, positions: list[int], batch: list[Record]) -> list[Record]:
        if self._boilerplate is None or not batch:
            return batch
        texts = self._boilerplate.strip(positions, batch)
        return [r.with_text(t) for r, t in zip(batch, texts, strict=True)]

    def write(self, path: PathLike, *, format: Literal["jsonl", "parquet", "txt"] | None = None) -> int:
        """Write the kept, cleaned records to ``path`` atomically; return how many were written."""
        return write_corpus(self.kept_records(), path, text_field=self.params["text_field"], format=format)

    def duplicate_rows(self) -> Iterator[dict[str, Any]]:
        """One dict per removed duplicate: its id, the id it duplicates, the kind and the similarity.

        The id goes under the id field's name; without an id field, under ``record_id`` (the
        derived id: a file stem or a position), so it cannot be mistaken for a field of the record.
        The other three keys are fixed: an id field named ``duplicate_of``, ``kind`` or
        ``similarity`` puts the id under ``record_id`` too, so no key overwrites another.
        """
        id_key = self.params.get("id_field") or "record_id"
        if id_key in ("duplicate_of", "kind", "similarity"):
            id_key = "record_id"
        for i, s in enumerate(self.status.tolist()):
            if s in (EXACT, NEAR):
                sim = float(self.similarity[i])
                yield {
                    id_key: self.ids[i],
                    "duplicate_of": self.duplicate_of[i],
                    "kind": s,
                    "similarity": round(sim, 6),
                }

    def write_duplicates(self, path: PathLike) -> int:
        """Write :meth:`duplicate_rows` as JSONL (atomically)."""
        return write_jsonl(self.duplicate_rows(), path)

    def write_rejects(self, path: PathLike) -> int:
        """Write the rejected records (raw line or record, position, reason) as JSONL (atomically)."""
        return write_jsonl(self.rejects, path)

    def report(self, *, top: int = 20) -> dict[str, Any]:
        """JSON-ready report: counts, parameters and fingerprint, timings, largest clusters, top blocks."""
        return {
            "summary": self.summary(),
            "counts": self.counts(),
            "params": self.params,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "largest_clusters": [
                {**c, "members": c["members"][:top]} for c in self.clusters(limit=top)
            ],
            "top_boilerplate_blocks": self.top_blocks[:top],
        }


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def add(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - since
        return now


def _progress(enabled: bool, desc: str, total: int | None = None) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="rec", disable=not enabled, leave=False, dynamic_ncols=True)


def _reject_or_raise(
    item: Record, pos: int, reason: str, message: str, on_error: OnError, text_field: str
) -> Rejected:
    # Records from a file carry their own line (None for a .txt file); in-memory items count from 1.
    line = item.line if item.line is not None or item.source is not None else pos + 1
    err = InputError(message, path=item.source, line=line, doc_id=item.id, reason=reason)
    if on_error == "raise":
        raise err
    raw = {**item.fields}
    return Rejected(item.source, item.line, _raw_text(raw), reason, str(err), item.id)


def _raw_text(fields: dict[str, Any]) -> str:
    import json

    return json.dumps(fields, ensure_ascii=False, default=str)


def _jaccard_duplicates(
    src: Any, rows: IntArray, signatures: NDArray[np.uint32], exact_first: IntArray, eligible: IntArray,
    lengths: list[int], engine: Any, timer: _Timer, t: float, config: MinHashConfig, *, threshold: float,
    num_perm: int, keep: Keep, verify: Verify, exact_margin: float,
) -> DuplicateResult:
    """LSH candidates, verification by Jaccard similarity and connected components (pass 2)."""
    m = len(rows)
    try:
        pairs, est = candidate_pairs(signatures, eligible, float(threshold), num_perm, engine)
    finally:
        if engine is not None:
            engine.close()
    t = timer.add("lsh", t)

    def exact_jaccard(p: IntArray) -> NDArray[np.float64]:
        wanted = {int(rows[r]) for r in np.unique(p).tolist()}
        local = {int(pos): i for i, pos in enumerate(rows.tolist()) if pos in wanted}
        texts = {local[pos]: rec.text for pos, rec in src.records_at(wanted)}
        return shingle_jaccards(texts, p, config.shingle)

    pairs, sim = verify_candidates(pairs, est, float(threshold), verify, exact_margin, exact_jaccard)
    t = timer.add("verify", t)
    dup = resolve_clusters(
        m, exact_first, pairs, sim, signatures, np.array(lengths, dtype=np.int64), keep=keep, threshold=threshold
    )
    t = timer.add("cluster", t)
    return dup



def deduplicate(
    source: PathLike | Iterable[Any],
    *,
    threshold: float = 0.8,
    remove_boilerplate: bool = True,
    text_field: str = "text",
    id_field: str | None = None,
    group_field: str | None = None,
    on_error: OnError = "raise",
    num_perm: int = 128,
    ngram_size: int = 5,
    seed: int = 1,
    keep: Keep | None = None,
    verify: Verify = "auto",
    exact_margin: float = 0.15,
    similarity: Similarity = "jaccard",
    max_chars: int = 50_000_000,
    workers: int = 1,
    progress: bool = False,
    boilerplate_options: dict[str, Any] | None = None,
    backend: str = "local",
    backend_options: dict[str, Any] | None = None,
) -> DedupResult:
    """Deduplicate a corpus and find its boilerplate; every record ends kept, duplicate or rejected.

    Args:
        source: a path (JSONL, JSONL.gz/.zst, Parquet, a folder of ``.txt`` files or of shards) or
            an iterable of dicts, :class:`~dedupe.io.Record` or ``str``.
        threshold: Jaccard similarity of word shingles at or above which records are near duplicates.
        remove_boilerplate: find repeated boilerplate blocks and remove them from kept records.
        text_field: field holding the text.
        id_field: field holding the id (default: derived, see :func:`dedupe.io.read_corpus`).
        group_field: field (site, domain, host) by which boilerplate is counted.
        on_error: ``"raise"`` stops at the first bad record with an :class:`InputError` naming
            file, line and field; ``"reject"`` records it as rejected and goes on.
        num_perm: MinHash slots.
        ngram_size: words per shingle.
        seed: MinHash seed.
        keep: which record of a cluster is kept: ``"first"`` or ``"longest"``; None (default) is
            ``"first"`` for Jaccard and ``"longest"`` for containment.
        similarity: ``"jaccard"`` or ``"containment"`` (a record whose shingles are mostly inside a
            longer record is its duplicate; see :mod:`dedupe.containment`). Containment re-reads
            the records once to count their shingles and runs on the local backend only.
        verify: ``"auto"``, ``"estimate"`` or ``"exact"`` (see :func:`dedupe.find_duplicates`).
        exact_margin: with ``"auto"``, estimates this close to the threshold are checked exactly.
        max_chars: longer texts are rejected (``too_large``).
        workers: processes for normalizing and signing; the output does not depend on it.
        progress: show progress bars on stderr.
        boilerplate_options: keyword arguments for :class:`~dedupe.boilerplate.BoilerplateModel`.
        backend: ``"local"`` (in process, streaming, ``workers`` processes) or ``"ray"``: signatures
            and the band-key grouping run on Ray Data (the texts are collected on the driver).
            The result is identical.
        backend_options: keyword arguments for :func:`dedupe.backends.get_backend`.

    Returns:
        A :class:`DedupResult`; ``kept + duplicates + rejected == input`` always.

    Raises:
        InputError: a bad record, with ``on_error="raise"``.
        ConfigError: a bad parameter.
    """
    if similarity not in ("jaccard", "containment"):
        raise ConfigError(f"similarity must be 'jaccard' or 'containment' (got {similarity!r})")
    if similarity == "containment" and (backend != "local" or backend_options):
        raise ConfigError("similarity='containment' runs on the local backend only")
    measure: str = similarity
    keep = keep if keep is not None else ("longest" if similarity == "containment" else "first")
    check_options(threshold=threshold, keep=keep, verify=verify, exact_margin=exact_margin, num_perm=num_perm)
    if on_error not in ("raise", "reject"):
        raise ConfigError(f"on_error must be 'raise' or 'reject' (got {on_error!r})")
    check_int("workers", workers, low=1, high=256)
    check_int("max_chars", max_chars, low=1)
    config = MinHashConfig(num_perm=num_perm, seed=seed, shingle=ShingleConfig(ngram_size=ngram_size))
    timer = _Timer()
    t = time.perf_counter()
    src, items = _open_source(source, text_field, id_field, on_error)

    # Pass 1: read, check, sign.
    ids: list[str | None] = []
    rejects: dict[int, Rejected] = {}
    lengths: list[int] = []
    signed_pos: list[int] = []
    digest_parts: list[bytes] = []
    sig_parts: list[NDArray[np.uint32]] = []
    signer = _Signer(workers if backend == "local" else 1, config)
    bar = _progress(progress, "read+sign")

    def batches() -> Iterator[list[str]]:
        texts: list[str] = []
        for pos, item in enumerate(items):
            if isinstance(item, Rejected):
                ids.append(item.doc_id)
                rejects[pos] = item
                continue
            ids.append(item.id)
            problem = check_record(item, text_field, group_field, max_chars)
            if problem is not None:
                rejects[pos] = _reject_or_raise(item, pos, problem[0], problem[1], on_error, text_field)
                continue
            signed_pos.append(pos)
            lengths.append(len(item.text))
            texts.append(item.text)
            if len(texts) >= BATCH_RECORDS:
                yield texts
                bar.update(len(texts))
                texts = []
        if texts:
            yield texts
            bar.update(len(texts))

    engine = None if backend == "local" and not backend_options else get_backend(backend, **(backend_options or {}))
    try:
        if engine is None:
            for digest_bytes, sigs in signer.map(batches()):
                digest_parts.append(digest_bytes)
                sig_parts.append(sigs)
        else:
            texts_all = [text for batch in batches() for text in batch]
            sigs, digests_all = engine.signatures_and_digests(MinHasher.from_config(config), texts_all)
            sig_parts.append(np.asarray(sigs))
            digest_parts.append(digests_all.tobytes())
            del texts_all
    except BaseException:
        signer.close(failed=True)
        if engine is not None:
            engine.close()
        raise
    finally:
        signer.close()
        bar.close()
    t = timer.add("read_and_sign", t)

    n = len(ids)
    rows = np.array(signed_pos, dtype=np.int64)  # input position of each signed record
    m = len(rows)
    signatures = np.concatenate(sig_parts) if sig_parts else np.empty((0, num_perm), dtype=np.uint32)
    digests = np.frombuffer(b"".join(digest_parts), dtype="V16")
    del sig_parts, digest_parts  # the batches are copied into the arrays above: free them

    # Pass 2: clusters among signed records (local row numbers 0..m-1).
    exact_first = first_of_groups(digests)
    distinct = np.flatnonzero(exact_first == np.arange(m))
    eligible = distinct[~(signatures[distinct] == EMPTY_VALUE).all(axis=1)]
    t = timer.add("exact", t)
    if similarity == "containment":  # engine is None: containment is local only

        def read(local_rows: IntArray) -> Iterator[tuple[int, str]]:
            local = {int(rows[r]): int(r) for r in local_rows.tolist()}
            return ((local[pos], rec.text) for pos, rec in src.records_at(set(local)))

        sizes = stream_sizes(m, eligible, config.shingle, read)
        pairs, sim = verified_pairs(signatures, eligible, sizes, float(threshold), verify, config.shingle, read)
        lengths_array = np.array(lengths, dtype=np.int64)
        dup = resolve_containment(m, exact_first, pairs, sim, lengths_array, keep=keep, threshold=threshold)
        t = timer.add("containment", t)
    else:
        dup = _jaccard_duplicates(
            src, rows, signatures, exact_first, eligible, lengths, engine, timer, t, config, threshold=threshold,
            num_perm=num_perm, keep=keep, verify=verify, exact_margin=exact_margin,
        )  # fmt: skip
        t = time.perf_counter()

    status = np.full(n, REJECTED, dtype="<U8")
    similarities = np.full(n, math.nan)
    duplicate_of: list[str | None] = [None] * n
    status[rows] = np.where(dup.keep_mask, KEPT, dup.kind)
    similarities[rows] = dup.similarity
    for local_row in np.flatnonzero(~dup.keep_mask).tolist():
        duplicate_of[int(rows[local_row])] = ids[int(rows[dup.labels[local_row]])]

    spans = np.zeros(n, dtype=np.int64)
    chars = np.zeros(n, dtype=np.int64)
    bp: BoilerplateRun | None = None
    top_blocks: list[dict[str, Any]] = []
    if remove_boilerplate and m:
        bp = run_boilerplate(
            src,
            kept_positions={int(p) for p in rows[dup.keep_mask].tolist()},
            group_field=group_field,
            options=boilerplate_options or {},
            progress=lambda desc, total: _progress(progress, desc, total),
            timer=timer,
        )
        for pos, (count, covered) in bp.stats.items():
            spans[pos], chars[pos] = count, covered
        for pos, rejected in bp.only_boilerplate.items():
            status[pos] = REJECTED
            spans[pos] = chars[pos] = 0
            rejects[pos] = rejected
        top_blocks = bp.top_blocks

    params: dict[str, Any] = {
        "threshold": threshold,
        "remove_boilerplate": remove_boilerplate,
        "text_field": text_field,
        "id_field": id_field,
        "group_field": group_field,
        "on_error": on_error,
        "keep": keep,
        "similarity": measure,
        "verify": verify,
        "exact_margin": exact_margin,
        "max_chars": max_chars,
        "minhash": config.as_dict(),
        "fingerprint": config.fingerprint(),
        "backend": backend,
    }
    result = DedupResult(
        ids=ids,
        status=status,
        duplicate_of=duplicate_of,
        similarity=similarities,
        rejects=[rejects[p] for p in sorted(rejects)],
        boilerplate_spans=spans,
        boilerplate_chars=chars,
        params=params,
        timings=timer.timings,
        top_blocks=top_blocks,
        _source=src,
        _boilerplate=bp,
    )
    counts = result.counts()
    if counts[KEPT] + counts["duplicates"] + counts[REJECTED] != n:  # pragma: no cover - an invariant
        raise AssertionError(f"accounting failed: {counts}")
    return result


def check_record(
    item: Record, text_field: str, group_field: str | None, max_chars: int
) -> tuple[str, str] | None:
    """``(reason, message)`` for a record the pipeline cannot use, else None."""
    if not item.text.strip():
        return "empty_text", f"field {text_field!r} is empty"
    if len(item.text) > max_chars:
        return "too_large", f"field {text_field!r} has {len(item.text):,} characters (max_chars={max_chars:,})"
    if group_field is not None:
        if group_field not in item.fields:
            keys = ", ".join(repr(k) for k in list(item.fields)[:8])
            return "missing_field", f"field {group_field!r} is missing (keys: {keys}); check --group-field"
        value = item.fields[group_field]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return "bad_field_type", f"field {group_field!r} must be a string (got {type(value).__name__})"
    return None
