"""Streaming corpus input and output: :func:`read_corpus`, :func:`write_corpus`, :func:`write_jsonl`.

Formats, chosen by suffix (case-insensitive):

========================================  ============================================
``.jsonl`` ``.json`` ``.ndjson``          JSON Lines, one object per line
``.gz`` (e.g. ``.jsonl.gz``)              gzip-compressed JSON Lines
``.zst`` ``.zstd`` (e.g. ``.jsonl.zst``)  zstandard-compressed JSON Lines (extra ``zstd``)
``.parquet``                              Parquet (extra ``parquet``)
``.txt``                                  one document per file; id = file stem
a folder                                  its files of the kinds above, sorted by name
========================================  ============================================

Reading yields :class:`Record` objects and, with ``on_error="reject"``, :class:`Rejected`
markers, one per input entry, so that nothing is dropped without a trace. Ids come from
``id_field`` or are derived (see :func:`read_corpus`). Writing is atomic: the output appears
complete or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, overload

from .._typing import PathLike
from ..config import check_int
from ..errors import ConfigError, InputError
from ._line_index import LineIndex, LineReader
from ._watch import InputWatch
from .jsonl import (
    Compression,
    compression_for,
    encode_rows,
    iter_jsonl,
    require_zstd,
    write_jsonl_chunks,
    write_jsonl_rows,
)
from .parquet import iter_parquet, require_pyarrow, write_parquet_rows
from .records import ID_KEY, OnError, ReadItem, Record, RecordBuilder, Rejected
from .textdir import read_txt, write_txt_dir

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Compression",
    "LineIndex",
    "LineReader",
    "OnError",
    "ReadItem",
    "Record",
    "Rejected",
    "encode_rows",
    "indexable",
    "input_files",
    "output_format",
    "read_corpus",
    "read_path_watched",
    "read_positions_watched",
    "write_corpus",
    "write_jsonl",
    "write_jsonl_chunks",
]

#: Suffixes that :func:`read_corpus` understands (``.gz`` / ``.zst`` may follow a JSON suffix).
SUPPORTED_SUFFIXES = (".jsonl", ".json", ".ndjson", ".gz", ".zst", ".zstd", ".parquet", ".txt")

Format = Literal["jsonl", "parquet", "txt"]

# Inner suffixes that show a compressed file is not JSON Lines (e.g. ``data.csv.gz``).
_NOT_JSON = frozenset({".txt", ".csv", ".tsv", ".parquet", ".warc", ".wet", ".wat", ".xml", ".html", ".tar"})

_DEFAULT_BATCH = 10_000


def _supported() -> str:
    return ", ".join(SUPPORTED_SUFFIXES)


def _format_of(path: Path) -> tuple[Format, Compression]:
    """Map ``path``'s suffix to its format and compression, or raise ConfigError."""
    name = path.name.lower()
    compression = compression_for(path)
    if compression != "none":
        inner = Path(name).with_suffix("").suffix
        if inner in _NOT_JSON:
            raise ConfigError(
                f"{str(path)!r}: compressed {inner} files are not supported; expected compressed JSON Lines "
                f"(e.g. .jsonl.gz or .jsonl.zst); supported suffixes: {_supported()}"
            )
        return "jsonl", compression
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl", "none"
    if name.endswith(".parquet"):
        return "parquet", "none"
    if name.endswith(".txt"):
        return "txt", "none"
    raise ConfigError(
        f"{str(path)!r}: unknown file type {path.suffix or '(no suffix)'!r}; "
        f"expected one of: {_supported()}; rename the file or convert it to JSON Lines"
    )


def _check_field(name: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        expected = "a str or None" if optional else "a str"
        raise TypeError(f"{name} must be {expected} (got {type(value).__name__}: {value!r})")
    if not value:
        raise ConfigError(f"{name} must be a non-empty field name (got {value!r})")


def _plan(path: Path) -> list[tuple[Path, Format, Compression]]:
    """List the files to read for ``path`` with their formats; check extras up front."""
    if path.is_dir():
        plan: list[tuple[Path, Format, Compression]] = []
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda entry: entry.name)
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue  # hidden files and markers such as _SUCCESS, by the Hadoop / Arrow convention
            child = Path(entry.path)
            if not entry.is_file():
                raise ConfigError(
                    f"{str(path)!r} contains {entry.name!r}, which is not a file; expected a folder of "
                    "corpus files (subfolders are not read); move it out or name it with a leading '_'"
                )
            try:
                plan.append((child, *_format_of(child)))
            except ConfigError as exc:
                raise ConfigError(
                    f"{str(path)!r} contains {entry.name!r}, which is not a corpus file ({exc}); "
                    "move it out or name it with a leading '_'"
                ) from exc
        if not plan:
            raise InputError(
                f"the folder holds no corpus files; expected files with one of: {_supported()}; "
                "check the path",
                path=str(path),
                reason="empty_input",
            )
    elif path.exists():
        plan = [(path, *_format_of(path))]
    else:
        raise InputError(
            f"no such file or folder; expected a corpus file ({_supported()}) or a folder of them; "
            "check the path",
            path=str(path),
            reason="not_found",
        )
    if any(compression == "zstd" for _, _, compression in plan):
        require_zstd("reading .zst files")
    if any(kind == "parquet" for _, kind, _ in plan):
        require_pyarrow("reading Parquet")
    return plan


def _read_files(
    plan: list[tuple[Path, Format, Compression]],
    builder: RecordBuilder,
    batch_size: int,
    watch: InputWatch | None = None,
    names: dict[str, str] | None = None,
    index: LineIndex | None = None,
) -> Iterator[ReadItem]:
    names = names or {}
    for path, kind, compression in plan:
        name = names.get(str(path))
        if watch is None:
            if kind == "jsonl":
                yield from iter_jsonl(path, builder, compression, name=name)
            elif kind == "parquet":
                yield from iter_parquet(path, builder, batch_size=batch_size)
            else:
                yield read_txt(path, builder, name=name)
            continue
        if kind == "jsonl":
            yield from iter_jsonl(path, builder, compression, opener=watch.opener, name=name, index=index)
        elif kind == "parquet":
            watch.whole_file(path)
            yield from iter_parquet(path, builder, batch_size=batch_size)
            watch.before(path)
        else:
            data = watch.read_bytes(path)
            yield read_txt(path, builder, data=data, name=name)
        watch.after(path)


def read_path_watched(
    path: Path,
    *,
    text_field: str,
    id_field: str | None,
    on_error: OnError,
    watch: InputWatch,
    names: dict[str, str] | None = None,
    batch_size: int = _DEFAULT_BATCH,
    index: LineIndex | None = None,
) -> Iterator[ReadItem]:
    """:func:`read_corpus` of a path, with each file checked by ``watch`` (the pipeline's passes);
    ``names`` maps a file to the name its messages use (a spilled standard input: ``<stdin>``).

    With ``index``, the input's entries are noted in it as they are read (the input must be
    :func:`indexable`); it is marked complete once the last file has been read.
    """
    plan = _plan(path)
    watch.files(path, [p for p, _, _ in plan])
    builder = RecordBuilder(
        text_field=text_field, id_field=id_field, on_error=on_error, check_ids=id_field is not None or path.is_dir()
    )
    if index is None:
        return _read_files(plan, builder, batch_size, watch, names)
    return _indexing(_read_files(plan, builder, batch_size, watch, names, index), index)


def _indexing(items: Iterator[ReadItem], index: LineIndex) -> Iterator[ReadItem]:
    yield from items
    index.complete = True


def input_files(path: Path) -> list[Path]:
    """The files that a read of ``path`` reads, in order."""
    return [p for p, _, _ in _plan(path)]


def indexable(path: Path) -> bool:
    """Whether every file of ``path`` is plain (uncompressed) JSON Lines, which a :class:`LineIndex` can index."""
    return all(kind == "jsonl" and compression == "none" for _, kind, compression in _plan(path))


def read_positions_watched(
    path: Path,
    positions: Collection[int],
    *,
    text_field: str,
    id_field: str | None,
    watch: InputWatch,
    names: dict[str, str] | None = None,
    batch_size: int = _DEFAULT_BATCH,
) -> Iterator[tuple[int, Record]]:
    """``(position, record)`` for the records at ``positions`` (input order), for the passes after the first.

    ``positions`` must be positions of records the first pass (:func:`read_path_watched`, same
    ``watch``) accepted: it has checked every entry and ``watch`` checks the file is the same, so
    a JSON Lines line at an unwanted position is not decoded or parsed (its bytes are still hashed
    for the watch), and ids are not checked for repeats again. Parquet and ``.txt`` files are read
    whole, then filtered.
    """
    plan = _plan(path)
    watch.files(path, [p for p, _, _ in plan])
    builder = RecordBuilder(text_field=text_field, id_field=id_field, on_error="reject", check_ids=False)
    wanted = positions if isinstance(positions, (set, frozenset)) else set(positions)
    names = names or {}
    for file, kind, compression in plan:
        if kind == "jsonl":
            name = names.get(str(file))
            for item in iter_jsonl(file, builder, compression, opener=watch.opener, name=name, wanted=wanted):
                if isinstance(item, Record):
                    yield builder.position - 1, item  # the builder has counted it
            watch.after(file)
        else:
            items = _read_files([(file, kind, compression)], builder, batch_size, watch, names)
            for pos, item in enumerate(items, builder.position):
                if pos in wanted and isinstance(item, Record):
                    yield pos, item


def _read_items(items: Iterable[object], builder: RecordBuilder) -> Iterator[ReadItem]:
    text_field = builder.text_field
    for number, item in enumerate(items, 1):
        if isinstance(item, str):
            position = str(builder.position)
            fields = {text_field: item} if text_field == ID_KEY else {ID_KEY: position, text_field: item}
            yield builder.from_fields(fields, source=None, line=number, derived_id=position)
        elif isinstance(item, Mapping):
            yield builder.from_fields(dict(item), source=None, line=number)
        elif isinstance(item, Record):
            yield builder.accept(item)
        elif isinstance(item, Rejected):
            builder.position += 1
            yield item
        else:
            yield builder.from_fields(item, source=None, line=number)


@overload
def read_corpus(
    source: PathLike | Iterable[Any],
    *,
    text_field: str = ...,
    id_field: str | None = ...,
    on_error: Literal["raise"] = ...,
    batch_size: int = ...,
) -> Iterator[Record]: ...


@overload
def read_corpus(
    source: PathLike | Iterable[Any],
    *,
    text_field: str = ...,
    id_field: str | None = ...,
    on_error: OnError,
    batch_size: int = ...,
) -> Iterator[Record | Rejected]: ...


def read_corpus(
    source: PathLike | Iterable[Any],
    *,
    text_field: str = "text",
    id_field: str | None = None,
    on_error: OnError = "raise",
    batch_size: int = _DEFAULT_BATCH,
) -> Iterator[Record] | Iterator[Record | Rejected]:
    """Stream the documents of a corpus file, a folder of them, or an iterable.

    The path, its suffix and the optional packages are checked when this is called; the records
    are read lazily as the returned iterator is consumed, one line, row or file at a time.

    Ids: with ``id_field``, the field must be a str or an int (converted to ``str``). With
    ``id_field=None`` they are derived: the file stem for a ``.txt`` file, otherwise the 0-based
    position of the entry in the whole input as a string (``"0"``, ``"1"``, ...), counting every
    non-blank JSONL line, Parquet row and iterable item, rejected ones included, across all the
    files of a folder in name order. So the ids of good records do not move when a bad line is
    fixed or rejected. A repeated id is an error (``reason="duplicate_id"``); only the ids are kept
    in memory for that check, and not at all for positional ids of a single file.

    Iterables may hold dicts (any mapping; copied), strings (the text; fields
    ``{"id": position, text_field: text}``), and :class:`Record` or :class:`Rejected` objects,
    which pass through unchanged (the ids of records are still checked for repeats), so
    ``read_corpus`` may be applied to its own output.

    Bad entries (malformed JSON, a line that is not an object, a missing or non-string text field,
    a missing or ill-typed id field, invalid UTF-8, a repeated id, a truncated or corrupt compressed
    file) raise an :class:`~dedupe.errors.InputError` with ``path``, ``line``, ``doc_id`` and
    ``reason`` set, or, with ``on_error="reject"``, are yielded as :class:`Rejected` markers in
    their place. Empty text is a valid record. Blank JSONL lines are not entries and are skipped.

    Args:
        source: a file or folder path (see the module docstring for suffixes) or an iterable.
        text_field: the field that holds the text.
        id_field: the field that holds the id, or ``None`` to derive ids as above.
        on_error: ``"raise"`` on the first bad entry, or ``"reject"`` to yield :class:`Rejected`.
        batch_size: rows per Arrow record batch when reading Parquet; other formats stream one line
            or file at a time from a buffered reader.

    Returns:
        An iterator of :class:`Record` (and of :class:`Rejected` with ``on_error="reject"``).

    Raises:
        InputError: the path does not exist or a folder holds no corpus files (at call time); a bad
            entry with ``on_error="raise"`` (while iterating).
        ConfigError: an unknown suffix, a folder holding other files, or a bad parameter value.
        MissingDependencyError: a ``.zst`` file without zstandard, a Parquet file without pyarrow.
        TypeError: ``source`` is neither a path nor an iterable, or a parameter has the wrong type.

    >>> [(r.id, r.text) for r in read_corpus(["a b", "c"])]
    [('0', 'a b'), ('1', 'c')]
    >>> items = read_corpus([{"text": "x"}, {"body": "y"}], on_error="reject")
    >>> [type(item).__name__ for item in items]
    ['Record', 'Rejected']
    """
    _check_field("text_field", text_field, optional=False)
    _check_field("id_field", id_field, optional=True)
    if on_error not in ("raise", "reject"):
        raise ConfigError(f"on_error must be 'raise' or 'reject' (got {on_error!r})")
    check_int("batch_size", batch_size, low=1)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        plan = _plan(path)
        check_ids = id_field is not None or path.is_dir()
        builder = RecordBuilder(
            text_field=text_field, id_field=id_field, on_error=on_error, check_ids=check_ids
        )
        return _read_files(plan, builder, batch_size)
    if isinstance(source, (bytes, bytearray, Mapping)) or not isinstance(source, Iterable):
        raise TypeError(
            "source must be a path (str or os.PathLike) or an iterable of dicts or str "
            f"(got {type(source).__name__}); pass a list of records such as [{{'text': ...}}]"
        )
    builder = RecordBuilder(text_field=text_field, id_field=id_field, on_error=on_error, check_ids=True)
    return _read_items(source, builder)


def _record_rows(records: Iterable[Record], text_field: str) -> Iterator[tuple[str | None, dict[str, Any]]]:
    for number, record in enumerate(records, 1):
        if not isinstance(record, Record):
            raise TypeError(_not_a_record(record, number))
        yield record.id, record.as_dict(text_field=text_field)


def _checked_records(records: Iterable[Record]) -> Iterator[Record]:
    for number, record in enumerate(records, 1):
        if not isinstance(record, Record):
            raise TypeError(_not_a_record(record, number))
        yield record


def _not_a_record(item: object, number: int) -> str:
    hint = "pass the Record objects from read_corpus()"
    if isinstance(item, Rejected):
        hint = "keep only Record items (isinstance(item, Record)) and write rejects with write_jsonl()"
    elif isinstance(item, Mapping):
        hint = "use write_jsonl() for plain dicts"
    return f"write_corpus: item {number} must be a Record (got {type(item).__name__}); {hint}"


def output_format(path: Path, fmt: Format | None) -> tuple[Format, Compression]:
    """The format and compression that :func:`write_corpus` picks for ``path`` (and ``fmt``)."""
    if fmt is None:
        if path.is_dir() or not path.suffix:
            return "txt", "none"
        kind, compression = _format_of(path)
        if kind == "txt":
            raise ConfigError(
                f"{str(path)!r}: a .txt path holds one document; expected a folder path (no suffix) to "
                "write one .txt file per record, or a .jsonl / .parquet path"
            )
        return kind, compression
    if fmt == "jsonl":
        return "jsonl", compression_for(path)
    if fmt in ("parquet", "txt"):
        return fmt, "none"
    raise ConfigError(f"format must be 'jsonl', 'parquet', 'txt' or None (got {fmt!r})")


def write_corpus(
    records: Iterable[Record],
    path: PathLike,
    *,
    text_field: str = "text",
    format: Format | None = None,
    batch_size: int = _DEFAULT_BATCH,
) -> int:
    """Write records to a corpus file or folder, atomically, mirroring :func:`read_corpus`.

    Each record is written as its original fields with ``text_field`` set to its (possibly
    cleaned) text, in the original key order (:meth:`Record.as_dict`). The output is built in a
    hidden temporary file (or folder) next to ``path`` and renamed over it at the end; if anything
    fails, including the ``records`` iterator itself, the temporary output is removed and ``path``
    is left as it was.

    Formats: ``format=None`` picks by suffix: ``.jsonl`` / ``.json`` / ``.ndjson`` (optionally
    followed by ``.gz`` or ``.zst``), ``.parquet``, and a folder of ``.txt`` files when ``path``
    is an existing folder or has no suffix. ``format="jsonl"`` still compresses by suffix. JSON
    Lines output is deterministic (see :mod:`dedupe.io.jsonl`, which also documents how lone
    surrogates are escaped); Parquet fixes its schema from the first batch
    (:mod:`dedupe.io.parquet`); a ``.txt`` folder keeps only the text (:mod:`dedupe.io.textdir`)
    and must not exist yet or be empty.

    Args:
        records: :class:`Record` objects (a :class:`Rejected` raises TypeError).
        path: the output file or folder; its folder must exist.
        text_field: the field that receives each record's text.
        format: ``"jsonl"``, ``"parquet"``, ``"txt"`` (folder), or ``None`` to pick by suffix.
        batch_size: rows per Parquet row group.

    Returns:
        The number of records written.

    Raises:
        ConfigError: an unknown suffix, a missing output folder, or a non-empty ``.txt`` folder.
        InputError: a record that the format cannot hold (Parquet schema, unencodable text,
            repeated id in a ``.txt`` folder).
        TypeError: an item is not a Record, or a field value is not JSON-serialisable.
        MissingDependencyError: ``.zst`` without zstandard, Parquet without pyarrow.
    """
    _check_field("text_field", text_field, optional=False)
    check_int("batch_size", batch_size, low=1)
    target = Path(path)
    kind, compression = output_format(target, format)
    if kind == "jsonl":
        if compression == "zstd":
            require_zstd("writing .zst files")
        return write_jsonl_rows(_record_rows(records, text_field), target, compression=compression)
    if kind == "parquet":
        return write_parquet_rows(
            _record_rows(records, text_field),
            target,
            batch_size=batch_size,
            empty_fields=tuple(dict.fromkeys((ID_KEY, text_field))),
        )
    return write_txt_dir(_checked_records(records), target)


def _dict_rows(
    rows: Iterable[Mapping[str, Any] | Rejected],
) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
    for number, row in enumerate(rows, 1):
        if isinstance(row, Rejected):
            yield row.doc_id, row.as_dict()
        elif isinstance(row, Mapping):
            yield None, row
        else:
            raise TypeError(
                f"write_jsonl: item {number} must be a dict (got {type(row).__name__}); "
                "use write_corpus() for Record objects"
            )


def write_jsonl(rows: Iterable[Mapping[str, Any] | Rejected], path: PathLike) -> int:
    """Write plain dicts as JSON Lines to ``path``, atomically; return the number of lines.

    For side files such as the duplicates or rejects lists. :class:`Rejected` items are written
    as :meth:`Rejected.as_dict`. The output is deterministic and compressed by suffix (``.gz``,
    ``.zst``) exactly as :func:`write_corpus` writes JSON Lines.

    Raises:
        TypeError: an item is not a mapping, or a value is not JSON-serialisable.
        ConfigError: the folder of ``path`` does not exist, or ``path`` is a folder.
        MissingDependencyError: ``.zst`` without zstandard.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rows.jsonl"
    >>> write_jsonl([{"id": "1", "reason": "near_duplicate"}], out)
    1
    >>> out.read_text()
    '{"id":"1","reason":"near_duplicate"}\\n'
    """
    target = Path(path)
    compression = compression_for(target)
    if compression == "zstd":
        require_zstd("writing .zst files")
    return write_jsonl_rows(_dict_rows(rows), target, compression=compression)
