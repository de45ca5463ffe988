"""Seeded 64-bit hashing building blocks, batched in numpy: the mixers every stage shares.

The scheme is specified bit for bit so that ``_reference.py`` can reproduce it in plain Python:

* ``fmix64`` is MurmurHash3's 64-bit finaliser; ``splitmix64`` is the SplitMix64 output function
  (Steele, Lea and Flood 2014), used to draw constants (the LSH band-key multipliers).
* ``seed_key(seed, salt) = fmix64(((seed + 1) * SEED_MUL + salt * BASE) mod 2**64)``.
* A run of code points ``c_0 .. c_{L-1}`` (:func:`run_hashes`) hashes to
  ``fmix64(P ^ (L * LENGTH_MUL) ^ key)`` with ``P = sum((c_j + 1) * BASE**j) mod 2**64``. In numpy,
  ``P`` for every run at once comes from one prefix sum over the whole batch, cut out with the inverse
  powers of ``BASE`` (``BASE`` is odd, so it is invertible mod 2**64).
* A UTF-8 token (:func:`token_hashes`) hashes word by word through ``fmix64``; tokens longer than
  ``LONG_TOKEN`` bytes use xxh3-64.

Hashes defined elsewhere: line keys are xxh3-64 of a line's normalized UTF-8
(:func:`dedupe.blocks.line_key`); content digests of documents are xxh3-128 of their token hashes
(:func:`dedupe.shingles.content_digest`); band keys are a multilinear hash of a band's slots
finished with ``fmix64`` (:func:`dedupe.banding.band_keys`).
"""

from __future__ import annotations

import numpy as np
import xxhash
from numpy.typing import NDArray

__all__ = [
    "BASE",
    "LENGTH_MUL",
    "MASK64",
    "SEED_MUL",
    "fmix64",
    "fmix64_inplace",
    "fmix64_int",
    "run_hashes",
    "seed_key",
    "splitmix64_int",
    "token_hashes",
]

MASK64 = (1 << 64) - 1
BASE = 0x9E3779B97F4A7C15
LENGTH_MUL = 0xD6E8FEB86659FD93
SEED_MUL = 0xC2B2AE3D27D4EB4F
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


def fmix64_inplace(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """MurmurHash3 fmix64 on a uint64 array, overwriting it (no temporary array); returns ``x``."""
    x ^= x >> _U33
    x *= _M1
    x ^= x >> _U33
    x *= _M2
    x ^= x >> _U33
    return x


_SPLITMIX_GAMMA = 0x9E3779B97F4A7C15


def splitmix64_int(value: int) -> int:
    """SplitMix64's output function of ``value + GAMMA`` on a Python int (draws 64-bit constants)."""
    z = (value + _SPLITMIX_GAMMA) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def seed_key(seed: int, salt: int = 0) -> int:
    """Mix a user seed (and a salt naming its use) into a 64-bit key."""
    return fmix64_int(((seed + 1) * SEED_MUL + salt * BASE) & MASK64)


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
