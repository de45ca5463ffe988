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
#: Lines (``_PROBE_LINES`` of them at least) shorter than ``_LONG_LINE`` bytes on average are
#: found by numpy: below ~500 bytes a line, a ``find`` per line costs more than a pass over the bytes.
_PROBE_LINES = 256
_LONG_LINE = 512
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


def _lines(fh: BinaryIO) -> Iterator[tuple[int, memoryview | bytes, IntArray]]:
    """``(offset, buffer, ends)`` per chunk: ``buffer`` (at ``offset``) holds whole lines ending at ``ends``.

    Each chunk is read into one reused buffer after the partial line the last one left, so no
    chunk is copied (``buffer`` holds its lines until the next step only); a line longer than a
    chunk grows the next read (doubling, so a long line costs linear time).
    """
    offset = 0
    carry = b""
    buf = bytearray()
    while True:
        size = len(carry) + max(_CHUNK, 2 * len(carry))
        if len(buf) < size:
            buf = bytearray(size)
        buf[: len(carry)] = carry
        n = fh.readinto(memoryview(buf)[len(carry) :])  # type: ignore[attr-defined]
        if not n:
            break
        end = len(carry) + n
        cut = buf.rfind(b"\n", 0, end)
        if cut < 0:
            carry = bytes(memoryview(buf)[:end])
            continue
        yield offset, memoryview(buf)[: cut + 1], _line_ends(buf, cut + 1)
        offset += cut + 1
        carry = bytes(memoryview(buf)[cut + 1 : end])
    if carry:
        yield offset, carry, np.array([len(carry)], dtype=np.int64)


def _line_ends(buf: bytearray, end: int) -> IntArray:
    """The positions just after each line break in ``buf[:end]``: found one by one (``find``, at
    memory speed) while lines are long, by numpy over the rest once they prove short (a Python
    step per line would then cost more than numpy's pass over every byte)."""
    found: list[int] = []
    find = buf.find
    pos = find(b"\n", 0, end)
    while pos >= 0:
        found.append(pos + 1)
        if len(found) >= _PROBE_LINES and pos < len(found) * _LONG_LINE:
            rest = np.frombuffer(buf, dtype=np.uint8, count=end - pos - 1, offset=pos + 1)
            tail = np.flatnonzero(rest == 10) + (pos + 2)
            return np.concatenate([np.asarray(found, dtype=np.int64), tail])
        pos = find(b"\n", pos + 1, end)
    return np.asarray(found, dtype=np.int64)


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


def _solid(buf: memoryview | bytes, starts: IntArray, ends: IntArray, *, first: bool) -> IntArray:
    """Indices of the lines ``buf[starts:ends]`` that are not blank: a line that starts with a
    non-space byte is not; the few others (and a first line with a byte-order mark) are stripped."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    solid = ~_SPACE[arr[starts]]
    if first and bytes(buf[: len(_BOM)]) == _BOM:
        solid[0] = False  # decided below, without the mark
    for k in np.flatnonzero(~solid).tolist():
        line = bytes(buf[int(starts[k]) : int(ends[k])])
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
