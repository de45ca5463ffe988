"""A batch's segmented units kept on disk between counting and finding, so texts are segmented once.

Counting a batch segments its texts into :class:`~.units.Units` (lines, keys, word counts, shapes);
finding the same batch later needs the same units, without the shapes. :func:`save_units` writes
them to one file: a JSON header (each array's dtype and shape, no objects) and the arrays' bytes,
8-byte aligned (int64 arrays whose values fit are stored as int32, and arrays shared by several
fields are stored once, so the identities the rules test, ``ckeys is keys``, survive);
:func:`load_units` reads the file in one read and views the arrays in it, with the batch's texts.
(``np.savez``, a zip entry per array, took four times as long: 4.2 ms against 1.0 ms to save and
load the units of 1,000 web pages.) The pipeline keeps one file per part of a batch (:mod:`.parts`). The
narrowed arrays stay int32 once read (positions, counts and offsets of a batch: finding only
indexes and compares them), which halves them in memory: a batch of many tiny units (a crafted
record of short lines) is what bounds finding's memory.
Measured: 0.37 bytes per byte of text on generated web pages, 0.99 on hard-wrapped newswire (its
many short lines); per line its offsets, key, words and paragraph, per unit its rows, keys and
flags. The file is written under a temporary name and renamed, so a
reader sees a whole file or none; a batch that could not be kept (no disk space left) is simply
segmented again when it is found.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..blocks import LineTable
from .units import Units

__all__ = ["MIN_FREE_BYTES", "load_units", "save_units"]

#: Units are not written where less than this would be left free on the spill's disk.
MIN_FREE_BYTES = 1 << 30

_UNIT_FIELDS = tuple(f.name for f in fields(Units) if f.name not in ("texts", "table"))
_TABLE_FIELDS = tuple(f.name for f in fields(LineTable) if f.name not in ("normalized", "shapes"))
_FIELDS = tuple(f"u.{n}" for n in _UNIT_FIELDS) + tuple(f"t.{n}" for n in _TABLE_FIELDS)
_I32 = np.iinfo(np.int32)
_LEN = struct.Struct("<Q")  # the header's length, before it
_ALIGN = 8


def _value(units: Units, name: str) -> NDArray[Any]:
    owner: Any = units if name.startswith("u.") else units.table
    value: NDArray[Any] = getattr(owner, name[2:])
    return value


def _fits_int32(value: NDArray[Any]) -> bool:
    return not len(value) or (int(value.min()) >= _I32.min and int(value.max()) <= _I32.max)


def save_units(path: Path, units: Units) -> bool:
    """Write ``units`` (exact path: no normalized lines) to ``path``; False, writing nothing, where
    the disk would be left with less than :data:`MIN_FREE_BYTES` or the write fails."""
    if units.table.normalized is not None:
        raise ValueError("only units without normalized lines (the exact path) are kept on disk")
    distinct: dict[int, int] = {}
    arrays: list[NDArray[Any]] = []
    ref: list[int] = []
    for name in _FIELDS:
        value = _value(units, name)
        k = distinct.setdefault(id(value), len(distinct))
        ref.append(k)
        if k == len(arrays):
            narrow = value.dtype == np.int64 and _fits_int32(value)
            arrays.append(np.ascontiguousarray(value.astype(np.int32) if narrow else value))
    spec = [[a.dtype.str, list(a.shape)] for a in arrays]
    header = json.dumps({"ref": ref, "arrays": spec}).encode("ascii")
    header += b" " * (-(len(header) + _LEN.size) % _ALIGN)
    size = _LEN.size + len(header) + sum(_padded(a.nbytes) for a in arrays)
    tmp = path.with_name(path.name + ".part")
    try:
        if shutil.disk_usage(path.parent).free - size < MIN_FREE_BYTES:
            return False
        with open(tmp, "wb") as fh:
            fh.write(_LEN.pack(len(header)) + header)
            for a in arrays:
                fh.write(a.data)
                fh.write(b"\0" * (_padded(a.nbytes) - a.nbytes))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


def load_units(path: Path, texts: list[str]) -> Units | None:
    """The units saved at ``path``, with their batch's ``texts``; None where there is no such file or
    it holds another number of documents. The file is removed once read (it is read once)."""
    try:
        with open(path, "rb") as fh:
            buf = bytearray(os.fstat(fh.fileno()).st_size)
            fh.readinto(buf)
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    (n,) = _LEN.unpack_from(buf)
    meta = json.loads(bytes(buf[_LEN.size : _LEN.size + n]))
    offset = _LEN.size + n
    stored: list[NDArray[Any]] = []
    for dtype_str, shape in meta["arrays"]:
        dtype = np.dtype(dtype_str)
        count = int(np.prod(shape, dtype=np.int64))
        stored.append(np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(shape))
        offset += _padded(count * dtype.itemsize)
    values = {name: stored[k] for name, k in zip(_FIELDS, meta["ref"], strict=True)}
    table_fields: dict[str, Any] = {n: values[f"t.{n}"] for n in _TABLE_FIELDS}
    unit_fields: dict[str, Any] = {n: values[f"u.{n}"] for n in _UNIT_FIELDS}
    units = Units(texts=texts, table=LineTable(**table_fields), **unit_fields)
    if units.table.n_docs != len(texts):
        return None
    return units


def _padded(nbytes: int) -> int:
    return nbytes + (-nbytes % _ALIGN)
