"""Saved directories of ``.npy`` arrays described by a ``manifest.json``, shared by the LSH index and
the boilerplate model.

:func:`save_directory` writes every array (without pickle), then the manifest last and atomically,
so an interrupted save leaves no loadable directory behind. :func:`read_manifest` and
:func:`load_npy` read them back; every failure is a :class:`~dedupe.errors.CorruptFileError` that
names the file. The format-specific checks (format name, version, fields, shapes) stay with each
format; ``what`` is the name of the saved object in messages (``"LSHIndex"``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import CorruptFileError

MANIFEST = "manifest.json"


def save_directory(
    directory: Path, manifest: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]], files: Mapping[str, str]
) -> None:
    """Write ``arrays[name]`` to ``directory / files[name]``, then ``manifest.json`` (plus an ``arrays`` entry).

    The directory is created if needed; an old manifest is removed first and the new one is renamed
    into place last.
    """
    directory.mkdir(parents=True, exist_ok=True)
    manifest_path = directory / MANIFEST
    manifest_path.unlink(missing_ok=True)
    for name, array in arrays.items():
        with open(directory / files[name], "wb") as fh:
            np.save(fh, array, allow_pickle=False)
    content = {
        **manifest,
        "arrays": {
            name: {"file": files[name], "dtype": str(array.dtype), "shape": list(array.shape)}
            for name, array in arrays.items()
        },
    }
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, manifest_path)


def read_manifest(manifest_path: Path, what: str) -> Any:
    """The parsed JSON of ``manifest_path``; the caller checks its format, version and fields."""
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorruptFileError(
            f"{manifest_path}: missing; {manifest_path.parent} is not a saved {what}, "
            f"or its save was interrupted ({what}.save writes the manifest last)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"{manifest_path}: cannot be read ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptFileError(
            f"{manifest_path}: not valid JSON ({exc.msg} at line {exc.lineno}); the file is corrupt or truncated"
        ) from exc


def load_npy(path: Path) -> NDArray[Any]:
    """One array saved by :func:`save_directory`; the caller checks its dtype and shape."""
    try:
        with open(path, "rb") as fh:
            array = np.load(fh, allow_pickle=False)
    except FileNotFoundError:
        raise CorruptFileError(f"{path}: missing (the manifest lists it)") from None
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptFileError(
            f"{path}: cannot be read as a .npy array ({exc}); the file is corrupt or truncated"
        ) from exc
    if not isinstance(array, np.ndarray):
        raise CorruptFileError(f"{path}: not a single .npy array")
    return array
