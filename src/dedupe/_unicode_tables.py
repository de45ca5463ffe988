"""Code point tables precomputed from :mod:`unicodedata` and shipped in ``unicode_tables.bin``.

Building a table of all 1.1 M code points in Python takes about 0.4 s, a quarter of a small run;
reading the shipped file takes a few milliseconds. The file records the Unicode version and
``sys.maxunicode`` it was built with. When this Python's :mod:`unicodedata` has another version, or
the file is absent, the table is built instead (what the shipped one would hold for that version;
slower, never different). A file that is present but unreadable raises :class:`CorruptFileError`.

Format: one JSON header line ``{"format", "unidata_version", "maxunicode", "tables": [[name,
compressed size], ...]}``, then each table as a zlib stream of ``maxunicode + 1`` bytes, in order.

Regenerate (after a change to a builder, or for another Unicode version; ``tests/test_startup.py``
checks the shipped file against fresh builds)::

    python -c "import dedupe._unicode_build as b; b.write_tables(b.TABLES_PATH)"
"""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path

from .errors import CorruptFileError

__all__ = ["FORMAT", "TABLES_PATH", "load_table", "read_tables"]

TABLES_PATH = Path(__file__).with_name("unicode_tables.bin")
FORMAT = 1


def read_tables(path: Path) -> dict[str, bytes] | None:
    """The tables in ``path``, or ``None`` when it is absent or built for another Unicode version."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        if header.get("format") != FORMAT:
            raise ValueError(f"format {header.get('format')!r}, expected {FORMAT}")
        if header["unidata_version"] != unicodedata.unidata_version or header["maxunicode"] != sys.maxunicode:
            return None
        tables: dict[str, bytes] = {}
        pos = 0
        for name, size in header["tables"]:
            table = zlib.decompress(body[pos : pos + size])
            if len(table) != sys.maxunicode + 1:
                raise ValueError(f"table {name!r} has {len(table)} bytes, expected {sys.maxunicode + 1}")
            tables[name] = table
            pos += size
        if pos != len(body):
            raise ValueError(f"{len(body) - pos} bytes after the last table")
    except (ValueError, KeyError, TypeError, zlib.error) as exc:
        message = f"{path}: unreadable Unicode tables ({exc}); see dedupe._unicode_tables to rebuild"
        raise CorruptFileError(message) from exc
    return tables


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, bytes]:
    return read_tables(TABLES_PATH) or {}


def load_table(name: str, build: Callable[[], bytes]) -> bytes:
    """The shipped table ``name`` if it matches this Python's Unicode data, else ``build()``."""
    table = _shipped().get(name)
    return build() if table is None else table
