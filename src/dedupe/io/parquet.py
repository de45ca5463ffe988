"""Parquet through pyarrow (extra ``parquet``), imported only when a Parquet file is used.

Reading iterates record batches of ``batch_size`` rows, so only one batch is held as Python
objects at a time; each row becomes a dict of all its columns.

Writing buffers ``batch_size`` rows at a time. The first batch fixes the schema: its columns are
the fields in order of first appearance, with types inferred by pyarrow. A later field that is not
in that schema, or a value of another type, raises an :class:`~dedupe.errors.InputError` naming
the record and the field; nothing is dropped or coerced. A field that a row lacks is written as
null (Parquet has no "absent"), so such a row reads back with that key set to ``None``. Text that
UTF-8 cannot encode (lone surrogates) cannot be stored in Parquet and raises an InputError with
``reason="unencodable_text"``; write JSON Lines, which escapes it, or clean the text first.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import InputError, missing_extra
from ._atomic import atomic_file
from .records import ReadItem, RecordBuilder

__all__ = ["iter_parquet", "require_pyarrow", "write_parquet_rows"]


def require_pyarrow(feature: str) -> tuple[ModuleType, ModuleType]:
    """Import and return ``(pyarrow, pyarrow.parquet)``.

    Raises:
        MissingDependencyError: pyarrow is not installed; the message gives the install command.
    """
    try:
        pyarrow = importlib.import_module("pyarrow")
        parquet = importlib.import_module("pyarrow.parquet")
    except ImportError as exc:
        raise missing_extra("pyarrow", "parquet", feature) from exc
    return pyarrow, parquet


def iter_parquet(path: Path, builder: RecordBuilder, *, batch_size: int) -> Iterator[ReadItem]:
    """Yield one :class:`Record` or :class:`Rejected` per row of ``path`` (rows are numbered from 1).

    A file that is not Parquet, or that fails partway, raises an :class:`~dedupe.errors.InputError`
    (``reason="corrupt_file"``) naming the file and the first unread row; with
    ``on_error="reject"`` a :class:`Rejected` with that reason is yielded instead and the rest of
    the file is skipped.
    """
    pa, pq = require_pyarrow("reading Parquet")
    source = str(path)
    row = 0
    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=batch_size)
        for batch in batches:
            for fields in batch.to_pylist():
                row += 1
                yield builder.from_fields(fields, source=source, line=row)
    except (pa.ArrowException, OSError) as exc:
        where = f"after row {row}" if row else "before the first row"
        error = InputError(
            f"cannot read Parquet {where} ({type(exc).__name__}: {exc}); "
            "expected a complete Parquet file; re-download or rewrite it",
            path=source,
            line=row + 1,
            reason="corrupt_file",
        )
        if builder.on_error == "raise":
            raise error from exc
        yield builder.fail(error, None)


def write_parquet_rows(
    rows: Iterable[tuple[str | None, Mapping[str, Any]]],
    path: Path,
    *,
    batch_size: int,
    empty_fields: tuple[str, ...],
) -> int:
    """Write ``(doc_id, row)`` pairs to a Parquet file at ``path``, atomically; return the row count.

    Args:
        rows: the rows; ``doc_id`` only names a row in error messages.
        path: the output file.
        batch_size: rows per written batch (one row group each).
        empty_fields: string columns of the file written when there are no rows at all.

    Raises:
        InputError: a row does not fit the schema of the first batch, or holds unencodable text.
        MissingDependencyError: pyarrow is not installed.
    """
    pa, pq = require_pyarrow("writing Parquet")
    count = 0
    with atomic_file(path) as fh:
        writer: Any = None
        schema: Any = None
        iterator = iter(rows)
        try:
            while batch := list(islice(iterator, batch_size)):
                table = _to_table(pa, batch, schema, first_row=count + 1)
                if writer is None:
                    schema = table.schema
                    writer = pq.ParquetWriter(fh, schema)
                writer.write_table(table)
                count += len(batch)
            if writer is None:
                empty = pa.schema([(name, pa.string()) for name in empty_fields])
                writer = pq.ParquetWriter(fh, empty)
                writer.write_table(empty.empty_table())
        finally:
            # Close while the file is open, also on failure (the temporary file is then removed).
            if writer is not None:
                writer.close()
    return count


def _name(doc_id: str | None, number: int) -> str:
    return f"record {doc_id!r} (row {number})" if doc_id is not None else f"row {number}"


def _to_table(
    pa: ModuleType, batch: list[tuple[str | None, Mapping[str, Any]]], schema: Any, first_row: int
) -> Any:
    names: dict[str, None] = {}
    for _, row in batch:
        names.update(dict.fromkeys(row))
    if schema is not None:
        known = set(schema.names)
        for offset, (doc_id, row) in enumerate(batch):
            extra = [key for key in row if key not in known]
            if extra:
                raise InputError(
                    f"{_name(doc_id, first_row + offset)}: field {extra[0]!r} is not in the Parquet schema "
                    f"fixed by the first batch (fields: {', '.join(map(repr, schema.names))}); expected the "
                    "same fields in every record; write JSON Lines instead, or raise batch_size so that the "
                    "first batch shows every field",
                    doc_id=doc_id,
                    reason="schema_mismatch",
                )
        names = dict.fromkeys(schema.names)
    arrays = []
    for name in names:
        values = [row.get(name) for _, row in batch]
        kind = schema.field(name).type if schema is not None else None
        try:
            arrays.append(pa.array(values, type=kind))
        except UnicodeEncodeError as exc:
            offset = next((i for i, value in enumerate(values) if _unencodable(value)), 0)
            doc_id = batch[offset][0]
            raise InputError(
                f"{_name(doc_id, first_row + offset)}: field {name!r} holds text that UTF-8 cannot encode "
                f"({exc.reason}: {exc.object[exc.start : exc.end]!r}); expected valid Unicode text; "
                "write JSON Lines, which escapes it, or remove it first",
                doc_id=doc_id,
                reason="unencodable_text",
            ) from exc
        except (pa.ArrowException, TypeError, OverflowError) as exc:
            expected = f"type {kind}" if kind is not None else "one type per field"
            raise InputError(
                f"field {name!r} of rows {first_row}-{first_row + len(batch) - 1} cannot be stored in "
                f"Parquet ({type(exc).__name__}: {exc}); expected {expected}; make the field's values "
                "one type or write JSON Lines instead",
                reason="schema_mismatch",
            ) from exc
    return pa.Table.from_arrays(arrays, names=list(names))


def _unencodable(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, Mapping):
        return any(_unencodable(k) or _unencodable(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_unencodable(v) for v in value)
    return False
