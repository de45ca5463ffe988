"""MinHash signatures by one-permutation hashing with optimal densification ("oph-od").

Scheme (bit-exact; ``_reference.py`` implements it in plain Python):

1. Each shingle hash ``h`` is mixed with the seed: ``x = fmix64(h ^ perm_key)``.
2. Bin ``(x >> 32) * num_perm >> 32`` (Lemire's reduction) receives value ``x & 0xFFFFFFFF``;
   each bin keeps its minimum.
3. Optimal densification (Shrivastava, ICML 2017): an empty bin ``i`` copies the value of the first
   non-empty bin among ``probe(i, 0), probe(i, 1), ... probe(i, 31)`` where
   ``probe(i, t) = (fmix64(probe_key ^ (i << 32 | t)) >> 32) * num_perm >> 32``; if all 32 probes
   land on empty bins, it copies the first non-empty bin after ``i`` (cyclically). Copies read the
   bins as they were before densification.
4. A document without shingles gets the empty signature: every slot ``0xFFFFFFFF``.

For every pair of documents and every slot, the probability that the slots agree is the Jaccard
similarity of their shingle sets (up to 32-bit value collisions), so the fraction of agreeing slots
is an unbiased estimate with binomial-like error, as for classic k-permutation MinHash. Hashing
each shingle once instead of ``num_perm`` times is what makes it fast.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._typing import Uint32Array
from .config import MinHashConfig, ShingleConfig, check_compatible
from .errors import ConfigError
from .hashing import fmix64, fmix64_inplace, seed_key
from .shingles import DEFAULT_CHUNK_CHARS, LongDocument, ShingleBatch, iter_shingle_units

__all__ = ["EMPTY_VALUE", "MinHasher", "SignatureArray", "jaccard"]

#: Value of every slot of the empty signature (a document with no shingle).
EMPTY_VALUE = 0xFFFFFFFF
#: Random probes per empty bin before the cyclic fallback.
NUM_PROBES = 32
PERM_SALT, PROBE_SALT = 11, 12

_EMPTY_BIN = np.uint64(1 << 32)  # larger than any 32-bit value: marks a bin nothing fell into


class SignatureArray(np.ndarray[Any, np.dtype[np.uint32]]):
    """A ``(n_docs, num_perm)`` uint32 array that remembers the :class:`MinHashConfig` that made it.

    Slicing keeps the config; ``np.asarray(sigs)`` gives the plain array.
    """

    config: MinHashConfig | None

    def __new__(cls, values: NDArray[np.uint32], config: MinHashConfig | None) -> SignatureArray:
        obj: SignatureArray = np.asarray(values, dtype=np.uint32).view(cls)
        obj.config = config
        return obj

    def __array_finalize__(self, obj: object) -> None:
        self.config = getattr(obj, "config", None)

    @property
    def fingerprint(self) -> str | None:
        """The config fingerprint, or ``None`` for an array of unknown origin."""
        return None if self.config is None else self.config.fingerprint()


def _config_of(x: object) -> MinHashConfig | None:
    return getattr(x, "config", None)


@functools.lru_cache(maxsize=16)
def _probe_table(num_perm: int, probe_key: int) -> NDArray[np.intp]:
    """``probe(i, t)`` for every bin ``i`` and probe ``t``: a ``(num_perm, NUM_PROBES)`` array.

    Probes depend on the bin and the seed, not on the document, so they are hashed once per hasher.
    """
    x = (np.arange(num_perm, dtype=np.uint64)[:, None] << np.uint64(32)) | np.arange(NUM_PROBES, dtype=np.uint64)
    x = fmix64(x ^ np.uint64(probe_key))
    table: NDArray[np.intp] = ((x >> np.uint64(32)) * np.uint64(num_perm) >> np.uint64(32)).astype(np.intp)
    table.flags.writeable = False
    return table


#: Probes tried on the whole ``(n_docs, num_perm)`` matrix (one bit each of a uint8 code per bin)
#: before the bins still empty are gathered.
FULL_PROBES = 8
#: Lowest set bit of a byte (``FULL_PROBES`` for 0: no probe hit).
_FIRST_BIT = np.array([(c & -c).bit_length() - 1 if c else FULL_PROBES for c in range(256)], dtype=np.intp)


def _densify(sig: NDArray[np.uint64], num_perm: int, probe_key: int) -> None:
    """Fill the empty bins of ``sig`` in place (a row without any filled bin stays empty).

    The first ``FULL_PROBES`` probes run on the whole matrix: bit ``t`` of a bin's code says
    whether its probe ``t`` hits a filled bin, and the lowest set bit picks the source. The few
    bins still unresolved take the remaining probes at once as a gathered list, then the cyclic
    fallback.
    """
    empty = sig == _EMPTY_BIN
    if not empty.any():
        return
    filled = ~empty
    table = _probe_table(num_perm, probe_key)
    # Transposed, (num_perm, n_docs) padded to whole words: a probe gathers rows, and shifting a
    # 0/1 byte by t < 8 stays in its byte, so eight bytes shift and combine as one uint64.
    n_docs = sig.shape[0]
    width = -(-n_docs // 8) * 8
    hits = np.zeros((num_perm, width), dtype=np.uint8)
    hits[:, :n_docs] = filled.T
    code = np.zeros_like(hits)
    bit = np.empty_like(hits)
    code_words, bit_words = code.view(np.uint64), bit.view(np.uint64)
    for t in range(FULL_PROBES):
        np.take(hits, table[:, t], axis=0, out=bit)
        if t:
            np.left_shift(bit_words, np.uint64(t), out=bit_words)
        code_words |= bit_words
    code = np.ascontiguousarray(code[:, :n_docs].T)
    first = np.take(_FIRST_BIT, code)
    first += np.arange(0, NUM_PROBES * num_perm, NUM_PROBES)  # flat index into the table
    src = np.take(table.ravel(), first)
    flat = np.flatnonzero(empty & (code == 0))
    if len(flat):
        rows, cols = np.divmod(flat, num_perm)
        probes = table[cols, FULL_PROBES:]
        hit = filled.ravel()[(flat - cols)[:, None] + probes]
        found = hit.any(axis=1)
        src.ravel()[flat[found]] = probes[found, hit[found].argmax(axis=1)]
        if not found.all():
            # Cyclic fallback: the first non-empty bin after the empty one (in a row without any,
            # bin 0, which is empty: the row stays empty).
            lost = ~found
            row_filled = filled[rows[lost]]
            cyc = np.concatenate([row_filled, row_filled], axis=1)
            pos = np.arange(2 * num_perm)
            nxt = np.where(cyc, pos, 2 * num_perm)
            nxt = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1]
            src.ravel()[flat[lost]] = nxt[np.arange(len(nxt)), cols[lost] + 1] % num_perm
    src += np.arange(0, sig.size, num_perm)[:, None]  # flat index of the source bin
    np.copyto(sig, np.take(sig.ravel(), src), where=empty)


def _fill_bins(
    sig: NDArray[np.uint64], hashes: NDArray[np.uint64], counts: NDArray[np.int64] | None, num_perm: int, perm_key: int
) -> None:
    """Lower the bins of ``sig`` (flat, ``num_perm`` per row) to the values of ``hashes`` (``counts`` per row)."""
    x = fmix64_inplace(hashes ^ np.uint64(perm_key))
    slot = x >> np.uint64(32)
    slot *= np.uint64(num_perm)
    slot >>= np.uint64(32)
    if counts is not None:
        slot += np.repeat(np.arange(len(counts), dtype=np.uint64) * np.uint64(num_perm), counts)
    x &= np.uint64(0xFFFFFFFF)
    np.minimum.at(sig, slot.astype(np.intp), x)


def _sign_long(doc: LongDocument, num_perm: int, perm_key: int, probe_key: int) -> tuple[Uint32Array, bytes]:
    """Signature (one row) and digest of a long document, its shingles folded in a piece at a time."""
    sig = np.full(num_perm, _EMPTY_BIN, dtype=np.uint64)
    digest = doc.shingles(lambda hashes: _fill_bins(sig, hashes, None, num_perm, perm_key))
    row = sig.reshape(1, num_perm)
    _densify(row, num_perm, probe_key)
    row[row == _EMPTY_BIN] = EMPTY_VALUE  # no shingle at all: the empty signature
    return row.astype(np.uint32), digest


def _sign_units(
    texts: Iterable[str], config: MinHashConfig, chunk_chars: int, perm_key: int, probe_key: int
) -> Iterator[tuple[Uint32Array, NDArray[np.void] | None]]:
    """Signatures (and word digests) of every chunk of ``texts``, long documents in pieces."""
    for unit in iter_shingle_units(texts, config.shingle, chunk_chars=chunk_chars):
        if isinstance(unit, ShingleBatch):
            yield _sign_batch(unit, config.num_perm, perm_key, probe_key), unit.digests
        else:
            sig, digest = _sign_long(unit, config.num_perm, perm_key, probe_key)
            yield sig, np.frombuffer(digest, dtype="V16")


def _sign_batch(batch: ShingleBatch, num_perm: int, perm_key: int, probe_key: int) -> Uint32Array:
    n = len(batch)
    counts = batch.counts()
    sig = np.full(n * num_perm, _EMPTY_BIN, dtype=np.uint64)
    _fill_bins(sig, batch.hashes, counts, num_perm, perm_key)
    sig2 = sig.reshape(n, num_perm)
    _densify(sig2, num_perm, probe_key)
    sig2[counts == 0] = EMPTY_VALUE
    return sig2.astype(np.uint32)


class MinHasher:
    """Compute MinHash signatures of texts (or of shingle batches).

    Args:
        num_perm: signature slots (2 to 8192).
        seed: seed of the permutation.
        kind: ``"word"`` or ``"char"`` shingles.
        ngram_size: words (or characters) per shingle.
        mask_digits: treat every digit as ``0`` before shingling.
        hash_seed: seed of the shingle hash.
        script: ``"auto"`` cuts scripts written without spaces into characters, ``"words"`` does
            not (see :class:`~dedupe.config.ShingleConfig`).

    >>> hasher = MinHasher(num_perm=64, seed=1)
    >>> sigs = hasher.signatures(["the quick brown fox jumps over the lazy dog",
    ...                           "the quick brown fox jumps over the lazy cat"])
    >>> sigs.shape, sigs.dtype.name
    ((2, 64), 'uint32')
    >>> 0.0 < hasher.jaccard(sigs[0], sigs[1]) < 1.0
    True
    """

    def __init__(
        self,
        num_perm: int = 128,
        seed: int = 1,
        *,
        kind: str = "word",
        ngram_size: int = 5,
        mask_digits: bool = False,
        hash_seed: int = 0,
        script: str = "auto",
    ) -> None:
        shingle = ShingleConfig(
            kind=kind, ngram_size=ngram_size, mask_digits=mask_digits, seed=hash_seed, script=script  # type: ignore[arg-type]
        )
        self.config = MinHashConfig(num_perm=num_perm, seed=seed, shingle=shingle)
        self._perm_key = seed_key(seed, PERM_SALT)
        self._probe_key = seed_key(seed, PROBE_SALT)

    @classmethod
    def from_config(cls, config: MinHashConfig) -> MinHasher:
        """Build a hasher from a :class:`MinHashConfig`."""
        s = config.shingle
        return cls(
            config.num_perm,
            config.seed,
            kind=s.kind,
            ngram_size=s.ngram_size,
            mask_digits=s.mask_digits,
            hash_seed=s.seed,
            script=s.script,
        )

    @property
    def num_perm(self) -> int:
        return self.config.num_perm

    def __repr__(self) -> str:
        return f"MinHasher({self.config.describe()})"

    def sign_batch(self, batch: ShingleBatch) -> SignatureArray:
        """Signatures of one shingle batch (its config must match this hasher's shingle config)."""
        if not isinstance(batch, ShingleBatch):
            raise TypeError(f"batch must be a ShingleBatch (got {type(batch).__name__})")
        if batch.config != self.config.shingle:
            raise ConfigError(
                f"the shingle batch was made with {batch.config.describe()} but this MinHasher expects "
                f"{self.config.shingle.describe()}"
            )
        values = _sign_batch(batch, self.num_perm, self._perm_key, self._probe_key)
        return SignatureArray(values, self.config)

    def signatures(
        self, texts: Iterable[str] | ShingleBatch, *, chunk_chars: int = DEFAULT_CHUNK_CHARS
    ) -> SignatureArray:
        """Compute one signature per document.

        Args:
            texts: an iterable of ``str`` (streamed in chunks of about ``chunk_chars`` characters)
                or a :class:`ShingleBatch`.
            chunk_chars: size of the internal chunks; results do not depend on it.

        Returns:
            ``(n_docs, num_perm)`` uint32 :class:`SignatureArray`; row ``i`` belongs to document ``i``.
        """
        if isinstance(texts, ShingleBatch):
            return self.sign_batch(texts)
        _check_texts(texts)
        parts = [sig for sig, _ in _sign_units(texts, self.config, chunk_chars, self._perm_key, self._probe_key)]
        values = np.concatenate(parts) if parts else np.empty((0, self.num_perm), dtype=np.uint32)
        return SignatureArray(values, self.config)

    def signatures_and_digests(
        self, texts: Iterable[str], *, chunk_chars: int = DEFAULT_CHUNK_CHARS
    ) -> tuple[SignatureArray, NDArray[np.void]]:
        """Signatures plus each document's 16-byte content digest, from one pass (word shingles only).

        Equal digests mean equal normalized word sequences (exact duplicates); see
        :func:`dedupe.shingles.content_digest`.
        """
        if self.config.shingle.kind != "word":
            raise ConfigError("content digests come with word shingles only (this MinHasher uses char shingles)")
        _check_texts(texts)
        sigs: list[Uint32Array] = []
        digests: list[NDArray[np.void]] = []
        for sig, digest in _sign_units(texts, self.config, chunk_chars, self._perm_key, self._probe_key):
            sigs.append(sig)
            assert digest is not None
            digests.append(digest)
        if not sigs:
            return SignatureArray(np.empty((0, self.num_perm), np.uint32), self.config), np.empty(0, "V16")
        return SignatureArray(np.concatenate(sigs), self.config), np.concatenate(digests)

    def signature(self, text: str) -> SignatureArray:
        """Signature of one text: a ``(num_perm,)`` array."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str (got {type(text).__name__})")
        row: SignatureArray = self.signatures([text])[0]
        return row

    def jaccard(self, a: NDArray[np.uint32], b: NDArray[np.uint32]) -> Any:
        """Estimated Jaccard similarity (see :func:`jaccard`); both must come from this hasher."""
        check_compatible("jaccard", self.config, _config_of(a))
        check_compatible("jaccard", self.config, _config_of(b))
        return jaccard(a, b)


def jaccard(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> Any:
    """Estimate Jaccard similarity as the fraction of equal slots.

    Two 1-D signatures give a ``float``; two ``(n, num_perm)`` arrays (or one of each) give a
    float64 array of ``n`` row-wise estimates.

    Raises:
        IncompatibleSignaturesError: if the signatures carry different configs.
        ValueError: if the number of slots differs.
    """
    check_compatible("jaccard", _config_of(a), _config_of(b))
    x, y = np.asarray(a), np.asarray(b)
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"signatures have {x.shape[-1]} and {y.shape[-1]} slots; they must be equal")
    est = (x == y).mean(axis=-1)
    return float(est) if est.ndim == 0 else est


def _check_texts(texts: object) -> None:
    """Refuse what is not an iterable of texts with a TypeError that says what was expected."""
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Iterable):
        hint = "; wrap one text in a list: [text]" if isinstance(texts, str) else ""
        raise TypeError(
            f"texts must be an iterable of str (a list, a generator) or a ShingleBatch "
            f"(got {type(texts).__name__}){hint}"
        )
