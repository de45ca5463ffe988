"""The fold table: every code point mapped to its normalized form, applied to UTF-8 bytes in bulk.

Line keys (:mod:`dedupe.blocks`) hash normalized lines; most characters normalize on their own
(case, digits, compatibility forms), so a per-code-point table folds whole buffers at once and
only lines holding a context-dependent character take :func:`dedupe.normalize.normalize_text`.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
from numpy.typing import NDArray

from ._unicode_tables import load_table
from .normalize import DIGIT, INVISIBLE, UNSTABLE, _translation, char_classes, fold_text
from .utf8 import multibyte

__all__ = ["B_DROP", "B_SLOW", "SPACE", "fold_tables", "fold_utf8"]

SPACE = 32
_DROP = 0xFFFFFFFE  # a format character that normalization removes (soft hyphen, zero-width space)
_SLOW = 0xFFFFFFFF  # a character whose normalization may depend on its neighbours
B_DROP = 0  # in the mapped byte buffer: a byte to delete (NUL itself maps to a space)
B_SLOW = 1  # in the mapped byte buffer: the first byte of a character that needs normalize_text
#: Punctuation stripped from the cut end of a trimmed key ("Pro." -> "pro").
_TRIM_PUNCT = ".,:;!?|-<>\"'*/"


def build_composition_hazards() -> bytes:
    """The composition hazard table as one byte per code point (shipped in ``unicode_tables.bin``)."""
    return _composition_hazards().astype(np.uint8).tobytes()


def _composition_hazards() -> NDArray[np.bool_]:
    """Code points that can compose with or reorder around a neighbour under NFKC.

    Non-first parts of canonical decompositions (found with one NFD call over every code point,
    each behind a NUL that blocks reordering), Hangul jamo; combining marks are checked by the caller.
    """
    hazard = np.zeros(0x110000, dtype=bool)
    cps = np.arange(0x110000, dtype=np.uint32)
    cps = cps[(cps < 0xD800) | (cps >= 0xE000)]
    spaced = np.zeros(2 * len(cps), dtype="<u4")
    spaced[1::2] = cps
    nfd = unicodedata.normalize("NFD", spaced.tobytes().decode("utf-32-le"))
    out = np.frombuffer(nfd.encode("utf-32-le"), dtype="<u4")
    hazard[out[1:][(out[1:] != 0) & (out[:-1] != 0)]] = True
    for lo, hi in ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF)):
        hazard[lo : hi + 1] = True
    return hazard


@functools.lru_cache(maxsize=1)
def fold_tables() -> tuple[NDArray[np.uint32], NDArray[np.uint8], NDArray[np.bool_]]:
    """Per code point: the normalized code point, or ``SPACE``, ``_DROP`` or ``_SLOW``.

    A code point maps directly when its own normalization is one character (or nothing) and no
    neighbour can change it: it is not a composition hazard (:func:`_composition_hazards`) and
    neither is its image. Everything else is ``_SLOW``: lines holding one take ``normalize_text``.
    Also returns the byte table (ASCII folded, other bytes unchanged) and the ASCII punctuation that
    trimming strips.
    """
    classes = np.frombuffer(char_classes(), dtype=np.uint8)
    hazard = np.frombuffer(load_table("composition_hazards", build_composition_hazards), dtype=np.uint8).astype(bool)
    table = np.arange(0x110000, dtype=np.uint32)
    table[(classes & DIGIT) != 0] = ord("0")
    table[(classes & INVISIBLE) != 0] = _DROP
    for cp, repl in _translation().items():
        table[cp] = _DROP if repl == "" else (SPACE if repl == " " else ord(repl))
    for cp in np.flatnonzero((classes & UNSTABLE) != 0).tolist():
        ch = chr(cp)
        folded = fold_text(ch)  # no whitespace collapsing: "\u037a" folds to " \u03b9", two characters
        if hazard[cp] or unicodedata.combining(ch):
            table[cp] = _SLOW
        elif not folded.split():
            table[cp] = _DROP if not folded else SPACE
        elif len(folded) == 1 and not hazard[ord(folded)] and not unicodedata.combining(folded):
            table[cp] = ord("0") if classes[ord(folded)] & DIGIT else ord(folded)
        else:
            table[cp] = _SLOW
    table[0xD800:0xE000] = _SLOW
    for cp in range(0x80):
        ch = chr(cp)
        if "A" <= ch <= "Z":
            table[cp] = ord(ch.lower())
        elif "0" <= ch <= "9":
            table[cp] = ord("0")
        elif cp < 0x21 or cp == 0x7F:
            table[cp] = SPACE
    ascii_table = np.concatenate([table[:128], np.arange(128, 256, dtype=np.uint32)]).astype(np.uint8)
    punct = np.zeros(256, dtype=bool)
    punct[list(_TRIM_PUNCT.encode("ascii"))] = True
    return table, ascii_table, punct


def fold_utf8(raw: NDArray[np.uint8], table: NDArray[np.uint32], ascii_table: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Map every character of a UTF-8 buffer through the fold table, byte for byte where possible.

    ASCII bytes go through ``ascii_table``. A multi-byte character that folds to itself keeps its
    bytes; one that folds to an ASCII character (curly quote, dash, no-break space) or to another
    character of the same UTF-8 length takes its bytes, the rest marked ``B_DROP``; a removed one
    (soft hyphen) is all ``B_DROP``; anything else marks its first byte ``B_SLOW``.
    """
    mapped = np.take(ascii_table, raw)
    if len(raw) == 0 or int(raw.max()) < 0x80:
        return mapped
    lead, length, cp = multibyte(raw)
    target = table[cp]
    changed = np.flatnonzero(target != cp)
    if len(changed) == 0:
        return mapped
    pos, width, t = lead[changed], length[changed], target[changed]
    special = t >= _DROP
    t_width = 1 + (t >= 0x80).astype(np.int64) + (t >= 0x800) + (t >= 0x10000)
    slow = (special & (t == _SLOW)) | (~special & (t_width != width) & (t_width > 1))
    drop = special & (t == _DROP)
    write = ~special & ~slow
    for k in range(4):
        has = width > k
        mapped[pos[has & drop] + k] = B_DROP
        sel = has & write
        if k == 0:
            one = sel & (t_width == 1)
            mapped[pos[one]] = t[one].astype(np.uint8)
            multi = sel & (t_width > 1)
            prefix = np.array([0, 0, 0xC0, 0xE0, 0xF0], dtype=np.uint32)[t_width[multi]]
            shift = (6 * (t_width[multi] - 1)).astype(np.uint32)
            mapped[pos[multi]] = (prefix | (t[multi] >> shift)).astype(np.uint8)
        else:
            tail = sel & (t_width == 1)
            mapped[pos[tail] + k] = B_DROP
            multi = sel & (t_width > k)
            shift = (6 * (t_width[multi] - 1 - k)).astype(np.uint32)
            mapped[pos[multi] + k] = (0x80 | ((t[multi] >> shift) & 0x3F)).astype(np.uint8)
    mapped[pos[slow]] = B_SLOW
    return mapped
