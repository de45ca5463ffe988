"""What the readers yield: :class:`Record` for a good input, :class:`Rejected` for a bad one.

Every input entry (a non-blank JSONL line, a Parquet row, a ``.txt`` file, an item of an
iterable) becomes exactly one of the two, so a consumer can account for all of its input:
``records + rejected = entries``. :class:`RecordBuilder` holds the checks that turn a dict of
fields into one or the other; the format modules only find the entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InputError

__all__ = ["OnError", "ReadItem", "Record", "RecordBuilder", "Rejected"]

OnError = Literal["raise", "reject"]

#: Field name under which a derived id is stored for sources that have no fields of their own
#: (``.txt`` files and plain strings).
ID_KEY = "id"

_JSON_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    list: "array",
    dict: "object",
    str: "string",
}


@dataclass(frozen=True, slots=True)
class Record:
    """One good input document.

    Attributes:
        id: the document id. From ``id_field`` when given (an int is converted to ``str``);
            otherwise derived: the file stem for a ``.txt`` file, else the 0-based position of the
            entry in the whole input (see :func:`dedupe.io.read_corpus`).
        text: the document text, exactly as read (it may be empty).
        fields: every original field, untouched and in the original key order, including the text
            field itself; the writers emit these with the text field replaced by :attr:`text`.
            Sources without fields (``.txt`` files, plain strings) get ``{"id": id, text_field: text}``.
            Do not mutate it; build a new record with :meth:`with_text` instead.
        source: the file the record came from, or ``None`` for an in-memory iterable.
        line: 1-based line (JSONL), row (Parquet) or item (iterable) number; ``None`` for a
            ``.txt`` file.

    >>> r = Record("7", "Hello", {"url": "u", "text": "Hello "})
    >>> r.as_dict()
    {'url': 'u', 'text': 'Hello'}
    """

    id: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict, hash=False)
    source: str | None = None
    line: int | None = None

    def with_text(self, text: str) -> Record:
        """Return a copy with ``text`` replaced (``fields`` is shared, not copied)."""
        return Record(self.id, text, self.fields, self.source, self.line)

    def as_dict(self, *, text_field: str = "text") -> dict[str, Any]:
        """Return the original fields with ``text_field`` set to :attr:`text`, keeping key order.

        A text field absent from :attr:`fields` is appended as the last key.
        """
        return {**self.fields, text_field: self.text}


@dataclass(frozen=True, slots=True)
class Rejected:
    """One bad input entry, yielded instead of a :class:`Record` when ``on_error="reject"``.

    Attributes:
        source: the file the entry came from, or ``None`` for an in-memory iterable.
        line: 1-based line, row or item number, as in :attr:`Record.line`; for a damaged
            compressed or Parquet file, the line or row after the last good one; for a ``.txt``
            file with invalid UTF-8, the line that holds the bad byte.
        raw: the offending input as text: the JSONL line (undecodable bytes written as
            ``\\xNN`` escapes), a Parquet row or iterable item rendered as JSON (other values by
            ``repr``); ``None`` when nothing could be read (a truncated file).
        reason: short machine-friendly reason: ``"malformed_json"``, ``"not_an_object"``,
            ``"missing_field"``, ``"bad_field_type"``, ``"invalid_utf8"``, ``"duplicate_id"``,
            ``"truncated_file"`` or ``"corrupt_file"``.
        message: the full message of the :class:`~dedupe.errors.InputError` that
            ``on_error="raise"`` would have raised.
        doc_id: the entry's id when it was known (e.g. for ``"duplicate_id"``).
    """

    source: str | None
    line: int | None
    raw: str | None
    reason: str
    message: str
    doc_id: str | None = None

    @classmethod
    def from_error(cls, error: InputError, raw: str | None) -> Rejected:
        """Build the marker for ``error`` (which carries path, line, reason and doc_id)."""
        return cls(error.path, error.line, raw, error.reason, str(error), error.doc_id)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, one line of a rejects file."""
        return {
            "source": self.source,
            "line": self.line,
            "doc_id": self.doc_id,
            "reason": self.reason,
            "message": self.message,
            "raw": self.raw,
        }


ReadItem = Record | Rejected


def json_type(value: object) -> str:
    """Name the JSON type of ``value`` (``"null"``, ``"number"``, ...), else its Python type."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def render_raw(value: object) -> str:
    """Render a non-line entry (a row dict or an iterable item) as text for :attr:`Rejected.raw`."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):  # circular references, non-str keys
        return repr(value)


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _keys_list(fields: dict[str, Any], limit: int = 10) -> str:
    keys = ", ".join(repr(k) for k in list(fields)[:limit])
    more = f", ... ({len(fields)} keys)" if len(fields) > limit else ""
    return f"{keys}{more}" if keys else "no keys"


_TEXT_NAMES = ("content", "body", "raw_content", "contents", "document", "article", "page_content")


def _guess_text_field(fields: dict[str, Any]) -> str | None:
    for name in _TEXT_NAMES:
        if isinstance(fields.get(name), str):
            return name
    best: str | None = None
    best_len = -1
    for key, value in fields.items():
        if isinstance(value, str) and len(value) > best_len:
            best, best_len = key, len(value)
    return best


class RecordBuilder:
    """Turn entries into :class:`Record` or :class:`Rejected`, with ids, positions and duplicate checks.

    One builder serves one :func:`~dedupe.io.read_corpus` call, across all its files, so that
    positions and the duplicate-id check span the whole input.

    Args:
        text_field: name of the field that holds the text.
        id_field: name of the field that holds the id, or ``None`` to derive ids.
        on_error: ``"raise"`` an :class:`~dedupe.errors.InputError`, or return a :class:`Rejected`.
        check_ids: remember every id and reject repeats (needed unless ids are positions).
    """

    __slots__ = ("_seen", "check_ids", "id_field", "on_error", "position", "text_field")

    def __init__(self, *, text_field: str, id_field: str | None, on_error: OnError, check_ids: bool) -> None:
        self.text_field = text_field
        self.id_field = id_field
        self.on_error = on_error
        self.check_ids = check_ids
        self.position = 0
        self._seen: set[str] = set()

    def fail(self, error: InputError, raw: str | None) -> Rejected:
        """Raise ``error`` (``on_error="raise"``) or return its :class:`Rejected` marker.

        ``raw`` loses one trailing line break (``\\n`` or ``\\r\\n``), if any.
        """
        self.position += 1
        if self.on_error == "raise":
            raise error
        if raw is not None and raw.endswith("\n"):
            raw = raw[:-2] if raw.endswith("\r\n") else raw[:-1]
        return Rejected.from_error(error, raw)

    def from_fields(
        self,
        fields: object,
        *,
        source: str | None,
        line: int | None,
        raw: str | None = None,
        derived_id: str | None = None,
    ) -> ReadItem:
        """Check one entry's fields and build its record.

        Args:
            fields: the parsed entry; anything but a ``dict`` is rejected as ``"not_an_object"``.
            source: file name for messages, or ``None``.
            line: 1-based line, row or item number for messages.
            raw: the entry as text for :attr:`Rejected.raw`; rendered from ``fields`` if ``None``.
            derived_id: the id to use when ``id_field`` is ``None`` (default: the position).

        Returns:
            A :class:`Record`, or a :class:`Rejected` when ``on_error="reject"``.

        Raises:
            InputError: the entry is bad and ``on_error="raise"``.
        """
        if type(fields) is not dict:
            return self.fail(self._not_an_object(fields, source, line), _raw(raw, fields))
        text = fields.get(self.text_field, _MISSING)
        if type(text) is not str:
            if not isinstance(text, str):
                return self.fail(self._bad_text(fields, text, source, line), _raw(raw, fields))
            text = str(text)  # a str subclass (numpy.str_): its plain text
        id_field = self.id_field
        if id_field is None:
            doc_id = str(self.position) if derived_id is None else derived_id
        else:
            value = fields.get(id_field, _MISSING)
            if isinstance(value, str):
                doc_id = str(value)
            elif (isinstance(value, int) and not isinstance(value, bool)) or _is_numpy_integer(value):
                doc_id = str(int(value))  # an int, or a numpy integer
            else:
                return self.fail(self._bad_id(fields, value, source, line), _raw(raw, fields))
        return self.accept(Record(doc_id, text, fields, source, line), raw=raw)

    def is_repeat(self, doc_id: str) -> bool:
        """Whether ``doc_id`` was accepted before (with ``check_ids``)."""
        return doc_id in self._seen

    def accept_new(self, ids: list[str]) -> bool:
        """Take ``ids`` (of records already counted) at once if none repeats another or an
        earlier id; return whether they were taken (if not, nothing changed: check them one by one)."""
        seen = self._seen
        if len(set(ids)) != len(ids) or not seen.isdisjoint(ids):
            return False
        seen.update(ids)
        return True

    def accept(self, record: Record, *, raw: str | None = None) -> ReadItem:
        """Count ``record`` and check its id for repeats; return it or its :class:`Rejected` marker."""
        if self.check_ids:
            seen = self._seen
            if record.id in seen:
                where = f" (field {self.id_field!r})" if self.id_field is not None else ""
                fix = (
                    "make the ids unique or pass id_field=None to number records by position"
                    if self.id_field is not None
                    else "make the ids unique"
                )
                error = InputError(
                    f"id {_short(record.id)}{where} was already used by an earlier record; "
                    f"expected unique ids; {fix}",
                    path=record.source,
                    line=record.line,
                    doc_id=record.id,
                    reason="duplicate_id",
                )
                return self.fail(error, _raw(raw, record.fields))
            seen.add(record.id)
        self.position += 1
        return record

    def _not_an_object(self, value: object, source: str | None, line: int | None) -> InputError:
        hint = "expected one JSON object per line (JSON Lines)"
        if isinstance(value, list) and line == 1 and source is not None:
            hint += (
                "; this looks like a JSON array: convert it with "
                f"jq -c '.[]' {source} > {source.rsplit('.', 1)[0]}.jsonl"
            )
        elif source is None:
            hint = "expected a dict (or a str) per item; pass dicts like {'text': ...}"
        return InputError(
            f"expected a record object, got {json_type(value)} {_short(value)}; {hint}",
            path=source,
            line=line,
            reason="not_an_object",
        )

    def _bad_text(
        self, fields: dict[str, Any], value: object, source: str | None, line: int | None
    ) -> InputError:
        name = self.text_field
        if value is _MISSING and "." in name and name.split(".", 1)[0] in fields:
            head = name.split(".", 1)[0]
            return InputError(
                f"field {name!r} is missing; nested fields are not supported (the record has a field {head!r} "
                f"holding {json_type(fields[head])}); expected a top-level text field; flatten the records "
                f"first, e.g. jq -c '.text = .{name}'",
                path=source,
                line=line,
                reason="missing_field",
            )
        if value is _MISSING:
            guess = _guess_text_field(fields)
            fix = f"pass text_field={guess!r}" if guess is not None else "pass text_field='<field with text>'"
            return InputError(
                f"field {name!r} is missing (keys: {_keys_list(fields)}); {fix}",
                path=source,
                line=line,
                reason="missing_field",
            )
        return InputError(
            f"field {name!r} must be a string, got {json_type(value)} {_short(value)}; "
            "fix the record or choose another text_field",
            path=source,
            line=line,
            reason="bad_field_type",
        )

    def _bad_id(
        self, fields: dict[str, Any], value: object, source: str | None, line: int | None
    ) -> InputError:
        name = self.id_field
        if value is _MISSING:
            return InputError(
                f"id field {name!r} is missing (keys: {_keys_list(fields)}); "
                "pass the right id_field, or id_field=None to number records by position",
                path=source,
                line=line,
                reason="missing_field",
            )
        return InputError(
            f"id field {name!r} must be a string or an integer, got {json_type(value)} {_short(value)}; "
            "fix the record or pass id_field=None to number records by position",
            path=source,
            line=line,
            reason="bad_field_type",
        )


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _is_numpy_integer(value: object) -> bool:
    module = type(value).__module__
    return module == "numpy" and hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"


def _raw(raw: str | None, value: object) -> str:
    return raw if raw is not None else render_raw(value)
