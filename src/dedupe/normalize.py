"""Text normalization: NFKC, case folding, Unicode punctuation to ASCII, whitespace collapsing.

``normalize_text`` is the single definition of "the same text" used everywhere in dedupe
(exact-duplicate hashes, shingles, boilerplate block keys). It is idempotent.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

import numpy as np

from ._unicode_tables import load_table

__all__ = ["DIGIT", "INVISIBLE", "UNSTABLE", "WORD", "char_classes", "fold_text", "normalize_text"]

_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u2039\u203a\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u301d\u301e\uff02"


#: Kinds of :func:`build_translation_kinds`: what a code point of 0x80 and above becomes.
_KIND_REPLACEMENT = {1: " ", 2: "", 3: "\ufffd", 4: "-"}


def build_translation_kinds() -> bytes:
    """Per code point (from :mod:`unicodedata`): 1 space, separator or control (Zs, Zl, Zp, Cc),
    2 format (Cf), 3 surrogate (Cs), 4 dash (Pd), else 0."""
    out = bytearray(sys.maxunicode + 1)
    kinds = {"Zs": 1, "Zl": 1, "Zp": 1, "Cc": 1, "Cf": 2, "Cs": 3, "Pd": 4}
    for cp in range(sys.maxunicode + 1):
        out[cp] = kinds.get(unicodedata.category(chr(cp)), 0)
    return bytes(out)


@functools.lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    """Map non-ASCII spaces, controls, format chars, surrogates, quotes and dashes to ASCII forms.

    Format chars (zero-width space/joiner, soft hyphen, BOM) are invisible and split nothing; lone
    surrogates cannot be encoded and become the replacement char.
    """
    kinds = np.frombuffer(load_table("translation_kinds", build_translation_kinds), dtype=np.uint8)
    cps = np.flatnonzero(kinds[0x80:]) + 0x80
    table = {cp: _KIND_REPLACEMENT[kind] for cp, kind in zip(cps.tolist(), kinds[cps].tolist(), strict=True)}
    for ch in _SINGLE_QUOTES:
        table[ord(ch)] = "'"
    for ch in _DOUBLE_QUOTES:
        table[ord(ch)] = '"'
    for cp in range(0x00, 0x20):  # ASCII controls other than whitespace also separate words
        table[cp] = " "
    table[0x7F] = " "
    return table


@functools.lru_cache(maxsize=1)
def _digit_table() -> dict[int, str]:
    """Every decimal digit (Nd: the ``DIGIT`` bit of :func:`char_classes`) to ``"0"``."""
    classes = np.frombuffer(char_classes(), dtype=np.uint8)
    return dict.fromkeys(np.flatnonzero(classes & DIGIT).tolist(), "0")


_ASCII_DIGITS = str.maketrans("123456789", "000000000")
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@functools.lru_cache(maxsize=1)
def _special_pattern() -> re.Pattern[str]:
    """One regex character class matching every key of the translation table (as ranges)."""
    cps = sorted(_translation())
    parts: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        i = j + 1
    return re.compile("[" + "".join(parts) + "]")


def _replace_special(match: re.Match[str]) -> str:
    return _translation()[ord(match.group())]


def _fold(text: str) -> str:
    # NFKC then casefold can leave text that NFKC changes again; iterate to the fixed point.
    text = unicodedata.normalize("NFKC", text).casefold()
    for _ in range(4):
        if unicodedata.is_normalized("NFKC", text):
            break
        text = unicodedata.normalize("NFKC", text).casefold()
    return text


def fold_text(text: str) -> str:
    """Apply every step of :func:`normalize_text` except whitespace collapsing and digit masking.

    Word tokens of ``fold_text(x)`` and ``normalize_text(x)`` are the same; the shingler uses this
    cheaper form and masks digits itself.
    """
    if text.isascii():
        text = text.lower()
        return _ASCII_CONTROLS.sub(" ", text) if _ASCII_CONTROLS.search(text) else text
    text = _fold(text)
    pattern = _special_pattern()
    if pattern.search(text):
        text = _fold(pattern.sub(_replace_special, text))
    return text


def normalize_text(text: str, *, mask_digits: bool = False) -> str:
    """Return the canonical form of ``text`` used for hashing and comparison.

    Steps: Unicode NFKC and case folding (to a fixed point); non-ASCII spaces and control characters
    become spaces, invisible format characters (zero-width space, soft hyphen, BOM) are removed, curly
    quotes become ``'`` or ``"``, every dash becomes ``-``, lone surrogates become U+FFFD; runs of
    whitespace collapse to one space and the ends are stripped. With ``mask_digits`` every decimal
    digit (any script) becomes ``0``. The result is idempotent: ``f(f(x)) == f(x)``.

    Args:
        text: the text to normalize.
        mask_digits: replace each decimal digit with ``0`` ("3 hours ago" == "5 hours ago").

    Returns:
        The normalized text; ``""`` for empty or whitespace-only input.

    Raises:
        TypeError: if ``text`` is not a ``str``.

    >>> normalize_text("  Meta\u2019s  AI\u00a0\u2014 Posted 3 HOURS ago ", mask_digits=True)
    "meta's ai - posted 0 hours ago"
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__})")
    text = " ".join(fold_text(text).split())
    if mask_digits:
        text = text.translate(_ASCII_DIGITS) if text.isascii() else text.translate(_digit_table())
    return text


#: Code point class bits used by the word tokenizer (see :func:`char_classes`).
WORD, DIGIT, INVISIBLE, UNSTABLE = 1, 2, 4, 8

_HANGUL_JAMO = ((0x1100, 0x11FF), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))


@functools.lru_cache(maxsize=1)
def char_classes() -> bytes:
    """Return a ``sys.maxunicode + 1`` byte table of class bits for each code point.

    Read from the shipped tables (:mod:`dedupe._unicode_tables`), built by
    :func:`build_char_classes` when they do not match this Python's Unicode version.

    * ``WORD``: letters, marks and numbers (categories L*, M*, N*); everything else (spaces,
      punctuation, ASCII ``_`` included, symbols, emoji, controls, lone surrogates) separates words.
    * ``DIGIT``: decimal digits (Nd), which ``mask_digits`` turns into ``0`` (also ``WORD``).
    * ``INVISIBLE``: format characters (Cf), which normalization removes.
    * ``UNSTABLE``: code points that NFKC or case folding may change, alone or with a neighbour
      (not NFKC-stable, not casefold-stable, combining, or the second part of a canonical
      composition). Text without ``UNSTABLE`` or ``INVISIBLE`` code points is already folded once
      ASCII letters are lowered, which lets the tokenizer skip Python-level normalization.
    """
    return load_table("char_classes", build_char_classes)


def build_char_classes() -> bytes:
    """Build the table of :func:`char_classes` from :mod:`unicodedata` (about 0.3 s)."""
    out = bytearray(sys.maxunicode + 1)
    second: set[int] = set()
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        decomposition = unicodedata.decomposition(ch)
        if decomposition and not decomposition.startswith("<"):
            second.update(int(part, 16) for part in decomposition.split()[1:])
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        bits = 0
        if cat[0] in "LMN":
            bits |= WORD
        if cat == "Nd":
            bits |= DIGIT
        if cat == "Cf":
            bits |= INVISIBLE
        if cat != "Cs" and (
            unicodedata.combining(ch)
            or cp in second
            or unicodedata.normalize("NFKC", ch) != ch
            or ch.casefold() != ch
        ):
            bits |= UNSTABLE
        out[cp] = bits
    for lo, hi in _HANGUL_JAMO:
        for cp in range(lo, hi + 1):
            out[cp] |= UNSTABLE
    return bytes(out)
