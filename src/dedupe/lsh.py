"""Locality-sensitive hashing of MinHash signatures: band plans, the LSH index and its files.

A signature of ``num_perm`` slots is cut into ``num_bands`` bands of ``rows_per_band`` slots. Two
documents become a *candidate pair* when every slot of at least one band agrees, which happens with
probability ``1 - (1 - s**rows_per_band)**num_bands`` for Jaccard similarity ``s`` (the S-curve).
Candidates are then *verified* on the full signatures (:func:`dedupe.clusters.verify_pairs`), which
removes the false positives that banding lets through.

Banding exactly at the verification threshold loses many pairs just above it: datasketch's optimal
plan for 0.8 and 128 slots (9 bands of 13) finds a pair at similarity 0.8 with probability 0.40
only. :meth:`LSHIndex.for_threshold` therefore bands at a lower *candidate threshold*: by default
the highest one (in steps of 0.01) whose optimal plan finds pairs at the verification threshold
with probability at least :data:`MIN_CANDIDATE_PROBABILITY`. For 0.8 and 128 slots that is the
plan for 0.58: 21 bands of 6 slots, with candidate probability 0.998 at similarity 0.8, 0.99999+ at
0.9, 0.93 at 0.7, 0.62 at 0.6 and 0.28 at 0.5.

Each band of a signature is hashed into one uint64 bucket key (a multilinear hash of its uint32
slots with constants drawn for that band, then the 64-bit finaliser of MurmurHash3), vectorised
over all rows at once. Per band the index keeps the keys sorted, with the row of each key, so a
lookup is :func:`numpy.searchsorted` and the buckets are the runs of equal keys.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from ._persist import MANIFEST, load_npy, read_manifest, save_directory
from ._typing import IntArray, PathLike
from .clusters import verify_pairs
from .config import UNICODE_VERSION, LSHConfig, MinHashConfig, ShingleConfig, check_compatible
from .errors import ConfigError, CorruptFileError, IncompatibleSignaturesError, InputError

__all__ = [
    "INDEX_FORMAT_VERSION",
    "MIN_CANDIDATE_PROBABILITY",
    "LSHIndex",
    "candidate_probability",
    "default_candidate_threshold",
    "optimal_band_plan",
]

#: Version of the on-disk index layout (manifest fields, array files and bucket-key hash).
INDEX_FORMAT_VERSION = 1
#: Smallest probability, at the verification threshold, of the default candidate plan.
MIN_CANDIDATE_PROBABILITY = 0.99
#: Name of the bucket-key hash; part of the saved format.
BAND_KEY_SCHEME = "multilinear-fmix64-v1"

_FORMAT_NAME = "dedupe.LSHIndex"
_ARRAY_FILES = {
    "signatures": "signatures.npy",
    "doc_ids": "doc_ids.npy",
    "band_keys": "band_keys.npy",
    "band_rows": "band_rows.npy",
}
#: Rows are stored as uint32, so an index holds at most this many documents.
MAX_DOCS = 2**32 - 1
#: Rows hashed per step of the band-key loop (keeps the uint64 temporary in cache).
_KEY_CHUNK_ROWS = 2048
_DEFAULT_STAR_ABOVE = 32

DocIdKind = Literal["int", "str"]
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


def _check_unit(name: str, value: object) -> float:
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


def _check_num_perm(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"num_perm must be an int (got {type(value).__name__}: {value!r})")
    if not 2 <= value <= 8192:
        raise ConfigError(f"num_perm must be between 2 and 8192 (got {value!r})")
    return int(value)


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
    error = np.empty(bands.shape[0], dtype=np.float64)
    step = 8192
    for start in range(0, bands.shape[0], step):
        b = bands[start : start + step, None].astype(np.float64)
        r = rows[start : start + step, None].astype(np.float64)
        with np.errstate(divide="ignore"):  # log1p(-1) = -inf where s = 1 (threshold 1.0): probability 1
            false_pos = (-np.expm1(b * np.log1p(-(below**r))) @ w) * (threshold / 2.0)
            false_neg = (np.exp(b * np.log1p(-(above**r))) @ w) * ((1.0 - threshold) / 2.0)
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
    t = _check_unit("threshold", threshold)
    p = _check_num_perm(num_perm)
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
    t = _check_unit("threshold", threshold)
    p = _check_num_perm(num_perm)
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

_MASK64 = (1 << 64) - 1
_KEY_SEED = 0x6C73_685F_6B65_7931  # "lsh_key1"
_FMIX_SHIFT = np.uint64(33)
_FMIX_C1 = np.uint64(0xFF51_AFD7_ED55_8CCD)
_FMIX_C2 = np.uint64(0xC4CE_B9FE_1A85_EC53)


def _splitmix64(value: int) -> int:
    z = (value + 0x9E37_79B9_7F4A_7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB) & _MASK64
    return z ^ (z >> 31)


@lru_cache(maxsize=64)
def _key_constants(num_bands: int, rows_per_band: int) -> tuple[KeyArray, KeyArray]:
    """Odd multipliers ``(num_bands * rows_per_band,)`` and per-band offsets ``(num_bands,)``."""
    mult = [
        _splitmix64(_KEY_SEED ^ (band << 24) ^ (rows_per_band << 14) ^ pos) | 1
        for band in range(num_bands)
        for pos in range(rows_per_band)
    ]
    offset = [_splitmix64(~_KEY_SEED & _MASK64 ^ (band << 24) ^ rows_per_band) for band in range(num_bands)]
    mult_arr = np.array(mult, dtype=np.uint64)
    offset_arr = np.array(offset, dtype=np.uint64)
    mult_arr.flags.writeable = False
    offset_arr.flags.writeable = False
    return mult_arr, offset_arr


def _band_keys(signatures: SignatureMatrix, num_bands: int, rows_per_band: int) -> KeyArray:
    """Hash every band of every row: ``(num_bands, n)`` uint64 keys, no Python loop per row.

    ``key = fmix64(offset[band] + sum_j mult[band, j] * slot[band * rows_per_band + j])`` modulo 2**64:
    the multilinear sum collides for two different bands with probability about 2**-32 at worst,
    and the band's own constants make equal slot values in different bands give different keys.
    """
    n = signatures.shape[0]
    width = num_bands * rows_per_band
    mult, offset = _key_constants(num_bands, rows_per_band)
    out = np.empty((num_bands, n), dtype=np.uint64)
    for start in range(0, n, _KEY_CHUNK_ROWS):
        block = signatures[start : start + _KEY_CHUNK_ROWS, :width].astype(np.uint64)
        block *= mult
        cube = block.reshape(block.shape[0], num_bands, rows_per_band)
        acc = cube[:, :, 0] + offset
        for pos in range(1, rows_per_band):
            acc += cube[:, :, pos]
        acc ^= acc >> _FMIX_SHIFT
        acc *= _FMIX_C1
        acc ^= acc >> _FMIX_SHIFT
        acc *= _FMIX_C2
        acc ^= acc >> _FMIX_SHIFT
        out[:, start : start + block.shape[0]] = acc.T
    return out


# ---------------------------------------------------------------------------------------------
# Input checks


def _check_signature_matrix(signatures: object, num_perm: int) -> SignatureMatrix:
    if not isinstance(signatures, np.ndarray):
        raise TypeError(
            f"signatures must be a numpy uint32 array of shape (n, {num_perm}) (got {type(signatures).__name__})"
        )
    if signatures.dtype != np.uint32:
        raise TypeError(f"signatures must have dtype uint32 (got {signatures.dtype})")
    if signatures.ndim != 2 or signatures.shape[1] != num_perm:
        raise ConfigError(
            f"signatures must have shape (n, {num_perm}) to match num_perm={num_perm} "
            f"(got {signatures.shape}); sign with MinHasher(num_perm={num_perm})"
        )
    plain: SignatureMatrix = signatures.view(np.ndarray)
    return plain


def _as_doc_ids(doc_ids: object) -> tuple[NDArray[Any], DocIdKind | None]:
    """Return the ids as a 1-D int64 or unicode array, and their kind (None when empty)."""
    if isinstance(doc_ids, (str, bytes)):
        raise TypeError(f"doc_ids must be a sequence of ids (got a single {type(doc_ids).__name__})")
    if isinstance(doc_ids, np.ndarray):
        arr = doc_ids
        if arr.ndim != 1:
            raise ConfigError(f"doc_ids must be one-dimensional (got shape {arr.shape})")
        if arr.size == 0:
            return np.empty(0, dtype=np.int64), None
        if arr.dtype.kind in "iu":
            if arr.dtype.kind == "u" and int(arr.max()) > np.iinfo(np.int64).max:
                raise ConfigError("doc_ids must fit in int64 (got an id above 2**63 - 1)")
            return arr.astype(np.int64), "int"
        if arr.dtype.kind == "U":
            return arr.copy(), "str"
        if arr.dtype.kind != "O":
            raise TypeError(f"doc_ids must be str or int (got an array of dtype {arr.dtype})")
        doc_ids = arr.tolist()
    if not isinstance(doc_ids, Sequence):
        raise TypeError(f"doc_ids must be a sequence of str or int (got {type(doc_ids).__name__})")
    if len(doc_ids) == 0:
        return np.empty(0, dtype=np.int64), None
    types = set(map(type, doc_ids))
    if all(issubclass(t, str) for t in types):
        arr = np.array(doc_ids, dtype=np.str_)
        # numpy drops trailing NUL characters of str items; refuse ids that would change.
        if int(np.char.str_len(arr).sum()) != sum(map(len, doc_ids)):
            bad = next(i for i, item in enumerate(doc_ids) if item.endswith("\0"))
            raise InputError(
                f"doc_ids[{bad}] = {doc_ids[bad]!r} ends with a NUL character, which cannot be stored",
                doc_id=doc_ids[bad],
                reason="invalid_id",
            )
        return arr, "str"
    if all(issubclass(t, (int, np.integer)) and not issubclass(t, (bool, np.bool_)) for t in types):
        try:
            return np.array(doc_ids, dtype=np.int64), "int"
        except OverflowError as exc:
            raise ConfigError("doc_ids must fit in int64 (got an id outside -2**63 .. 2**63 - 1)") from exc
    names = ", ".join(sorted(t.__name__ for t in types))
    raise TypeError(f"doc_ids must be all str or all int (got items of types {names})")


def _first_duplicate(sorted_ids: NDArray[Any]) -> Any | None:
    if sorted_ids.shape[0] < 2:
        return None
    same = np.flatnonzero(sorted_ids[1:] == sorted_ids[:-1])
    return sorted_ids[same[0]].item() if same.size else None


def _pack_pairs(left: IntArray, right: IntArray, n_right: int) -> NDArray[np.uint64]:
    codes: NDArray[np.uint64] = left.astype(np.uint64) * np.uint64(n_right) + right.astype(np.uint64)
    return codes


def _sorted_unique(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Sorted distinct values (``np.unique`` may take a slower hash-based path on numpy >= 2.3)."""
    ordered = np.sort(values)
    if ordered.shape[0] < 2:
        return ordered
    keep = np.empty(ordered.shape[0], dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _unpack_pairs(codes: NDArray[np.uint64], n_right: int) -> IntArray:
    out = np.empty((codes.shape[0], 2), dtype=np.int64)
    out[:, 0] = codes // np.uint64(n_right)
    out[:, 1] = codes % np.uint64(n_right)
    return out


# ---------------------------------------------------------------------------------------------
# Sorted runs


@dataclass(slots=True)
class _Run:
    """A block of consecutive rows with its band keys sorted (one log-structured run)."""

    row_start: int
    signatures: SignatureMatrix  # (m, num_perm), row order
    doc_ids: NDArray[Any]  # (m,) int64 or unicode, row order
    id_order: NDArray[np.uint32]  # (m,) local positions that sort doc_ids
    keys: KeyArray  # (num_bands, m), sorted within each band
    rows: NDArray[np.uint32]  # (num_bands, m), global row of each key

    @property
    def size(self) -> int:
        return int(self.signatures.shape[0])

    @property
    def nbytes(self) -> int:
        arrays = (self.signatures, self.doc_ids, self.id_order, self.keys, self.rows)
        return sum(int(a.nbytes) for a in arrays)


def _make_run(
    row_start: int,
    signatures: SignatureMatrix,
    doc_ids: NDArray[Any],
    id_order: NDArray[np.uint32],
    num_bands: int,
    rows_per_band: int,
) -> _Run:
    keys = _band_keys(signatures, num_bands, rows_per_band)
    rows = np.empty(keys.shape, dtype=np.uint32)
    for band in range(num_bands):
        order = np.argsort(keys[band])
        keys[band] = keys[band][order]
        rows[band] = order
    if row_start:
        rows += np.uint32(row_start)
    return _Run(row_start, signatures, doc_ids, id_order, keys, rows)


def _merge_runs(runs: Sequence[_Run]) -> _Run:
    """Merge consecutive runs into one (a stable sort of sorted runs is a linear merge)."""
    if len(runs) == 1:
        return runs[0]
    keys = np.concatenate([run.keys for run in runs], axis=1)
    rows = np.concatenate([run.rows for run in runs], axis=1)
    for band in range(keys.shape[0]):
        order = np.argsort(keys[band], kind="stable")
        keys[band] = keys[band][order]
        rows[band] = rows[band][order]
    doc_ids = np.concatenate([run.doc_ids for run in runs])
    offsets = np.cumsum([0] + [run.size for run in runs[:-1]])
    positions = np.concatenate([run.id_order.astype(np.int64) + off for run, off in zip(runs, offsets, strict=True)])
    id_order = positions[np.argsort(doc_ids[positions], kind="stable")].astype(np.uint32)
    signatures = np.concatenate([run.signatures for run in runs])
    return _Run(runs[0].row_start, signatures, doc_ids, id_order, keys, rows)


def _bucket_pairs(keys: KeyArray, rows: NDArray[np.uint32], star_above: int | None) -> tuple[IntArray, IntArray]:
    """Pairs of rows sharing a key in one band: all pairs in small buckets, star edges in big ones."""
    empty = np.empty(0, dtype=np.int64)
    if keys.shape[0] < 2:
        return empty, empty
    # Positions i with keys[i] == keys[i + 1]; each run of consecutive positions is one bucket.
    links = np.flatnonzero(keys[1:] == keys[:-1])
    if not links.size:
        return empty, empty
    breaks = np.flatnonzero(np.diff(links) != 1) + 1
    starts = links[np.concatenate(([0], breaks))]
    sizes = np.diff(np.concatenate(([0], breaks, [links.size]))) + 1
    small = sizes <= star_above if star_above is not None else np.ones(sizes.shape, dtype=bool)
    lefts: list[NDArray[Any]] = []
    rights: list[NDArray[Any]] = []
    small_starts, small_sizes = starts[small], sizes[small]
    for size in np.unique(small_sizes).tolist():
        first = small_starts[small_sizes == size][:, None]
        upper, lower = np.triu_indices(size, 1)
        lefts.append(rows[first + upper].ravel())
        rights.append(rows[first + lower].ravel())
    if not small.all():
        big_starts, big_sizes = starts[~small], sizes[~small]
        offsets = np.cumsum(big_sizes) - big_sizes
        positions = np.repeat(big_starts - offsets, big_sizes) + np.arange(int(big_sizes.sum()))
        members = rows[positions]
        centres = np.repeat(np.minimum.reduceat(members, offsets), big_sizes)
        spokes = members != centres
        lefts.append(centres[spokes])
        rights.append(members[spokes])
    left = np.concatenate(lefts).astype(np.int64)
    right = np.concatenate(rights).astype(np.int64)
    return np.minimum(left, right), np.maximum(left, right)


# ---------------------------------------------------------------------------------------------
# The index


class LSHIndex:
    """Banded LSH index over MinHash signatures, with candidate pairs, queries and persistence.

    Documents are inserted in batches of ``(doc_ids, signatures)``; each document gets the next
    internal row (``0, 1, 2, ...`` in insertion order). Batches are kept as sorted runs and merged
    log-structured (a run is merged into the previous one once it is at least half its size), so
    inserting ``n`` documents in any batches costs ``O(n log n)`` in total.

    Memory per document at 128 slots and 21 bands: 512 B of signatures, 21 * 12 B of band keys and
    rows, 4 B of id order, plus the id itself (8 B for int ids, 4 B per character for str ids).

    Args:
        num_bands: bands per signature.
        rows_per_band: signature slots per band; ``num_bands * rows_per_band <= num_perm``.
        num_perm: signature slots, 2 to 8192.
        threshold: estimated Jaccard similarity that :meth:`similar_pairs` keeps, in ``(0, 1]``.

    >>> rng = np.random.default_rng(0)
    >>> sigs = rng.integers(0, 2**32, size=(3, 128), dtype=np.uint32)
    >>> sigs[2, :100] = sigs[0, :100]  # row 2 agrees with row 0 on 100 of 128 slots
    >>> index = LSHIndex.for_threshold(0.7, num_perm=128)
    >>> index.insert(["a", "b", "c"], sigs)
    >>> index.candidate_pairs().tolist()
    [[0, 2]]
    >>> [ids.tolist() for ids in index.query(sigs[2:])]
    [['a', 'c']]
    """

    __slots__ = (
        "_config", "_id_kind", "_ids_cache", "_minhash_config", "_minhash_fingerprint", "_runs", "_unicode_version"
    )

    def __init__(self, *, num_bands: int, rows_per_band: int, num_perm: int = 128, threshold: float = 0.8) -> None:
        self._config = LSHConfig(
            num_perm=num_perm, num_bands=num_bands, rows_per_band=rows_per_band, threshold=threshold
        )
        self._runs: list[_Run] = []
        self._minhash_config: MinHashConfig | None = None
        self._minhash_fingerprint: str | None = None
        self._unicode_version: str | None = None
        self._id_kind: DocIdKind | None = None
        self._ids_cache: NDArray[Any] | None = None

    @classmethod
    def from_config(cls, config: LSHConfig) -> LSHIndex:
        """Create an empty index with the plan and threshold of ``config``."""
        if not isinstance(config, LSHConfig):
            raise TypeError(f"config must be an LSHConfig (got {type(config).__name__})")
        return cls(
            num_bands=config.num_bands,
            rows_per_band=config.rows_per_band,
            num_perm=config.num_perm,
            threshold=config.threshold,
        )

    @classmethod
    def for_threshold(
        cls,
        threshold: float,
        num_perm: int = 128,
        *,
        candidate_threshold: float | None = None,
        false_positive_weight: float = 0.5,
        false_negative_weight: float = 0.5,
    ) -> LSHIndex:
        """Create an empty index that finds pairs of estimated Jaccard similarity >= ``threshold``.

        The bands follow :func:`optimal_band_plan` at ``candidate_threshold``, which defaults to
        :func:`default_candidate_threshold` (0.58 for 0.8 and 128 slots: 21 bands of 6 slots,
        candidate probability 0.998 at 0.8 and 0.99999+ at 0.9); :meth:`similar_pairs` then keeps
        the candidates whose estimate reaches ``threshold``.

        Args:
            threshold: estimated Jaccard similarity to keep, in ``(0, 1]``.
            num_perm: signature slots, 2 to 8192.
            candidate_threshold: similarity to band at, at most ``threshold``; lower finds more
                pairs near ``threshold`` at the cost of more candidates to verify.
            false_positive_weight: weight of the false-positive area in the plan search.
            false_negative_weight: weight of the false-negative area in the plan search.

        Raises:
            ConfigError: a value is out of range.
            TypeError: a value has the wrong type.

        >>> LSHIndex.for_threshold(0.8, num_perm=128).config
        LSHConfig(num_perm=128, num_bands=21, rows_per_band=6, threshold=0.8)
        """
        t = _check_unit("threshold", threshold)
        if t == 0.0:
            raise ConfigError("threshold must be in (0, 1] (got 0.0)")
        weights = {
            "false_positive_weight": false_positive_weight,
            "false_negative_weight": false_negative_weight,
        }
        if candidate_threshold is None:
            banded_at = default_candidate_threshold(t, num_perm, **weights)
        else:
            banded_at = _check_unit("candidate_threshold", candidate_threshold)
            if banded_at > t:
                raise ConfigError(
                    f"candidate_threshold must not exceed threshold={t!r} (got {candidate_threshold!r}); "
                    "banding above the threshold loses pairs that verification would keep"
                )
        num_bands, rows_per_band = optimal_band_plan(banded_at, num_perm, **weights)
        return cls(num_bands=num_bands, rows_per_band=rows_per_band, num_perm=num_perm, threshold=t)

    # -- properties -------------------------------------------------------------------------

    @property
    def config(self) -> LSHConfig:
        """The band plan and verification threshold."""
        return self._config

    @property
    def num_bands(self) -> int:
        """Bands per signature."""
        return self._config.num_bands

    @property
    def rows_per_band(self) -> int:
        """Signature slots per band."""
        return self._config.rows_per_band

    @property
    def num_perm(self) -> int:
        """Signature slots the index expects."""
        return self._config.num_perm

    @property
    def threshold(self) -> float:
        """Estimated Jaccard similarity that :meth:`similar_pairs` keeps."""
        return self._config.threshold

    @property
    def minhash_config(self) -> MinHashConfig | None:
        """Config of the inserted signatures, when they carried one."""
        return self._minhash_config

    @property
    def minhash_fingerprint(self) -> str | None:
        """Fingerprint of the inserted signatures' config, when known."""
        return self._minhash_fingerprint

    @property
    def unicode_version(self) -> str | None:
        """Unicode database version under which the inserted signatures were made, when known.

        Signatures made under another version (another Python) are refused by :meth:`insert` and
        :meth:`query_pairs`: normalization and the word classes may differ between versions.
        """
        return self._unicode_version

    def __len__(self) -> int:
        return sum(run.size for run in self._runs)

    def __repr__(self) -> str:
        return (
            f"LSHIndex(num_bands={self.num_bands}, rows_per_band={self.rows_per_band}, "
            f"num_perm={self.num_perm}, threshold={self.threshold!r}, docs={len(self)})"
        )

    @property
    def nbytes(self) -> int:
        """Bytes held in arrays: signatures, band keys and rows, doc ids and their sort order."""
        return sum(run.nbytes for run in self._runs)

    @property
    def doc_ids(self) -> NDArray[Any]:
        """The ids of all rows, ``(n,)`` int64 or unicode, in row order (read-only)."""
        if self._ids_cache is None:
            if not self._runs:
                ids = np.empty(0, dtype=np.int64)
            elif len(self._runs) == 1:
                ids = self._runs[0].doc_ids.view()
            else:
                ids = np.concatenate([run.doc_ids for run in self._runs])
            ids.flags.writeable = False
            self._ids_cache = ids
        return self._ids_cache

    @property
    def signatures(self) -> SignatureMatrix:
        """All signatures, ``(n, num_perm)`` uint32, in row order (read-only view)."""
        run = self._consolidated()
        if run is None:
            return np.empty((0, self.num_perm), dtype=np.uint32)
        view: SignatureMatrix = run.signatures.view()
        view.flags.writeable = False
        return view

    # -- insertion --------------------------------------------------------------------------

    def _check_minhash(self, signatures: object, what: str) -> tuple[MinHashConfig | None, str | None]:
        config = getattr(signatures, "config", None)
        if not isinstance(config, MinHashConfig):
            return None, None
        if config.num_perm != self.num_perm:
            raise IncompatibleSignaturesError(
                f"{what}: signatures were made with num_perm={config.num_perm} ({config.fingerprint()}) "
                f"but the index expects num_perm={self.num_perm}"
            )
        check_compatible(what, self._minhash_config, config)
        fingerprint = config.fingerprint()
        if self._minhash_fingerprint is not None and self._minhash_fingerprint != fingerprint:
            if self._unicode_version not in (None, UNICODE_VERSION):
                raise IncompatibleSignaturesError(
                    f"{what}: the index holds signatures made under Unicode {self._unicode_version} "
                    f"(Python's unicodedata), this Python has Unicode {UNICODE_VERSION}: normalization and "
                    "word classes may differ, so the signatures cannot be mixed; use a Python with Unicode "
                    f"{self._unicode_version} or rebuild the index"
                )
            if self._unicode_version is None and self._minhash_fingerprint == _legacy_fingerprint(config):
                raise IncompatibleSignaturesError(
                    f"{what}: the index was saved by a dedupe that did not record the Unicode database "
                    "version of its signatures, so they cannot be safely mixed with new ones; rebuild the index"
                )
            raise IncompatibleSignaturesError(
                f"{what}: signatures made with different settings cannot be compared: "
                f"{self._minhash_fingerprint} (index) vs {fingerprint} ({config.describe()})"
            )
        return config, fingerprint

    def insert(self, doc_ids: Sequence[str] | Sequence[int] | NDArray[Any], signatures: SignatureMatrix) -> None:
        """Add a batch of documents; row ``len(self) + i`` gets ``doc_ids[i]`` and ``signatures[i]``.

        The batch is all or nothing: nothing is added when any check fails.

        Args:
            doc_ids: ``n`` unique ids, all str or all int (stored as int64).
            signatures: ``(n, num_perm)`` uint32 MinHash signatures. A ``.config`` attribute
                (:class:`~dedupe.config.MinHashConfig`) is checked against earlier batches.

        Raises:
            InputError: an id repeats within the batch or is already in the index (``doc_id`` names it).
            IncompatibleSignaturesError: the signatures' config differs from earlier batches'.
            ConfigError: wrong shape, or lengths of ``doc_ids`` and ``signatures`` differ.
            TypeError: wrong dtype, or ids of mixed or unsupported types.
        """
        sigs = _check_signature_matrix(signatures, self.num_perm)
        config, fingerprint = self._check_minhash(signatures, "LSHIndex.insert")
        ids, kind = _as_doc_ids(doc_ids)
        if ids.shape[0] != sigs.shape[0]:
            raise ConfigError(
                f"doc_ids and signatures must have the same length "
                f"(got {ids.shape[0]} ids and {sigs.shape[0]} signatures)"
            )
        if kind is None:
            if config is not None and self._minhash_config is None:
                # An empty first batch still fixes the settings, so later batches can be checked
                # (and the CLI can sign them): an empty index is not a dead one.
                self._minhash_config, self._minhash_fingerprint = config, fingerprint
                self._unicode_version = UNICODE_VERSION
            return
        if self._id_kind is not None and kind != self._id_kind:
            raise TypeError(f"doc_ids must be {self._id_kind} like the ids already in the index (got {kind})")
        row_start = len(self)
        if row_start + ids.shape[0] > MAX_DOCS:
            raise ConfigError(f"an LSHIndex holds at most {MAX_DOCS:,} documents (got {row_start + ids.shape[0]:,})")
        id_order = np.argsort(ids, kind="stable")
        duplicate = _first_duplicate(ids[id_order])
        if duplicate is not None:
            raise InputError(
                f"doc_ids: id {duplicate!r} appears more than once in this batch; ids must be unique",
                doc_id=str(duplicate),
                reason="duplicate_id",
            )
        self._check_new_ids(ids)
        # The index keeps its own copy: later edits of the caller's array must not break the band keys.
        own = np.array(sigs, dtype=np.uint32, order="C", copy=True)
        run = _make_run(row_start, own, ids, id_order.astype(np.uint32), self.num_bands, self.rows_per_band)
        self._runs.append(run)
        self._ids_cache = None
        self._id_kind = kind
        if config is not None:
            self._minhash_config, self._minhash_fingerprint = config, fingerprint
            self._unicode_version = UNICODE_VERSION
        while len(self._runs) >= 2 and self._runs[-2].size <= 2 * self._runs[-1].size:
            self._runs[-2:] = [_merge_runs(self._runs[-2:])]

    def _check_new_ids(self, ids: NDArray[Any]) -> None:
        for run in self._runs:
            pos = np.searchsorted(run.doc_ids, ids, sorter=run.id_order)
            inside = pos < run.size
            found = np.zeros(ids.shape[0], dtype=bool)
            found[inside] = run.doc_ids[run.id_order[pos[inside]]] == ids[inside]
            if found.any():
                first = int(np.flatnonzero(found)[0])
                existing = int(run.id_order[pos[first]]) + run.row_start
                duplicate = ids[first].item()
                raise InputError(
                    f"doc_ids[{first}]: id {duplicate!r} is already in the index (row {existing}); ids must be unique",
                    doc_id=str(duplicate),
                    reason="duplicate_id",
                )

    def _consolidated(self) -> _Run | None:
        if not self._runs:
            return None
        if len(self._runs) > 1:
            self._runs = [_merge_runs(self._runs)]
            self._ids_cache = None
        return self._runs[0]

    # -- queries ----------------------------------------------------------------------------

    def query_pairs(self, signatures: SignatureMatrix) -> IntArray:
        """Find the candidates of every query signature.

        Args:
            signatures: ``(q, num_perm)`` uint32 signatures (not inserted by this call).

        Returns:
            ``(k, 2)`` int64 array of ``(query_row, row)``, sorted and without repeats: ``row``
            shares at least one band with query ``query_row``.

        Raises:
            IncompatibleSignaturesError: the signatures' config differs from the index's.
            ConfigError: wrong shape. TypeError: wrong dtype.
        """
        sigs = _check_signature_matrix(signatures, self.num_perm)
        self._check_minhash(signatures, "LSHIndex.query")
        n = len(self)
        q = sigs.shape[0]
        if q == 0 or n == 0:
            return np.empty((0, 2), dtype=np.int64)
        if q * n >= 2**64:  # pairs are packed as query_row * n + row in a uint64
            raise ConfigError(f"query at most {(2**64 - 1) // n:,} signatures at a time (got {q:,})")
        query_keys = _band_keys(sigs, self.num_bands, self.rows_per_band)
        codes: list[NDArray[np.uint64]] = []
        query_rows = np.arange(q, dtype=np.int64)
        for run in self._runs:
            for band in range(self.num_bands):
                keys = run.keys[band]
                low = np.searchsorted(keys, query_keys[band], side="left")
                counts = np.searchsorted(keys, query_keys[band], side="right") - low
                total = int(counts.sum())
                if total == 0:
                    continue
                firsts = np.cumsum(counts) - counts
                positions = np.repeat(low - firsts, counts) + np.arange(total)
                hit_rows = run.rows[band][positions].astype(np.int64)
                codes.append(_pack_pairs(np.repeat(query_rows, counts), hit_rows, n))
        if not codes:
            return np.empty((0, 2), dtype=np.int64)
        return _unpack_pairs(_sorted_unique(np.concatenate(codes)), n)

    def query(self, signatures: SignatureMatrix) -> list[NDArray[Any]]:
        """Return, for every query signature, the ids of its candidates in row order.

        Args:
            signatures: ``(q, num_perm)`` uint32 signatures.

        Returns:
            A list of ``q`` arrays of doc ids (int64 or unicode, like the inserted ids).
        """
        pairs = self.query_pairs(signatures)
        q = int(signatures.shape[0])
        if q == 0:
            return []
        hits = self.doc_ids[pairs[:, 1]]
        bounds = np.cumsum(np.bincount(pairs[:, 0], minlength=q))[:-1]
        return np.split(hits, bounds)

    def candidate_pairs(self, *, star_above: int | None = _DEFAULT_STAR_ABOVE) -> IntArray:
        """Return every pair of rows that share a bucket in at least one band.

        A bucket of ``m <= star_above`` rows contributes all ``m * (m - 1) / 2`` pairs. A bigger bucket
        contributes only the ``m - 1`` *star edges* joining each member to the bucket's smallest
        row, which keeps the output linear in ``n`` on giant buckets (templates, empty pages) and
        is enough for connected components. Verification then drops a star edge whose centre is
        an unrelated document, and pairs between other members of that bucket are found only
        through other bands; pass ``star_above=None`` to get all pairs in every bucket.

        Args:
            star_above: largest bucket that yields all its pairs; ``None`` for no limit.

        Returns:
            ``(k, 2)`` int64 array of rows ``(i, j)`` with ``i < j``, sorted, without repeats.
        """
        if star_above is not None:
            if isinstance(star_above, bool) or not isinstance(star_above, int):
                raise TypeError(f"star_above must be an int or None (got {type(star_above).__name__})")
            if star_above < 1:
                raise ConfigError(f"star_above must be at least 1 (got {star_above!r})")
        run = self._consolidated()
        if run is None or run.size < 2:
            return np.empty((0, 2), dtype=np.int64)
        n = run.size
        codes: list[NDArray[np.uint64]] = []
        for band in range(self.num_bands):
            left, right = _bucket_pairs(run.keys[band], run.rows[band], star_above)
            if left.size:
                codes.append(_sorted_unique(_pack_pairs(left, right, n)))
        if not codes:
            return np.empty((0, 2), dtype=np.int64)
        return _unpack_pairs(_sorted_unique(np.concatenate(codes)), n)

    def similar_pairs(
        self, threshold: float | None = None, *, star_above: int | None = _DEFAULT_STAR_ABOVE
    ) -> tuple[IntArray, NDArray[np.float64]]:
        """Return the candidate pairs whose estimated Jaccard similarity reaches ``threshold``.

        :meth:`candidate_pairs` followed by :func:`dedupe.clusters.verify_pairs`.

        Args:
            threshold: defaults to the index's :attr:`threshold`.
            star_above: passed to :meth:`candidate_pairs`.

        Returns:
            ``(pairs, similarities)``: ``(k, 2)`` int64 rows ``(i, j)``, ``i < j``, and ``(k,)`` float64.
        """
        limit = self.threshold if threshold is None else threshold
        return verify_pairs(self.signatures, self.candidate_pairs(star_above=star_above), limit)

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: PathLike) -> None:
        """Write the index to the directory ``path`` (created if needed).

        The directory holds ``manifest.json`` (format version, dedupe version, configs and their
        fingerprints, counts) and one ``.npy`` file per array, saved without pickle. The manifest
        is written last, so an interrupted save leaves no loadable index behind.
        """
        from . import __version__

        run = self._consolidated()
        n = 0 if run is None else run.size
        arrays: dict[str, NDArray[Any]] = {
            "signatures": np.empty((0, self.num_perm), np.uint32) if run is None else run.signatures,
            "doc_ids": np.empty(0, np.int64) if run is None else run.doc_ids,
            "band_keys": np.empty((self.num_bands, 0), np.uint64) if run is None else run.keys,
            "band_rows": np.empty((self.num_bands, 0), np.uint32) if run is None else run.rows,
        }
        manifest = {
            "format": _FORMAT_NAME,
            "format_version": INDEX_FORMAT_VERSION,
            "dedupe_version": __version__,
            "band_key_scheme": BAND_KEY_SCHEME,
            "lsh_config": {
                "num_perm": self.num_perm,
                "num_bands": self.num_bands,
                "rows_per_band": self.rows_per_band,
                "threshold": self.threshold,
            },
            "lsh_fingerprint": self._config.fingerprint(),
            "minhash_fingerprint": self._minhash_fingerprint,
            "minhash_config": None if self._minhash_config is None else self._minhash_config.as_dict(),
            "unicode_version": self._unicode_version,
            "num_docs": n,
            "doc_id_kind": self._id_kind,
        }
        save_directory(Path(path), manifest, arrays, _ARRAY_FILES, what="LSHIndex")

    @classmethod
    def load(cls, path: PathLike) -> LSHIndex:
        """Read an index written by :meth:`save`, checking every file.

        Raises:
            FileNotFoundError: ``path`` is not a directory.
            CorruptFileError: the manifest or an array is missing, unreadable, truncated, of another
                format version, or inconsistent with the others; the message names the file.
        """
        directory = Path(path)
        if not directory.is_dir():
            raise FileNotFoundError(f"no saved LSHIndex at {directory}: not a directory")
        manifest_path = directory / MANIFEST
        manifest = _read_manifest(manifest_path)
        config = _manifest_lsh_config(manifest, manifest_path)
        n = _field(manifest, manifest_path, "num_docs", int)
        if n < 0 or n > MAX_DOCS:
            raise CorruptFileError(f"{manifest_path}: num_docs must be in [0, {MAX_DOCS}] (got {n})")
        kind = manifest.get("doc_id_kind")
        if kind not in ("int", "str", None) or (kind is None) != (n == 0):
            raise CorruptFileError(f"{manifest_path}: doc_id_kind {kind!r} does not fit num_docs={n}")
        fingerprint = manifest.get("minhash_fingerprint")
        if fingerprint is not None and not isinstance(fingerprint, str):
            raise CorruptFileError(f"{manifest_path}: minhash_fingerprint must be a string or null")
        unicode_version = manifest.get("unicode_version")
        if unicode_version is not None and not isinstance(unicode_version, str):
            raise CorruptFileError(f"{manifest_path}: unicode_version must be a string or null")
        minhash = _manifest_minhash_config(manifest.get("minhash_config"), fingerprint, unicode_version, manifest_path)

        b, p = config.num_bands, config.num_perm
        signatures = _load_array(directory, "signatures", np.dtype(np.uint32), (n, p))
        id_dtype = np.dtype(np.int64) if kind != "str" else None
        doc_ids = _load_array(directory, "doc_ids", id_dtype, (n,))
        keys = _load_array(directory, "band_keys", np.dtype(np.uint64), (b, n))
        rows = _load_array(directory, "band_rows", np.dtype(np.uint32), (b, n))
        _check_loaded_bands(directory, signatures, keys, rows, config)
        id_order = np.argsort(doc_ids, kind="stable")
        duplicate = _first_duplicate(doc_ids[id_order])
        if duplicate is not None:
            raise CorruptFileError(f"{directory / _ARRAY_FILES['doc_ids']}: id {duplicate!r} appears twice")

        index = cls.from_config(config)
        index._minhash_config = minhash
        index._minhash_fingerprint = fingerprint
        index._unicode_version = unicode_version
        if n:
            index._id_kind = "str" if kind == "str" else "int"
            index._runs = [_Run(0, signatures, doc_ids, id_order.astype(np.uint32), keys, rows)]
        return index


# ---------------------------------------------------------------------------------------------
# Loading helpers


def _read_manifest(manifest_path: Path) -> dict[str, Any]:
    manifest = read_manifest(manifest_path, "LSHIndex")
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
        raise CorruptFileError(f"{manifest_path}: not an LSHIndex manifest (expected format {_FORMAT_NAME!r})")
    version = manifest.get("format_version")
    if version != INDEX_FORMAT_VERSION:
        raise CorruptFileError(
            f"{manifest_path}: format version {version!r} is not supported "
            f"(this dedupe reads version {INDEX_FORMAT_VERSION}); rebuild the index with this version"
        )
    if manifest.get("band_key_scheme") != BAND_KEY_SCHEME:
        raise CorruptFileError(
            f"{manifest_path}: band_key_scheme {manifest.get('band_key_scheme')!r} is not {BAND_KEY_SCHEME!r}"
        )
    return manifest


def _field(manifest: dict[str, Any], manifest_path: Path, key: str, kind: type[int]) -> int:
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise CorruptFileError(f"{manifest_path}: field {key!r} must be an {kind.__name__} (got {value!r})")
    return value


def _manifest_lsh_config(manifest: dict[str, Any], manifest_path: Path) -> LSHConfig:
    raw = manifest.get("lsh_config")
    if not isinstance(raw, dict) or set(raw) != {"num_perm", "num_bands", "rows_per_band", "threshold"}:
        raise CorruptFileError(
            f"{manifest_path}: lsh_config must hold num_perm, num_bands, rows_per_band and threshold"
        )
    try:
        config = LSHConfig(**raw)
    except (TypeError, ConfigError) as exc:
        raise CorruptFileError(f"{manifest_path}: invalid lsh_config ({exc})") from exc
    if manifest.get("lsh_fingerprint") != config.fingerprint():
        raise CorruptFileError(
            f"{manifest_path}: lsh_fingerprint {manifest.get('lsh_fingerprint')!r} does not match "
            f"lsh_config ({config.fingerprint()})"
        )
    return config


def _manifest_minhash_config(
    raw: object, fingerprint: str | None, unicode_version: str | None, manifest_path: Path
) -> MinHashConfig | None:
    """Rebuild the MinHashConfig; None only for an index that never saw signatures with a config.

    Raises:
        CorruptFileError: the config is invalid, or does not give the recorded fingerprint (under the
            recorded Unicode version): the manifest was edited or damaged.
    """
    if raw is None and fingerprint is None:
        return None
    if not isinstance(raw, dict) or fingerprint is None:
        raise CorruptFileError(
            f"{manifest_path}: minhash_config and minhash_fingerprint must both be set or both be null"
        )
    try:
        shingle = raw.get("shingle")
        if not isinstance(shingle, dict):
            raise TypeError("'shingle' must be an object")
        fields = {key: value for key, value in raw.items() if key != "shingle"}
        config = MinHashConfig(**fields, shingle=ShingleConfig(**shingle))
    except (TypeError, ValueError) as exc:
        raise CorruptFileError(f"{manifest_path}: invalid minhash_config ({exc})") from exc
    # Indexes saved before the Unicode version was recorded carry the fingerprint without it.
    expected = (
        config.fingerprint(unicode_version=unicode_version)
        if unicode_version is not None
        else _legacy_fingerprint(config)
    )
    if expected != fingerprint:
        raise CorruptFileError(
            f"{manifest_path}: minhash_config ({config.describe(unicode_version=unicode_version or '?')}) "
            f"does not give the recorded minhash_fingerprint {fingerprint!r} (it gives {expected!r}); "
            "the manifest was edited or damaged; restore it or rebuild the index"
        )
    return config


def _legacy_fingerprint(config: MinHashConfig) -> str:
    """The fingerprint of ``config`` as dedupe computed it before it named the Unicode version."""
    import hashlib

    from .config import FORMAT_VERSION

    line = (
        f"{config.algorithm};num_perm={config.num_perm};seed={config.seed};"
        f"{config.shingle.describe()};v{FORMAT_VERSION}"
    )
    return f"minhash-v{FORMAT_VERSION}:{hashlib.sha256(line.encode('utf-8')).hexdigest()[:12]}"


def _load_array(directory: Path, name: str, dtype: np.dtype[Any] | None, shape: tuple[int, ...]) -> NDArray[Any]:
    """Load one array; ``dtype=None`` accepts any unicode dtype."""
    path = directory / _ARRAY_FILES[name]
    array = load_npy(path)
    dtype_ok = array.dtype.kind == "U" if dtype is None else array.dtype == dtype
    if not dtype_ok or array.shape != shape:
        expected = "unicode" if dtype is None else str(dtype)
        raise CorruptFileError(f"{path}: expected {expected} array of shape {shape} (got {array.dtype} {array.shape})")
    return array


def _check_loaded_bands(
    directory: Path, signatures: SignatureMatrix, keys: KeyArray, rows: NDArray[np.uint32], config: LSHConfig
) -> None:
    keys_path = directory / _ARRAY_FILES["band_keys"]
    rows_path = directory / _ARRAY_FILES["band_rows"]
    n = signatures.shape[0]
    if n == 0:
        return
    if not bool(np.all(keys[:, 1:] >= keys[:, :-1])):
        raise CorruptFileError(f"{keys_path}: keys are not sorted within each band")
    seen = np.zeros(n, dtype=bool)
    for band in range(config.num_bands):
        if int(rows[band].max()) >= n:
            raise CorruptFileError(f"{rows_path}: band {band} holds a row outside [0, {n})")
        seen[:] = False
        seen[rows[band]] = True
        if not seen.all():
            raise CorruptFileError(f"{rows_path}: band {band} does not hold every row exactly once")
        sample = rows[band, :8]
        expected = _band_keys(signatures[sample], config.num_bands, config.rows_per_band)[band]
        if not np.array_equal(expected, keys[band, :8]):
            raise CorruptFileError(
                f"{keys_path}: band {band} keys do not match the signatures in {directory / _ARRAY_FILES['signatures']}"
            )
