"""Vectorized reading of UTF-8 byte buffers: code points at positions, character offsets."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray

__all__ = ["char_offsets", "code_points_at", "lead_of", "multibyte"]


def code_points_at(raw: NDArray[np.uint8], lead: IntArray) -> tuple[NDArray[np.uint32], IntArray]:
    """The code point starting at each byte ``lead`` of valid UTF-8, and its length in bytes."""
    if len(raw) == 0:
        return np.zeros(len(lead), dtype=np.uint32), np.ones(len(lead), dtype=np.int64)
    b0 = raw[lead].astype(np.uint32)
    length = 1 + (b0 >= 0xC0).astype(np.int64) + (b0 >= 0xE0) + (b0 >= 0xF0)
    mask = np.array([0, 0xFF, 0x1F, 0x0F, 0x07], dtype=np.uint32)[length]
    cp = b0 & mask
    for k in (1, 2, 3):
        has = np.flatnonzero(length > k)
        cp[has] = (cp[has] << np.uint32(6)) | (raw[lead[has] + k].astype(np.uint32) & np.uint32(0x3F))
    return cp, length


def multibyte(raw: NDArray[np.uint8]) -> tuple[IntArray, IntArray, NDArray[np.uint32]]:
    """Positions, byte lengths and code points of every multi-byte sequence in ``raw``."""
    lead = np.flatnonzero(raw >= 0xC0)
    cp, length = code_points_at(raw, lead)
    return lead, length, cp


def lead_of(raw: NDArray[np.uint8], pos: IntArray) -> IntArray:
    """The first byte of the character that holds byte ``pos``."""
    out: IntArray = pos.copy()
    for _ in range(3):
        out -= (out > 0) & ((raw[out] & 0xC0) == 0x80)
    return out


def char_offsets(raw: NDArray[np.uint8]) -> Callable[[IntArray], IntArray]:
    """A function from byte offsets (at character boundaries) of ``raw`` to character offsets."""
    continuation = np.flatnonzero((raw & 0xC0) == 0x80)

    def char_of(byte_pos: IntArray) -> IntArray:
        out: IntArray = byte_pos - np.searchsorted(continuation, byte_pos)
        return out

    return char_of
