"""Inputs that must not change between the passes of one run, and inputs that cannot be re-read.

The pipeline reads a path input once per pass (read and sign, verification, boilerplate, write).
:class:`InputWatch` records, per file, its size, its modification time (ns) and the xxh3-64 of the
bytes the first pass read (hashed as they stream by, no extra read; Parquet files, which pyarrow
reads itself, are hashed in one extra read). Each later pass checks size and mtime before it opens
the file, and size and hash once it has read it all; any difference raises an
:class:`~dedupe.errors.InputError` (``reason="input_changed"``) instead of a result that mixes two
versions of the input. The write pass raises before its output is renamed into place, so nothing is
written.

Standard input (``-``), named pipes and character devices can be read only once:
:func:`spill_stream` copies them into a temporary file (under ``TMPDIR``) that the passes read instead.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import xxhash

from ..errors import InputError

__all__ = ["InputWatch", "is_stream", "spill_stream"]

_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class _State:
    size: int
    mtime_ns: int


class _HashingRaw(io.RawIOBase):
    """An unbuffered reader that hashes and counts every byte read through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.hasher = xxhash.xxh3_64()
        self.count = 0
        self.at_eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n is None:  # pragma: no cover - only non-blocking files
            return 0
        if n == 0:
            self.at_eof = True
        else:
            self.hasher.update(memoryview(buffer)[:n])
            self.count += n
        return int(n)

    def close(self) -> None:
        self._raw.close()
        super().close()


class InputWatch:
    """Check that the files of a path input stay as the first pass read them."""

    def __init__(self, names: dict[str, str] | None = None) -> None:
        self._first: dict[str, tuple[_State, str]] = {}
        self._files: list[str] | None = None
        self._open: dict[str, tuple[_State, _HashingRaw]] = {}
        self._names = names or {}

    def _name(self, path: Path) -> str:
        return self._names.get(str(path), str(path))

    def _changed(self, path: Path, detail: str) -> InputError:
        return InputError(
            f"{self._name(path)} changed while the run was going ({detail}); the passes of one run must "
            "read the same input, so nothing was written; run again on a copy that does not change",
            path=self._name(path),
            reason="input_changed",
        )

    def files(self, folder: Path, paths: list[Path]) -> None:
        """Called as a pass starts with the files it will read: the same files as the first pass."""
        names = [str(p) for p in paths]
        if self._files is None:
            self._files = names
        elif names != self._files:
            added = sorted(set(names) - set(self._files))
            removed = sorted(set(self._files) - set(names))
            detail = "; ".join(
                part
                for part in (
                    f"files added: {', '.join(Path(n).name for n in added[:3])}" if added else "",
                    f"files removed: {', '.join(Path(n).name for n in removed[:3])}" if removed else "",
                )
                if part
            )
            raise self._changed(folder, detail or "files renamed")

    def _stat(self, path: Path) -> _State:
        st = os.stat(path)
        return _State(st.st_size, st.st_mtime_ns)

    def before(self, path: Path) -> _State:
        """Called before a pass opens ``path``: compare size and mtime with the first pass."""
        state = self._stat(path)
        first = self._first.get(str(path))
        if first is not None and first[0] != state:
            raise self._changed(path, _diff(first[0], state))
        return state

    def opener(self, path: Path) -> BinaryIO:
        """Open ``path`` for a pass, hashing what is read."""
        state = self.before(path)
        raw = _HashingRaw(open(path, "rb", buffering=0))  # noqa: SIM115 - closed by the reader
        self._open[str(path)] = (state, raw)
        return io.BufferedReader(raw, buffer_size=_CHUNK)

    def read_bytes(self, path: Path) -> bytes:
        """All bytes of ``path`` (a ``.txt`` document), checked like a streamed file."""
        with self.opener(path) as fh:
            data = fh.read()
        self.after(path)
        return data

    def whole_file(self, path: Path) -> None:
        """Hash a file that another library reads (Parquet), in one extra read."""
        with self.opener(path) as fh:
            while fh.read(_CHUNK):
                pass

    def after(self, path: Path) -> None:
        """Called once a pass has read ``path`` to its end: compare with the first pass, or record it."""
        key = str(path)
        opened = self._open.pop(key, None)
        if opened is None:
            return
        state, raw = opened
        if not raw.at_eof:
            return  # the reader stopped early (an error it reports itself): nothing to compare
        now = self._stat(path)
        digest = raw.hasher.hexdigest()
        if now != state or raw.count != state.size:
            raise self._changed(path, f"{_diff(state, now)} while it was read; read {raw.count:,} bytes")
        first = self._first.get(key)
        if first is None:
            self._first[key] = (state, digest)
        elif first[1] != digest:
            raise self._changed(path, "same size and time, other bytes (xxh3 of the content differs)")


def _diff(a: _State, b: _State) -> str:
    parts = []
    if a.size != b.size:
        parts.append(f"size {a.size:,} -> {b.size:,} bytes")
    if a.mtime_ns != b.mtime_ns:
        parts.append("modification time changed")
    return ", ".join(parts) or "unchanged size and time"


def is_stream(source: object) -> bool:
    """True for ``"-"`` (standard input) and for a path to a named pipe or character device."""
    if isinstance(source, str) and source == "-":
        return True
    if not isinstance(source, (str, os.PathLike)):
        return False
    try:
        mode = os.stat(source).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def spill_stream(source: str | os.PathLike[str]) -> tuple[Path, str, Callable[[], None]]:
    """Copy standard input or a pipe into a temporary file; return it, its display name, a cleanup.

    Standard input is JSON Lines (gzip or zstandard when it starts with their magic bytes); a named
    pipe keeps its name, so its suffix names the format as for a file.
    """
    folder = Path(tempfile.mkdtemp(prefix="dedupe-input-"))

    def cleanup() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    try:
        if isinstance(source, str) and source == "-":
            stream: BinaryIO = sys.stdin.buffer
            head = stream.read(4)
            suffix = ".jsonl.gz" if head.startswith(_GZIP_MAGIC) else ".jsonl.zst" if head == _ZSTD_MAGIC else ".jsonl"
            target, name = folder / f"stdin{suffix}", "<stdin>"
            with open(target, "wb") as out:
                out.write(head)
                shutil.copyfileobj(stream, out, _CHUNK)
        else:
            target, name = folder / Path(source).name, str(source)
            with open(source, "rb") as fh, open(target, "wb") as out:
                shutil.copyfileobj(fh, out, _CHUNK)
    except BaseException:
        cleanup()
        raise
    return target, name, cleanup
