"""Shards for the sharded Ray run: the plan (which files, in which order) and one shard's records.

The order of a run is the local pipeline's order on the same folder: shards sorted by file name
(hidden files and names starting with ``_`` skipped), rows in file order. Every row carries
``(shard, position)``: its shard's index in that order and its 0-based position among the shard's
entries (rejected ones included), so no result depends on the order in which Ray reads.

The bytes of a shard are read by Ray Data (``read_binary_files``) in a worker and parsed there
by dedupe's own JSON Lines and Parquet readers, so every record (fields, key order, line, the
reason of a reject) is exactly what the local pipeline reads. Ray Data's JSON reader is not used:
it converts rows to one Arrow schema (a missing key becomes a null, numbers change type), and the
output would no longer equal the input's records byte for byte.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .._typing import PathLike
from ..errors import ConfigError, InputError
from ..io import Record, Rejected, _format_of, _plan
from ..io.jsonl import iter_jsonl
from ..io.parquet import iter_parquet
from ..io.records import RecordBuilder

__all__ = ["ShardPlan", "plan_shards", "prepare_output", "read_shard"]

OnError = Literal["raise", "reject"]
#: Folder names inside the output folder for the side files (a leading ``_``: readers skip them).
DUPLICATES_DIR, REJECTS_DIR, REPORT_NAME = "_duplicates", "_rejects", "_report.json"
_MAGIC = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}


@dataclass(frozen=True)
class ShardPlan:
    """The shards of one run, in run order.

    Attributes:
        paths: absolute shard paths, sorted by file name.
        text_field: the field holding the text.
        id_field: the field holding the id, or None (ids are then global positions).
        on_error: ``"raise"`` or ``"reject"``, as in :func:`dedupe.deduplicate`.
        group_field: the field naming each record's boilerplate group, or None (one group).
    """

    paths: tuple[str, ...]
    text_field: str
    id_field: str | None
    on_error: OnError
    group_field: str | None = None

    def groups_of(self, records: list[Record]) -> list[str] | None:
        """The boilerplate group of each record (``str`` of its field, as the local pipeline), or None."""
        if self.group_field is None:
            return None
        return [str(r.fields[self.group_field]) for r in records]

    def index_of(self, path: str) -> int:
        """The shard index of a path as Ray Data reports it (matched by file name)."""
        name = Path(path).name
        for i, p in enumerate(self.paths):
            if Path(p).name == name:
                return i
        raise InputError(f"{path}: not one of the planned shards", reason="unknown_shard")

    def name(self, shard: int) -> str:
        return Path(self.paths[shard]).name


def plan_shards(
    source: PathLike | Sequence[PathLike], *, text_field: str, id_field: str | None, on_error: OnError,
    group_field: str | None = None,
) -> ShardPlan:  # fmt: skip
    """List the shards of a folder (or one file) with the local reader's rules, or take a list of files.

    A folder's shards are taken in file-name order (hidden files and names starting with ``_``
    skipped), as the local reader takes them; a list of files in the order given.

    Raises:
        InputError: a path does not exist, or the folder holds no corpus files.
        ConfigError: a ``.txt`` shard (the sharded run reads JSON Lines and Parquet only); in a
            list: a folder, two shards with one file name (outputs are named by shard), no shard.
    """
    if isinstance(source, (str, os.PathLike)):
        files = _plan(Path(source))
    else:
        files = []
        for path in source:
            if Path(path).is_dir():
                raise ConfigError(f"{path}: a folder in a list of shards; pass the folder alone, or its files")
            files += _plan(Path(path))
        if not files:
            raise ConfigError("the list of shards is empty")
        names = Counter(p.name for p, _, _ in files)
        repeated = sorted(n for n, c in names.items() if c > 1)
        if repeated:
            raise ConfigError(f"two shards are named {repeated[0]!r}: each output shard takes its input's name")
    for path, kind, _ in files:
        if kind == "txt":
            raise ConfigError(f"{path}: the Ray backend reads JSON Lines and Parquet shards, not .txt files")
    paths = tuple(str(Path(p).absolute()) for p, _, _ in files)
    return ShardPlan(paths, text_field, id_field, on_error, group_field)


def prepare_output(output: PathLike) -> Path:
    """Create the output folder of a sharded run and its side folders; it must not exist or be empty.

    Raises:
        ConfigError: ``output`` is a file, or a folder that holds anything.
    """
    out = Path(output)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{out}: the output folder must not exist or be empty (it receives one file per shard)")
    for sub in (out, out / DUPLICATES_DIR, out / REJECTS_DIR):
        sub.mkdir(parents=True, exist_ok=True)
    return out


def read_shard(plan: ShardPlan, shard: int, data: bytes) -> Iterator[Record | Rejected]:
    """The entries of one shard from its bytes, exactly as the local reader yields them.

    Derived ids (``id_field=None``) are shard positions here; the caller turns them into global
    positions once the shard offsets are known. Repeated ids are checked within the shard.
    """
    path = Path(plan.paths[shard])
    builder = RecordBuilder(
        text_field=plan.text_field, id_field=plan.id_field, on_error=plan.on_error, check_ids=plan.id_field is not None
    )
    kind, compression = _format_of(path)
    if compression != "none" and not data.startswith(_MAGIC[compression]):
        compression = "none"  # Ray Data's reader decompresses .gz / .zst files by their suffix
    if kind == "jsonl":
        yield from iter_jsonl(path, builder, compression, opener=lambda _: io.BytesIO(data), name=str(path))
        return
    source = str(path)
    for item in iter_parquet(io.BytesIO(data), builder, batch_size=10_000):  # type: ignore[arg-type]
        if isinstance(item, Record):
            yield Record(item.id, item.text, item.fields, source, item.line)
        else:
            yield Rejected(source, item.line, item.raw, item.reason, item.message, item.doc_id)
