"""Plain ``.txt`` files: one document per file, the id being the file stem.

Reading decodes the whole file as strict UTF-8 and keeps the text exactly (no newline
translation), except that a UTF-8 byte-order mark at its start is dropped (it is not text).
An invalid byte is reported with the line it is on.

Writing puts one ``<name>.txt`` per record into a new folder, atomically (a temporary sibling
folder renamed at the end). Only the text is written; other fields are not kept (write JSON Lines
to keep them). The name is the id itself when that is a safe, portable file name
(``[A-Za-z0-9][A-Za-z0-9._-]*``, at most 100 characters, not equal ignoring case to an earlier
name), so such ids read back unchanged; any other id becomes its sanitised form plus 16 hex digits
of its SHA-256, e.g. ``'a/b c'`` -> ``a_b_c_<hash>.txt``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ._atomic import atomic_dir
from .records import ID_KEY, ReadItem, Record, RecordBuilder

__all__ = ["TxtNames", "read_txt", "write_txt_dir"]

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")


def read_txt(path: Path, builder: RecordBuilder, *, data: bytes | None = None, name: str | None = None) -> ReadItem:
    """Read one ``.txt`` file as one record with id = the file stem.

    The record's fields are ``{"id": stem, text_field: text}`` (just ``{text_field: text}`` when
    ``text_field`` is ``"id"``) and its ``line`` is ``None``.
    """
    source = str(path) if name is None else name
    if data is None:
        data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    stem = path.stem
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 4].split(b"\n")[0]
        error = InputError(
            f"invalid UTF-8 at byte {column} of line {line} ({exc.reason}, bytes {bad!r}); "
            "expected UTF-8 text; re-encode the file as UTF-8 (e.g. iconv -f <encoding> -t utf-8)",
            path=source,
            line=line,
            doc_id=stem,
            reason="invalid_utf8",
        )
        return builder.fail(error, data.decode("utf-8", "backslashreplace"))
    text_field = builder.text_field
    fields = {text_field: text} if text_field == ID_KEY else {ID_KEY: stem, text_field: text}
    return builder.from_fields(fields, source=source, line=None, derived_id=stem)


class TxtNames:
    """Choose one file name per id for a ``.txt`` folder; reject repeated ids.

    >>> names = TxtNames()
    >>> names.name("doc-1")
    'doc-1.txt'
    >>> names.name("a/b c")
    'a_b_c_0af99a6091695385.txt'
    """

    __slots__ = ("_ids", "_names")

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._names: set[str] = set()  # lower-cased stems, for case-insensitive file systems

    def name(self, doc_id: str) -> str:
        """Return the file name for ``doc_id``.

        Raises:
            InputError: ``doc_id`` was given before, or (with odds of about 2**-64) its hashed name
                was taken (``reason="duplicate_id"``).
        """
        if doc_id in self._ids:
            raise InputError(
                f"id {doc_id!r} was already written; expected unique ids, one file each; "
                "make the ids unique before writing",
                doc_id=doc_id,
                reason="duplicate_id",
            )
        if _SAFE_ID.fullmatch(doc_id) and doc_id.lower() not in self._names:
            stem = doc_id
        else:
            base = _UNSAFE_RUN.sub("_", doc_id).strip("._-")[:80] or "doc"
            digest = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            stem = f"{base}_{digest}"
            if stem.lower() in self._names:
                raise InputError(
                    f"id {doc_id!r} maps to the file name {stem + '.txt'!r}, already used by an earlier "
                    "record; expected distinct file names; rename one of the ids",
                    doc_id=doc_id,
                    reason="duplicate_id",
                )
        self._ids.add(doc_id)
        self._names.add(stem.lower())
        return f"{stem}.txt"


def write_txt_dir(records: Iterable[Record], path: Path) -> int:
    """Write one UTF-8 ``.txt`` file per record into the new folder ``path``; return the count.

    Raises:
        InputError: a repeated id, or text that UTF-8 cannot encode (``reason="unencodable_text"``).
        ConfigError: ``path`` is a file or a non-empty folder, or its folder does not exist.
    """
    count = 0
    with atomic_dir(path) as tmp:
        names = TxtNames()
        for record in records:
            count += 1
            name = names.name(record.id)
            try:
                data = record.text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(
                    f"record {record.id!r}: its text holds {exc.object[exc.start : exc.end]!r} at index "
                    f"{exc.start}, which UTF-8 cannot encode ({exc.reason}); expected valid Unicode text; "
                    "write JSON Lines, which escapes it, or remove it first",
                    doc_id=record.id,
                    reason="unencodable_text",
                ) from exc
            with open(tmp / name, "xb") as fh:
                fh.write(data)
    return count
