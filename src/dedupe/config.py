"""Frozen configuration objects, their validation and their fingerprints.

Every array, index or model that dedupe makes carries the fingerprint of the config that made it;
mixing two different fingerprints raises :class:`~dedupe.errors.IncompatibleSignaturesError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Literal

from .errors import ConfigError, IncompatibleSignaturesError

__all__ = [
    "FORMAT_VERSION",
    "LSHConfig",
    "MinHashConfig",
    "ShingleConfig",
    "check_compatible",
    "check_int",
]

#: Version of the signature format: bumped whenever any hash value could change.
FORMAT_VERSION = 1

ShingleKind = Literal["word", "char"]


def check_int(name: str, value: object, *, low: int, high: int | None = None) -> int:
    """Return ``value`` if it is an int in ``[low, high]``; raise TypeError or ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{name} must be {bound} (got {value!r})")
    return value


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True, kw_only=True)
class ShingleConfig:
    """How text becomes shingle hashes.

    Args:
        kind: ``"word"`` n-grams of word tokens or ``"char"`` n-grams of normalized characters.
        ngram_size: tokens (or characters) per shingle, 1 to 64.
        mask_digits: replace every decimal digit by ``0`` before shingling.
        seed: seed of the 64-bit shingle hash, 0 to 2**32 - 1.
    """

    kind: ShingleKind = "word"
    ngram_size: int = 5
    mask_digits: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("word", "char"):
            raise ConfigError(f"kind must be 'word' or 'char' (got {self.kind!r})")
        check_int("ngram_size", self.ngram_size, low=1, high=64)
        if not isinstance(self.mask_digits, bool):
            raise TypeError(f"mask_digits must be a bool (got {type(self.mask_digits).__name__})")
        check_int("seed", self.seed, low=0, high=2**32 - 1)

    def describe(self) -> str:
        """One line naming every parameter, e.g. ``word5;nfkc-casefold;digits=keep;hseed=0``."""
        digits = "mask" if self.mask_digits else "keep"
        return f"{self.kind}{self.ngram_size};nfkc-casefold;digits={digits};hseed={self.seed}"

    def fingerprint(self) -> str:
        """Stable short id of this config (and of the shingle format version)."""
        return f"shingle-v{FORMAT_VERSION}:{_digest(self.describe())}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MinHashConfig:
    """How shingle hashes become MinHash signatures.

    Args:
        num_perm: signature slots, 2 to 8192.
        seed: seed of the permutation, 0 to 2**32 - 1.
        shingle: the shingling that feeds the signatures.
        algorithm: the scheme; only ``"oph-od"`` (one-permutation hashing with optimal
            densification, 32-bit values) is implemented.
    """

    num_perm: int = 128
    seed: int = 1
    shingle: ShingleConfig = field(default_factory=ShingleConfig)
    algorithm: Literal["oph-od"] = "oph-od"

    def __post_init__(self) -> None:
        check_int("num_perm", self.num_perm, low=2, high=8192)
        check_int("seed", self.seed, low=0, high=2**32 - 1)
        if not isinstance(self.shingle, ShingleConfig):
            raise TypeError(f"shingle must be a ShingleConfig (got {type(self.shingle).__name__})")
        if self.algorithm != "oph-od":
            raise ConfigError(f"algorithm must be 'oph-od' (got {self.algorithm!r})")

    def describe(self) -> str:
        """One line naming every parameter that changes a signature."""
        return (
            f"{self.algorithm};num_perm={self.num_perm};seed={self.seed};"
            f"{self.shingle.describe()};v{FORMAT_VERSION}"
        )

    def fingerprint(self) -> str:
        """Stable short id, e.g. ``minhash-v1:3f2a9c0e11b4``."""
        return f"minhash-v{FORMAT_VERSION}:{_digest(self.describe())}"

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict of the parameters."""
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "shingle"}
        out["shingle"] = {f.name: getattr(self.shingle, f.name) for f in fields(self.shingle)}
        return out


def check_compatible(what: str, a: MinHashConfig | None, b: MinHashConfig | None) -> None:
    """Raise IncompatibleSignaturesError if both configs are known and differ."""
    if a is not None and b is not None and a != b:
        raise IncompatibleSignaturesError(
            f"{what}: signatures made with different settings cannot be compared: "
            f"{a.fingerprint()} ({a.describe()}) vs {b.fingerprint()} ({b.describe()})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LSHConfig:
    """How MinHash signatures are banded into LSH buckets, and the similarity that verification keeps.

    A pair of documents becomes a candidate when all ``rows_per_band`` slots of at least one band
    agree; a candidate is kept when its estimated Jaccard similarity is at least ``threshold``.
    The defaults are the plan that ``LSHIndex.for_threshold(0.8, num_perm=128)`` chooses: 18 bands
    of 7 slots, which make a pair at similarity 0.8 a candidate with probability 0.986 (0.99999 at 0.9).

    Args:
        num_perm: signature slots the index expects, 2 to 8192.
        num_bands: bands per signature, at least 1.
        rows_per_band: signature slots per band, at least 1; ``num_bands * rows_per_band`` must not
            exceed ``num_perm`` (slots past the last band are not banded).
        threshold: estimated Jaccard similarity that verification keeps, in ``(0, 1]``.
    """

    num_perm: int = 128
    num_bands: int = 18
    rows_per_band: int = 7
    threshold: float = 0.8

    def __post_init__(self) -> None:
        check_int("num_perm", self.num_perm, low=2, high=8192)
        check_int("num_bands", self.num_bands, low=1)
        check_int("rows_per_band", self.rows_per_band, low=1)
        if self.num_bands * self.rows_per_band > self.num_perm:
            raise ConfigError(
                f"num_bands * rows_per_band must not exceed num_perm={self.num_perm} "
                f"(got {self.num_bands} * {self.rows_per_band} = {self.num_bands * self.rows_per_band}); "
                "use fewer bands or fewer rows per band"
            )
        if isinstance(self.threshold, bool) or not isinstance(self.threshold, (int, float)):
            raise TypeError(
                f"threshold must be a float (got {type(self.threshold).__name__}: {self.threshold!r})"
            )
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in (0, 1] (got {self.threshold!r})")
        object.__setattr__(self, "threshold", float(self.threshold))

    def describe(self) -> str:
        """One line naming every parameter, e.g. ``bands=18;rows=7;num_perm=128;threshold=0.8``."""
        return (
            f"bands={self.num_bands};rows={self.rows_per_band};num_perm={self.num_perm};"
            f"threshold={self.threshold!r}"
        )

    def fingerprint(self) -> str:
        """Stable short id, e.g. ``lsh-v1:0c1d2e3f4a5b``."""
        return f"lsh-v{FORMAT_VERSION}:{_digest(self.describe())}"
