"""The files of a saved :class:`~dedupe.lsh.LSHIndex`: format constants and checked loading.

A saved index is a directory: ``manifest.json`` (format name and version, dedupe version, band-key
scheme, configs and their fingerprints, counts) and one ``.npy`` file per array, without pickle.
:func:`read_index` checks every field and array against the others before an index is built from
them, so a damaged or edited directory raises :class:`~dedupe.errors.CorruptFileError` naming the
file instead of giving wrong pairs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._buckets import MAX_DOCS, Run, first_duplicate
from ._persist import MANIFEST, load_npy, read_manifest
from .banding import BAND_KEY_SCHEME, KeyArray, SignatureMatrix, band_keys
from .config import FORMAT_VERSION, LSHConfig, MinHashConfig, ShingleConfig
from .errors import ConfigError, CorruptFileError

__all__ = [
    "ARRAY_FILES",
    "FORMAT_NAME",
    "INDEX_FORMAT_VERSION",
    "DocIdKind",
    "SavedIndex",
    "legacy_fingerprint",
    "read_index",
]

DocIdKind = Literal["int", "str"]

#: Version of the on-disk index layout (manifest fields, array files and bucket-key hash).
INDEX_FORMAT_VERSION = 1
#: The manifest's ``format`` field.
FORMAT_NAME = "dedupe.LSHIndex"
#: File of each saved array.
ARRAY_FILES = {
    "signatures": "signatures.npy",
    "doc_ids": "doc_ids.npy",
    "band_keys": "band_keys.npy",
    "band_rows": "band_rows.npy",
}


@dataclass(frozen=True, slots=True)
class SavedIndex:
    """What :func:`read_index` found, checked: the configs, and the rows as one run (None when empty)."""

    config: LSHConfig
    minhash_config: MinHashConfig | None
    minhash_fingerprint: str | None
    unicode_version: str | None
    run: Run | None
    id_kind: DocIdKind | None


def read_index(directory: Path) -> SavedIndex:
    """Read and check the saved index in ``directory``.

    Raises:
        FileNotFoundError: ``directory`` is not a directory.
        CorruptFileError: the manifest or an array is missing, unreadable, truncated, of another
            format version, or inconsistent with the others; the message names the file.
    """
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
    duplicate = first_duplicate(doc_ids[id_order])
    if duplicate is not None:
        raise CorruptFileError(f"{directory / ARRAY_FILES['doc_ids']}: id {duplicate!r} appears twice")
    run = Run(0, signatures, doc_ids, id_order.astype(np.uint32), keys, rows) if n else None
    return SavedIndex(config, minhash, fingerprint, unicode_version, run, kind)


def _read_manifest(manifest_path: Path) -> dict[str, Any]:
    manifest = read_manifest(manifest_path, "LSHIndex")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise CorruptFileError(f"{manifest_path}: not an LSHIndex manifest (expected format {FORMAT_NAME!r})")
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
        else legacy_fingerprint(config)
    )
    if expected != fingerprint:
        raise CorruptFileError(
            f"{manifest_path}: minhash_config ({config.describe(unicode_version=unicode_version or '?')}) "
            f"does not give the recorded minhash_fingerprint {fingerprint!r} (it gives {expected!r}); "
            "the manifest was edited or damaged; restore it or rebuild the index"
        )
    return config


def legacy_fingerprint(config: MinHashConfig) -> str:
    """The fingerprint of ``config`` as dedupe computed it before it named the Unicode version."""
    line = (
        f"{config.algorithm};num_perm={config.num_perm};seed={config.seed};"
        f"{config.shingle.describe()};v{FORMAT_VERSION}"
    )
    return f"minhash-v{FORMAT_VERSION}:{hashlib.sha256(line.encode('utf-8')).hexdigest()[:12]}"


def _load_array(directory: Path, name: str, dtype: np.dtype[Any] | None, shape: tuple[int, ...]) -> NDArray[Any]:
    """Load one array; ``dtype=None`` accepts any unicode dtype."""
    path = directory / ARRAY_FILES[name]
    array = load_npy(path)
    dtype_ok = array.dtype.kind == "U" if dtype is None else array.dtype == dtype
    if not dtype_ok or array.shape != shape:
        expected = "unicode" if dtype is None else str(dtype)
        raise CorruptFileError(f"{path}: expected {expected} array of shape {shape} (got {array.dtype} {array.shape})")
    return array


def _check_loaded_bands(
    directory: Path, signatures: SignatureMatrix, keys: KeyArray, rows: NDArray[np.uint32], config: LSHConfig
) -> None:
    keys_path = directory / ARRAY_FILES["band_keys"]
    rows_path = directory / ARRAY_FILES["band_rows"]
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
        expected = band_keys(signatures[sample], config.num_bands, config.rows_per_band)[band]
        if not np.array_equal(expected, keys[band, :8]):
            raise CorruptFileError(
                f"{keys_path}: band {band} keys do not match the signatures in {directory / ARRAY_FILES['signatures']}"
            )
