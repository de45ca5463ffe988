"""The Ray backend: the deduplication stages on Ray Data (extra ``ray``).

Imported only when chosen (``get_backend("ray")``). The design follows
``shared/design/distributed.md``:

- **Maps** (content digests, signatures, exact verification) run ``Dataset.map_batches`` over
  blocks that carry their row numbers (or block index); the driver puts results back in input
  order by those numbers and checks that every row came back exactly once.
- **Band-key shuffle** (candidate pairs): a map emits one ``(key, band, row)`` row per document
  and band; ``repartition(P, keys=["key"])`` sends every row of a key to one partition; one
  vectorised numpy reduce per partition sorts by ``(band, key)`` and emits, per bucket, all pairs
  when it has at most ``star_above`` rows and star edges to the bucket minimum otherwise, exactly
  as :meth:`dedupe.LSHIndex.candidate_pairs` does. Never ``groupby().map_groups()`` (one Python
  call per key: ~0.6 ms each, measured). Bands can be shuffled in passes (``bands_per_pass``).
- **Connected components** stay on the driver (numpy union-find, 16 B per edge).

Any failure in the engine surfaces as :class:`~dedupe.backends.BackendError` naming the stage;
no stage returns partial output. Ray's usage statistics are switched off
(``RAY_USAGE_STATS_ENABLED=0``) unless the caller set that variable.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import numpy as np
import pyarrow as pa
import ray
import ray.data
from numpy.typing import NDArray

from .._typing import IntArray, PathLike
from ..config import BATCH_SIZE, check_int
from ..errors import BackendError, ConfigError, DedupeError, InputError
from ..lsh import _DEFAULT_STAR_ABOVE, _band_keys, _bucket_pairs, _pack_pairs, _sorted_unique, _unpack_pairs
from ..minhash import MinHasher

__all__ = ["RayBackend", "collect_documents", "read_shards", "write_shards"]

#: Column that :func:`read_shards` adds: the shard each row came from (restores shard order).
SHARD_COLUMN = "__dedupe_shard__"

T = TypeVar("T")
R = TypeVar("R")

ShardFormat = Literal["jsonl", "parquet"]

_ERROR_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception|Interrupt)): (.*)$")


def _describe(exc: BaseException) -> str:
    """``Type: message`` of the error raised in user code (Ray wraps it in its own exceptions)."""
    lines = [m for line in str(exc).splitlines() if (m := _ERROR_LINE.match(line))]
    user = [m for m in lines if not m.group(1).startswith(("ray.", "RayTaskError", "UserCodeException"))]
    if user:
        return f"{user[-1].group(1)}: {user[-1].group(2)}"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _as_numpy(batch: Any, column: str) -> NDArray[Any]:
    return np.asarray(batch[column])


def _run(stage: str, thunk: Callable[[], T]) -> T:
    """Run one engine action; wrap any engine failure in :class:`BackendError` naming ``stage``."""
    try:
        return thunk()
    except DedupeError:
        raise
    except Exception as exc:
        raise BackendError(
            f"the Ray backend failed in stage {stage!r}: {_describe(exc)}; no partial output was returned",
            stage=stage,
            backend="ray",
        ) from exc


# ---------------------------------------------------------------------------------------------
# Functions that run in Ray workers (module level or small classes: picklable, no driver state)


class _ApplyPickled:
    """``{"index", "payload"}`` rows -> the same rows with ``payload`` replaced by ``fn(payload)``."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        results = [pickle.dumps(self.fn(pickle.loads(p)), protocol=5) for p in batch["payload"]]
        out = np.empty(len(results), dtype=object)
        out[:] = results
        return {"index": _as_numpy(batch, "index"), "payload": out}


class _Signer:
    """``{"row", "text"}`` -> ``{"row", "signature", "digest"}`` with this hasher."""

    def __init__(self, hasher: MinHasher, chunk_chars: int | None) -> None:
        self.hasher = hasher
        self.chunk_chars = chunk_chars

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        kwargs: dict[str, Any] = {} if self.chunk_chars is None else {"chunk_chars": self.chunk_chars}
        # Texts travel as UTF-8 with lone surrogates passed through, so every Python str survives.
        texts = [bytes(t).decode("utf-8", "surrogatepass") for t in batch["text"].tolist()]
        signatures, digests = self.hasher.signatures_and_digests(texts, **kwargs)
        # Digests travel as 16-byte binary values (Arrow has no type for numpy's V16).
        digest_bytes = np.empty(len(texts), dtype=object)
        digest_bytes[:] = [d.tobytes() for d in digests]
        return {"row": _as_numpy(batch, "row"), "signature": np.asarray(signatures), "digest": digest_bytes}


class _BandKeys:
    """``{"row", "signature"}`` -> one ``{"key", "band", "row"}`` row per document and band of this pass."""

    def __init__(self, num_bands: int, rows_per_band: int, bands: Sequence[int]) -> None:
        self.num_bands = num_bands
        self.rows_per_band = rows_per_band
        self.bands = np.asarray(bands, dtype=np.int64)

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        rows = _as_numpy(batch, "row").astype(np.uint32)
        signatures = np.ascontiguousarray(_as_numpy(batch, "signature"), dtype=np.uint32)
        keys = _band_keys(signatures, self.num_bands, self.rows_per_band)[self.bands]  # (bands, m)
        return {
            "key": keys.reshape(-1),
            "band": np.repeat(self.bands.astype(np.uint16), rows.shape[0]),
            "row": np.tile(rows, self.bands.shape[0]),
        }


class _BucketEdges:
    """One whole hash partition of ``{"key", "band", "row"}`` -> packed candidate pairs ``{"code"}``.

    Sorts by ``(band, key)`` and hands each band's sorted keys to the same bucket routine as
    :meth:`dedupe.LSHIndex.candidate_pairs`: all pairs in buckets of at most ``star_above`` rows,
    star edges to the bucket's smallest row in bigger ones. Vectorised: no Python call per key.
    """

    def __init__(self, n: int, star_above: int | None) -> None:
        self.n = n
        self.star_above = star_above

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        keys = _as_numpy(batch, "key").astype(np.uint64, copy=False)
        bands = _as_numpy(batch, "band").astype(np.int64, copy=False)
        rows = _as_numpy(batch, "row").astype(np.uint32, copy=False)
        codes: list[NDArray[np.uint64]] = []
        if keys.shape[0] >= 2:
            order = np.lexsort((rows, keys, bands))
            keys, bands, rows = keys[order], bands[order], rows[order]
            cuts = np.flatnonzero(bands[1:] != bands[:-1]) + 1
            starts = np.concatenate(([0], cuts)).tolist()
            ends = np.concatenate((cuts, [len(keys)])).tolist()
            for lo, hi in zip(starts, ends, strict=True):
                left, right = _bucket_pairs(keys[lo:hi], rows[lo:hi], self.star_above)
                if left.size:
                    codes.append(_pack_pairs(left, right, self.n))
        code = _sorted_unique(np.concatenate(codes)) if codes else np.empty(0, dtype=np.uint64)
        return {"code": code}


# ---------------------------------------------------------------------------------------------
# The backend


class RayBackend:
    """Run the stages on Ray Data.

    Connects to the running Ray instance if there is one (and then leaves it running on
    :meth:`close`); otherwise starts one with ``ray.init`` and shuts it down on :meth:`close`.

    Args:
        address: a Ray cluster address for ``ray.init`` (``None``: a local instance).
        num_cpus: CPUs of a local instance (``None``: all).
        object_store_memory: bytes of object store of a local instance (``None``: Ray's default).
        num_partitions: hash partitions of each shuffle (``None``: twice the cluster's CPUs, at least 2).
        bands_per_pass: bands shuffled together; fewer bound the shuffle volume per pass
            (``None``: all bands in one pass).
        progress: show Ray Data's progress bars.

    Raises:
        ConfigError: an option out of range.
        BackendError: Ray could not be started or reached.
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        num_cpus: int | None = None,
        object_store_memory: int | None = None,
        num_partitions: int | None = None,
        bands_per_pass: int | None = None,
        progress: bool = False,
    ) -> None:
        if num_partitions is not None:
            check_int("num_partitions", num_partitions, low=1)
        if bands_per_pass is not None:
            check_int("bands_per_pass", bands_per_pass, low=1)
        if num_cpus is not None:
            check_int("num_cpus", num_cpus, low=1)
        self._owns_ray = False
        self._closed = False
        if not ray.is_initialized():
            init_args: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is not None:
                init_args["address"] = address
            if num_cpus is not None:
                init_args["num_cpus"] = num_cpus
            if object_store_memory is not None:
                init_args["object_store_memory"] = object_store_memory
            try:
                ray.init(**init_args)
            except Exception as exc:
                raise BackendError(
                    f"the Ray backend could not start or reach Ray ({_describe(exc)}); "
                    "check address=, or start a cluster with `ray start --head`",
                    stage="start",
                    backend="ray",
                ) from exc
            self._owns_ray = True
        context = ray.data.DataContext.get_current()
        if not progress:
            context.enable_progress_bars = False
        if num_partitions is None:
            # Typed here: ray's own hint is missing, and mypy may run without ray installed.
            cluster_resources: Callable[[], dict[str, float]] = ray.cluster_resources
            cpus = int(cluster_resources().get("CPU", 1))
            num_partitions = max(2, 2 * cpus)
        self.num_partitions: int = num_partitions
        self.bands_per_pass: int | None = bands_per_pass

    @property
    def name(self) -> str:
        return "ray"

    def __repr__(self) -> str:
        return f"RayBackend(num_partitions={self.num_partitions}, bands_per_pass={self.bands_per_pass})"

    # -- plumbing ---------------------------------------------------------------------------

    def _run(self, stage: str, thunk: Callable[[], T]) -> T:
        if self._closed:
            raise BackendError(f"the Ray backend is closed; cannot run stage {stage!r}", stage=stage, backend="ray")
        return _run(stage, thunk)

    @staticmethod
    def _batches(dataset: Any) -> Iterator[dict[str, NDArray[Any]]]:
        return iter(dataset.iter_batches(batch_format="numpy", batch_size=None))

    @staticmethod
    def _check_rows(stage: str, rows: IntArray, expected: int) -> IntArray:
        """Return the order that sorts ``rows``; raise unless they are exactly ``0 .. expected - 1``."""
        order = np.argsort(rows, kind="stable")
        if rows.shape[0] != expected or not np.array_equal(rows[order], np.arange(expected)):
            raise BackendError(
                f"the Ray backend lost or repeated rows in stage {stage!r}: "
                f"expected {expected} rows, got {rows.shape[0]} ({np.unique(rows).shape[0]} distinct)",
                stage=stage,
                backend="ray",
            )
        return order

    # -- the protocol -----------------------------------------------------------------------

    def map_batches(self, fn: Callable[[T], R], batches: Sequence[T], *, stage: str = "map_batches") -> list[R]:
        """Apply ``fn`` to every batch in Ray tasks; results in the order of ``batches``.

        Batches and results travel pickled, with their index, so any picklable values work.
        """
        items = list(batches)
        if not items:
            return []

        def action() -> list[R]:
            rows = [{"index": i, "payload": pickle.dumps(b, protocol=5)} for i, b in enumerate(items)]
            dataset = ray.data.from_items(rows, override_num_blocks=min(len(rows), 4 * self.num_partitions))
            mapped = dataset.map_batches(_ApplyPickled(fn), batch_format="numpy", batch_size=1)
            index_parts: list[IntArray] = []
            payloads: list[bytes] = []
            for batch in self._batches(mapped):
                index_parts.append(_as_numpy(batch, "index").astype(np.int64))
                payloads.extend(batch["payload"].tolist())
            index = np.concatenate(index_parts) if index_parts else np.empty(0, dtype=np.int64)
            order = self._check_rows(stage, index, len(items))
            return [pickle.loads(payloads[k]) for k in order.tolist()]

        return self._run(stage, action)

    def signatures_and_digests(
        self, hasher: MinHasher, texts: Sequence[str], *, batch_size: int = BATCH_SIZE, chunk_chars: int | None = None
    ) -> tuple[NDArray[np.uint32], NDArray[np.void]]:
        """Sign blocks of ``batch_size`` texts in Ray tasks; rows come back in input order."""
        check_int("batch_size", batch_size, low=1)
        n = len(texts)
        num_perm = hasher.num_perm
        if n == 0:
            return np.empty((0, num_perm), dtype=np.uint32), np.empty(0, dtype="V16")

        def action() -> tuple[NDArray[np.uint32], NDArray[np.void]]:
            rows = pa.array(np.arange(n, dtype=np.int64))
            encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
            table = pa.table({"row": rows, "text": pa.array(encoded, pa.large_binary())})
            blocks = [table.slice(start, batch_size) for start in range(0, n, batch_size)]
            signer = _Signer(hasher, chunk_chars)
            signed = ray.data.from_arrow(blocks).map_batches(signer, batch_format="numpy", batch_size=None)
            row_parts: list[IntArray] = []
            sig_parts: list[NDArray[np.uint32]] = []
            digest_parts: list[bytes] = []
            for batch in self._batches(signed):
                row_parts.append(_as_numpy(batch, "row").astype(np.int64))
                sig_parts.append(_as_numpy(batch, "signature").astype(np.uint32).reshape(-1, num_perm))
                digest_parts.extend(batch["digest"].tolist())
            order = self._check_rows("signatures", np.concatenate(row_parts), n)
            signatures: NDArray[np.uint32] = np.concatenate(sig_parts)[order]
            digests: NDArray[np.void] = np.frombuffer(b"".join(digest_parts), dtype="V16")[order]
            return signatures, digests

        return self._run("signatures", action)

    def candidate_pairs(
        self,
        signatures: NDArray[np.uint32],
        *,
        num_bands: int,
        rows_per_band: int,
        star_above: int | None = _DEFAULT_STAR_ABOVE,
    ) -> IntArray:
        """Candidate pairs by a band-key shuffle; equal to :meth:`dedupe.LSHIndex.candidate_pairs`."""
        if not isinstance(signatures, np.ndarray) or signatures.dtype != np.uint32 or signatures.ndim != 2:
            what = (
                f"{signatures.dtype} array of shape {signatures.shape}"
                if isinstance(signatures, np.ndarray)
                else (type(signatures).__name__)
            )
            raise TypeError(f"signatures must be a 2-D uint32 numpy array (got {what})")
        check_int("num_bands", num_bands, low=1)
        check_int("rows_per_band", rows_per_band, low=1)
        if num_bands * rows_per_band > signatures.shape[1]:
            raise ConfigError(
                f"num_bands * rows_per_band must be at most num_perm={signatures.shape[1]} "
                f"(got {num_bands} * {rows_per_band} = {num_bands * rows_per_band})"
            )
        if star_above is not None:
            check_int("star_above", star_above, low=1)
        n = int(signatures.shape[0])
        if n < 2:
            return np.empty((0, 2), dtype=np.int64)
        if n > 2**32 - 1:
            raise ConfigError(f"candidate_pairs handles at most {2**32 - 1:,} rows (got {n:,})")
        per_pass = num_bands if self.bands_per_pass is None else min(self.bands_per_pass, num_bands)
        passes = [list(range(b, min(b + per_pass, num_bands))) for b in range(0, num_bands, per_pass)]

        def action() -> IntArray:
            from ray.data.extensions import ArrowTensorArray

            table = pa.table(
                {
                    "row": pa.array(np.arange(n, dtype=np.int64)),
                    "signature": ArrowTensorArray.from_numpy(np.ascontiguousarray(signatures)),
                }
            )
            step = max(1, -(-n // (2 * self.num_partitions)))
            source = ray.data.from_arrow([table.slice(start, step) for start in range(0, n, step)])
            codes: list[NDArray[np.uint64]] = []
            for bands in passes:
                keyed = source.map_batches(
                    _BandKeys(num_bands, rows_per_band, bands), batch_format="numpy", batch_size=None
                )
                shuffled = keyed.repartition(self.num_partitions, keys=["key"])
                edges = shuffled.map_batches(_BucketEdges(n, star_above), batch_format="numpy", batch_size=None)
                codes.extend(_as_numpy(batch, "code").astype(np.uint64, copy=False) for batch in self._batches(edges))
            if not codes:
                return np.empty((0, 2), dtype=np.int64)
            return _unpack_pairs(_sorted_unique(np.concatenate(codes)), n)

        return self._run("candidate pairs", action)

    def close(self) -> None:
        """Shut Ray down if this backend started it; idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()

    def __enter__(self) -> RayBackend:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Shards


_JSON_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".json.zst")


def _shard_format(path: Path) -> ShardFormat:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    names = [p.name.lower() for p in files if not p.name.startswith((".", "_"))]
    parquet = [n for n in names if n.endswith(".parquet")]
    json = [n for n in names if n.endswith(_JSON_SUFFIXES)]
    if parquet and json:
        raise InputError(
            f"{path}: holds both Parquet and JSON Lines shards ({parquet[0]!r}, {json[0]!r}); "
            "put each format in its own folder",
            reason="mixed_formats",
        )
    if parquet:
        return "parquet"
    if json:
        return "jsonl"
    raise InputError(f"{path}: no .parquet or .jsonl shards found ({len(names)} other files)", reason="no_shards")


def read_shards(path: PathLike, *, text_field: str = "text", id_field: str = "id") -> Any:
    """Read a folder of Parquet or JSON Lines shards (or one file) with Ray Data's readers.

    Args:
        path: a folder of ``.parquet`` files or of ``.jsonl`` / ``.json`` / ``.jsonl.gz`` files
            (not both), or one such file.
        text_field: the column that holds the text.
        id_field: the column that holds the document id (ids must be caller-supplied and stable:
            never engine-assigned).

    Returns:
        A lazy ``ray.data.Dataset`` with the columns ``id_field``, ``text_field`` and
        :data:`SHARD_COLUMN` (the shard file of each row; :func:`write_shards` drops it).

    Raises:
        InputError: the path does not exist, holds no shards, or lacks a field (the message lists
            the columns there are).
    """
    where = Path(path)
    if not where.exists():
        raise InputError(f"{where}: no such file or folder", reason="missing_path")
    fmt = _shard_format(where)

    def read() -> Any:
        # include_paths: each row knows its shard, so collect_documents can restore shard order
        # whatever order the engine reads the files in.
        if fmt == "parquet":
            return ray.data.read_parquet(str(where), include_paths=True)
        return ray.data.read_json(str(where), lines=True, include_paths=True)

    dataset = _run("read shards", read)
    columns = [c for c in _run("read shards", lambda: dataset.schema().names) if c != "path"]
    for role, field in (("text_field", text_field), ("id_field", id_field)):
        if field not in columns:
            have = ", ".join(repr(c) for c in columns)
            raise InputError(
                f"{where}: field {field!r} is missing from the shards (columns: {have}); pass {role}=...",
                reason="missing_field",
            )
    return dataset.select_columns([id_field, text_field, "path"]).rename_columns({"path": SHARD_COLUMN})


def collect_documents(dataset: Any, *, text_field: str = "text", id_field: str = "id") -> tuple[list[str], list[str]]:
    """Bring the ids (as ``str``) and texts of a dataset to the driver, in the dataset's order.

    The order is the order of the shards (by file name) and of the rows in each, kept by Ray's
    ``preserve_order``; ids are checked for repeats.

    Raises:
        InputError: an id repeats, or a text is not a string.
    """
    context = ray.data.DataContext.get_current()
    saved = context.execution_options.preserve_order
    context.execution_options.preserve_order = True
    try:

        def gather() -> tuple[list[str], list[Any]]:
            ids: list[str] = []
            texts: list[Any] = []
            shards: list[str] = []
            for batch in dataset.iter_batches(batch_format="pyarrow", batch_size=None):
                ids.extend(str(i) for i in batch.column(id_field).to_pylist())
                texts.extend(batch.column(text_field).to_pylist())
                if SHARD_COLUMN in batch.column_names:
                    shards.extend(batch.column(SHARD_COLUMN).to_pylist())
            if shards:  # shard order by file name; rows of one shard keep their order (stable sort)
                order = sorted(range(len(ids)), key=shards.__getitem__)
                ids, texts = [ids[i] for i in order], [texts[i] for i in order]
            return ids, texts

        ids, texts = _run("collect documents", gather)
    finally:
        context.execution_options.preserve_order = saved
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(
                f"record {i + 1}: field {text_field!r} must be a string (got {type(text).__name__})",
                doc_id=ids[i],
                reason="wrong_type",
            )
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        for position, doc_id in enumerate(ids):
            if doc_id in seen:
                raise InputError(
                    f"record {position + 1}: id {doc_id!r} appears more than once; ids must be unique",
                    doc_id=doc_id,
                    reason="duplicate_id",
                )
            seen.add(doc_id)
    return ids, texts


def write_shards(dataset: Any, path: PathLike, *, format: ShardFormat = "jsonl") -> None:
    """Write a dataset as a folder of shards with Ray Data's writers (``.jsonl`` or ``.parquet``).

    Raises:
        ConfigError: an unknown format.
        BackendError: the write failed.
    """
    if format not in ("jsonl", "parquet"):
        raise ConfigError(f"format must be 'jsonl' or 'parquet' (got {format!r})")
    target = str(Path(path))
    if SHARD_COLUMN in dataset.schema().names:
        dataset = dataset.drop_columns([SHARD_COLUMN])
    if format == "parquet":
        _run("write shards", lambda: dataset.write_parquet(target))
    else:
        _run("write shards", lambda: dataset.write_json(target))
