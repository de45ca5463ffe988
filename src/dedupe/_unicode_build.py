"""Building the shipped code point tables (``unicode_tables.bin``) from :mod:`unicodedata`.

Kept apart from :mod:`dedupe._unicode_tables` (which only reads the file) so that the modules
whose builders are listed here can import the reader without an import cycle. Regenerate with::

    python -c "import dedupe._unicode_build as b; b.write_tables(b.TABLES_PATH)"
"""

from __future__ import annotations

import json
import sys
import unicodedata
import zlib
from collections.abc import Callable
from pathlib import Path

from ._unicode_tables import FORMAT, TABLES_PATH
from .fold_table import build_composition_hazards
from .normalize import build_char_classes, build_translation_kinds
from .scripts import build_script_classes

__all__ = ["TABLES_PATH", "builders", "write_tables"]


def builders() -> dict[str, Callable[[], bytes]]:
    """Every shipped table's name and the function that builds it from :mod:`unicodedata`."""
    return {
        "char_classes": build_char_classes,
        "composition_hazards": build_composition_hazards,
        "script_classes": build_script_classes,
        "translation_kinds": build_translation_kinds,
    }


def write_tables(path: Path) -> None:
    """Build every table with this Python's :mod:`unicodedata` and write them to ``path``."""
    blobs = [(name, zlib.compress(build(), 9)) for name, build in builders().items()]
    header = {
        "format": FORMAT,
        "unidata_version": unicodedata.unidata_version,
        "maxunicode": sys.maxunicode,
        "tables": [[name, len(blob)] for name, blob in blobs],
    }
    path.write_bytes(json.dumps(header).encode("ascii") + b"\n" + b"".join(blob for _, blob in blobs))

