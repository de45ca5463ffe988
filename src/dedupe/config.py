"""Frozen configuration objects, their validation and their fingerprints.

Every array, index or model that dedupe makes carries the fingerprint of the config that made it;
mixing two different fingerprints raises :class:`~dedupe.errors.IncompatibleSignaturesError`.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, fields
from typing import Literal

from .errors import ConfigError, IncompatibleSignaturesError

__all__ = [
    "BATCH_SIZE",
    "FORMAT_VERSION",
    "UNICODE_VERSION",
    "BoilerplateConfig",
    "DuplicateConfig",
    "LSHConfig",
    "MinHashConfig",
    "ShingleConfig",
    "check_choice",
    "check_compatible",
    "check_fraction",
    "check_int",
]

#: Version of the signature format: bumped whenever any hash value could change.
FORMAT_VERSION = 1
#: Version of the Unicode database (Python's :mod:`unicodedata`) that normalization and the code
#: point classes come from; part of the signature fingerprint, since two versions can give two
#: signatures for one text.
UNICODE_VERSION = unicodedata.unidata_version

#: Records (documents, or pairs) per batch: the streaming passes of the pipeline and the blocks a
#: backend hands to one task. Results do not depend on it, except near-exact boilerplate grouping
#: (``BoilerplateConfig.near_threshold``), whose representatives are learned batch by batch.
BATCH_SIZE = 1000

ShingleKind = Literal["word", "char"]
ShingleScript = Literal["auto", "words"]
Similarity = Literal["jaccard", "containment"]
Keep = Literal["first", "longest"]
Verify = Literal["auto", "estimate", "exact"]


def check_int(name: str, value: object, *, low: int, high: int | None = None) -> int:
    """Return ``value`` if it is an int in ``[low, high]``; raise TypeError or ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (got {type(value).__name__}: {value!r})")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{name} must be {bound} (got {value!r})")
    return value


def check_fraction(name: str, value: object, *, low_open: bool) -> float:
    """Return ``value`` as a float in ``(0, 1]`` (``low_open``) or ``[0, 1]``; raise TypeError or ConfigError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a float (got {type(value).__name__}: {value!r})")
    if not (0.0 < value <= 1.0 if low_open else 0.0 <= value <= 1.0):
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ConfigError(f"{name} must be in {interval} (got {value!r})")
    return float(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    """Raise ConfigError naming ``name`` and the choices unless ``value`` is one of ``choices``."""
    if value not in choices:
        listed = " or ".join(f"{c!r}" for c in choices) if len(choices) == 2 else ", ".join(f"{c!r}" for c in choices)
        raise ConfigError(f"{name} must be {listed} (got {value!r})")


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
        script: word tokens in scripts written without spaces (Chinese, Japanese, Thai, Lao,
            Khmer, Burmese): ``"auto"`` cuts their runs into characters, each with its combining
            marks, and keeps every other run a whole word (see :mod:`dedupe.scripts`); ``"words"``
            keeps every run of word characters one token (the tokenizer before ``script`` existed;
            same hashes and fingerprint). Text without such characters shingles alike in both.
            Character shingles ignore it.
    """

    kind: ShingleKind = "word"
    ngram_size: int = 5
    mask_digits: bool = False
    seed: int = 0
    script: ShingleScript = "auto"

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, ("word", "char"))
        check_choice("script", self.script, ("auto", "words"))
        check_int("ngram_size", self.ngram_size, low=1, high=64)
        if not isinstance(self.mask_digits, bool):
            raise TypeError(f"mask_digits must be a bool (got {type(self.mask_digits).__name__})")
        check_int("seed", self.seed, low=0, high=2**32 - 1)

    def describe(self) -> str:
        """One line naming every parameter, e.g. ``word5;nfkc-casefold;digits=keep;hseed=0;unspaced=chars``."""
        digits = "mask" if self.mask_digits else "keep"
        line = f"{self.kind}{self.ngram_size};nfkc-casefold;digits={digits};hseed={self.seed}"
        # script="words" keeps the description (and fingerprint) of the tokenizer before the option.
        return line + ";unspaced=chars" if self.kind == "word" and self.script == "auto" else line

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
        check_choice("algorithm", self.algorithm, ("oph-od",))

    def describe(self, *, unicode_version: str = UNICODE_VERSION) -> str:
        """One line naming every parameter that changes a signature, the Unicode database version included."""
        return (
            f"{self.algorithm};num_perm={self.num_perm};seed={self.seed};"
            f"{self.shingle.describe()};v{FORMAT_VERSION};unicode={unicode_version}"
        )

    def fingerprint(self, *, unicode_version: str = UNICODE_VERSION) -> str:
        """Stable short id, e.g. ``minhash-v1:3f2a9c0e11b4``, for this Python's Unicode database
        (or for ``unicode_version``: the fingerprint the same config has under another Python)."""
        return f"minhash-v{FORMAT_VERSION}:{_digest(self.describe(unicode_version=unicode_version))}"

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
    The defaults are the plan that ``LSHIndex.for_threshold(0.8, num_perm=128)`` chooses: 21 bands
    of 6 slots, which make a pair at similarity 0.8 a candidate with probability 0.998 (0.99999+ at 0.9).

    Args:
        num_perm: signature slots the index expects, 2 to 8192.
        num_bands: bands per signature, at least 1.
        rows_per_band: signature slots per band, at least 1; ``num_bands * rows_per_band`` must not
            exceed ``num_perm`` (slots past the last band are not banded).
        threshold: estimated Jaccard similarity that verification keeps, in ``(0, 1]``.
    """

    num_perm: int = 128
    num_bands: int = 21
    rows_per_band: int = 6
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
        object.__setattr__(self, "threshold", check_fraction("threshold", self.threshold, low_open=True))

    def describe(self) -> str:
        """One line naming every parameter, e.g. ``bands=18;rows=7;num_perm=128;threshold=0.8``."""
        return (
            f"bands={self.num_bands};rows={self.rows_per_band};num_perm={self.num_perm};"
            f"threshold={self.threshold!r}"
        )

    def fingerprint(self) -> str:
        """Stable short id, e.g. ``lsh-v1:0c1d2e3f4a5b``."""
        return f"lsh-v{FORMAT_VERSION}:{_digest(self.describe())}"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoilerplateConfig:
    """What makes a line or block boilerplate, and how block counts are kept.

    A non-blank line is flagged when its normalized form (case, whitespace, indentation, digits) is
    repeated in its own document, frequent among the documents of its group, or a short line that
    many groups share (a stoplist learned from the corpus); runs, near repeats and two guards follow.
    The defaults are method E of ``design/boilerplate-probe.md`` (line F1 0.915 on real pages).

    Args:
        min_repeats: copies within one document that make a block ``repeated_in_document`` (>= 2).
        min_docs: documents (near-duplicate clusters) of the group that make a block
            ``frequent_across_documents`` (>= 2).
        min_doc_fraction: and at least this fraction of the group's documents, in ``[0, 1]``.
        long_words: guard 1: a line of at least this many words (or a run of lines repeated in
            their document that holds a sentence and this many words in all) ...
        long_min_count: ... needs this many copies in its document (a line: or documents in its group).
        heading_words: guard 2: a line seen exactly twice in its document and directly followed by
            an unflagged line of at least this many words is kept (a heading repeated in a table of
            contents); ``0`` disables the guard.
        stoplist_max_words: longest line (in words) that the learned stoplist may hold.
        stoplist_min_groups: a short line is ``stoplist`` boilerplate when at least this many *other*
            groups hold it; ``0`` disables the stoplist.
        run_max_gap: at most this many unflagged lines between two flagged lines of a document ...
        run_max_words: ... each of at most this many words, are flagged too (``run``); ``0`` disables.
        trim_words: a line of at most ``trim_max_words`` words that is a flagged block followed by
            punctuation and at most this many words ("Learn to use AI like a Pro. Learn More") is a
            ``near_repeat`` of it; ``0`` disables.
        trim_min_kept: fewest words the flagged block must have for that rule.
        trim_max_words: longest line (in words) for that rule.
        near_threshold: lines of at least ``near_min_words`` words whose Jaccard similarity over
            byte n-grams of their normalized text (MinHash estimate) reaches this are grouped as
            ``near_repeat``s; ``None`` (the default) is the exact path. 0.7 is a good value.
        near_min_words: fewest words of a line that takes part in near-exact grouping.
        near_num_perm: MinHash slots per block (a multiple of ``near_num_bands``).
        near_num_bands: LSH bands over those slots.
        near_ngram_size: bytes per shingle, 1 to 8.
        max_distinct_blocks: most (group, block) keys a model keeps; above it the keys with the
            lowest counts are pruned (counts stay exact lower bounds: a pruned block has to be seen
            again ``min_docs`` times).
        seed: seed of the line-key hash and of the MinHash permutation.
    """

    min_repeats: int = 2
    min_docs: int = 2
    min_doc_fraction: float = 0.05
    long_words: int = 30
    long_min_count: int = 3
    heading_words: int = 15
    stoplist_max_words: int = 5
    stoplist_min_groups: int = 3
    run_max_gap: int = 3
    run_max_words: int = 8
    trim_words: int = 3
    trim_min_kept: int = 4
    trim_max_words: int = 12
    near_threshold: float | None = None
    near_min_words: int = 10
    near_num_perm: int = 64
    near_num_bands: int = 16
    near_ngram_size: int = 5
    max_distinct_blocks: int = 50_000_000
    seed: int = 0
    unwrap: bool = True
    content_words: int = 6
    listing_min_rows: int = 4
    body_doc_fraction: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.unwrap, bool):
            raise TypeError(f"unwrap must be a bool (got {type(self.unwrap).__name__}: {self.unwrap!r})")
        check_int("content_words", self.content_words, low=0)
        check_int("listing_min_rows", self.listing_min_rows, low=2)
        check_fraction("body_doc_fraction", self.body_doc_fraction, low_open=False)
        object.__setattr__(self, "body_doc_fraction", float(self.body_doc_fraction))
        check_int("min_repeats", self.min_repeats, low=2)
        check_int("min_docs", self.min_docs, low=2)
        check_fraction("min_doc_fraction", self.min_doc_fraction, low_open=False)
        object.__setattr__(self, "min_doc_fraction", float(self.min_doc_fraction))
        check_int("long_words", self.long_words, low=1)
        check_int("long_min_count", self.long_min_count, low=2)
        check_int("heading_words", self.heading_words, low=0)
        check_int("stoplist_max_words", self.stoplist_max_words, low=1)
        check_int("stoplist_min_groups", self.stoplist_min_groups, low=0)
        check_int("run_max_gap", self.run_max_gap, low=0)
        check_int("run_max_words", self.run_max_words, low=0)
        check_int("trim_words", self.trim_words, low=0, high=16)
        check_int("trim_min_kept", self.trim_min_kept, low=1)
        check_int("trim_max_words", self.trim_max_words, low=1)
        if self.near_threshold is not None:
            check_fraction("near_threshold", self.near_threshold, low_open=True)
            object.__setattr__(self, "near_threshold", float(self.near_threshold))
        check_int("near_min_words", self.near_min_words, low=1)
        check_int("near_num_perm", self.near_num_perm, low=2, high=1024)
        check_int("near_num_bands", self.near_num_bands, low=1, high=self.near_num_perm)
        if self.near_num_perm % self.near_num_bands:
            raise ConfigError(
                f"near_num_perm={self.near_num_perm} must be a multiple of near_num_bands={self.near_num_bands}"
            )
        check_int("near_ngram_size", self.near_ngram_size, low=1, high=8)
        check_int("max_distinct_blocks", self.max_distinct_blocks, low=1)
        check_int("seed", self.seed, low=0, high=2**32 - 1)

    def describe(self) -> str:
        """One line naming every parameter, in field order."""
        return ";".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))

    def fingerprint(self) -> str:
        """Stable short id, e.g. ``boilerplate-v1:0c1d2e3f4a5b``."""
        return f"boilerplate-v{FORMAT_VERSION}:{_digest(self.describe())}"

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict of the parameters."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateConfig:
    """Which documents are duplicates, and which document of a cluster stays.

    Args:
        threshold: similarity at or above which two documents are near duplicates, in ``(0, 1]``.
        similarity: ``"jaccard"`` of the word-shingle sets, or ``"containment"`` of the shorter
            document's shingles in the longer one (see :mod:`dedupe.containment`).
        keep: ``"first"`` keeps the earliest document of a cluster, ``"longest"`` the longest.
        verify: ``"auto"``, ``"estimate"`` or ``"exact"`` (see :mod:`dedupe.duplicates`).
        exact_margin: with ``"auto"``, estimates this close to the threshold are checked exactly.
        minhash: the signatures (and, through ``minhash.shingle``, the shingles) compared.
    """

    threshold: float = 0.8
    similarity: Similarity = "jaccard"
    keep: Keep = "first"
    verify: Verify = "auto"
    exact_margin: float = 0.15
    minhash: MinHashConfig = field(default_factory=MinHashConfig)

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", check_fraction("threshold", self.threshold, low_open=True))
        check_choice("similarity", self.similarity, ("jaccard", "containment"))
        check_choice("keep", self.keep, ("first", "longest"))
        check_choice("verify", self.verify, ("auto", "estimate", "exact"))
        object.__setattr__(self, "exact_margin", check_fraction("exact_margin", self.exact_margin, low_open=False))
        if not isinstance(self.minhash, MinHashConfig):
            raise TypeError(f"minhash must be a MinHashConfig (got {type(self.minhash).__name__})")

    @classmethod
    def from_options(
        cls, *, threshold: float, similarity: Similarity, keep: Keep | None, verify: Verify, exact_margin: float,
        num_perm: int, ngram_size: int, seed: int,
    ) -> DuplicateConfig:
        """The config of the flat keyword options; ``keep=None`` is ``"longest"`` for containment, else ``"first"``."""
        check_choice("similarity", similarity, ("jaccard", "containment"))
        minhash = MinHashConfig(num_perm=num_perm, seed=seed, shingle=ShingleConfig(ngram_size=ngram_size))
        if keep is None:
            keep = "longest" if similarity == "containment" else "first"
        return cls(
            threshold=threshold, similarity=similarity, keep=keep, verify=verify, exact_margin=exact_margin,
            minhash=minhash,
        )  # fmt: skip
