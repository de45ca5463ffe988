"""Blocks of consecutive entries of a plain JSON Lines file, found without parsing them.

The first pass over an indexed input (:mod:`dedupe.io._line_index`) does not parse in this
process: it reads the file in large chunks (through the watch, which hashes them), finds the line
breaks and the blank lines with numpy, and cuts the entries into :class:`LineBlock` runs that
worker processes then read (``pread``), parse, check and sign. A line is blank exactly when
:func:`~dedupe.io.jsonl.iter_jsonl` skips it: only spaces, tabs, CR and LF (after a byte-order mark
on the first line).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .._typing import IntArray

__all__ = ["LineBlock", "line_blocks", "read_block"]

_CHUNK = 8 << 20
_BOM = b"\xef\xbb\xbf"
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 13, 32]] = True


@dataclass(frozen=True)
class LineBlock:
    """Consecutive entries of one file: their offsets, byte lengths (line break included) and line numbers."""

    file_no: int
    offset: IntArray
    length: IntArray
    line: IntArray

    @property
    def span(self) -> tuple[int, int]:
        """The byte range ``[start, end)`` that holds the block's entries."""
        return int(self.offset[0]), int(self.offset[-1] + self.length[-1])


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes, IntArray]]:
    """``(offset, buffer, ends)`` per chunk: ``buffer`` (at ``offset``) holds whole lines ending at ``ends``."""
    offset = 0
    held: list[bytes] = []
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        cut = chunk.rfind(b"\n")
        if cut < 0:
            held.append(chunk)
            continue
        buf = b"".join([*held, chunk[: cut + 1]])
        held = [chunk[cut + 1 :]] if cut + 1 < len(chunk) else []
        ends = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 10) + 1
        yield offset, buf, ends
        offset += len(buf)
    rest = b"".join(held)
    if rest:
        yield offset, rest, np.array([len(rest)], dtype=np.int64)


def line_blocks(fh: BinaryIO, file_no: int, *, max_lines: int, max_bytes: int) -> Iterator[LineBlock]:
    """The non-blank lines of ``fh`` (read to its end) in blocks of at most ``max_lines`` lines and
    ``max_bytes`` bytes (a longer line is a block of its own); the cut depends on the bytes only."""
    offsets: IntArray = np.empty(0, dtype=np.int64)
    lengths, lines = offsets, offsets
    line_base = 0
    for offset, buf, ends in _lines(fh):
        starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        keep = _solid(buf, starts, ends, first=offset == 0)
        offsets = np.concatenate([offsets, starts[keep] + offset])
        lengths = np.concatenate([lengths, (ends - starts)[keep]])
        lines = np.concatenate([lines, keep + line_base + 1])
        line_base += len(ends)
        while len(offsets):
            k = _first_block(lengths, max_lines, max_bytes)
            if k == len(offsets) and k < max_lines:
                break  # the block may take lines of the next chunk
            yield LineBlock(file_no, offsets[:k], lengths[:k], lines[:k])
            offsets, lengths, lines = offsets[k:], lengths[k:], lines[k:]
    if len(offsets):
        yield LineBlock(file_no, offsets, lengths, lines)


def _solid(buf: bytes, starts: IntArray, ends: IntArray, *, first: bool) -> IntArray:
    """Indices of the lines ``buf[starts:ends]`` that are not blank: a line that starts with a
    non-space byte is not; the few others (and a first line with a byte-order mark) are stripped."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    solid = ~_SPACE[arr[starts]]
    if first and buf.startswith(_BOM):
        solid[0] = False  # decided below, without the mark
    for k in np.flatnonzero(~solid).tolist():
        line = buf[int(starts[k]) : int(ends[k])]
        if k == 0 and first and line.startswith(_BOM):
            line = line[len(_BOM) :]
        solid[k] = bool(line.strip(b" \t\r\n"))
    return np.flatnonzero(solid)


def _first_block(lengths: IntArray, max_lines: int, max_bytes: int) -> int:
    """Lines in the first block: at most ``max_lines`` and ``max_bytes`` bytes, at least one line."""
    fit = int(np.searchsorted(np.cumsum(lengths[:max_lines]), max_bytes, side="right"))
    return max(1, min(fit, max_lines, len(lengths)))


def read_block(path: str | Path, block: LineBlock) -> list[bytes]:
    """The entries of ``block``, read from ``path`` in one ``pread``."""
    import os

    start, end = block.span
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, end - start, start)
    finally:
        os.close(fd)
    rel = (block.offset - start).tolist()
    return [data[a : a + n] for a, n in zip(rel, block.length.tolist(), strict=True)]
