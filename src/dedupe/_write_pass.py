"""The write pass: the kept records, cleaned of their boilerplate, as JSON Lines, in input order.

Batches of kept positions (:mod:`dedupe._position_batches`) go to a
:class:`~dedupe.parallel.WorkerPool`; each worker reads its records (indexed inputs) or receives
them, removes the boilerplate ranges the find pass recorded, encodes the lines and returns them
as one ``bytes``; this process only writes them, in order, into the atomic output. An input that
is not indexed and has nothing to strip is encoded here: the records are parsed here anyway, and
pickling them to a worker costs more than encoding them. The input is
checked unchanged before the output is renamed into place, so a changed input writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._pipeline_boilerplate import BoilerplateRun
from ._position_batches import Item, plan_batches, read_items, records_of
from ._source import Source
from ._typing import IntArray
from .io import Compression, LineReader, encode_rows, write_jsonl_chunks
from .parallel import WorkerPool

__all__ = ["write_kept"]


@dataclass(frozen=True)
class _Writer:
    """What a worker of the write pass holds (inherited by ``fork``)."""

    reader: LineReader | None
    boilerplate: BoilerplateRun | None
    kept: IntArray
    text_field: str
    path: Path


def _encode(writer: _Writer, item: Item) -> tuple[int, bytes]:
    """A batch's cleaned records as JSON Lines: ``(count, bytes)``."""
    recs = records_of(item, writer.reader)
    if writer.boilerplate is not None and recs:
        texts = writer.boilerplate.strip(item.positions.tolist(), recs)
        recs = [r.with_text(t) for r, t in zip(recs, texts, strict=True)]
    first = int(np.searchsorted(writer.kept, item.positions[0])) + 1 if len(item.positions) else 1
    rows = ((r.id, r.as_dict(text_field=writer.text_field)) for r in recs)
    return encode_rows(rows, writer.path, first=first)


def write_kept(
    src: Source, kept: IntArray, kept_chars: IntArray, *, boilerplate: BoilerplateRun | None, path: Path,
    compression: Compression, text_field: str, batch_size: int, workers: int,
) -> int:  # fmt: skip
    """Write the records at ``kept`` (ascending; ``kept_chars`` characters each) to ``path``; return the count."""
    writer = _Writer(src.reader(), boilerplate, kept, text_field, path)
    batches = plan_batches(kept, kept_chars, batch_size)
    if writer.reader is None and boilerplate is None:
        # This process parses every record anyway and encoding is cheaper than pickling it to a worker.
        workers = 1

    def chunks(pool: WorkerPool[_Writer]) -> Iterator[tuple[int, bytes]]:
        yield from pool.map(_encode, read_items(src, batches, writer.reader))
        src.unchanged()

    with WorkerPool(workers, writer) as pool:
        return write_jsonl_chunks(chunks(pool), path, compression=compression)
