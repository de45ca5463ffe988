"""The later passes' unit of work: a batch of input positions, and the records a worker reads for it.

The passes after the first (boilerplate counting and finding, writing) cut the positions they
need into batches: at most ``batch_size`` records and :data:`MAX_BATCH_CHARS` characters each (by
the lengths the first pass measured), so the cut depends on the input alone, not on the number of
workers, and a batch holds a bounded amount of text whatever the records' sizes. Each
:class:`Item` goes to a :class:`~dedupe.parallel.WorkerPool`: where the input is indexed (plain
JSON Lines, see :mod:`dedupe.io._line_index`), it carries positions only and the worker reads its
records itself; otherwise this process reads them (one scan of the input) and sends them along.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ._source import Source
from ._typing import IntArray
from .io import LineReader, Record

__all__ = ["MAX_BATCH_CHARS", "Item", "plan_batches", "read_items", "records_of"]

#: Most characters of text in one batch of a later pass (a longer record is a batch of its own).
MAX_BATCH_CHARS = 32_000_000


@dataclass(frozen=True)
class Item:
    """One batch of a later pass: its positions (ascending) and, unless a worker reads them, its records."""

    positions: IntArray
    records: list[Record] | None = None


def plan_batches(positions: IntArray, chars: IntArray, batch_size: int) -> list[IntArray]:
    """Cut ``positions`` (ascending) into runs of at most ``batch_size`` records and
    :data:`MAX_BATCH_CHARS` characters (``chars``: each record's length), in order."""
    out: list[IntArray] = []
    lo, n = 0, len(positions)
    total = np.concatenate([[0], np.cumsum(chars, dtype=np.int64)])
    while lo < n:
        hi = min(n, lo + batch_size)
        fit = int(np.searchsorted(total, total[lo] + MAX_BATCH_CHARS, side="right")) - 1
        hi = max(lo + 1, min(hi, fit))
        out.append(positions[lo:hi])
        lo = hi
    return out


def read_items(src: Source, batches: list[IntArray], reader: LineReader | None) -> Iterator[Item]:
    """The batches as :class:`Item`: positions only for a ``reader``, else with their records read here.

    With a reader, the caller checks :meth:`Source.unchanged` once the workers are done.
    """
    if reader is not None:
        yield from (Item(b) for b in batches)
        return
    if not batches:
        return
    wanted = np.concatenate(batches)
    records = (rec for _, rec in src.records_at(set(wanted.tolist())))
    for b in batches:
        yield Item(b, [next(records) for _ in range(len(b))])


def records_of(item: Item, reader: LineReader | None) -> list[Record]:
    """The records of ``item``: those it carries, or read by ``reader``."""
    if item.records is not None:
        return item.records
    if reader is None:  # pragma: no cover - read_items gives records whenever there is no reader
        raise RuntimeError("an item without records needs a reader")
    return reader.records(item.positions)
