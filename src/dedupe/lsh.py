"""The LSH index: banded MinHash signatures with candidate pairs, queries and persistence.

:class:`LSHIndex` bands signatures (:mod:`dedupe.banding`: the band plan and the band-key hash),
keeps every inserted batch as a sorted run of band keys (:mod:`dedupe._buckets`) and saves to and
loads from a checked directory (:mod:`dedupe._lsh_files`). Candidates are then *verified* on the
full signatures (:func:`dedupe.clusters.verify_pairs`), which removes the false positives that
banding lets through.

The band-plan functions and the kernel are re-exported here, so ``from dedupe.lsh import
candidate_probability`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._buckets import (
    DEFAULT_STAR_ABOVE,
    MAX_DOCS,
    Run,
    bucket_pairs,
    first_duplicate,
    make_run,
    merge_runs,
    pack_pairs,
    sorted_pairs,
    sorted_unique,
    unpack_pairs,
)
from ._lsh_files import ARRAY_FILES, FORMAT_NAME, INDEX_FORMAT_VERSION, DocIdKind, legacy_fingerprint, read_index
from ._persist import save_directory
from ._typing import IntArray, PathLike
from .banding import (
    BAND_KEY_SCHEME,
    MIN_CANDIDATE_PROBABILITY,
    SignatureMatrix,
    band_keys,
    candidate_probability,
    check_unit,
    default_candidate_threshold,
    optimal_band_plan,
)
from .clusters import verify_pairs
from .config import UNICODE_VERSION, LSHConfig, MinHashConfig, check_compatible
from .errors import ConfigError, IncompatibleSignaturesError, InputError

__all__ = [
    "BAND_KEY_SCHEME",
    "INDEX_FORMAT_VERSION",
    "MAX_DOCS",
    "MIN_CANDIDATE_PROBABILITY",
    "LSHIndex",
    "candidate_probability",
    "default_candidate_threshold",
    "optimal_band_plan",
]

# Names other modules import from here under their former private spelling.
_band_keys = band_keys
_bucket_pairs = bucket_pairs
_pack_pairs = pack_pairs
_sorted_unique = sorted_unique
_unpack_pairs = unpack_pairs
_DEFAULT_STAR_ABOVE = DEFAULT_STAR_ABOVE


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
        "_config",
        "_id_kind",
        "_ids_cache",
        "_minhash_config",
        "_minhash_fingerprint",
        "_runs",
        "_unicode_version",
    )

    def __init__(self, *, num_bands: int, rows_per_band: int, num_perm: int = 128, threshold: float = 0.8) -> None:
        self._config = LSHConfig(
            num_perm=num_perm, num_bands=num_bands, rows_per_band=rows_per_band, threshold=threshold
        )
        self._runs: list[Run] = []
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
        t = check_unit("threshold", threshold)
        if t == 0.0:
            raise ConfigError("threshold must be in (0, 1] (got 0.0)")
        weights = {
            "false_positive_weight": false_positive_weight,
            "false_negative_weight": false_negative_weight,
        }
        if candidate_threshold is None:
            banded_at = default_candidate_threshold(t, num_perm, **weights)
        else:
            banded_at = check_unit("candidate_threshold", candidate_threshold)
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
            if self._unicode_version is None and self._minhash_fingerprint == legacy_fingerprint(config):
                raise IncompatibleSignaturesError(
                    f"{what}: the index was saved by a dedupe that did not record the Unicode database "
                    "version of its signatures, so they cannot be safely mixed with new ones; rebuild the index"
                )
            raise IncompatibleSignaturesError(
                f"{what}: signatures made with different settings cannot be compared: "
                f"{self._minhash_fingerprint} (index) vs {fingerprint} ({config.describe()})"
            )
        return config, fingerprint

    def insert(
        self, doc_ids: Sequence[str] | Sequence[int] | NDArray[Any], signatures: SignatureMatrix, *, copy: bool = True
    ) -> None:
        """Add a batch of documents; row ``len(self) + i`` gets ``doc_ids[i]`` and ``signatures[i]``.

        The batch is all or nothing: nothing is added when any check fails.

        Args:
            doc_ids: ``n`` unique ids, all str or all int (stored as int64).
            signatures: ``(n, num_perm)`` uint32 MinHash signatures. A ``.config`` attribute
                (:class:`~dedupe.config.MinHashConfig`) is checked against earlier batches.
            copy: keep a copy of ``signatures`` (the default); False keeps a C-contiguous uint32
                array as it is (no copy of a large batch; the caller must not change it afterwards).

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
        duplicate = first_duplicate(ids[id_order])
        if duplicate is not None:
            raise InputError(
                f"doc_ids: id {duplicate!r} appears more than once in this batch; ids must be unique",
                doc_id=str(duplicate),
                reason="duplicate_id",
            )
        self._check_new_ids(ids)
        # The index keeps its own copy: later edits of the caller's array must not break the band keys.
        own = np.array(sigs, dtype=np.uint32, order="C", copy=True) if copy else np.ascontiguousarray(sigs, np.uint32)
        run = make_run(row_start, own, ids, id_order.astype(np.uint32), self.num_bands, self.rows_per_band)
        self._runs.append(run)
        self._ids_cache = None
        self._id_kind = kind
        if config is not None:
            self._minhash_config, self._minhash_fingerprint = config, fingerprint
            self._unicode_version = UNICODE_VERSION
        while len(self._runs) >= 2 and self._runs[-2].size <= 2 * self._runs[-1].size:
            self._runs[-2:] = [merge_runs(self._runs[-2:])]

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

    def _consolidated(self) -> Run | None:
        if not self._runs:
            return None
        if len(self._runs) > 1:
            self._runs = [merge_runs(self._runs)]
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
        query_keys = band_keys(sigs, self.num_bands, self.rows_per_band)
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
                codes.append(pack_pairs(np.repeat(query_rows, counts), hit_rows, n))
        if not codes:
            return np.empty((0, 2), dtype=np.int64)
        return unpack_pairs(sorted_unique(np.concatenate(codes)), n)

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

    def candidate_pairs(self, *, star_above: int | None = DEFAULT_STAR_ABOVE) -> IntArray:
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
        return sorted_pairs(run.keys, run.rows, run.size, star_above)

    def similar_pairs(
        self, threshold: float | None = None, *, star_above: int | None = DEFAULT_STAR_ABOVE
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
        from ._version import __version__

        run = self._consolidated()
        n = 0 if run is None else run.size
        arrays: dict[str, NDArray[Any]] = {
            "signatures": np.empty((0, self.num_perm), np.uint32) if run is None else run.signatures,
            "doc_ids": np.empty(0, np.int64) if run is None else run.doc_ids,
            "band_keys": np.empty((self.num_bands, 0), np.uint64) if run is None else run.keys,
            "band_rows": np.empty((self.num_bands, 0), np.uint32) if run is None else run.rows,
        }
        manifest = {
            "format": FORMAT_NAME,
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
        save_directory(Path(path), manifest, arrays, ARRAY_FILES, what="LSHIndex")

    @classmethod
    def load(cls, path: PathLike) -> LSHIndex:
        """Read an index written by :meth:`save`, checking every file.

        Raises:
            FileNotFoundError: ``path`` is not a directory.
            CorruptFileError: the manifest or an array is missing, unreadable, truncated, of another
                format version, or inconsistent with the others; the message names the file.
        """
        saved = read_index(Path(path))
        index = cls.from_config(saved.config)
        index._minhash_config = saved.minhash_config
        index._minhash_fingerprint = saved.minhash_fingerprint
        index._unicode_version = saved.unicode_version
        if saved.run is not None:
            index._id_kind = saved.id_kind
            index._runs = [saved.run]
        return index
