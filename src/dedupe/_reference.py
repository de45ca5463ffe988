"""Slow, obviously correct twins of the fast paths, in plain Python. Used only by tests.

Each function follows the specification written in the docstrings of ``hashing``, ``shingles`` and
``minhash`` one element at a time, with Python ints; the fast numpy code must match it bit for bit.
"""

from __future__ import annotations

import unicodedata

import xxhash

from .config import MinHashConfig, ShingleConfig
from .hashing import BASE, LENGTH_MUL, LONG_TOKEN, MASK64, fmix64_int, seed_key
from .minhash import EMPTY_VALUE, NUM_PROBES, PERM_SALT, PROBE_SALT
from .normalize import normalize_text
from .shingles import CHAR_SALT, SHINGLE_SALT, TOKEN_SALT, content_digest, position_multiplier

__all__ = [
    "exact_containment",
    "exact_jaccard",
    "is_unspaced",
    "reference_digest",
    "reference_shingles",
    "reference_signature",
    "reference_tokens",
]


#: Unicode name prefixes of the word characters of scripts written without spaces: the
#: specification that ``dedupe.scripts.UNSPACED_RANGES`` implements as code point ranges.
UNSPACED_NAMES = (
    "CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "IDEOGRAPHIC", "HIRAGANA", "KATAKANA",
    "HALFWIDTH KATAKANA", "HENTAIGANA", "BOPOMOFO", "THAI", "LAO", "KHMER", "MYANMAR",
)  # fmt: skip


def is_unspaced(ch: str) -> bool:
    """Whether ``ch`` is a word character (L, M, N) whose Unicode name is of an unspaced script."""
    return unicodedata.category(ch)[0] in "LMN" and unicodedata.name(ch, "").startswith(UNSPACED_NAMES)


def reference_tokens(text: str, *, mask_digits: bool = False, script: str = "auto") -> list[str]:
    """Word tokens of the normalized text, one character at a time.

    A token is a maximal run of letters, marks and numbers; with ``script="auto"`` a new token
    also starts at every unspaced character (:func:`is_unspaced`) that is not a mark, and between
    an unspaced character and a word character that is not (either way round).
    """
    tokens: list[str] = []
    current: list[str] = []
    previous_unspaced = False
    for ch in normalize_text(text, mask_digits=mask_digits):
        if unicodedata.category(ch)[0] not in "LMN":
            if current:
                tokens.append("".join(current))
                current = []
            continue
        unspaced = script == "auto" and is_unspaced(ch)
        cut = unspaced and unicodedata.category(ch)[0] != "M"
        if current and (cut or unspaced != previous_unspaced):
            tokens.append("".join(current))
            current = []
        current.append(ch)
        previous_unspaced = unspaced
    if current:
        tokens.append("".join(current))
    return tokens


def _token_hash(token: str, key: int) -> int:
    data = token.encode("utf-8", "surrogatepass")
    if len(data) > LONG_TOKEN:
        return xxhash.xxh3_64_intdigest(data, seed=key)
    h = key ^ ((len(data) * LENGTH_MUL) & MASK64)
    for c in range(0, len(data), 8):
        word = int.from_bytes(data[c : c + 8], "little")
        h = fmix64_int(h ^ word)
    return h


def _poly_hash(codepoints: list[int], key: int) -> int:
    poly = 0
    for j, c in enumerate(codepoints):
        poly = (poly + (c + 1) * pow(BASE, j, 1 << 64)) & MASK64
    return fmix64_int(poly ^ ((len(codepoints) * LENGTH_MUL) & MASK64) ^ key)


def reference_shingles(text: str, config: ShingleConfig) -> list[int]:
    """Shingle hashes of one text, in order (duplicates kept)."""
    n = config.ngram_size
    if config.kind == "char":
        cps = [ord(ch) for ch in normalize_text(text, mask_digits=config.mask_digits)]
        key = seed_key(config.seed, CHAR_SALT)
        if not cps:
            return []
        if len(cps) < n:
            return [_poly_hash(cps, key)]
        return [_poly_hash(cps[i : i + n], key) for i in range(len(cps) - n + 1)]
    token_key = seed_key(config.seed, TOKEN_SALT)
    tokens = reference_tokens(text, mask_digits=config.mask_digits, script=config.script)
    hashes = [_token_hash(t, token_key) for t in tokens]
    key = seed_key(config.seed, SHINGLE_SALT)
    windows = [hashes[i : i + n] for i in range(len(hashes) - n + 1)] if len(hashes) >= n else [hashes]
    out = []
    for window in windows:
        if not window:
            continue
        acc = 0
        for k, h in enumerate(window):
            acc = (acc + h * position_multiplier(k)) & MASK64
        out.append(fmix64_int(acc ^ ((len(window) * LENGTH_MUL) & MASK64) ^ key))
    return out


def reference_digest(text: str, config: ShingleConfig) -> bytes:
    """Content digest of one text (word shingle configs): xxh3-128 of its token hashes."""
    token_key = seed_key(config.seed, TOKEN_SALT)
    words = reference_tokens(text, mask_digits=config.mask_digits, script=config.script)
    tokens = [_token_hash(t, token_key) for t in words]
    return content_digest(tokens, text)


def _bin(x: int, num_perm: int) -> int:
    return ((x >> 32) * num_perm) >> 32


def reference_signature(shingles: list[int], config: MinHashConfig) -> list[int]:
    """OPH signature with optimal densification, one shingle and one bin at a time."""
    k = config.num_perm
    if not shingles:
        return [EMPTY_VALUE] * k
    perm_key = seed_key(config.seed, PERM_SALT)
    probe_key = seed_key(config.seed, PROBE_SALT)
    bins: list[int | None] = [None] * k
    for h in shingles:
        x = fmix64_int(h ^ perm_key)
        b, low = _bin(x, k), x & 0xFFFFFFFF
        current = bins[b]
        if current is None or low < current:
            bins[b] = low
    out: list[int] = []
    for i in range(k):
        value: int | None = bins[i]
        if value is None:
            for t in range(NUM_PROBES):
                j = _bin(fmix64_int(probe_key ^ ((i << 32) | t)), k)
                if bins[j] is not None:
                    value = bins[j]
                    break
        step = 1
        while value is None:
            value = bins[(i + step) % k]
            step += 1
        out.append(value)
    return out


def exact_jaccard(a: list[int] | set[int], b: list[int] | set[int]) -> float:
    """Exact Jaccard similarity of two shingle sets (1.0 for two empty sets)."""
    sa, sb = set(a), set(b)
    union = len(sa | sb)
    return 1.0 if union == 0 else len(sa & sb) / union


def exact_containment(a: list[int] | set[int], b: list[int] | set[int]) -> float:
    """Share of the smaller shingle set found in the other (1.0 if either set is empty)."""
    sa, sb = set(a), set(b)
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return 1.0 if not small else len(small & large) / len(small)
