"""Atomic outputs: write a hidden temporary sibling, then ``os.replace`` it over the target.

The target is either the complete new output or untouched: on any exception (including one
raised by the caller's record iterator) the temporary file or folder is removed.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from ..errors import ConfigError

__all__ = ["atomic_dir", "atomic_file"]


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise ConfigError(
            f"cannot write {str(path)!r}: its folder {str(parent)!r} does not exist; "
            "expected an existing folder; create it first"
        )


def _temp_name(path: Path) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` when the block ends without an exception.

    The data is flushed and fsynced before the rename. The temporary file is created with mode
    ``0o666`` less the umask, as :func:`open` would.

    Raises:
        ConfigError: ``path`` is a folder or its folder does not exist.
    """
    _check_parent(path)
    if path.is_dir():
        raise ConfigError(f"cannot write {str(path)!r}: it is a folder; expected a file path")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = _temp_name(path)
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        except OSError as exc:  # name the output, not the hidden temporary file
            raise ConfigError(f"cannot write {str(path)!r}: {exc.strerror} (in {str(path.parent)!r})") from exc
        break
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


@contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield an empty temporary folder that becomes ``path`` when the block ends without an exception.

    ``path`` must not exist or be an empty folder: a folder with content is never replaced, so a
    mistyped path cannot wipe out unrelated files.

    Raises:
        ConfigError: ``path`` is a file or a non-empty folder, or its folder does not exist.
    """
    _check_parent(path)
    _check_dir_target(path)
    tmp = _temp_name(path)
    tmp.mkdir()
    try:
        yield tmp
        _check_dir_target(path)
        if path.is_dir():
            path.rmdir()
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _check_dir_target(path: Path) -> None:
    if path.is_dir():
        with os.scandir(path) as entries:
            if next(entries, None) is not None:
                raise ConfigError(
                    f"cannot write the folder {str(path)!r}: it exists and is not empty; "
                    "expected a new or empty folder; remove it or choose another path"
                )
    elif path.exists():
        raise ConfigError(
            f"cannot write the folder {str(path)!r}: a file of that name exists; "
            "expected a new or empty folder; remove it or choose another path"
        )
