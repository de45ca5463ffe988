"""The pipeline's input, re-readable: a path read again for each pass, or records held in memory.

A path input must not change between passes: each file's size, mtime and xxh3 of its bytes are
recorded in the first pass and checked in every later one (:mod:`dedupe.io._watch`). Standard
input (``"-"``) and named pipes, which cannot be re-read, are copied once into a temporary file
that the passes read (removed with the source). An in-memory iterable is held as a list.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ._typing import PathLike
from .io import LineIndex, LineReader, Record, Rejected, indexable, input_files, read_corpus, read_path_watched
from .io._watch import InputWatch, is_stream, spill_stream

__all__ = ["OnError", "Source", "open_source"]

OnError = Literal["raise", "reject"]

#: Records read at once by :meth:`Source.records_at` on an indexed input.
_READ_BATCH = 1024


@dataclass
class Source:
    """Re-readable input: a path read again for each pass, or a list of items held in memory."""

    path: Path | None
    items: list[Record | Rejected] | None
    text_field: str
    id_field: str | None
    watch: InputWatch = field(default_factory=InputWatch)
    names: dict[str, str] = field(default_factory=dict)
    #: Where each entry lies, noted by the first pass (plain JSON Lines inputs), else None.
    index: LineIndex | None = None

    def read(self, on_error: OnError, *, first: bool = False) -> Iterator[Record | Rejected]:
        """Every item in input order: records, and rejected entries with ``on_error="reject"``.

        ``first``: the first pass, which fills :attr:`index` where there is one.
        """
        if self.items is not None:
            yield from self.items
            return
        if self.path is None:  # pragma: no cover - open_source sets one of the two
            raise RuntimeError("a Source needs a path or items")
        yield from read_path_watched(
            self.path,
            text_field=self.text_field,
            id_field=self.id_field,
            on_error=on_error,
            watch=self.watch,
            names=self.names,
            index=self.index if first else None,
        )

    def reader(self) -> LineReader | None:
        """A reader of the records at given positions (after the first pass, indexed inputs only).

        Each file's size and mtime are checked against the first pass first.
        """
        if self.index is None or not self.index.complete:
            return None
        self.unchanged()
        return self.index.reader(text_field=self.text_field, id_field=self.id_field)

    def unchanged(self) -> None:
        """Check that the input has the first pass's files, each with its size and mtime (indexed inputs)."""
        if self.index is not None and self.path is not None:
            self.watch.files(self.path, input_files(self.path))
            for name in self.index.files:
                self.watch.before(Path(name))

    def records_at(self, positions: Collection[int]) -> Iterator[tuple[int, Record]]:
        """``(position, record)`` for the wanted positions (all of records), in input order."""
        reader = self.reader()
        if reader is not None:
            wanted = np.fromiter(sorted(positions), dtype=np.int64, count=len(positions))
            for lo in range(0, len(wanted), _READ_BATCH):
                chunk = wanted[lo : lo + _READ_BATCH]
                yield from zip(chunk.tolist(), reader.records(chunk), strict=True)
            self.unchanged()
            return
        wanted_set = positions if isinstance(positions, (set, frozenset)) else set(positions)
        for pos, item in enumerate(self.read("reject")):
            if pos in wanted_set and isinstance(item, Record):
                yield pos, item


def open_source(
    source: PathLike | Iterable[Any], text_field: str, id_field: str | None, on_error: OnError
) -> tuple[Source, Iterator[Record | Rejected]]:
    """The re-readable source of ``source`` and an iterator over its first pass."""
    if isinstance(source, (str, os.PathLike)):
        if is_stream(source):
            spilled, name, cleanup = spill_stream(source)
            src = Source(spilled, None, text_field, id_field, names={str(spilled): name})
            weakref.finalize(src, cleanup)
        else:
            read_corpus(source, text_field=text_field, id_field=id_field, on_error=on_error)  # checks up front
            src = Source(Path(source), None, text_field, id_field)
        if indexable(src.path):  # type: ignore[arg-type]
            src.index = LineIndex()
        return src, src.read(on_error, first=True)
    items = list(read_corpus(source, text_field=text_field, id_field=id_field, on_error=on_error))
    src = Source(None, items, text_field, id_field)
    return src, iter(items)
