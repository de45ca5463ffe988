"""The write pass: the kept records, cleaned of their boilerplate, as JSON Lines, in input order.

Batches of kept positions (:mod:`dedupe._position_batches`) go to a
:class:`~dedupe.parallel.WorkerPool`; each worker reads its records (indexed inputs) or receives
them, removes the boilerplate ranges the find pass recorded, encodes the lines and compresses
them as the output is (one gzip member or zstandard frame per batch, so compression runs on every
core: ``.jsonl.gz`` of the 70,000-record benchmark corpus took 5.7 s to write on two workers when
this process compressed it all, 3.7 s so). Where workers are forked (and have ``pwrite``), each
writes its batch into the output itself, at the offset its turn gives it
(:mod:`dedupe._ordered_writes`): this process touches no output byte. Elsewhere the workers
return the bytes and this process appends them, in order. An input that is not indexed, with
nothing to strip and an uncompressed output, is encoded here: the records are parsed here
anyway, and pickling them to a worker costs more than encoding them. The input is checked
unchanged before the output is renamed into place, so a changed input writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ._ordered_writes import Turns, can_write_in_workers, write_at
from ._pipeline_boilerplate import BoilerplateRun
from ._position_batches import Item, plan_batches, read_items, records_of
from ._source import Source
from ._typing import IntArray
from .io import Compression, LineReader, encode_rows
from .io._atomic import atomic_file
from .io.jsonl import append_chunks, compress_chunk
from .parallel import WorkerPool, pool_context

__all__ = ["write_kept"]


@dataclass(frozen=True)
class _Writer:
    """What a worker of the write pass holds (inherited by ``fork``); with ``turns``, it writes
    its batches into the output file ``fd`` itself."""

    reader: LineReader | None
    boilerplate: BoilerplateRun | None
    kept: IntArray
    text_field: str
    path: Path
    compression: Compression
    fd: int = -1
    turns: Turns | None = None


def _encoded(writer: _Writer, item: Item) -> tuple[int, bytes]:
    """A batch's cleaned records as JSON Lines, compressed as the output is: ``(count, bytes)``."""
    recs = records_of(item, writer.reader)
    if writer.boilerplate is not None and recs:
        texts = writer.boilerplate.strip(item.positions.tolist(), recs)
        recs = [r.with_text(t) for r, t in zip(recs, texts, strict=True)]
    first = int(np.searchsorted(writer.kept, item.positions[0])) + 1 if len(item.positions) else 1
    rows = ((r.id, r.as_dict(text_field=writer.text_field)) for r in recs)
    count, data = encode_rows(rows, writer.path, first=first)
    return count, compress_chunk(data, writer.compression)


def _encode(writer: _Writer, task: tuple[int, Item]) -> tuple[int, bytes | None]:
    """Batch ``task = (number, item)``: ``(count, bytes)``, or ``(count, None)`` once written into the output here."""
    number, item = task
    turns = writer.turns
    if turns is None:
        return _encoded(writer, item)
    try:
        count, data = _encoded(writer, item)
    except BaseException:
        turns.give_up(number)
        raise
    offset = turns.take(number, len(data))
    if offset is None:  # the parent raises the earlier batch's failure first, or reads nothing
        raise RuntimeError(f"batch {number} of the write pass was not written: an earlier batch failed")
    write_at(writer.fd, data, offset)
    return count, None


def write_kept(
    src: Source, kept: IntArray, kept_chars: IntArray, *, boilerplate: BoilerplateRun | None, path: Path,
    compression: Compression, text_field: str, batch_size: int, workers: int,
) -> int:  # fmt: skip
    """Write the records at ``kept`` (ascending; ``kept_chars`` characters each) to ``path``; return the count."""
    writer = _Writer(src.reader(), boilerplate, kept, text_field, path, compression)
    batches = plan_batches(kept, kept_chars, batch_size)
    if writer.reader is None and boilerplate is None and compression == "none":
        # This process parses every record anyway and encoding is cheaper than pickling it to a worker.
        workers = 1
    ctx = pool_context()
    with atomic_file(path) as out:
        if workers > 1 and batches and can_write_in_workers(ctx):
            writer = replace(writer, fd=out.fileno(), turns=Turns(ctx))  # forked after the file is open

        def chunks(pool: WorkerPool[_Writer]) -> Iterator[tuple[int, bytes | None]]:
            yield from pool.map(_encode, enumerate(read_items(src, batches, writer.reader)))
            src.unchanged()

        with WorkerPool(workers, writer) as pool:
            count = append_chunks(chunks(pool), out, compression=compression)
        if writer.turns is not None and writer.turns.taken != len(batches):  # pragma: no cover - a bug
            raise RuntimeError(f"the write pass wrote {writer.turns.taken} of {len(batches)} batches")
    return count
