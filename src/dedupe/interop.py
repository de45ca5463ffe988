"""Conversion between dedupe signatures and datasketch (2.x) ``LeanMinHash`` objects.

What can cross over, and why:

* **dedupe → datasketch** (:func:`to_datasketch`): a dedupe signature becomes a ``LeanMinHash``
  with ``scheme="affine32"`` (the datasketch scheme whose values are 32-bit) and a *seed marker*
  derived from the dedupe config fingerprint. Such sketches work in datasketch's ``MinHashLSH``,
  ``jaccard`` and serialization, against each other.
* **datasketch → dedupe** (:func:`from_datasketch`): only sketches made by :func:`to_datasketch`
  with the same config. A sketch that datasketch computed itself cannot be converted: datasketch
  applies ``num_perm`` independent affine permutations to its own hash of each shingle
  ("affine32", "affine64" or "legacy" schemes), while dedupe uses one-permutation hashing with
  optimal densification over its own shingle hash ("oph-od"). The values of the two schemes do not
  estimate the same thing slot by slot, so comparing them would give meaningless similarities.
  Such a conversion raises :class:`~dedupe.errors.IncompatibleSignaturesError`.

datasketch itself refuses to compare a marked sketch with a native one, because their seeds differ.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .config import MinHashConfig
from .errors import ConfigError, IncompatibleSignaturesError
from .minhash import MinHasher, SignatureArray

if TYPE_CHECKING:
    from datasketch import LeanMinHash

__all__ = ["DATASKETCH_SCHEME", "datasketch_seed", "from_datasketch", "to_datasketch"]

#: The datasketch scheme label under which dedupe signatures travel (32-bit values).
DATASKETCH_SCHEME = "affine32"
_MARKER = 0x0DED << 40


def datasketch_seed(config: MinHashConfig) -> int:
    """The datasketch ``seed`` that marks sketches exported from signatures made with ``config``."""
    return _MARKER | zlib.crc32(config.fingerprint().encode("ascii"))


def to_datasketch(signatures: NDArray[np.uint32], config: MinHashConfig | MinHasher | None = None) -> Any:
    """Wrap dedupe signatures as datasketch ``LeanMinHash`` objects.

    Args:
        signatures: one ``(num_perm,)`` signature or a ``(n, num_perm)`` array, normally a
            :class:`~dedupe.minhash.SignatureArray` (which carries its config).
        config: the config (or the :class:`~dedupe.minhash.MinHasher` that made the signatures),
            required only for a plain array.

    Returns:
        One ``LeanMinHash`` for a 1-D input, else a list of them.

    Raises:
        ConfigError: if the config is unknown.
    """
    from datasketch import LeanMinHash

    if isinstance(config, MinHasher):
        config = config.config
    if config is not None and not isinstance(config, MinHashConfig):
        raise TypeError(
            f"config must be a MinHashConfig or a MinHasher (got {type(config).__name__}); "
            "pass hasher.config or the hasher itself"
        )
    config = config or getattr(signatures, "config", None)
    if config is None:
        raise ConfigError("to_datasketch needs the MinHashConfig of a plain array: pass config=...")
    values = np.asarray(signatures, dtype=np.uint32)
    if values.shape[-1] != config.num_perm:
        raise ConfigError(f"signatures have {values.shape[-1]} slots; config has num_perm={config.num_perm}")
    seed = datasketch_seed(config)

    def one(row: NDArray[np.uint32]) -> LeanMinHash:
        return LeanMinHash(seed=seed, hashvalues=row.astype(np.uint64), scheme=DATASKETCH_SCHEME)

    if values.ndim == 1:
        return one(values)
    return [one(row) for row in values]


def from_datasketch(minhash: Any, config: MinHashConfig) -> SignatureArray:
    """Turn a ``MinHash``/``LeanMinHash`` made by :func:`to_datasketch` back into a signature.

    Raises:
        IncompatibleSignaturesError: for a sketch that datasketch computed itself (another scheme),
            or one exported with another config.
        TypeError: if ``minhash`` is not a datasketch sketch.
    """
    if not hasattr(minhash, "hashvalues") or not hasattr(minhash, "seed"):
        raise TypeError(f"minhash must be a datasketch MinHash or LeanMinHash (got {type(minhash).__name__})")
    scheme = getattr(minhash, "scheme", "legacy")
    expected = datasketch_seed(config)
    if minhash.seed != expected or scheme != DATASKETCH_SCHEME:
        raise IncompatibleSignaturesError(
            f"this datasketch sketch (scheme={scheme!r}, seed={minhash.seed}) was not exported from dedupe "
            f"signatures with {config.fingerprint()} (expected scheme={DATASKETCH_SCHEME!r}, seed={expected}); "
            "datasketch's own permutation schemes and dedupe's one-permutation scheme ('oph-od') give "
            "values that cannot be compared slot by slot: recompute the signature from the text"
        )
    values = np.asarray(minhash.hashvalues)
    if len(values) != config.num_perm:
        raise IncompatibleSignaturesError(f"the sketch has {len(values)} slots; config has num_perm={config.num_perm}")
    return SignatureArray(values.astype(np.uint32), config)
