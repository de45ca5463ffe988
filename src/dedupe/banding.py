"""Banding of MinHash signatures: band-plan maths and the band-key kernel.

A signature of ``num_perm`` slots is cut into ``num_bands`` bands of ``rows_per_band`` slots. Two
documents become a *candidate pair* when every slot of at least one band agrees, which happens with
probability ``1 - (1 - s**rows_per_band)**num_bands`` for Jaccard similarity ``s`` (the S-curve,
:func:`candidate_probability`).

Banding exactly at the verification threshold loses many pairs just above it: datasketch's optimal
plan for 0.8 and 128 slots (9 bands of 13) finds a pair at similarity 0.8 with probability 0.40
only. :func:`default_candidate_threshold` therefore bands at a lower *candidate threshold*: the
highest one (in steps of 0.01) whose :func:`optimal_band_plan` finds pairs at the verification
threshold with probability at least :data:`MIN_CANDIDATE_PROBABILITY`. For 0.8 and 128 slots that
is the plan for 0.58: 21 bands of 6 slots, with candidate probability 0.998 at similarity 0.8,
0.99999+ at 0.9, 0.93 at 0.7, 0.62 at 0.6 and 0.28 at 0.5.

Each band of a signature is hashed into one uint64 bucket key (:func:`band_keys`, scheme
:data:`BAND_KEY_SCHEME`), vectorised over all rows at once::

    mult[band, j] = splitmix64(KEY_SEED ^ (band << 24) ^ (rows_per_band << 14) ^ j) | 1
    offset[band]  = splitmix64((~KEY_SEED mod 2**64) ^ (band << 24) ^ rows_per_band)
    key[band]     = fmix64(offset[band] + sum_j mult[band, j] * slot[band * rows_per_band + j])

with arithmetic modulo 2**64 and ``splitmix64``/``fmix64`` as defined in :mod:`dedupe.hashing`.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

from ._typing import IntArray
from .config import check_int
from .errors import ConfigError
from .hashing import MASK64, fmix64_inplace, splitmix64_int

__all__ = [
    "BAND_KEY_SCHEME",
    "KEY_SEED",
    "MIN_CANDIDATE_PROBABILITY",
    "band_keys",
    "candidate_probability",
    "default_candidate_threshold",
    "key_constants",
    "optimal_band_plan",
]

#: Smallest probability, at the verification threshold, of the default candidate plan.
MIN_CANDIDATE_PROBABILITY = 0.99
#: Name of the bucket-key hash; part of the saved index format.
BAND_KEY_SCHEME = "multilinear-fmix64-v1"
#: Seed of the band-key constants (the ASCII bytes of "lsh_key1").
KEY_SEED = 0x6C73_685F_6B65_7931
#: Rows hashed per step of the band-key loop (keeps the uint64 temporary in cache).
_KEY_CHUNK_ROWS = 2048

SignatureMatrix = NDArray[np.uint32]
KeyArray = NDArray[np.uint64]


# ---------------------------------------------------------------------------------------------
# Band plans


@overload
def candidate_probability(similarity: float, num_bands: int, rows_per_band: int) -> float: ...


@overload
def candidate_probability(similarity: NDArray[Any], num_bands: int, rows_per_band: int) -> NDArray[np.float64]: ...


def candidate_probability(
    similarity: float | NDArray[Any], num_bands: int, rows_per_band: int
) -> float | NDArray[np.float64]:
    """Return the probability that a pair of Jaccard ``similarity`` becomes a candidate.

    The S-curve ``1 - (1 - s**rows_per_band)**num_bands`` (bands assumed independent).

    Args:
        similarity: a float or an array of floats in ``[0, 1]``.
        num_bands: bands per signature.
        rows_per_band: signature slots per band.

    Returns:
        A float for a float, else a float64 array of the same shape.

    >>> round(candidate_probability(0.8, 18, 7), 4)
    0.9855
    """
    s = np.asarray(similarity, dtype=np.float64)
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf at s = 1 gives probability 1
        result = -np.expm1(num_bands * np.log1p(-(s**rows_per_band)))
    if np.ndim(similarity) == 0:
        return float(result)
    return np.asarray(result, dtype=np.float64)


def check_unit(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number in ``[0, 1]``; raise TypeError or ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a float (got {type(value).__name__}: {value!r})")
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be in [0, 1] (got {value!r})")
    return float(value)


def _check_weight(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a float (got {type(value).__name__}: {value!r})")
    if not (value >= 0.0 and math.isfinite(value)):
        raise ConfigError(f"{name} must be a finite number at least 0 (got {value!r})")
    return float(value)


@lru_cache(maxsize=16)
def _plan_grid(num_perm: int) -> tuple[IntArray, IntArray]:
    """All plans with ``num_bands * rows_per_band <= num_perm``, in datasketch's search order."""
    bands = [b for b in range(1, num_perm + 1) for _ in range(1, num_perm // b + 1)]
    rows = [r for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)]
    return np.array(bands, dtype=np.int64), np.array(rows, dtype=np.int64)


@lru_cache(maxsize=4)
def _gauss_legendre(nodes: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x, w = np.polynomial.legendre.leggauss(nodes)
    return np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)


@lru_cache(maxsize=1024)
def _optimal_band_plan(
    threshold: float, num_perm: int, false_positive_weight: float, false_negative_weight: float
) -> tuple[int, int]:
    bands, rows = _plan_grid(num_perm)
    # The S-curve of a plan is a polynomial of degree bands * rows <= num_perm, so Gauss-Legendre
    # quadrature with num_perm // 2 + 1 nodes integrates it exactly (capped for very long signatures).
    x, w = _gauss_legendre(min(num_perm // 2 + 1, 256))
    below = (x + 1.0) * (threshold / 2.0)
    above = threshold + (x + 1.0) * ((1.0 - threshold) / 2.0)
    # log(1 - s**r) for every r at every node, once: each plan then costs one exp per node (a
    # power and a log per plan and node took 5 ms a call at 128 slots, 0.12 s for the default
    # candidate threshold's 23 calls).
    with np.errstate(divide="ignore"):  # log1p(-1) = -inf where s = 1 (threshold 1.0): probability 1
        log_below = np.log1p(-np.cumprod(np.broadcast_to(below, (num_perm, below.size)), axis=0))
        log_above = np.log1p(-np.cumprod(np.broadcast_to(above, (num_perm, above.size)), axis=0))
    error = np.empty(bands.shape[0], dtype=np.float64)
    step = 8192
    for start in range(0, bands.shape[0], step):
        b = bands[start : start + step, None].astype(np.float64)
        r = rows[start : start + step] - 1
        false_pos = (-np.expm1(b * log_below[r]) @ w) * (threshold / 2.0)
        false_neg = (np.exp(b * log_above[r]) @ w) * ((1.0 - threshold) / 2.0)
        error[start : start + step] = false_positive_weight * false_pos + false_negative_weight * false_neg
    best = int(np.argmin(error))  # first minimum, as datasketch's strict '<' keeps the first
    return int(bands[best]), int(rows[best])


def optimal_band_plan(
    threshold: float,
    num_perm: int,
    *,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """Choose the band plan that minimises the weighted false-positive and false-negative areas.

    The false-positive area is the integral of the S-curve over similarities ``[0, threshold]``; the
    false-negative area is the integral of one minus the S-curve over ``[threshold, 1]``. Every plan
    with ``num_bands * rows_per_band <= num_perm`` is tried, as datasketch's ``_optimal_param`` does,
    and the first minimum is returned, so the result matches datasketch's ``MinHashLSH`` parameters.

    Args:
        threshold: Jaccard similarity the S-curve should switch at, in ``[0, 1]``.
        num_perm: signature slots, 2 to 8192.
        false_positive_weight: weight of the false-positive area, at least 0.
        false_negative_weight: weight of the false-negative area, at least 0.

    Returns:
        ``(num_bands, rows_per_band)``.

    Raises:
        ConfigError: a value is out of range, or both weights are 0.
        TypeError: a value has the wrong type.

    >>> optimal_band_plan(0.8, 128)
    (9, 13)
    """
    t = check_unit("threshold", threshold)
    p = check_int("num_perm", num_perm, low=2, high=8192)
    fp = _check_weight("false_positive_weight", false_positive_weight)
    fn = _check_weight("false_negative_weight", false_negative_weight)
    if fp + fn == 0.0:
        raise ConfigError("false_positive_weight and false_negative_weight must not both be 0")
    return _optimal_band_plan(t, p, fp, fn)


def default_candidate_threshold(
    threshold: float,
    num_perm: int = 128,
    *,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> float:
    """Return the candidate threshold that :meth:`LSHIndex.for_threshold` bands at by default.

    The highest value of ``threshold, threshold - 0.01, ...`` whose :func:`optimal_band_plan` makes a
    pair at ``threshold`` a candidate with probability at least :data:`MIN_CANDIDATE_PROBABILITY`.
    If none reaches it (very short signatures), the value whose plan comes closest.

    >>> default_candidate_threshold(0.8, 128)
    0.58
    """
    t = check_unit("threshold", threshold)
    p = check_int("num_perm", num_perm, low=2, high=8192)
    fp = _check_weight("false_positive_weight", false_positive_weight)
    fn = _check_weight("false_negative_weight", false_negative_weight)
    best, best_probability = t, -1.0
    for step in range(round(t * 100) + 1):
        candidate = round(t - step / 100, 2)
        if candidate < 0.0:
            break
        plan = _optimal_band_plan(candidate, p, fp, fn)
        probability = candidate_probability(t, *plan)
        if probability >= MIN_CANDIDATE_PROBABILITY:
            return candidate
        if probability > best_probability:
            best, best_probability = candidate, probability
    return best


# ---------------------------------------------------------------------------------------------
# Band keys


@lru_cache(maxsize=64)
def key_constants(num_bands: int, rows_per_band: int) -> tuple[KeyArray, KeyArray]:
    """Odd multipliers ``(num_bands * rows_per_band,)`` and per-band offsets ``(num_bands,)``."""
    mult = [
        splitmix64_int(KEY_SEED ^ (band << 24) ^ (rows_per_band << 14) ^ pos) | 1
        for band in range(num_bands)
        for pos in range(rows_per_band)
    ]
    offset = [splitmix64_int(~KEY_SEED & MASK64 ^ (band << 24) ^ rows_per_band) for band in range(num_bands)]
    mult_arr = np.array(mult, dtype=np.uint64)
    offset_arr = np.array(offset, dtype=np.uint64)
    mult_arr.flags.writeable = False
    offset_arr.flags.writeable = False
    return mult_arr, offset_arr


def band_keys(
    signatures: SignatureMatrix, num_bands: int, rows_per_band: int, *, rows: IntArray | None = None
) -> KeyArray:
    """Hash every band of every row: ``(num_bands, n)`` uint64 keys, no Python loop per row.

    ``key = fmix64(offset[band] + sum_j mult[band, j] * slot[band * rows_per_band + j])`` modulo 2**64:
    the multilinear sum collides for two different bands with probability about 2**-32 at worst,
    and the band's own constants make equal slot values in different bands give different keys.

    Args:
        signatures: ``(n, num_perm)`` uint32 signatures, ``num_perm >= num_bands * rows_per_band``
            (slots past the last band are ignored).
        num_bands: bands per signature.
        rows_per_band: signature slots per band.
        rows: hash only these rows of ``signatures``, in this order (``n = len(rows)``), read a
            block at a time: no copy of the selected signatures (35 MB at 70,000 rows, 0.1 s).

    Returns:
        ``(num_bands, n)`` uint64 keys; ``keys[band, i]`` is the bucket of row ``i`` in ``band``.

    Raises:
        TypeError: ``signatures`` is not a 2-D uint32 array.
        ConfigError: the signatures are narrower than ``num_bands * rows_per_band``.

    >>> band_keys(np.zeros((3, 8), dtype=np.uint32), 2, 4).shape
    (2, 3)
    """
    if not isinstance(signatures, np.ndarray) or signatures.dtype != np.uint32 or signatures.ndim != 2:
        raise TypeError(f"signatures must be a 2-D uint32 array (got {_describe(signatures)})")
    n = signatures.shape[0] if rows is None else len(rows)
    width = num_bands * rows_per_band
    if num_bands < 1 or rows_per_band < 1 or signatures.shape[1] < width:
        raise ConfigError(
            f"{num_bands} bands of {rows_per_band} slots need signatures at least {width} slots wide "
            f"(got shape {signatures.shape})"
        )
    mult, offset = key_constants(num_bands, rows_per_band)
    out = np.empty((num_bands, n), dtype=np.uint64)
    for start in range(0, n, _KEY_CHUNK_ROWS):
        if rows is None:
            block = signatures[start : start + _KEY_CHUNK_ROWS, :width].astype(np.uint64)
        else:
            block = signatures[rows[start : start + _KEY_CHUNK_ROWS], :width].astype(np.uint64)
        block *= mult
        cube = block.reshape(block.shape[0], num_bands, rows_per_band)
        acc = cube[:, :, 0] + offset
        for pos in range(1, rows_per_band):
            acc += cube[:, :, pos]
        out[:, start : start + block.shape[0]] = fmix64_inplace(acc).T
    return out


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype} array of shape {value.shape}"
    return type(value).__name__
