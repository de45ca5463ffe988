"""Word and character n-gram shingles, hashed to seeded 64-bit values, a batch at a time.

A batch is CSR-shaped: one flat ``uint64`` hash array plus ``offsets`` (document ``i`` owns
``hashes[offsets[i]:offsets[i + 1]]``). Work is done on one code point array per chunk of documents;
there is no Python loop per token or per shingle.

Word tokens are maximal runs of word characters (Unicode letters, marks and numbers) in the
normalized text (:func:`dedupe.normalize.normalize_text`); everything else separates words, so
"Meta’s" and "Meta's" both give ``meta`` ``s``. Shingle ``i`` of a document combines tokens
``i .. i+n-1``. A document with fewer than ``n`` (but at least one) tokens gets exactly one shingle
made of all its tokens. A document without any word character (``""``, whitespace, punctuation,
emoji) gets no shingle; its MinHash signature is the empty signature.

In scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Burmese) a run of word
characters is a clause, not a word: with ``ShingleConfig(script="auto")`` (the default) every such
character that is not a combining mark starts a token, its marks stay with it, and a change between
such a script and any other also cuts (see :mod:`dedupe.scripts`). ``script="words"`` keeps every
run whole. Text without these scripts gets the same tokens either way.

Character shingles are windows of ``n`` code points of the normalized text (spaces and punctuation
included); a text shorter than ``n`` gets one shingle, the empty text none.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import xxhash
from numpy.typing import NDArray

from ._typing import HashArray, IntArray, OffsetArray
from .config import ShingleConfig
from .errors import ConfigError
from .hashing import LENGTH_MUL, fmix64, fmix64_inplace, fmix64_int, run_hashes, seed_key, token_hashes
from .normalize import DIGIT, INVISIBLE, UNSTABLE, WORD, char_classes, normalize_text
from .scripts import SPLIT, script_classes

__all__ = [
    "LongDocument",
    "ShingleBatch",
    "char_shingles",
    "content_digest",
    "iter_shingle_batches",
    "iter_shingle_units",
    "shingle_texts",
    "word_shingles",
]

#: Salts that separate the uses of the hash seed.
TOKEN_SALT, SHINGLE_SALT, CHAR_SALT = 1, 2, 3
#: Code points per internal chunk (a chunk is cut between documents, never inside one).
DEFAULT_CHUNK_CHARS = 1 << 16  # the temporaries of a chunk stay in cache (faster than 1 << 18 by ~20%)


def position_multiplier(k: int) -> int:
    """Odd 64-bit multiplier of the token at position ``k`` of a shingle."""
    return fmix64_int(k + 1) | 1


@dataclass(frozen=True, slots=True)
class ShingleBatch:
    """Shingle hashes of a batch of documents (CSR layout).

    Attributes:
        hashes: ``uint64`` shingle hashes, document after document.
        offsets: ``int64`` array of length ``n_docs + 1``.
        config: the :class:`ShingleConfig` that made the hashes.
        digests: for word shingles, one 16-byte content digest per document (see
            :func:`content_digest`); ``None`` for character shingles.
    """

    hashes: HashArray
    offsets: OffsetArray
    config: ShingleConfig
    digests: NDArray[np.void] | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def document(self, i: int) -> HashArray:
        """Return the shingle hashes of document ``i``."""
        return self.hashes[self.offsets[i] : self.offsets[i + 1]]

    def counts(self) -> NDArray[np.int64]:
        """Number of shingles per document."""
        return np.diff(self.offsets)

    @staticmethod
    def concat(batches: Sequence[ShingleBatch], config: ShingleConfig) -> ShingleBatch:
        """Join batches made with the same config into one."""
        if not batches:
            empty = np.empty(0, "V16") if config.kind == "word" else None
            return ShingleBatch(np.empty(0, np.uint64), np.zeros(1, np.int64), config, empty)
        hashes = np.concatenate([b.hashes for b in batches])
        counts = np.concatenate([b.counts() for b in batches])
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        parts = [b.digests for b in batches if b.digests is not None]
        digests = np.concatenate(parts) if len(parts) == len(batches) else None
        return ShingleBatch(hashes, offsets, config, digests)


def _check_text(i: int, text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"texts[{i}] must be a str (got {type(text).__name__}: {text!r:.60})")
    return text


def _check_chunk(texts: Sequence[str], first: int) -> Sequence[str]:
    """``texts`` unchanged when every item is a ``str`` (one C-level pass), else the error of the first bad one."""
    if set(map(type, texts)) <= {str}:
        return texts
    return [_check_text(first + i, t) for i, t in enumerate(texts)]


def _check_texts(texts: object) -> list[str]:
    """``texts`` as a list, checked to be a sequence of str (not a single str); errors name the index."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"texts must be a sequence of str, not a single {type(texts).__name__}")
    try:
        items = iter(cast("Iterable[object]", texts))
    except TypeError:
        raise TypeError(f"texts must be a sequence of str (got {type(texts).__name__})") from None
    return [_check_text(i, text) for i, text in enumerate(items)]


_CLASSES: NDArray[np.uint8] | None = None
_MASK_ASCII_DIGITS = bytes.maketrans(b"123456789", b"000000000")


def _classes() -> NDArray[np.uint8]:
    """The code point class table of :func:`dedupe.normalize.char_classes` as an array (lazily built)."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = np.frombuffer(char_classes(), dtype=np.uint8)
    return _CLASSES


_SCRIPTS: NDArray[np.uint8] | None = None


def _scripts() -> NDArray[np.uint8]:
    """The table of :func:`dedupe.scripts.script_classes` as an array (lazily built)."""
    global _SCRIPTS
    if _SCRIPTS is None:
        _SCRIPTS = np.frombuffer(script_classes(), dtype=np.uint8)
    return _SCRIPTS


def _token_edges(
    word: NDArray[np.bool_], lead: NDArray[np.intp] | None, length: NDArray[np.int64] | None,
    cp: NDArray[np.uint32] | None, script: str,
) -> tuple[OffsetArray, OffsetArray]:
    """Start and end byte offsets of the word tokens of a chunk buffer (``word``: word bytes).

    Without unspaced-script characters a token is a maximal run of word bytes. With them (and
    ``script="auto"``), a token also starts at every unspaced character that is not a mark and
    wherever the text changes between an unspaced script and any other.
    """
    if lead is not None and length is not None and cp is not None and script == "auto":
        sc = np.take(_scripts(), cp)
        if sc.any():
            unspaced = np.zeros(len(word), dtype=bool)
            is_unspaced = sc != 0
            for k in range(4):
                has = length > k
                unspaced[lead[has] + k] = is_unspaced[has]
            start = np.zeros(len(word), dtype=bool)
            start[lead[(sc & np.uint8(SPLIT)) != 0]] = True
            start[1:] |= unspaced[1:] != unspaced[:-1]  # only at character starts: a character's bytes agree
            start[1:] |= ~word[:-1]
            start &= word
            end = np.zeros(len(word), dtype=bool)
            end[1:] = word[:-1] & (~word[1:] | start[1:])
            return np.flatnonzero(start).astype(np.int64), np.flatnonzero(end).astype(np.int64)
    # The buffer starts and ends with separators, so token edges alternate start, end, start, ...
    edges = np.flatnonzero(word[1:] ^ word[:-1]) + 1
    return edges[0::2].astype(np.int64, copy=False), edges[1::2].astype(np.int64, copy=False)


def _ascii_words(lowered: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Word-character mask of a lower-cased byte buffer (``a-z``, ``0-9``); bytes >= 0x80 are False."""
    word: NDArray[np.bool_] = np.subtract(lowered, np.uint8(ord("a"))) < 26
    word |= np.subtract(lowered, np.uint8(ord("0"))) < 10
    return word


def _utf8_join(texts: Sequence[str], mask_digits: bool) -> tuple[bytes, OffsetArray, bool]:
    """UTF-8 of ``\\0 text_0 \\0 text_1 ... \\0`` plus 8 padding bytes, each text's first byte, and
    whether all of it is ASCII.

    ASCII letters are lower-cased (and ASCII digits masked to ``0`` if asked); other bytes are kept.
    ASCII texts are joined, then encoded (a copy). Otherwise each text is encoded on its own and
    the bytes joined: joining them first would copy them as wide strings (half the time of this
    step on the benchmark web corpus), and the encoded lengths give the starts.
    """
    is_ascii = all(map(str.isascii, texts))  # a flag of each string: no scan
    if is_ascii:
        buf = ("\x00" + "\x00".join(texts) + "\x00" * 9).encode("ascii").lower()
        sizes = np.fromiter(map(len, texts), np.int64, len(texts))
    else:
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        buf = b"\x00".join([b"", *encoded, b"\x00" * 8]).lower()
        sizes = np.fromiter(map(len, encoded), np.int64, len(texts))
    if mask_digits:
        buf = buf.translate(_MASK_ASCII_DIGITS)
    starts = np.ones(len(texts) + 1, dtype=np.int64)
    np.cumsum(sizes + 1, out=starts[1:])
    starts[1:] += 1
    return buf, starts, is_ascii


def _decode_leads(buf: NDArray[np.uint8]) -> tuple[NDArray[np.intp], NDArray[np.int64], NDArray[np.uint32]]:
    """Positions, byte lengths and code points of every multi-byte UTF-8 sequence in ``buf``."""
    lead = np.flatnonzero(buf >= 0xC0)
    b0 = buf[lead].astype(np.uint32)
    length = np.where(b0 >= 0xF0, 4, np.where(b0 >= 0xE0, 3, 2)).astype(np.int64)
    cp = b0 & np.where(length == 2, 0x1F, np.where(length == 3, 0x0F, 0x07)).astype(np.uint32)
    for k in (1, 2, 3):
        has = length > k
        cp[has] = (cp[has] << np.uint32(6)) | (buf[lead[has] + k].astype(np.uint32) & np.uint32(0x3F))
    return lead, length, cp


def _codepoints(texts: Sequence[str]) -> tuple[NDArray[np.uint32], OffsetArray]:
    """Code points of the concatenated texts and each text's start offset (len n+1)."""
    cps = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint32)
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(t) for t in texts), np.int64, len(texts)), out=starts[1:])
    return cps, starts


def _chunk_tokens(
    texts: Sequence[str], first: int, config: ShingleConfig
) -> tuple[Sequence[str], HashArray, OffsetArray, OffsetArray]:
    """Token hashes of a chunk: (texts, normalized where needed), hashes, token starts, document starts."""
    texts = _check_chunk(texts, first)
    raw, doc_starts, is_ascii = _utf8_join(texts, config.mask_digits)
    buf = np.frombuffer(raw, dtype=np.uint8)
    word = _ascii_words(buf)
    lead: NDArray[np.intp] | None = None
    length: NDArray[np.int64] | None = None
    cp: NDArray[np.uint32] | None = None
    if not is_ascii:
        classes = _classes()
        lead, length, cp = _decode_leads(buf)
        cp_cls = np.take(classes, cp)
        slow = UNSTABLE | INVISIBLE | (DIGIT if config.mask_digits else 0)
        needs_fold = (cp_cls & slow) != 0
        if needs_fold.any():
            # Text that NFKC or case folding would change (or with format characters, or digits
            # outside ASCII when masking) takes the full Python normalization, then is re-read.
            bad = np.unique(np.searchsorted(doc_starts, lead[needs_fold], side="right") - 1).tolist()
            texts = list(texts)
            for d in bad:
                texts[d] = normalize_text(texts[d], mask_digits=config.mask_digits)
            raw, doc_starts, _ = _utf8_join(texts, config.mask_digits)
            buf = np.frombuffer(raw, dtype=np.uint8)
            word = _ascii_words(buf)
            lead, length, cp = _decode_leads(buf)
            cp_cls = np.take(classes, cp)
        word_cp = (cp_cls & np.uint8(WORD)) != 0
        for k in range(4):
            has = length > k
            word[lead[has] + k] = word_cp[has]
    tok_starts, tok_ends = _token_edges(word, lead, length, cp, config.script)
    tokens = token_hashes(buf, tok_starts, tok_ends, seed_key(config.seed, TOKEN_SALT))
    return texts, tokens, tok_starts, doc_starts


def _word_chunk(texts: Sequence[str], first: int, config: ShingleConfig) -> ShingleBatch:
    texts, tokens, tok_starts, doc_starts = _chunk_tokens(texts, first, config)
    batch = _combine_tokens(tokens, tok_starts, doc_starts, len(texts), config)
    return ShingleBatch(batch.hashes, batch.offsets, config, _digests(texts, tokens, tok_starts, doc_starts))


def _digests(
    texts: Sequence[str], tokens: HashArray, tok_starts: OffsetArray, doc_starts: OffsetArray
) -> NDArray[np.void]:
    bounds = (np.searchsorted(tok_starts, doc_starts) * 8).tolist()
    data = memoryview(tokens.tobytes())
    digest = xxhash.xxh3_128_digest
    out = [digest(data[lo:hi]) for lo, hi in itertools.pairwise(bounds)]
    for d in np.flatnonzero(np.diff(bounds) == 0).tolist():
        out[d] = _wordless_digest(texts[d])
    return np.frombuffer(b"".join(out), dtype="V16")


def _wordless_digest(text: str) -> bytes:
    return xxhash.xxh3_128_digest(b"\x00" + normalize_text(text).encode("utf-8"))


def content_digest(tokens: Sequence[int], text: str) -> bytes:
    """The 16-byte content digest of a document from its token hashes (reference form).

    Two documents share a digest when their normalized word sequences are identical (case,
    Unicode forms, whitespace and punctuation ignored): xxh3-128 of the little-endian token hashes.
    A document without words is keyed by its whole normalized text instead (with a 0 byte first).
    """
    if not tokens:
        return _wordless_digest(text)
    return xxhash.xxh3_128_digest(b"".join(t.to_bytes(8, "little") for t in tokens))


def _window_hashes(tokens: HashArray, n: int, key: np.uint64) -> HashArray:
    """Shingle hashes of every window of ``n`` consecutive tokens (``len(tokens) - n + 1`` of them)."""
    windows = len(tokens) - n + 1
    acc = tokens[:windows] * np.uint64(position_multiplier(0))
    tmp = np.empty_like(acc)
    for k in range(1, n):
        np.multiply(tokens[k : windows + k], np.uint64(position_multiplier(k)), out=tmp)
        acc += tmp
    del tmp
    acc ^= np.uint64((n * LENGTH_MUL) & 0xFFFFFFFFFFFFFFFF)
    acc ^= key
    return fmix64_inplace(acc)


def _combine_tokens(
    tokens: HashArray, tok_starts: OffsetArray, doc_starts: OffsetArray, n_docs: int, config: ShingleConfig
) -> ShingleBatch:
    n = config.ngram_size
    first_tok = np.searchsorted(tok_starts, doc_starts).astype(np.int64)
    per_doc = np.diff(first_tok)
    n_full = np.maximum(per_doc - n + 1, 0)
    short = (per_doc > 0) & (per_doc < n)
    counts = n_full + short
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    key = np.uint64(seed_key(config.seed, SHINGLE_SALT))
    total = len(tokens)
    if total >= n:
        # A window is valid unless it crosses into the next document.
        valid = np.ones(total - n + 1, dtype=bool)
        if n > 1:  # the n - 1 windows before each document's first token cross into it
            pos = (first_tok[1:-1, None] - np.arange(1, n)).ravel()
            valid[pos[(pos >= 0) & (pos < total - n + 1)]] = False
        full = _window_hashes(tokens, n, key)[valid]
    else:
        full = np.empty(0, dtype=np.uint64)
    short_docs = np.flatnonzero(short)
    if len(short_docs) == 0:
        return ShingleBatch(full, offsets, config)
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    starts = first_tok[short_docs]
    lens = per_doc[short_docs]
    acc = np.zeros(len(short_docs), dtype=np.uint64)
    for k in range(n - 1):
        has = lens > k
        acc[has] += tokens[starts[has] + k] * np.uint64(position_multiplier(k))
    acc ^= lens.astype(np.uint64) * np.uint64(LENGTH_MUL)
    acc ^= key
    slot = np.zeros(len(out), dtype=bool)
    slot[offsets[short_docs]] = True
    out[slot] = fmix64(acc)
    out[~slot] = full
    return ShingleBatch(out, offsets, config)


_CUT = re.compile(r"[\t\n\v\f\r ]")


def _pieces(text: str, piece_chars: int) -> Iterator[str]:
    """``text`` cut into pieces of about ``piece_chars`` characters, each cut just before an ASCII space.

    An ASCII space or line break separates words and never composes with its neighbours under
    NFKC or case folding, so every piece tokenizes to exactly its share of the document's tokens. A
    stretch without any (unspaced scripts without line breaks) stays in one piece.
    """
    start = 0
    while start < len(text):
        cut = _CUT.search(text, start + max(piece_chars, 1)) if start + piece_chars < len(text) else None
        stop = len(text) if cut is None else cut.start()
        yield text[start:stop]
        start = stop


@dataclass(frozen=True, slots=True)
class LongDocument:
    """One document longer than a chunk, word-shingled piece by piece in bounded memory.

    Attributes:
        text: the document.
        config: the word :class:`ShingleConfig`.
        piece_chars: characters per piece (the chunk size).
    """

    text: str
    config: ShingleConfig
    piece_chars: int

    def shingles(self, consume: Callable[[HashArray], None]) -> bytes:
        """Pass the document's shingle hashes to ``consume`` a piece at a time; return its digest.

        Concatenated, the pieces are exactly ``word_shingles([text])`` of the same config, in order;
        the digest is :func:`content_digest`. Memory is that of one piece plus ``ngram_size`` tokens.
        """
        n = self.config.ngram_size
        key = np.uint64(seed_key(self.config.seed, SHINGLE_SALT))
        digest = xxhash.xxh3_128()
        carry = np.empty(0, dtype=np.uint64)  # the last n - 1 tokens so far: windows cross pieces
        n_tokens = 0
        for piece in _pieces(self.text, self.piece_chars):
            _, tokens, _, _ = _chunk_tokens([piece], 0, self.config)
            digest.update(tokens.tobytes())
            n_tokens += len(tokens)
            window = np.concatenate([carry, tokens])
            if len(window) >= n:
                consume(_window_hashes(window, n, key))
            carry = window[max(len(window) - (n - 1), 0) :]
        if 0 < n_tokens < n:  # fewer tokens than n: one shingle of all of them
            consume(_combine_tokens(carry, np.arange(n_tokens), np.array([0, n_tokens]), 1, self.config).hashes)
        return digest.digest() if n_tokens else _wordless_digest(self.text)

    def batch(self) -> ShingleBatch:
        """All the document's shingles as a one-document :class:`ShingleBatch` (with its digest)."""
        parts: list[HashArray] = []
        digest = self.shingles(parts.append)
        hashes = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
        offsets = np.array([0, len(hashes)], dtype=np.int64)
        return ShingleBatch(hashes, offsets, self.config, np.frombuffer(digest, dtype="V16"))


def _char_chunk(texts: Sequence[str], first: int, config: ShingleConfig) -> ShingleBatch:
    n = config.ngram_size
    normalized = [
        normalize_text(_check_text(first + i, t), mask_digits=config.mask_digits) for i, t in enumerate(texts)
    ]
    cps, doc_starts = _codepoints(normalized)
    lens = np.diff(doc_starts)
    counts = np.where(lens >= n, lens - n + 1, (lens > 0).astype(np.int64))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    # Window starts: for every document, positions start .. start+count-1.
    doc_of_slot = np.repeat(np.arange(len(texts)), counts)
    win_starts = doc_starts[doc_of_slot] + (np.arange(int(offsets[-1])) - offsets[doc_of_slot])
    win_ends = np.minimum(win_starts + n, doc_starts[doc_of_slot + 1])
    hashes = run_hashes(cps, win_starts, win_ends, seed_key(config.seed, CHAR_SALT))
    return ShingleBatch(hashes, offsets, config)


def iter_shingle_units(
    texts: Iterable[str], config: ShingleConfig, *, chunk_chars: int = DEFAULT_CHUNK_CHARS
) -> Iterator[ShingleBatch | LongDocument]:
    """Like :func:`iter_shingle_batches`, but a word-shingled document longer than ``chunk_chars``
    comes alone as a :class:`LongDocument`, to be shingled piece by piece (its transient memory
    is then that of a chunk, not a multiple of the document)."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"texts must be an iterable of str, not a single {type(texts).__name__}")
    chunk_fn = _word_chunk if config.kind == "word" else _char_chunk
    long_chars = max(chunk_chars, 1) if config.kind == "word" else None
    if isinstance(texts, (list, tuple)) and set(map(type, texts)) <= {str}:
        lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        if long_chars is None or not (lengths > long_chars).any():
            # Chunk ends from one prefix sum of the lengths instead of a Python step per document.
            ends = np.cumsum(lengths)
            start, base = 0, 0
            while start < len(texts):
                stop = min(max(int(np.searchsorted(ends, base + chunk_chars)), start) + 1, len(texts))
                yield chunk_fn(texts[start:stop], start, config)
                start, base = stop, int(ends[stop - 1])
            return
    buf: list[str] = []
    size = 0
    first = 0
    for i, text in enumerate(texts):
        if long_chars is not None and isinstance(text, str) and len(text) > long_chars:
            if buf:
                yield chunk_fn(buf, first, config)
            yield LongDocument(text, config, chunk_chars)
            buf, size, first = [], 0, i + 1
            continue
        buf.append(text)
        size += len(text) if isinstance(text, str) else 0
        if size >= chunk_chars:
            yield chunk_fn(buf, first, config)
            first += len(buf)
            buf, size = [], 0
    if buf:
        yield chunk_fn(buf, first, config)


def iter_shingle_batches(
    texts: Iterable[str], config: ShingleConfig, *, chunk_chars: int = DEFAULT_CHUNK_CHARS
) -> Iterator[ShingleBatch]:
    """Yield one :class:`ShingleBatch` per chunk of documents (about ``chunk_chars`` characters each).

    Results do not depend on ``chunk_chars``: a chunk boundary never falls inside a document (a
    longer word-shingled document is shingled in pieces and comes as a batch of its own).
    """
    for unit in iter_shingle_units(texts, config, chunk_chars=chunk_chars):
        yield unit if isinstance(unit, ShingleBatch) else unit.batch()


def shingle_texts(texts: Iterable[str], config: ShingleConfig) -> ShingleBatch:
    """Shingle every text with ``config`` into one batch."""
    return ShingleBatch.concat(list(iter_shingle_batches(texts, config)), config)


def _config(**kwargs: Any) -> ShingleConfig:
    try:
        return ShingleConfig(**kwargs)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc


def word_shingles(
    texts: Iterable[str], *, ngram_size: int = 5, mask_digits: bool = False, seed: int = 0
) -> ShingleBatch:
    """Hash the word n-grams of every text.

    Args:
        texts: documents (``str``).
        ngram_size: words per shingle.
        mask_digits: treat every decimal digit as ``0``.
        seed: seed of the shingle hash.

    Returns:
        A :class:`ShingleBatch` with one row per text.

    >>> word_shingles(["a b c", "", "x"], ngram_size=2).counts().tolist()
    [2, 0, 1]
    """
    return shingle_texts(texts, ShingleConfig(kind="word", ngram_size=ngram_size, mask_digits=mask_digits, seed=seed))


def char_shingles(
    texts: Iterable[str], *, ngram_size: int = 5, mask_digits: bool = False, seed: int = 0
) -> ShingleBatch:
    """Hash the character n-grams of every normalized text.

    >>> char_shingles(["abcdef", "ab"], ngram_size=5).counts().tolist()
    [2, 1]
    """
    return shingle_texts(texts, ShingleConfig(kind="char", ngram_size=ngram_size, mask_digits=mask_digits, seed=seed))


def pair_overlaps(
    texts: Mapping[int, str], pairs: IntArray, config: ShingleConfig
) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct shingles shared by each pair of rows, and each side's distinct count (texts by row)."""
    rows = np.unique(pairs).tolist()
    batch = shingle_texts([texts[r] for r in rows], config)
    sets = {r: np.unique(batch.document(i)) for i, r in enumerate(rows)}
    inter = np.empty(len(pairs), dtype=np.int64)
    size_a = np.empty(len(pairs), dtype=np.int64)
    size_b = np.empty(len(pairs), dtype=np.int64)
    for k, (a, b) in enumerate(pairs.tolist()):
        sa, sb = sets[a], sets[b]
        inter[k] = len(np.intersect1d(sa, sb, assume_unique=True))
        size_a[k], size_b[k] = len(sa), len(sb)
    return inter, size_a, size_b

