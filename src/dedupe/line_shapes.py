"""Line shapes: indentation, width, end punctuation, first letter and digits of every line.

Boilerplate units are built from these (wrap detection, joins, data rows, within-page repeats).
:func:`shapes_of_utf8` reads them from the UTF-8 bytes that line splitting already holds, all lines
at once; :func:`shapes_of_codepoints` reads them from code points (one huge line at a time, and
the reference the byte path is tested against). Both give the same values for the same line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._typing import BoolArray, HashArray, IntArray
from .hashing import fmix64
from .utf8 import code_points_at, lead_of, multibyte

__all__ = ["LineShapes", "shapes_of_codepoints", "shapes_of_utf8"]


@dataclass
class LineShapes:
    """Per line (blank lines: zeros and False), all counted in characters."""

    indent: IntArray  # leading whitespace characters
    width: IntArray  # characters up to the last non-space one (indentation included)
    sentence_end: BoolArray  # the last visible character ends a sentence (closing quotes skipped)
    soft_end: BoolArray  # ends with a comma, hyphen, "(", "&" or "/": the sentence goes on
    lower_start: BoolArray  # starts with a lowercase letter (ASCII or Latin-1): a continuation
    digits: HashArray  # order-sensitive hash of the line's ASCII digits (0: none)
    numbers: IntArray  # runs of digits (3,660,273 counts once)

    def take(self, index: IntArray | slice) -> LineShapes:
        """The shapes of the lines ``index`` selects."""
        return LineShapes(*(getattr(self, f)[index] for f in _FIELDS))

    @staticmethod
    def concat(items: list[LineShapes]) -> LineShapes:
        """Lines of ``items`` one after the other."""
        if not items:
            return shapes_of_codepoints(np.zeros(0, dtype=np.uint32), np.zeros(0, np.int64), np.zeros(0, np.int64))
        return LineShapes(*(_join(items, f) for f in _FIELDS))


def _join(items: list[LineShapes], name: str) -> NDArray[Any]:
    """Field ``name`` of every item joined; each item's array is released once copied."""
    out = np.concatenate([getattr(item, name) for item in items])
    for item in items:
        setattr(item, name, getattr(item, name)[:0].copy())
    return out


_FIELDS = ("indent", "width", "sentence_end", "soft_end", "lower_start", "digits", "numbers")

_SENTENCE = frozenset(map(ord, ".!?")) | {0x3002, 0xFF0E, 0xFF01, 0xFF1F, 0x0964, 0x06D4, 0x061F}
#: Closing quotes and brackets that may follow a sentence's full stop.
_CLOSERS = frozenset(map(ord, "\"')]\u201d\u2019\u00bb\u300d\u300f"))
_SOFT = frozenset(map(ord, ",-(&/"))
_SENTENCE_CP = np.array(sorted(_SENTENCE), dtype=np.uint32)
_CLOSERS_CP = np.array(sorted(_CLOSERS), dtype=np.uint32)
_SOFT_CP = np.array(sorted(_SOFT), dtype=np.uint32)


def _is_space_cp(values: NDArray[np.uint32]) -> BoolArray:
    out: BoolArray = (values <= 32) | (values == 0xA0) | (values == 0x3000) | ((values >= 0x2000) & (values <= 0x200A))
    return out


def _step(space: BoolArray, lo: IntArray, hi: IntArray) -> tuple[IntArray, IntArray]:
    """First and last non-space position of each ``[lo, hi)`` (positions of ``space``).

    Steps from both ends, all lines at once: the work is the lines times their deepest
    indentation, not a pass over every position.
    """
    first = lo.copy()
    moving = np.flatnonzero(first < hi)
    while len(moving):
        moving = moving[space[first[moving]]]
        first[moving] += 1
        moving = moving[first[moving] < hi[moving]]
    last = hi - 1
    moving = np.flatnonzero(last > first)
    while len(moving):
        moving = moving[space[last[moving]]]
        last[moving] -= 1
        moving = moving[last[moving] > first[moving]]
    return first, last


def _finish(
    lo: IntArray,
    first: IntArray,
    last: IntArray,
    value_at: Callable[[IntArray], NDArray[np.uint32]],
    before: Callable[[IntArray], IntArray],
    digits: tuple[HashArray, IntArray],
    char_of: Callable[[IntArray], IntArray],
) -> LineShapes:
    """Shapes from each line's first and last visible position (``last`` at a character's start)."""
    empty = last < lo  # a line without any character
    last_cp = value_at(np.maximum(last, 0))
    end_at = last.copy()
    for _ in range(2):  # step back over closing quotes and brackets: 'said."' ends a sentence
        step = (end_at > lo) & np.isin(value_at(np.maximum(end_at, 0)), _CLOSERS_CP)
        end_at[step] = before(end_at[step])
    end_cp = value_at(np.maximum(end_at, 0))
    first_cp = value_at(np.where(first <= last, first, np.maximum(last, 0)))
    lower = ((first_cp >= 97) & (first_cp <= 122)) | ((first_cp >= 0xDF) & (first_cp <= 0xFF))
    start_chars = char_of(lo)
    return LineShapes(
        indent=char_of(first) - start_chars,
        width=np.where(empty, 0, char_of(last) + 1 - start_chars),
        sentence_end=np.isin(end_cp, _SENTENCE_CP) & ~empty,
        soft_end=np.isin(last_cp, _SOFT_CP) & ~empty,
        lower_start=lower & ~empty,
        digits=digits[0],
        numbers=digits[1],
    )


def _digit_hashes(values: NDArray[np.unsignedinteger], lo: IntArray, hi: IntArray) -> tuple[HashArray, IntArray]:
    """Per line ``[lo, hi)``: an order-sensitive hash of its ASCII digits, and its digit runs.

    ``values`` are code points or UTF-8 bytes: an ASCII digit is one unit in both, and the unit
    before a digit is a digit, "," or "." in one exactly when it is in the other.
    """
    n = len(lo)
    digits, numbers = np.zeros(n, dtype=np.uint64), np.zeros(n, dtype=np.int64)
    if n == 0:
        return digits, numbers
    where = np.flatnonzero((values - values.dtype.type(48)) < 10)  # unsigned: wraps below "0"
    line = np.searchsorted(lo, where, side="right") - 1
    inside = (line >= 0) & (where < hi[np.maximum(line, 0)])
    where, line = where[inside], line[inside]
    if len(where) == 0:
        return digits, numbers
    seg = np.flatnonzero(np.diff(line, prepend=-1))  # first digit of each line that has one
    rank = np.arange(len(where)) - np.repeat(seg, np.diff(np.append(seg, len(where))))
    value = fmix64((values[where].astype(np.uint64) - np.uint64(47)) + (rank.astype(np.uint64) << np.uint64(8)))
    digits[line[seg]] = np.add.reduceat(value, seg)
    prev = values[np.maximum(where - 1, 0)]
    prev2 = values[np.maximum(where - 2, 0)]
    after_digit = (where > lo[line]) & (prev >= 48) & (prev <= 57)
    grouped = (where > lo[line] + 1) & ((prev == 44) | (prev == 46)) & (prev2 >= 48) & (prev2 <= 57)
    numbers += np.bincount(line[~after_digit & ~grouped], minlength=n)
    return digits, numbers


def shapes_of_codepoints(cp: NDArray[np.uint32], lo: IntArray, hi: IntArray) -> LineShapes:
    """Shapes of the lines ``cp[lo:hi]`` (code points)."""
    first, last = _step(_is_space_cp(cp), lo, hi)

    def value_at(pos: IntArray) -> NDArray[np.uint32]:
        return cp[pos] if len(cp) else np.zeros(len(pos), dtype=np.uint32)

    return _finish(lo, first, last, value_at, _previous, _digit_hashes(cp, lo, hi), _same)


def _code_point_at(raw: NDArray[np.uint8], lead: IntArray) -> NDArray[np.uint32]:
    return code_points_at(raw, lead)[0]


def _space_bytes(raw: NDArray[np.uint8], ascii_only: bool) -> BoolArray:
    """Every byte of a whitespace character (ASCII controls and space, no-break and wide spaces)."""
    space: BoolArray = raw <= 32
    if ascii_only:
        return space
    lead, _, cp = multibyte(raw)
    wide = lead[_is_space_cp(cp)]  # U+00A0 has 2 bytes, U+2000-U+200A and U+3000 have 3
    space[wide] = space[wide + 1] = True
    three = wide[raw[wide] >= 0xE0]
    space[three + 2] = True
    return space


def shapes_of_utf8(
    raw: NDArray[np.uint8],
    lo: IntArray,
    hi: IntArray,
    char_of: Callable[[IntArray], IntArray] | None,
    *,
    digits: bool = True,
) -> LineShapes:
    """Shapes of the lines ``raw[lo:hi]`` (UTF-8; byte offsets at character boundaries).

    ``char_of`` maps byte offsets to character offsets (``None``: the bytes are ASCII). Without
    ``digits`` the digit hashes and runs are left at 0 (for a pass that reads only the layout).
    """
    first, last = _step(_space_bytes(raw, char_of is None), lo, hi)
    if digits:
        digit_hashes = _digit_hashes(raw, lo, hi)
    else:
        digit_hashes = np.zeros(len(lo), dtype=np.uint64), np.zeros(len(lo), dtype=np.int64)
    if char_of is None:
        return _finish(lo, first, last, lambda p: _code_point_at(raw, p), _previous, digit_hashes, _same)
    last = np.where(last >= lo, lead_of(raw, np.maximum(last, 0)), last)
    return _finish(
        lo, first, last, lambda p: _code_point_at(raw, p), lambda p: lead_of(raw, p - 1), digit_hashes, char_of
    )


def _previous(pos: IntArray) -> IntArray:
    return pos - 1


def _same(pos: IntArray) -> IntArray:
    return pos
