"""Seeded 64-bit hashing of text, batched in numpy; the only module that imports xxhash.

The scheme is specified bit for bit so that ``_reference.py`` can reproduce it in plain Python:

* ``fmix64`` is MurmurHash3's 64-bit finaliser.
* A run of code points ``c_0 .. c_{L-1}`` hashes to
  ``fmix64(P ^ (L * LENGTH_MUL) ^ key)`` with ``P = sum((c_j + 1) * BASE**j) mod 2**64`` and
  ``key = seed_key(seed)``. In numpy, ``P`` for every run at once comes from one prefix sum over the
  whole batch, cut out with the inverse powers of ``BASE`` (``BASE`` is odd, so it is invertible mod 2**64).
* Whole-text content hashes (exact duplicates, block keys) use xxh3-128 over the UTF-8 bytes.
"""

from __future__ import annotations

import numpy as np
import xxhash
from numpy.typing import NDArray

__all__ = [
    "BASE",
    "LENGTH_MUL",
    "MASK64",
    "content_hash128",
    "fmix64",
    "fmix64_int",
    "run_hashes",
    "seed_key",
    "token_hashes",
]

MASK64 = (1 << 64) - 1
BASE = 0x9E3779B97F4A7C15
LENGTH_MUL = 0xD6E8FEB86659FD93
_SEED_MUL = 0xC2B2AE3D27D4EB4F
_BASE_INV = pow(BASE, -1, 1 << 64)

_U33 = np.uint64(33)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)


def fmix64_int(x: int) -> int:
    """MurmurHash3 fmix64 on a Python int (the reference form)."""
    x &= MASK64
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    x ^= x >> 33
    return x


def fmix64(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """MurmurHash3 fmix64 on a uint64 array (a new array; arithmetic wraps mod 2**64)."""
    x = x ^ (x >> _U33)
    x *= _M1
    x ^= x >> _U33
    x *= _M2
    x ^= x >> _U33
    return x


def seed_key(seed: int, salt: int = 0) -> int:
    """Mix a user seed (and a salt naming its use) into a 64-bit key."""
    return fmix64_int(((seed + 1) * _SEED_MUL + salt * BASE) & MASK64)


class _Powers:
    """Cached ``BASE**i``, ``BASE**-i`` and ``sum(BASE**j, j < i)`` mod 2**64, grown on demand."""

    def __init__(self) -> None:
        self.pow = np.ones(1, dtype=np.uint64)
        self.inv = np.ones(1, dtype=np.uint64)
        self.geo = np.zeros(1, dtype=np.uint64)

    def ensure(self, n: int) -> None:
        if n <= len(self.pow):
            return
        size = max(n, 2 * len(self.pow), 1 << 16)
        one = np.ones(1, np.uint64)
        self.pow = np.concatenate([one, np.cumprod(np.full(size - 1, BASE, dtype=np.uint64), dtype=np.uint64)])
        self.inv = np.concatenate([one, np.cumprod(np.full(size - 1, _BASE_INV, dtype=np.uint64), dtype=np.uint64)])
        self.geo = np.concatenate([np.zeros(1, np.uint64), np.cumsum(self.pow[:-1], dtype=np.uint64)])


_POWERS = _Powers()


def run_hashes(
    codepoints: NDArray[np.uint32] | NDArray[np.uint8],
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    key: int,
) -> NDArray[np.uint64]:
    """Hash the runs ``codepoints[starts[i]:ends[i]]`` (code points or UTF-8 bytes) to 64-bit values.

    One prefix sum over the buffer gives every run's polynomial at once; no per-run Python loop.
    The ``+ 1`` of every term is added per run from the cached geometric prefix sums.
    """
    n = len(codepoints)
    _POWERS.ensure(n + 1)
    prefix = np.empty(n + 1, dtype=np.uint64)
    prefix[0] = 0
    np.multiply(codepoints, _POWERS.pow[:n], out=prefix[1:], dtype=np.uint64)
    np.cumsum(prefix[1:], out=prefix[1:])
    geo = _POWERS.geo
    poly = prefix[ends] - prefix[starts]
    poly += geo[ends] - geo[starts]
    poly *= _POWERS.inv[starts]
    lengths = (ends - starts).astype(np.uint64)
    lengths *= np.uint64(LENGTH_MUL)
    poly ^= lengths
    poly ^= np.uint64(key)
    return fmix64(poly)


#: Tokens longer than this many bytes are hashed with xxh3-64 (one call each; they are rare).
LONG_TOKEN = 64
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def token_hashes(
    buf: NDArray[np.uint8],
    starts: NDArray[np.int64],
    ends: NDArray[np.int64],
    key: int,
) -> NDArray[np.uint64]:
    """Hash the byte runs ``buf[starts[i]:ends[i]]`` (UTF-8 tokens) to 64-bit values.

    Spec: with ``L`` the run's length and ``w_c`` its ``c``-th 8-byte little-endian word (zero
    padded), ``h = fmix64(key ^ (L * LENGTH_MUL) ^ w_0)`` then ``h = fmix64(h ^ w_c)`` for each later
    word; runs longer than ``LONG_TOKEN`` bytes hash to ``xxh3_64(run, seed=key)``. ``buf`` must
    have at least 8 bytes after the last run. The cost is per token, not per byte: one unaligned
    8-byte load per word.
    """
    words = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    lengths = ends - starts
    w = words[starts].astype(np.uint64, copy=False)
    w &= _BYTE_MASKS[np.minimum(lengths, 8)]
    w ^= lengths.astype(np.uint64) * np.uint64(LENGTH_MUL)
    w ^= np.uint64(key)
    out = fmix64(w)
    c = 1
    while True:
        idx = np.flatnonzero((lengths > 8 * c) & (lengths <= LONG_TOKEN))
        if len(idx) == 0:
            break
        w = words[starts[idx] + 8 * c].astype(np.uint64)
        w &= _BYTE_MASKS[np.minimum(lengths[idx] - 8 * c, 8)]
        out[idx] = fmix64(out[idx] ^ w)
        c += 1
    long_runs = np.flatnonzero(lengths > LONG_TOKEN)
    if len(long_runs):
        data = buf.tobytes()
        for i in long_runs.tolist():
            out[i] = xxhash.xxh3_64_intdigest(data[starts[i] : ends[i]], seed=key)
    return out


def content_hash128(text: str) -> bytes:
    """xxh3-128 digest (16 bytes) of the UTF-8 text (lone surrogates passed through)."""
    return xxhash.xxh3_128_digest(text.encode("utf-8", "surrogatepass"))
