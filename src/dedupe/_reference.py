"""Slow, obviously correct twins of the fast paths, in plain Python. Used only by tests.

Each function follows the specification written in the docstrings of ``normalize``, ``hashing``,
``shingles``, ``minhash`` and ``banding`` one element at a time, with Python ints and
:mod:`unicodedata`; the fast numpy code must match it bit for bit. Only constants (salts, seeds,
multipliers) come from the production modules: every function here (the mixers ``fmix64``,
``splitmix64`` and ``seed_key`` included) is written again, so a test that compares the two checks
something.
"""

from __future__ import annotations

import unicodedata

import xxhash

from .banding import KEY_SEED
from .config import MinHashConfig, ShingleConfig
from .hashing import BASE, LENGTH_MUL, LONG_TOKEN, MASK64, SEED_MUL
from .minhash import EMPTY_VALUE, NUM_PROBES, PERM_SALT, PROBE_SALT
from .shingles import CHAR_SALT, SHINGLE_SALT, TOKEN_SALT

__all__ = [
    "exact_containment",
    "exact_jaccard",
    "is_unspaced",
    "reference_band_keys",
    "reference_digest",
    "reference_normalize",
    "reference_shingles",
    "reference_signature",
    "reference_tokens",
]


# ---------------------------------------------------------------------------------------------
# Mixers (dedupe.hashing)


def _fmix64(x: int) -> int:
    """MurmurHash3's 64-bit finaliser."""
    x &= MASK64
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    return x ^ (x >> 33)


def _splitmix64(x: int) -> int:
    """SplitMix64's output for state ``x`` (the state first advanced by the golden-ratio gamma)."""
    z = (x + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def _seed_key(seed: int, salt: int) -> int:
    return _fmix64((seed + 1) * SEED_MUL + salt * BASE)


# ---------------------------------------------------------------------------------------------
# Normalization (dedupe.normalize)

_SINGLE_QUOTE_NAMES = (
    "LEFT SINGLE QUOTATION MARK", "RIGHT SINGLE QUOTATION MARK", "SINGLE LOW-9 QUOTATION MARK",
    "SINGLE HIGH-REVERSED-9 QUOTATION MARK", "PRIME", "REVERSED PRIME",
    "SINGLE LEFT-POINTING ANGLE QUOTATION MARK", "SINGLE RIGHT-POINTING ANGLE QUOTATION MARK",
    "FULLWIDTH APOSTROPHE",
)  # fmt: skip
_DOUBLE_QUOTE_NAMES = (
    "LEFT DOUBLE QUOTATION MARK", "RIGHT DOUBLE QUOTATION MARK", "DOUBLE LOW-9 QUOTATION MARK",
    "DOUBLE HIGH-REVERSED-9 QUOTATION MARK", "DOUBLE PRIME", "REVERSED DOUBLE PRIME",
    "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK", "RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK",
    "REVERSED DOUBLE PRIME QUOTATION MARK", "DOUBLE PRIME QUOTATION MARK", "FULLWIDTH QUOTATION MARK",
)  # fmt: skip
_QUOTES = {unicodedata.lookup(name): "'" for name in _SINGLE_QUOTE_NAMES} | {
    unicodedata.lookup(name): '"' for name in _DOUBLE_QUOTE_NAMES
}


def _fold(text: str) -> str:
    """NFKC then case folding, repeated until nothing changes."""
    for _ in range(16):
        folded = unicodedata.normalize("NFKC", text).casefold()
        if folded == text:
            break
        text = folded
    return text


def _ascii_form(ch: str) -> str:
    """One character after the mapping step: spaces, controls, invisibles, quotes, dashes, surrogates."""
    cp = ord(ch)
    if cp < 0x20 or cp == 0x7F:
        return " "
    if cp < 0x80:
        return ch
    if ch in _QUOTES:
        return _QUOTES[ch]
    category = unicodedata.category(ch)
    if category in ("Zs", "Zl", "Zp", "Cc"):
        return " "
    if category == "Cf":
        return ""
    if category == "Cs":
        return "\ufffd"
    if category == "Pd":
        return "-"
    return ch


def reference_normalize(text: str, *, mask_digits: bool = False) -> str:
    """Fold, map each character, fold again if the mapping changed anything, collapse whitespace.

    With ``mask_digits`` every decimal digit (category Nd) then becomes ``0``.
    """
    folded = _fold(text)
    mapped = "".join(map(_ascii_form, folded))
    if mapped != folded:
        mapped = _fold(mapped)
    out = " ".join(mapped.split())
    if mask_digits:
        out = "".join("0" if unicodedata.category(ch) == "Nd" else ch for ch in out)
    return out


# ---------------------------------------------------------------------------------------------
# Tokens, shingles and digests (dedupe.shingles)


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
    for ch in reference_normalize(text, mask_digits=mask_digits):
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
        h = _fmix64(h ^ word)
    return h


def _poly_hash(codepoints: list[int], key: int) -> int:
    poly = 0
    for j, c in enumerate(codepoints):
        poly = (poly + (c + 1) * pow(BASE, j, 1 << 64)) & MASK64
    return _fmix64(poly ^ ((len(codepoints) * LENGTH_MUL) & MASK64) ^ key)


def reference_shingles(text: str, config: ShingleConfig) -> list[int]:
    """Shingle hashes of one text, in order (duplicates kept)."""
    n = config.ngram_size
    if config.kind == "char":
        cps = [ord(ch) for ch in reference_normalize(text, mask_digits=config.mask_digits)]
        key = _seed_key(config.seed, CHAR_SALT)
        if not cps:
            return []
        if len(cps) < n:
            return [_poly_hash(cps, key)]
        return [_poly_hash(cps[i : i + n], key) for i in range(len(cps) - n + 1)]
    token_key = _seed_key(config.seed, TOKEN_SALT)
    tokens = reference_tokens(text, mask_digits=config.mask_digits, script=config.script)
    hashes = [_token_hash(t, token_key) for t in tokens]
    key = _seed_key(config.seed, SHINGLE_SALT)
    windows = [hashes[i : i + n] for i in range(len(hashes) - n + 1)] if len(hashes) >= n else [hashes]
    out = []
    for window in windows:
        if not window:
            continue
        acc = 0
        for k, h in enumerate(window):
            acc = (acc + h * (_fmix64(k + 1) | 1)) & MASK64
        out.append(_fmix64(acc ^ ((len(window) * LENGTH_MUL) & MASK64) ^ key))
    return out


def reference_digest(text: str, config: ShingleConfig) -> bytes:
    """Content digest of one text (word shingle configs).

    xxh3-128 of its token hashes as little-endian 8-byte words; for a text without words, xxh3-128
    of a 0 byte followed by the UTF-8 of the normalized text.
    """
    token_key = _seed_key(config.seed, TOKEN_SALT)
    words = reference_tokens(text, mask_digits=config.mask_digits, script=config.script)
    if not words:
        return xxhash.xxh3_128_digest(b"\x00" + reference_normalize(text).encode("utf-8"))
    data = b"".join(_token_hash(t, token_key).to_bytes(8, "little") for t in words)
    return xxhash.xxh3_128_digest(data)


# ---------------------------------------------------------------------------------------------
# MinHash (dedupe.minhash)


def _bin(x: int, num_perm: int) -> int:
    return ((x >> 32) * num_perm) >> 32


def reference_signature(shingles: list[int], config: MinHashConfig) -> list[int]:
    """OPH signature with optimal densification, one shingle and one bin at a time."""
    k = config.num_perm
    if not shingles:
        return [EMPTY_VALUE] * k
    perm_key = _seed_key(config.seed, PERM_SALT)
    probe_key = _seed_key(config.seed, PROBE_SALT)
    bins: list[int | None] = [None] * k
    for h in shingles:
        x = _fmix64(h ^ perm_key)
        b, low = _bin(x, k), x & 0xFFFFFFFF
        current = bins[b]
        if current is None or low < current:
            bins[b] = low
    out: list[int] = []
    for i in range(k):
        value: int | None = bins[i]
        if value is None:
            for t in range(NUM_PROBES):
                j = _bin(_fmix64(probe_key ^ ((i << 32) | t)), k)
                if bins[j] is not None:
                    value = bins[j]
                    break
        step = 1
        while value is None:
            value = bins[(i + step) % k]
            step += 1
        out.append(value)
    return out


# ---------------------------------------------------------------------------------------------
# Band keys (dedupe.banding)


def reference_band_keys(signature: list[int], num_bands: int, rows_per_band: int) -> list[int]:
    """The bucket key of every band of one signature, with the band constants drawn from ``KEY_SEED``."""
    keys = []
    for band in range(num_bands):
        acc = _splitmix64((KEY_SEED ^ MASK64) ^ (band << 24) ^ rows_per_band)
        for pos in range(rows_per_band):
            mult = _splitmix64(KEY_SEED ^ (band << 24) ^ (rows_per_band << 14) ^ pos) | 1
            acc = (acc + mult * signature[band * rows_per_band + pos]) & MASK64
        keys.append(_fmix64(acc))
    return keys


# ---------------------------------------------------------------------------------------------
# Exact similarities


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
