"""Streaming JSON Lines: plain, gzip (``.gz``) or zstandard (``.zst``, extra ``zstd``).

Reading goes line by line over bytes: each line is decoded as strict UTF-8 on its own, so an
invalid byte names its line, then parsed with ``orjson`` when it is installed (several times faster),
else :func:`json.loads`. A line that ``orjson`` refuses is parsed again with :func:`json.loads`,
so what is accepted, the values read and the error messages are those of :func:`json.loads`
either way: lone surrogates (``"\\ud800"``), ``NaN`` and ``Infinity`` are read as the standard
library reads them, and a line with an integer beyond 64 bits (which ``orjson`` reads as a float)
is re-read too. Blank lines are not records and are skipped (their line numbers still count).
A UTF-8 byte-order mark before the first line is ignored.

Writing emits one compact JSON object per line (``ensure_ascii=False``, separators ``,`` and
``:``, ``\\n`` line ends, keys in their original order), so the same rows give the same bytes
(``orjson`` writes rows of strings, ints, lists and dicts, the standard library the rest: the
bytes are the same);
gzip output has no file name and mtime 0 in its header. Floats that JSON cannot hold (``NaN``,
``Infinity``, ``-Infinity``, which Python's ``json`` reads from non-standard input) are written as
``null``, as JavaScript's ``JSON.stringify`` does, so every line is valid JSON. Text with lone surrogates (which UTF-8
cannot encode, e.g. from ``json.loads('"\\ud800"')``) is written with ``\\uXXXX`` escapes for
just those code points: the file stays valid UTF-8 JSON and reads back to the same string, except
that an adjacent high + low surrogate pair reads back as the one character that JSON defines it
to be.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import re
import zlib
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO, Literal, Protocol

from ..errors import InputError, missing_extra
from ._atomic import atomic_file
from .records import ReadItem, RecordBuilder

__all__ = [
    "Compression",
    "append_chunks",
    "compress_chunk",
    "compression_for",
    "encode_line",
    "encode_rows",
    "iter_jsonl",
    "parse_line",
    "require_zstd",
    "write_jsonl_chunks",
    "write_jsonl_rows",
]

Compression = Literal["none", "gzip", "zstd"]

_BOM = b"\xef\xbb\xbf"
_READ_BUFFER = 1 << 20
_ZSTD_READ = 1 << 16  # compressed bytes per step: bounds the text held at once (about 64 KiB x ratio)
_WRITE_CHUNK = 1 << 20
_GZIP_LEVEL = 6
_ZSTD_LEVEL = 3
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIG = float(1 << 63)  # orjson reads an integer at or beyond 2**63 (beyond uint64) as a float

_orjson: Any
try:
    import orjson as _orjson  # type: ignore[import-not-found,no-redef,unused-ignore]
except ImportError:  # pragma: no cover - orjson is a dependency; the standard library still works
    _orjson = None


class _Index(Protocol):
    """Where :func:`iter_jsonl` notes entries (a :class:`~dedupe.io._line_index.LineIndex`)."""

    def add_file(self, path: str, name: str) -> int: ...
    def note(self, file_no: int, offset: int, data: bytes, line_no: int) -> None: ...


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def compression_for(path: Path) -> Compression:
    """Name the compression that ``path``'s suffix implies (``.gz``, ``.zst`` / ``.zstd``, else none)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith((".zst", ".zstd")):
        return "zstd"
    return "none"


def require_zstd(feature: str) -> ModuleType:
    """Import and return :mod:`zstandard`.

    Raises:
        MissingDependencyError: it is not installed; the message gives the install command.
    """
    try:
        import zstandard
    except ImportError as exc:
        raise missing_extra("zstandard", "zstd", feature) from exc
    return zstandard


# --------------------------------------------------------------------------------------- reading


def iter_jsonl(
    path: Path,
    builder: RecordBuilder,
    compression: Compression,
    *,
    opener: Callable[[Path], BinaryIO] | None = None,
    name: str | None = None,
    wanted: Container[int] | None = None,
    index: _Index | None = None,
) -> Iterator[ReadItem]:
    """Yield one :class:`Record` or :class:`Rejected` per non-blank line of ``path``.

    With ``index`` (an uncompressed file only), each entry's offset, bytes and line are noted in it.

    With ``wanted``, only the lines at those positions (``builder.position``: items so far) are
    decoded and parsed; every other non-blank line just counts one position (a later pass reads
    what it needs without parsing the rest).

    A compressed file that ends early or is corrupt raises an :class:`~dedupe.errors.InputError`
    naming the file and the last good line (``reason="truncated_file"``); with
    ``on_error="reject"`` a :class:`Rejected` with that reason is yielded instead and the rest of the
    file is skipped: how many records it held is unknown.
    """
    source = str(path) if name is None else name
    damaged: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error)
    if compression == "zstd":
        damaged = (*damaged, require_zstd("reading .zst files").ZstdError)
    line_no = 0
    with open(path, "rb", buffering=_READ_BUFFER) if opener is None else opener(path) as fh:
        lines: Iterable[bytes]
        if compression == "gzip":
            lines = gzip.GzipFile(fileobj=fh, mode="rb")
        elif compression == "zstd":
            lines = _zstd_lines(fh)
        else:
            lines = fh
        if index is not None and (compression != "none" or wanted is not None):
            raise ValueError("only a whole uncompressed JSON Lines file can be indexed")
        try:
            if index is not None:
                yield from _indexed(lines, source, builder, index, index.add_file(str(path), source))
                return
            for line_no, data in enumerate(lines, 1):
                if wanted is not None and builder.position not in wanted:
                    if not _blank(data, line_no):
                        builder.position += 1
                    continue
                item = parse_line(data, line_no, source, builder)
                if item is not None:
                    yield item
        except damaged as exc:
            kind = {"gzip": "gzip", "zstd": "zstandard"}.get(compression, "file")
            last = f"after line {line_no}" if line_no else "before the first line"
            error = InputError(
                f"the {kind} stream is truncated or corrupt {last} ({type(exc).__name__}: {exc}); "
                f"expected a complete {kind} file; re-download or recompress it",
                path=source,
                line=line_no + 1,
                reason="truncated_file",
            )
            if builder.on_error == "raise":
                raise error from exc
            yield builder.fail(error, None)


def _indexed(
    lines: Iterable[bytes], source: str, builder: RecordBuilder, index: _Index, file_no: int
) -> Iterator[ReadItem]:
    """:func:`iter_jsonl`'s loop for a plain file, noting every positioned entry in ``index``."""
    offset = 0
    for line_no, data in enumerate(lines, 1):
        before = builder.position
        item = parse_line(data, line_no, source, builder)
        if builder.position != before:
            index.note(file_no, offset, data, line_no)
        offset += len(data)
        if item is not None:
            yield item


def _blank(data: bytes, line_no: int) -> bool:
    """Whether a line is blank, as :func:`parse_line` decides it (a byte-order mark first is ignored)."""
    if line_no == 1 and data.startswith(_BOM):
        data = data[len(_BOM) :]
    return not data.strip(b" \t\r\n")


def parse_line(data: bytes, line_no: int, source: str, builder: RecordBuilder) -> ReadItem | None:
    if line_no == 1 and data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 4].split(b"\n")[0]
        packed = _compressed_kind(data) if line_no == 1 else None
        if packed is not None:
            kind, suffix = packed
            error = InputError(
                f"the file looks {kind}-compressed (it starts with the {kind} magic bytes) but its name does not "
                f"end in {suffix}; rename it to end in .jsonl{suffix} (or decompress it)",
                path=source,
                line=line_no,
                reason="invalid_utf8",
            )
            return builder.fail(error, data.decode("utf-8", "backslashreplace"))
        error = InputError(
            f"invalid UTF-8 at byte {exc.start + 1} of the line ({exc.reason}, bytes {bad!r}); "
            "expected UTF-8 text; re-encode the file as UTF-8 (e.g. iconv -f <encoding> -t utf-8)",
            path=source,
            line=line_no,
            reason="invalid_utf8",
        )
        return builder.fail(error, data.decode("utf-8", "backslashreplace"))
    try:
        fields = _loads(data, text)
    except ValueError as exc:
        stripped = text.strip(" \t\r\n")
        if not stripped:
            return None
        pos = getattr(exc, "colno", None)
        where = f" at column {pos}" if pos is not None else ""
        msg = getattr(exc, "msg", str(exc))
        hint = "expected one JSON object per line; fix or remove the line"
        if stripped in ("{", "["):
            hint = (
                "expected one JSON object per line, but this looks like pretty-printed JSON; "
                f"convert it with jq -c '.[]?' {source}"
            )
        error = InputError(
            f"malformed JSON{where}: {msg}; {hint}", path=source, line=line_no, reason="malformed_json"
        )
        return builder.fail(error, text)
    except RecursionError:
        error = InputError(
            "JSON nested too deeply to parse; expected a flat record object; fix or remove the line",
            path=source,
            line=line_no,
            reason="malformed_json",
        )
        return builder.fail(error, text)
    return builder.from_fields(fields, source=source, line=line_no, raw=text)


def _loads(data: bytes, text: str) -> Any:
    """The JSON value of a line: ``orjson`` on the bytes, :func:`json.loads` where it differs or fails."""
    if _orjson is not None:
        try:
            value = _orjson.loads(data)
        except ValueError:
            pass  # refused: json.loads gives the verdict and the message
        else:
            if not _has_big_float(value):
                return value
    return json.loads(text)


def _has_big_float(value: Any) -> bool:
    """Whether a float of magnitude 2**63 or more is anywhere in ``value`` (maybe an integer orjson widened)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(v for v in item.values() if type(v) is not str)
        elif kind is list:
            stack.extend(v for v in item if type(v) is not str)
        elif kind is float and not -_BIG < item < _BIG:
            return True
    return False


def _compressed_kind(data: bytes) -> tuple[str, str] | None:
    """``(name, suffix)`` when ``data`` starts like a gzip or zstandard stream."""
    if data.startswith(b"\x1f\x8b"):
        return "gzip", ".gz"
    if data.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstandard", ".zst"
    return None


def _zstd_lines(fh: BinaryIO) -> Iterator[bytes]:
    """Yield the lines (without ``\\n``) of a zstandard stream; raise EOFError if it ends mid-frame.

    ``zstandard``'s stream reader returns a short read instead of failing on a truncated frame, so
    frames are followed here with ``decompressobj``.
    """
    zstd = require_zstd("reading .zst files")
    dctx = zstd.ZstdDecompressor()
    dobj = dctx.decompressobj()
    in_frame = False
    pending: list[bytes] = []
    while chunk := fh.read(_ZSTD_READ):
        while chunk:
            out: bytes = dobj.decompress(chunk)
            in_frame = True
            if dobj.eof:
                chunk = dobj.unused_data
                dobj = dctx.decompressobj()
                in_frame = False
            else:
                chunk = b""
            if b"\n" not in out:
                if out:
                    pending.append(out)
                continue
            parts = out.split(b"\n")
            pending.append(parts[0])
            yield b"".join(pending)
            yield from parts[1:-1]
            pending = [parts[-1]] if parts[-1] else []
    if in_frame:
        raise EOFError("compressed file ended before the end-of-frame marker was reached")
    if pending:
        yield b"".join(pending)


# --------------------------------------------------------------------------------------- writing


def _default(value: object) -> object:
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    raise TypeError(
        f"a value of type {type(value).__name__} is not JSON-serialisable; expected str, int, float, "
        "bool, None, list or dict (date and time values are written as ISO 8601 text); convert it first"
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False)


def finite_json(value: Any) -> Any:
    """``value`` with every NaN or infinite float (in dicts, lists and tuples) replaced by ``None``."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Mapping):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(v) for v in value]
    return value


def _encode(row: Any) -> str:
    try:
        return _ENCODER.encode(row)
    except ValueError as exc:
        if "Circular" in str(exc):
            raise
        return _ENCODER.encode(finite_json(row))


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


_PLAIN = frozenset({str, int, bool, type(None), list, tuple, dict})
_PLAIN_ITEMS = 10_000


def _plain(row: object) -> bool:
    """Whether ``row`` holds only ``str`` keys and ``str``, ``int``, ``bool``, ``None``, lists and dicts.

    ``orjson`` writes those byte for byte as the standard library does; floats (``1e16`` against
    ``1e+16``), subclasses, dates, dataclasses and the rest go the standard library's way, and so
    does a row of more than ``_PLAIN_ITEMS`` containers and values (which may be circular).
    """
    stack: list[Any] = [row]
    budget = _PLAIN_ITEMS
    while stack:
        budget -= 1
        if budget < 0:
            return False
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if not all(type(k) is str for k in item):
                return False
            stack.extend(v for v in item.values() if type(v) is not str)
        elif kind is list or kind is tuple:
            stack.extend(v for v in item if type(v) is not str)
        elif kind not in _PLAIN:
            return False
    return True


def encode_line(row: Mapping[str, Any]) -> bytes:
    """Encode ``row`` as one JSON line in UTF-8, ending with ``\\n``.

    >>> encode_line({"id": "1", "text": "café \\ud800"})
    b'{"id":"1","text":"caf\\xc3\\xa9 \\\\ud800"}\\n'

    Raises:
        TypeError: a value is not JSON-serialisable.
        ValueError: the row contains a circular reference.
    """
    if _orjson is not None and _plain(row):
        try:
            out: bytes = _orjson.dumps(row, option=_orjson.OPT_APPEND_NEWLINE)
            return out
        except (TypeError, ValueError):
            pass  # a lone surrogate, an integer beyond 64 bits: the standard library's way below
    text = _encode(row)
    try:
        return f"{text}\n".encode()
    except UnicodeEncodeError:
        return f"{_SURROGATE.sub(_escape_surrogate, text)}\n".encode()


@contextmanager
def _compressed(fh: BinaryIO, compression: Compression) -> Iterator[_Writable]:
    if compression == "gzip":
        with gzip.GzipFile(filename="", mode="wb", compresslevel=_GZIP_LEVEL, fileobj=fh, mtime=0) as gz:
            yield gz
    elif compression == "zstd":
        zstd = require_zstd("writing .zst files")
        writer = zstd.ZstdCompressor(level=_ZSTD_LEVEL).stream_writer(fh, closefd=False)
        try:
            yield writer
        finally:
            writer.close()
    else:
        yield fh


def encode_rows(
    rows: Iterable[tuple[str | None, Mapping[str, Any]]], path: Path, *, first: int = 1
) -> tuple[int, bytes]:
    """``(count, bytes)``: ``(doc_id, row)`` pairs encoded as JSON Lines; ``first`` numbers the first row.

    Raises:
        TypeError: a row holds a value that JSON cannot represent (the message names the row).
    """
    lines: list[bytes] = []
    for number, (doc_id, row) in enumerate(rows, first):
        try:
            lines.append(encode_line(row))
        except (TypeError, ValueError) as exc:
            name = f"record {doc_id!r}" if doc_id is not None else f"row {number}"
            raise TypeError(f"cannot write {name} (row {number}) to {str(path)!r}: {exc}") from exc
    return len(lines), b"".join(lines)


def write_jsonl_chunks(chunks: Iterable[tuple[int, bytes]], path: Path, *, compression: Compression) -> int:
    """Write encoded JSON Lines, ``(rows, bytes)`` per chunk (:func:`encode_rows`), atomically; return the rows.

    Raises:
        ConfigError: ``path`` cannot be written (see :func:`~dedupe.io._atomic.atomic_file`).
    """
    count = 0
    with atomic_file(path) as raw, _compressed(raw, compression) as out:
        for n, data in chunks:
            out.write(data)
            count += n
    return count


def compress_chunk(data: bytes, compression: Compression) -> bytes:
    """``data`` as one gzip member or zstandard frame (``"none"``: unchanged).

    A gzip file may hold several members and a zstandard file several frames one after another;
    readers return their contents joined, so chunks compressed apart (in workers, in parallel)
    and appended in order (:func:`append_chunks`) are one valid file.
    """
    if compression == "gzip":
        return gzip.compress(data, compresslevel=_GZIP_LEVEL, mtime=0)
    if compression == "zstd":
        zstd = require_zstd("writing .zst files")
        out: bytes = zstd.ZstdCompressor(level=_ZSTD_LEVEL).compress(data)
        return out
    return data


def append_chunks(chunks: Iterable[tuple[int, bytes | None]], out: BinaryIO, *, compression: Compression) -> int:
    """Append ``(rows, bytes)`` chunks already compressed by :func:`compress_chunk` to ``out``; return
    the rows. ``None`` marks a chunk its worker wrote into the file itself (see
    :mod:`dedupe._ordered_writes`). No chunk at all writes an empty ``compression`` stream (a valid empty file).
    """
    count = 0
    wrote = False
    for n, data in chunks:
        if data is not None:
            out.write(data)
        count += n
        wrote = True
    if not wrote:
        out.write(compress_chunk(b"", compression))
    return count


def write_jsonl_rows(
    rows: Iterable[tuple[str | None, Mapping[str, Any]]], path: Path, *, compression: Compression
) -> int:
    """Write ``(doc_id, row)`` pairs as JSON Lines to ``path``, atomically; return the row count.

    ``doc_id`` only names the row in error messages (``None`` names it by its number).

    Raises:
        TypeError: a row holds a value that JSON cannot represent (the message names the row).
        ConfigError: ``path`` cannot be written (see :func:`~dedupe.io._atomic.atomic_file`).
    """
    count = 0
    with atomic_file(path) as raw, _compressed(raw, compression) as out:
        chunk: list[bytes] = []
        size = 0
        for doc_id, row in rows:
            count += 1
            _, line = encode_rows([(doc_id, row)], path, first=count)
            chunk.append(line)
            size += len(line)
            if size >= _WRITE_CHUNK:
                out.write(b"".join(chunk))
                chunk.clear()
                size = 0
        if chunk:
            out.write(b"".join(chunk))
    return count
