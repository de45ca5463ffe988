"""Scripts written without spaces between words: which code points they hold, and how they are cut.

Word shingles need words. Chinese, Japanese, Thai, Lao, Khmer and Burmese are written without
spaces between words, so splitting on spaces and punctuation makes a whole clause one "word", and a
one-word edit changes every shingle of the clause. With ``ShingleConfig(script="auto")`` (the
default) the word tokenizer instead cuts the runs of these scripts into characters: every
*unspaced* code point that is not a combining mark starts a token of its own, and the marks that
follow it (Thai vowel and tone marks, Burmese and Khmer vowel signs) stay with it. Runs of every
other script (Latin, Cyrillic, Greek, Arabic, Hebrew, Hangul, Devanagari, ...) stay whole words.

The choice is made for every run of characters from its script, so each document gets the mix its
text has: a Chinese article is shingled by characters, an English one by words exactly as before
(its hashes do not change), and a Japanese page with Latin product names by both, each term of
Latin letters one token among the kana and kanji. There is no per-document threshold that two near
copies could fall on opposite sides of. Nothing is downloaded: the split needs no dictionary.

Which code points are unspaced is given by :data:`UNSPACED_RANGES` (intersected with the word
characters, categories L, M and N); the tests check the table against the Unicode character names
(``CJK UNIFIED IDEOGRAPH-*``, ``HIRAGANA *``, ``THAI *``, ...) over the whole code space.
"""

from __future__ import annotations

import functools
import sys
import unicodedata

from ._unicode_tables import load_table

__all__ = ["JOIN", "SPLIT", "UNSPACED_RANGES", "script_classes", "unspaced_share"]

#: Inclusive code point ranges of the scripts written without spaces (only their word characters count).
UNSPACED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x3005, 0x3007),  # ideographic iteration mark, closing mark, number zero
    (0x302A, 0x302D),  # ideographic tone marks
    (0x3040, 0x3098),  # Hiragana (without the combining voiced sound marks U+3099, U+309A)
    (0x309D, 0x30FF),  # Hiragana iteration marks, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3190, 0x31BF),  # Kanbun annotation marks, Bopomofo extended
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended B
    (0xAA60, 0xAA7F),  # Myanmar extended A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana (NFKC makes them full width)
    (0x1AFF0, 0x1B16F),  # Kana extended B, Kana supplement, Kana extended A, small Kana extension
    (0x1D372, 0x1D376),  # ideographic tally marks
    (0x20000, 0x3FFFF),  # CJK unified ideographs extensions B to H, compatibility supplement
)

#: Class bits of :func:`script_classes`: an unspaced character that starts a token ...
SPLIT = 1
#: ... and an unspaced combining mark, which stays with the character before it.
JOIN = 2


@functools.lru_cache(maxsize=1)
def script_classes() -> bytes:
    """Return a ``sys.maxunicode + 1`` byte table: ``SPLIT``, ``JOIN`` or 0 for each code point.

    ``SPLIT``: a word character (L, N) of an unspaced script; ``JOIN``: a combining mark (M) of one.
    Every other code point is 0. Read from the shipped tables (:mod:`dedupe._unicode_tables`), built
    by :func:`build_script_classes` when they do not match this Python's Unicode version.
    """
    return load_table("script_classes", build_script_classes)


def build_script_classes() -> bytes:
    """Build the table of :func:`script_classes` from :mod:`unicodedata`."""
    out = bytearray(sys.maxunicode + 1)
    for lo, hi in UNSPACED_RANGES:
        for cp in range(lo, min(hi, sys.maxunicode) + 1):
            cat = unicodedata.category(chr(cp))[0]
            if cat == "M":
                out[cp] = JOIN
            elif cat in "LN":
                out[cp] = SPLIT
    return bytes(out)


def unspaced_share(text: str) -> float:
    """Share of the word characters of ``text`` that belong to a script written without spaces.

    A diagnostic of a document's script mix (1.0 for Chinese or Thai, 0.0 for English, in
    between for Japanese with Latin terms); 0.0 for a text without word characters.

    >>> unspaced_share("東京タワー Tokyo")
    0.5
    """
    table = script_classes()
    word = unspaced = 0
    for ch in text:
        if unicodedata.category(ch)[0] in "LMN":
            word += 1
            unspaced += table[ord(ch)] != 0
    return unspaced / word if word else 0.0
