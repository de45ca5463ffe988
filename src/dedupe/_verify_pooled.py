"""Exact verification in the worker pool (indexed inputs): each worker re-reads its pairs' texts.

:func:`~dedupe.duplicates.verify_candidates` calls ``exact_jaccard(pairs)`` with the candidate
pairs whose estimate is near the threshold. Serially, this process reads every endpoint's text
and computes the shingle Jaccard of each pair. :class:`PooledJaccard` cuts the pairs, in their
order, into blocks of at most ``batch_size`` pairs and ``MAX_BLOCK_CHARS`` characters of endpoint
text; a :class:`~dedupe.parallel.WorkerPool` worker reads one block's texts through the
:class:`~dedupe.io.LineReader` (``pread``, each line's xxh3 checked against the first pass),
parses them and computes the block's similarities. The results are joined in pair order, so they
are the serial ones whatever the number of workers. A text shared by pairs of several blocks is
read once per block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray
from .config import ShingleConfig
from .duplicates import shingle_jaccards
from .io import LineReader
from .parallel import WorkerPool
from .shingles import _classes

__all__ = ["MAX_BLOCK_CHARS", "PooledJaccard", "pair_blocks"]

#: Most characters of endpoint text in one block of pairs (a pair over it is a block of its own).
MAX_BLOCK_CHARS = 32 << 20


@dataclass(frozen=True)
class _State:
    """What every worker holds: the reader, each row's input position, the shingle config."""

    reader: LineReader
    positions: IntArray
    config: ShingleConfig


def _block_jaccards(state: _State, pairs: IntArray) -> NDArray[np.float64]:
    """Exact similarities of one block of pairs, their texts read here."""
    rows = np.unique(pairs)
    positions = state.positions[rows]
    order = np.argsort(positions, kind="stable")  # the reader wants ascending positions
    records = state.reader.records(positions[order])
    texts = {int(rows[i]): rec.text for i, rec in zip(order.tolist(), records, strict=True)}
    return shingle_jaccards(texts, pairs, state.config)


def pair_blocks(pairs: IntArray, lengths: IntArray, *, max_pairs: int, max_chars: int) -> list[IntArray]:
    """``pairs`` cut in order into slices of at most ``max_pairs`` pairs and ``max_chars``
    characters of endpoint text (``lengths`` per row; a text in two pairs counts twice)."""
    n = len(pairs)
    cost = np.cumsum(lengths[pairs[:, 0]] + lengths[pairs[:, 1]]) if n else np.zeros(0, dtype=np.int64)
    out: list[IntArray] = []
    lo = 0
    while lo < n:
        base = int(cost[lo - 1]) if lo else 0
        hi = int(np.searchsorted(cost, base + max_chars, side="right"))
        hi = min(max(hi, lo + 1), lo + max_pairs, n)
        out.append(pairs[lo:hi])
        lo = hi
    return out


@dataclass(frozen=True)
class PooledJaccard:
    """``exact_jaccard(pairs)`` for :func:`~dedupe.duplicates.verify_candidates`, in ``workers`` processes.

    Attributes:
        reader: reads records at input positions (the first pass's index).
        positions: input position of each row (ascending).
        lengths: characters of each row's text (sizes the blocks).
        config: the shingles whose Jaccard is computed.
        workers: processes (1: this one).
        batch_size: most pairs per block; blocks are also made small enough to give each worker four.
        unchanged: called after the pass; raises if the input changed (file sizes and mtimes).
    """

    reader: LineReader
    positions: IntArray
    lengths: IntArray
    config: ShingleConfig
    workers: int
    batch_size: int
    unchanged: Callable[[], None]

    def __call__(self, pairs: IntArray) -> NDArray[np.float64]:
        share = -(-len(pairs) // (4 * self.workers))  # ceil: about four blocks per worker
        blocks = pair_blocks(pairs, self.lengths, max_pairs=max(1, min(self.batch_size, share)),
                             max_chars=MAX_BLOCK_CHARS)  # fmt: skip
        state = _State(self.reader, self.positions, self.config)
        with WorkerPool(self.workers, state, warm=_classes) as pool:
            parts = list(pool.map(_block_jaccards, blocks))
        self.unchanged()
        return np.concatenate(parts) if parts else np.empty(0)
