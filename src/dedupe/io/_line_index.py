"""Where each entry of plain JSON Lines files lies, so later passes read only the records they need.

The pipeline's first pass notes, for every entry (non-blank line) of an uncompressed JSON Lines
input, its file, byte offset, byte length, line number and the xxh3-64 of its bytes: 32 bytes per
entry, kept between the passes instead of the texts. A later pass (verification, boilerplate,
writing; in this process or in a worker process, which reads the file itself) then reads a batch
of records with one ``pread`` per run of nearby entries, parses only them, and checks each
entry's bytes against its hash: an input changed since the first pass raises an
:class:`~dedupe.errors.InputError` (``reason="input_changed"``), as :class:`~dedupe.io._watch.InputWatch`
does for a whole-file read. The file's size and mtime are checked by the watch before each pass.

A compressed file cannot be read at an offset, so an input is indexed only when all its files are
plain JSON Lines; other inputs are read from the start in every pass.
"""

from __future__ import annotations

import itertools
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import xxhash

from .._typing import IntArray
from ..errors import InputError
from .jsonl import _BOM, _orjson, parse_line
from .records import Record, RecordBuilder

__all__ = ["LineIndex", "LineReader"]

#: Read a run of wanted entries in one ``pread`` while the bytes between them are at most this
#: many times the wanted bytes (kept records are most records: one read per batch, typically).
_SPARSE = 4
_MIN_GAP = 1 << 16


class LineIndex:
    """Byte ranges and hashes of every entry of the first pass, by input position.

    ``note`` is called once per positioned entry, in input order, so entry ``k`` is position ``k``.
    """

    def __init__(self) -> None:
        self.files: list[str] = []
        self.names: list[str] = []
        self._file = array("i")
        self._offset = array("q")
        self._length = array("q")
        self._line = array("q")
        self._digest = array("Q")
        self.complete = False

    def add_file(self, path: str, name: str) -> int:
        """Register a file about to be read; return its number for :meth:`note`."""
        self.files.append(path)
        self.names.append(name)
        return len(self.files) - 1

    def note(self, file_no: int, offset: int, data: bytes, line_no: int) -> None:
        """Note the entry at the next position: its file, offset, bytes (hashed) and line."""
        self._file.append(file_no)
        self._offset.append(offset)
        self._length.append(len(data))
        self._line.append(line_no)
        self._digest.append(xxhash.xxh3_64_intdigest(data))

    def extend(self, file_no: int, offset: IntArray, length: IntArray, line: IntArray, digest: IntArray) -> None:
        """Note the entries at the next positions at once (arrays of equal length)."""
        self._file.extend(np.full(len(offset), file_no, dtype=np.int32).tolist())
        self._offset.frombytes(np.ascontiguousarray(offset, dtype=np.int64).tobytes())
        self._length.frombytes(np.ascontiguousarray(length, dtype=np.int64).tobytes())
        self._line.frombytes(np.ascontiguousarray(line, dtype=np.int64).tobytes())
        self._digest.frombytes(np.ascontiguousarray(digest, dtype=np.uint64).tobytes())

    def __len__(self) -> int:
        return len(self._offset)

    def reader(self, *, text_field: str, id_field: str | None) -> LineReader:
        """A picklable reader of the indexed records (for this process or a worker)."""
        if not self.complete:
            raise RuntimeError("the first pass has not finished indexing the input")
        return LineReader(
            tuple(self.files), tuple(self.names), np.frombuffer(self._file, dtype=np.int32),
            np.frombuffer(self._offset, dtype=np.int64), np.frombuffer(self._length, dtype=np.int64),
            np.frombuffer(self._line, dtype=np.int64), np.frombuffer(self._digest, dtype=np.uint64),
            text_field, id_field,
        )  # fmt: skip


@dataclass(frozen=True)
class LineReader:
    """Reads the records at given positions from the indexed files (see the module docstring)."""

    files: tuple[str, ...]
    names: tuple[str, ...]
    file: IntArray
    offset: IntArray
    length: IntArray
    line: IntArray
    digest: IntArray
    text_field: str
    id_field: str | None

    def nbytes(self, positions: IntArray) -> int:
        """Bytes the entries at ``positions`` take in their files."""
        return int(self.length[positions].sum())

    def records(self, positions: IntArray) -> list[Record]:
        """The records at ``positions`` (ascending), as the first pass read them.

        Raises:
            InputError: an entry's bytes differ from the first pass (``input_changed``).
        """
        builder = RecordBuilder(text_field=self.text_field, id_field=self.id_field, on_error="raise",
                                check_ids=False)  # fmt: skip
        out: list[Record] = []
        positions = np.asarray(positions, dtype=np.int64)
        names = [self.names[f] for f in self.file[positions].tolist()]
        lines = self.line[positions].tolist()
        digests = self.digest[positions].tolist()
        for i, (pos, data) in enumerate(self._entries(positions)):
            name, line = names[i], lines[i]
            if xxhash.xxh3_64_intdigest(data) != digests[i]:
                raise InputError(
                    f"{name} changed while the run was going (line {line}: other bytes than the "
                    "first pass read, the xxh3 of the line differs); the passes of one run must read the same "
                    "input, so nothing was written; run again on a copy that does not change",
                    path=name, reason="input_changed",
                )  # fmt: skip
            record = self._known(data, pos, name, line)
            if record is None:
                builder.position = pos
                item = parse_line(data, line, name, builder)
                if not isinstance(item, Record):  # pragma: no cover - the digest matched a line pass 1 accepted
                    raise RuntimeError(f"position {pos} was not a record in the first pass")
                record = item
            out.append(record)
        return out

    def _known(self, data: bytes, pos: int, name: str, line: int) -> Record | None:
        """The record of an entry the first pass accepted (its digest matched), built without the
        checks it passed then; None where :func:`parse_line` must decide (anything unusual).

        The common entry is an object whose values are strings, integers, booleans or null, with a
        string text and a string or integer id: its record is what :func:`parse_line` builds, from
        one ``orjson.loads`` (no UTF-8 decoding of the line, no walk for widened floats).
        """
        if _orjson is None or data.startswith(_BOM):
            return None
        try:
            fields = _orjson.loads(data)
        except ValueError:  # pragma: no cover - orjson read it in the first pass, or json.loads did
            return None
        if type(fields) is not dict:  # pragma: no cover - the first pass accepted an object
            return None
        for value in fields.values():
            kind = type(value)
            if kind is not str and kind is not int and kind is not bool and value is not None:
                return None  # a float, a list or an object: parse_line (which checks widened floats)
        text = fields.get(self.text_field)
        if type(text) is not str:
            return None
        if self.id_field is None:
            doc_id = str(pos)
        else:
            value = fields.get(self.id_field)
            kind = type(value)
            if kind is str or kind is int:
                doc_id = str(value)
            else:
                return None
        return Record(doc_id, text, fields, name, line)

    def _entries(self, positions: IntArray) -> Iterator[tuple[int, bytes]]:
        """``(position, bytes)`` of each entry: one ``pread`` per run of nearby entries of one file."""
        if not len(positions):
            return
        file, start, length = self.file[positions], self.offset[positions], self.length[positions]
        end = start + length
        gap = start[1:] - end[:-1]
        # A new read where the file changes or the bytes skipped would outweigh the next entry's.
        cut = np.flatnonzero((file[1:] != file[:-1]) | (gap > np.maximum(_SPARSE * length[1:], _MIN_GAP))) + 1
        bounds = [0, *cut.tolist(), len(positions)]
        fds: dict[int, int] = {}
        try:
            for lo, hi in itertools.pairwise(bounds):
                file_no = int(file[lo])
                fd = fds.get(file_no)
                if fd is None:
                    fd = fds[file_no] = os.open(self.files[file_no], os.O_RDONLY)
                base = int(start[lo])
                block = os.pread(fd, int(end[hi - 1]) - base, base)
                for pos, a, n in zip(positions[lo:hi].tolist(), (start[lo:hi] - base).tolist(),
                                     length[lo:hi].tolist(), strict=True):  # fmt: skip
                    yield pos, block[a : a + n]
        finally:
            for fd in fds.values():
                os.close(fd)
