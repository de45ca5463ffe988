"""Lines and paragraphs of documents, with exact character offsets and normalized line keys.

A *line* ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (nothing else: form feeds, U+2028 and the
other characters that :meth:`str.splitlines` also breaks on stay inside a line). Offsets are
``str`` indices into the original text, so ``text[start:end]`` is the line without its terminator
and ``text[start:next_start]`` the line with it. A text of ``k`` terminators has ``k + 1`` lines
(the last one may be empty); the empty text has one empty line.

A line's *key* is the 64-bit xxh3 hash (seeded) of the UTF-8 bytes of
``normalize_text(line, mask_digits=True)`` with every run of ``0`` shortened to one: case, NFKC
forms, runs of whitespace, indentation, curly quotes, dashes and numbers ("3 hours ago", "12 hours
ago") do not change it (:func:`line_key` is the definition). A line is
*blank* when it has no word left after normalization; its key is ``0``. A *paragraph* is a maximal
run of non-blank lines.

The batch path never calls Python per character: the texts of a chunk become one code point array,
every code point is mapped through a table that folds the characters whose normalization does not
depend on their neighbours (ASCII, most letters of every script, curly quotes, dashes, spaces,
digits), and only lines that hold any other character (combining marks, compatibility forms that
expand, ...) go through :func:`dedupe.normalize.normalize_text`. Each line is then hashed once.
Texts longer than ``CHUNK_CHARS`` are cut at line terminators into pieces; single lines longer
than that are normalized alone, so memory stays bounded by the chunk size (a 50 MB one-line text
costs a few copies of itself, not 30 bytes per character).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from ._typing import BoolArray, HashArray, IntArray, OffsetArray
from .config import check_int
from .fold_table import B_DROP, B_SLOW, SPACE, fold_tables, fold_utf8
from .line_shapes import LineShapes, shapes_of_codepoints, shapes_of_utf8
from .normalize import normalize_text
from .shingles import _check_texts
from .utf8 import char_offsets

__all__ = ["CHUNK_CHARS", "LineTable", "line_key", "split_lines", "split_windows"]

#: Characters per internal chunk; longer texts are cut at line terminators, longer lines hashed alone.
CHUNK_CHARS = 1 << 20

_TERMINATOR = re.compile(r"\r\n?|\n")
_DIGIT_RUN = re.compile("0+")


def line_key(text: str, *, seed: int = 0) -> int:
    """Return the key of one line: xxh3-64 of its normalized UTF-8 (digits masked, digit runs shortened).

    This is the definition that :func:`split_lines` computes in bulk; a blank line has key ``0``.

    >>> line_key("  Posted 3 HOURS ago ") == line_key("posted 12 hours   ago")
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__})")
    norm = _DIGIT_RUN.sub("0", normalize_text(text, mask_digits=True))
    if not norm:
        return 0
    return int(xxhash.xxh3_64_intdigest(norm.encode("utf-8", "surrogatepass"), seed))


@dataclass(frozen=True, slots=True)
class LineTable:
    """The lines of a batch of documents, one row per line, documents in order.

    Attributes:
        doc_offsets: ``(n_docs + 1,)`` int64; the rows of document ``i`` are
            ``doc_offsets[i]:doc_offsets[i + 1]`` (every document has at least one row).
        starts: int64 offset of each line's first character in its document.
        ends: int64 offset just past each line's last character (the terminator excluded).
        next_starts: int64 offset just past the terminator (``len(text)`` for the last line).
        keys: uint64 normalized line keys (:func:`line_key`); ``0`` for blank lines.
        n_words: int64 whitespace-separated words of the normalized line.
        paragraphs: int64 paragraph id of each line, increasing through the batch; ``-1`` when blank.
        trim_rows: int64 rows that have trimmed keys (see :func:`split_lines`).
        trim_keys: uint64 key of the line with a few words cut from one end.
        trim_words: int64 words left after the cut.
        normalized: with ``keep_normalized``, the normalized UTF-8 of every line (the bytes its key
            hashes), else ``None``.
        shapes: with ``shapes``, every line's :class:`~dedupe.line_shapes.LineShapes`, else ``None``.
    """

    doc_offsets: OffsetArray
    starts: OffsetArray
    ends: OffsetArray
    next_starts: OffsetArray
    keys: HashArray
    n_words: IntArray
    paragraphs: IntArray
    trim_rows: IntArray
    trim_keys: HashArray
    trim_words: IntArray
    normalized: list[bytes] | None = None
    shapes: LineShapes | None = None

    def __len__(self) -> int:
        return int(self.starts.shape[0])

    @property
    def n_docs(self) -> int:
        """Number of documents."""
        return int(self.doc_offsets.shape[0]) - 1

    def docs(self) -> IntArray:
        """Document index of every row (int64)."""
        return np.repeat(np.arange(self.n_docs, dtype=np.int64), np.diff(self.doc_offsets))

    def blank(self) -> BoolArray:
        """True for rows without any word."""
        out: BoolArray = self.n_words == 0
        return out


@dataclass(frozen=True, slots=True)
class _Trim:
    words: int  # most words cut from either end
    min_kept: int  # fewest words left
    max_words: int  # only lines with at most this many words


@dataclass
class _Rows:
    """Per-line arrays of one chunk (piece-relative offsets)."""

    piece: IntArray
    starts: OffsetArray
    ends: OffsetArray
    next_starts: OffsetArray
    keys: HashArray
    n_words: IntArray
    trim_rows: IntArray
    trim_keys: HashArray
    trim_words: IntArray
    parts: list[bytes] | None = None  # normalized UTF-8 of every line (only when asked for)
    shapes: LineShapes | None = None  # only when asked for


def _hash_parts(parts: list[bytes], seed: int) -> HashArray:
    keys = np.fromiter(map(xxhash.xxh3_64_intdigest, parts, itertools.repeat(seed)), dtype=np.uint64, count=len(parts))
    return keys


_ZERO = ord("0")
_NL = 10  # a line boundary in the mapped buffer (the table maps \n and \r themselves to spaces)


def _line_bounds(raw: NDArray[np.uint8], seps: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Line starts, ends, next starts and piece of every line of ``raw``, and the terminators' starts.

    Terminators are \r\n, a lone \r and a lone \n; ``seps`` are the \n that join pieces (a piece
    boundary, not a terminator).
    """
    n = len(raw)
    is_lf = raw == 10
    is_lf[seps] = False
    cr_pos = np.flatnonzero(raw == 13)
    crlf = np.zeros(len(cr_pos), dtype=bool)
    inner = cr_pos + 1 < n
    crlf[inner] = is_lf[cr_pos[inner] + 1]
    is_lf[cr_pos[crlf] + 1] = False
    lf_pos = np.flatnonzero(is_lf)
    del is_lf
    cut_starts = np.concatenate([cr_pos, lf_pos, seps])
    cut_lens = np.ones(len(cut_starts), dtype=np.int64)
    cut_lens[: len(cr_pos)] += crlf
    cut_is_sep = np.zeros(len(cut_starts), dtype=bool)
    cut_is_sep[len(cr_pos) + len(lf_pos) :] = True
    order = np.argsort(cut_starts, kind="stable")
    cut_starts, cut_lens, cut_is_sep = cut_starts[order], cut_lens[order], cut_is_sep[order]
    starts = np.empty(len(cut_starts) + 1, dtype=np.int64)
    starts[0] = 0
    np.add(cut_starts, cut_lens, out=starts[1:])
    ends = np.append(cut_starts, n).astype(np.int64, copy=False)
    next_starts = np.append(np.where(cut_is_sep, cut_starts, starts[1:]), n).astype(np.int64, copy=False)
    piece = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(cut_is_sep, out=piece[1:])
    return starts, ends, next_starts, piece, cut_starts


def _normalize_slow_lines(
    mapped: NDArray[np.uint8], raw: NDArray[np.uint8], pieces: Sequence[str], starts: IntArray, ends: IntArray
) -> tuple[NDArray[np.uint8], IntArray]:
    """Lines holding a character whose normalization depends on context go through normalize_text.

    Their normalized text is appended after the chunk (one more line each) and their own bytes
    are blanked; dropped bytes are removed. Returns the new buffer and those lines' rows.
    """
    slow_rows = np.empty(0, dtype=np.int64)
    slow_pos = np.flatnonzero(mapped == B_SLOW)
    if len(slow_pos):
        slow_rows = np.unique(np.searchsorted(starts, slow_pos, side="right") - 1)
        big = "\n".join(pieces)
        char_of = char_offsets(raw)
        lo, hi = starts[slow_rows], ends[slow_rows]
        norms = [
            normalize_text(big[s:e], mask_digits=True)
            for s, e in zip(char_of(lo).tolist(), char_of(hi).tolist(), strict=True)
        ]
        for s, e in zip(lo.tolist(), hi.tolist(), strict=True):
            mapped[s:e] = SPACE
        extra = np.frombuffer(("\n" + "\n".join(norms)).encode("utf-8"), dtype=np.uint8)
        mapped = np.concatenate([mapped, extra])
    drops = mapped == B_DROP
    if drops.any():
        mapped = mapped[~drops]
    return mapped, slow_rows


def _compact_words(mapped: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], list[bytes], IntArray]:
    """The normalized lines of a mapped buffer: joined by ``\n``, split, and their word counts.

    Words are runs of bytes above the space (line marks and spaces are below 33). Keep the words,
    the line marks and the first space after a word; then drop a kept space that ends its line.
    """
    word = mapped > SPACE
    keep = mapped == _NL
    keep |= word
    keep[1:] |= (mapped[1:] == SPACE) & word[:-1]
    zero = mapped == _ZERO
    keep[1:] &= ~(zero[1:] & zero[:-1])  # a run of digits is one 0
    compact = mapped[keep]
    if len(compact):
        trailing = np.flatnonzero((compact[:-1] == SPACE) & (compact[1:] == _NL))
        if compact[-1] == SPACE:
            trailing = np.append(trailing, len(compact) - 1)
        compact = np.delete(compact, trailing)
    parts = compact.tobytes().split(b"\n")
    part_starts = np.flatnonzero(compact == _NL) + 1
    lengths = np.diff(part_starts, prepend=0, append=len(compact) + 1) - 1
    spaces = (compact == SPACE).view(np.int8)
    n_words_parts = np.zeros(len(parts), dtype=np.int64)
    if len(compact):
        n_words_parts[:] = np.add.reduceat(
            spaces, np.concatenate([[0], np.minimum(part_starts, len(compact) - 1)]), dtype=np.int64
        )
    return compact, parts, np.where(lengths > 0, n_words_parts + 1, 0)


def _chunk_rows(
    pieces: Sequence[str],
    seed: int,
    trim: _Trim | None,
    *,
    want_parts: bool = False,
    want_shapes: bool = False,
    want_keys: bool = True,
) -> _Rows:
    """Segment and key the lines of ``pieces`` (each at most ``CHUNK_CHARS`` characters).

    Works on the UTF-8 bytes of the pieces joined by ``\n``. The mapped buffer holds the normalized
    bytes, ``SPACE`` between words and ``_NL`` at the first byte of every line boundary. Keeping the
    bytes above ``SPACE``, the ``_NL`` marks and one space between two words of the same line gives
    every normalized line separated by ``\n``, so one ``bytes.split`` yields the bytes to hash.
    """
    table, ascii_table, punct = fold_tables()
    encoded = [p.encode("utf-8", "surrogatepass") for p in pieces]
    raw = np.frombuffer(b"\n".join(encoded), dtype=np.uint8)
    n = len(raw)
    char_lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    byte_lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
    piece_chars = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(char_lengths + 1, out=piece_chars[1:])
    piece_bytes = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(byte_lengths + 1, out=piece_bytes[1:])
    seps = piece_bytes[1:-1] - 1
    mapped = fold_utf8(raw, table, ascii_table)

    starts, ends, next_starts, piece, cut_starts = _line_bounds(raw, seps)
    n_lines = len(starts)
    mapped[cut_starts] = _NL

    slow_rows = np.empty(0, dtype=np.int64)
    if n != int(piece_chars[-1]) - 1:  # not pure ASCII
        mapped, slow_rows = _normalize_slow_lines(mapped, raw, pieces, starts, ends)
    compact, parts, n_words_parts = _compact_words(mapped)
    part_keys = _hash_parts(parts, seed) if want_keys else np.zeros(len(parts), dtype=np.uint64)
    part_keys[n_words_parts == 0] = 0
    keys = part_keys[:n_lines].copy()
    n_words = n_words_parts[:n_lines].copy()
    if len(slow_rows):
        keys[slow_rows] = part_keys[n_lines:]
        n_words[slow_rows] = n_words_parts[n_lines:]

    trim_rows = np.empty(0, dtype=np.int64)
    trim_keys = np.empty(0, dtype=np.uint64)
    trim_words = np.empty(0, dtype=np.int64)
    if trim is not None:
        part_rows = np.concatenate([np.arange(n_lines, dtype=np.int64), slow_rows])
        trim_rows, trim_keys, trim_words = _trimmed(compact, parts, n_words_parts, part_rows, punct, seed, trim)
    to_chars = None if n == int(piece_chars[-1]) - 1 else char_offsets(raw)  # None: ASCII
    shapes = shapes_of_utf8(raw, starts, ends, to_chars, digits=want_keys) if want_shapes else None
    if to_chars is not None:
        starts, ends, next_starts = to_chars(starts), to_chars(ends), to_chars(next_starts)
    local = piece_chars[piece]
    if want_parts:
        for i, row in enumerate(slow_rows.tolist()):
            parts[row] = parts[n_lines + i]
        del parts[n_lines:]
    return _Rows(
        piece,
        starts - local,
        ends - local,
        next_starts - local,
        keys,
        n_words,
        trim_rows,
        trim_keys,
        trim_words,
        parts if want_parts else None,
        shapes,
    )


def _trimmed(
    compact: NDArray[np.uint8],
    parts: list[bytes],
    n_words: IntArray,
    part_rows: IntArray,
    punct: NDArray[np.bool_],
    seed: int,
    trim: _Trim,
) -> tuple[IntArray, HashArray, IntArray]:
    """Keys of short lines cut before a short tail that follows punctuation and a space.

    ``"learn to use ai like a pro. learn more"`` gives the key of ``"learn to use ai like a pro"``:
    the cut is at a space that follows punctuation, the tail after it has at most ``trim.words``
    words, the head keeps at least ``trim.min_kept`` and the line has at most ``trim.max_words``.
    Punctuation and one space before the cut are stripped.
    """
    empty = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    spaces = np.flatnonzero(compact == SPACE)
    if len(spaces) == 0:
        return empty
    cand = np.flatnonzero(punct[compact[spaces - 1]])
    if len(cand) == 0:
        return empty
    marks = np.flatnonzero(compact == _NL)
    pos = spaces[cand]
    part = np.searchsorted(marks, pos)
    line_end = np.append(marks, len(compact))[part]
    line_start = np.concatenate([[0], marks + 1])[part]
    tail = np.searchsorted(spaces, line_end) - cand  # words after the cut
    head = n_words[part] - tail
    ok = (tail <= trim.words) & (head >= trim.min_kept) & (n_words[part] <= trim.max_words)
    pos, part, line_start, head = pos[ok], part[ok], line_start[ok], head[ok]
    cut = pos.copy()
    for _ in range(3):
        cut -= (cut > line_start) & punct[compact[np.maximum(cut - 1, 0)]]
    cut -= (cut > line_start) & (compact[np.maximum(cut - 1, 0)] == SPACE)
    ok = cut > line_start
    part, length, head = part[ok], (cut - line_start)[ok], head[ok]
    heads = [parts[i][:k] for i, k in zip(part.tolist(), length.tolist(), strict=True)]
    keys = _hash_parts(heads, seed)
    rows = part_rows[part]
    order = np.argsort(rows, kind="stable")
    return rows[order], keys[order], head[order]


def _huge_line_rows(text: str, start: int, end: int, next_start: int, seed: int, doc: int, shapes: bool) -> _Rows:
    """Key one line longer than the chunk size, a chunk at a time (streaming xxh3).

    The line is cut just after an ASCII space (normalization never joins across one: a space
    neither composes nor reorders), each segment is normalized by the batch path, and the
    non-empty segments are hashed joined by one space, which is exactly the normalized line.
    """
    hasher = xxhash.xxh3_64(seed=seed)
    words = 0
    pos = start
    while pos < end:
        cut = end
        if end - pos > CHUNK_CHARS:
            space = text.rfind(" ", pos + CHUNK_CHARS // 2, pos + CHUNK_CHARS)
            if space < 0:  # a megabyte without a space: normalize the rest at once
                norm = _DIGIT_RUN.sub("0", normalize_text(text[pos:end], mask_digits=True))
                segment = norm.encode("utf-8", "surrogatepass")
                if segment:
                    hasher.update(b" " + segment if words else segment)
                    words += segment.count(b" ") + 1
                break
            cut = space + 1
        rows = _chunk_rows([text[pos:cut]], seed, None, want_parts=True)
        segment = rows.parts[0] if rows.parts else b""
        if segment:
            hasher.update(b" " + segment if words else segment)
            words += int(rows.n_words[0])
        pos = cut
    key = hasher.intdigest() if words else 0
    one = np.zeros(1, dtype=np.int64)
    empty_i = np.empty(0, dtype=np.int64)
    shape = None
    if shapes:
        cp = np.frombuffer(text[start:end].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        shape = shapes_of_codepoints(cp, one, one + len(cp))
    return _Rows(
        one + doc,
        one + start,
        one + end,
        one + next_start,
        np.array([key], dtype=np.uint64),
        one + words,
        empty_i,
        np.empty(0, dtype=np.uint64),
        empty_i,
        None,
        shape,
    )


def _pieces_of(text: str) -> list[tuple[int, int, bool]]:
    """Cut a long text at line terminators into ``(start, end, huge)`` pieces of about CHUNK_CHARS.

    Each piece is as long as it can be and ends just after a terminator (a ``\r\n`` that straddles
    the limit makes it one character longer); the last piece is the rest (possibly empty). A
    ``huge`` piece is one line (with its terminator) longer than the chunk size. The work is a
    ``rfind`` per piece, not a step per line.
    """
    pieces: list[tuple[int, int, bool]] = []
    pos, n = 0, len(text)
    while n - pos > CHUNK_CHARS:
        limit = pos + CHUNK_CHARS
        cut = max(text.rfind("\n", pos, limit), text.rfind("\r", pos, limit))
        if cut >= 0:
            end = cut + 2 if text.startswith("\r\n", cut) else cut + 1
            pieces.append((pos, end, False))
        else:  # no terminator in a chunk's length: this line is huge
            match = _TERMINATOR.search(text, limit)
            if match is None:  # the last line: nothing follows it
                pieces.append((pos, n, True))
                return pieces
            end = match.end()
            pieces.append((pos, end, True))
        pos = end
    pieces.append((pos, n, False))
    return pieces


def split_lines(
    texts: Iterable[str],
    *,
    seed: int = 0,
    trim_words: int = 0,
    trim_min_kept: int = 4,
    trim_max_words: int = 12,
    keep_normalized: bool = False,
    shapes: bool = False,
) -> LineTable:
    """Split texts into lines with exact offsets, normalized keys, word counts and paragraphs.

    Args:
        texts: the documents (each a ``str``).
        seed: seed of the line-key hash.
        trim_words: also key every line of at most ``trim_max_words`` words with 1 to ``trim_words``
            words cut from its end and, separately, from its start (punctuation at the cut stripped),
            keeping at least ``trim_min_kept`` words; ``0`` computes none. ``"Learn to use AI like a
            Pro. Learn More"`` cut by two words has the key of ``"Learn to use AI like a Pro"``.
        trim_min_kept: fewest words a trimmed key keeps.
        trim_max_words: longest line (in words) that gets trimmed keys.
        keep_normalized: also return every line's normalized UTF-8 (``LineTable.normalized``; empty
            for lines longer than ``CHUNK_CHARS``, which are hashed a chunk at a time).
        shapes: also return every line's layout and punctuation (``LineTable.shapes``).

    Returns:
        A :class:`LineTable` with one row per line, documents in input order.

    Raises:
        TypeError: ``texts`` is a single string, or an item is not a ``str`` (the message names its index).

    >>> table = split_lines(["Home\\r\\n  HOME \\rabout us\\n"])
    >>> table.starts.tolist(), table.ends.tolist(), table.next_starts.tolist()
    ([0, 6, 14, 23], [4, 13, 22, 23], [6, 14, 23, 23])
    >>> bool(table.keys[0] == table.keys[1]), table.n_words.tolist()
    (True, [1, 1, 2, 0])
    """
    docs = _check_texts(texts)
    trim = _trim_of(seed, trim_words, trim_min_kept, trim_max_words)
    parts = _segment(docs, seed, trim, keep_normalized, shapes)
    return _assemble(parts, len(docs), keep_normalized)


def _trim_of(seed: int, trim_words: int, trim_min_kept: int, trim_max_words: int) -> _Trim | None:
    """The trimming settings (checked), None when ``trim_words`` is 0; the seed is checked too."""
    check_int("seed", seed, low=0, high=2**64 - 1)
    check_int("trim_words", trim_words, low=0, high=16)
    if not trim_words:
        return None
    return _Trim(
        trim_words, check_int("trim_min_kept", trim_min_kept, low=1), check_int("trim_max_words", trim_max_words, low=1)
    )


def split_windows(
    text: str,
    *,
    window_chars: int,
    seed: int = 0,
    trim_words: int = 0,
    trim_min_kept: int = 4,
    trim_max_words: int = 12,
    keep_normalized: bool = False,
    shapes: bool = False,
    keys: bool = True,
) -> Iterator[LineTable]:
    """The lines of one text, a window of about ``window_chars`` characters at a time.

    The windows' rows, one after the other, are the rows of ``split_lines([text], ...)`` with the
    same values (offsets from the text's start); a window ends just after a line terminator (the
    last one at the text's end), and holds a line longer than ``window_chars`` whole. Each
    window's ``paragraphs`` are numbered from 0 as if it started the text. Only one window's
    arrays are alive at a time, so a text of millions of lines costs a window's memory, not the
    text's. Without ``keys``, the line keys and the shapes' digit fields are 0 and no trimmed keys
    are made (a pass that reads only which lines are blank and their layout).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__})")
    check_int("window_chars", window_chars, low=1)
    trim = _trim_of(seed, trim_words, trim_min_kept, trim_max_words)
    pieces = [(0, len(text), False)] if len(text) <= CHUNK_CHARS else _pieces_of(text)
    for k, (start, end, huge) in enumerate(pieces):
        trailing = k + 1 < len(pieces)
        if huge:
            match = _TERMINATOR.search(text, max(start, end - 2), end) if trailing else None
            content_end = match.start() if match is not None and match.end() == end else end
            rows = _huge_line_rows(text, start, content_end, end, seed, 0, shapes)
            yield _assemble([rows], 1, keep_normalized)
            continue
        cuts = _windows_of(text, start, end, window_chars)
        for i, (lo, hi) in enumerate(cuts):
            rows = _chunk_rows(
                [text[lo:hi]],
                seed,
                trim if keys else None,
                want_parts=keep_normalized,
                want_shapes=shapes,
                want_keys=keys,
            )
            yield _assemble([_place_rows(rows, [(0, lo, trailing or i + 1 < len(cuts))])], 1, keep_normalized)


def _windows_of(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``[start, end)`` (a piece of whole lines) cut just after line terminators into parts of about ``limit``."""
    out: list[tuple[int, int]] = []
    pos = start
    while end - pos > limit:
        cut = max(text.rfind("\n", pos, pos + limit), text.rfind("\r", pos, pos + limit))
        if cut < 0:  # a line longer than the limit: the part holds it whole
            match = _TERMINATOR.search(text, pos + limit, end)
            if match is None or match.end() == end:
                break
            cut_end = match.end()
        else:
            cut_end = cut + 2 if text.startswith("\r\n", cut) else cut + 1
        out.append((pos, cut_end))
        pos = cut_end
    if pos < end or not out:
        out.append((pos, end))
    return out


def _segment(docs: list[str], seed: int, trim: _Trim | None, keep_normalized: bool, shapes: bool) -> list[_Rows]:
    """Rows of every document in order (offsets in their document), chunk by chunk.

    Documents are gathered into chunks of about ``CHUNK_CHARS`` characters; a longer document is
    cut at line terminators, and a line longer than a chunk is hashed alone.
    """
    parts: list[_Rows] = []  # rows of every document in order, offsets in their document
    batch: list[str] = []
    batch_meta: list[tuple[int, int, bool]] = []
    batch_chars = 0

    def flush() -> None:
        nonlocal batch_chars
        if not batch:
            return
        rows = _chunk_rows(batch, seed, trim, want_parts=keep_normalized, want_shapes=shapes)
        parts.append(_place_rows(rows, batch_meta))
        batch.clear()
        batch_meta.clear()
        batch_chars = 0

    for doc, text in enumerate(docs):
        pieces = [(0, len(text), False)] if len(text) <= CHUNK_CHARS else _pieces_of(text)
        for k, (start, end, huge) in enumerate(pieces):
            trailing = k + 1 < len(pieces)
            if huge:
                flush()
                match = _TERMINATOR.search(text, max(start, end - 2), end) if trailing else None
                content_end = match.start() if match is not None and match.end() == end else end
                parts.append(_huge_line_rows(text, start, content_end, end, seed, doc, shapes))
                continue
            if batch_chars + (end - start) > CHUNK_CHARS:
                flush()
            batch.append(text if end - start == len(text) else text[start:end])
            batch_meta.append((doc, start, trailing))
            batch_chars += end - start + 1
    flush()
    return parts


def _place_rows(rows: _Rows, meta: list[tuple[int, int, bool]]) -> _Rows:
    """Rows of a chunk placed in their documents: offsets from each document's start, ``piece``
    replaced by the document, and the empty line after a piece cut at a terminator dropped."""
    doc, offset, trailing = (np.array(column, dtype=np.int64) for column in zip(*meta, strict=True))
    keep = np.ones(len(rows.piece), dtype=bool)
    bounds = np.searchsorted(rows.piece, np.arange(1, len(meta) + 1))
    keep[bounds[trailing.astype(bool)] - 1] = False
    shift = offset[rows.piece]
    renumber = np.cumsum(keep) - 1
    kept_trim = keep[rows.trim_rows]
    parts = rows.parts
    return _Rows(
        doc[rows.piece][keep],
        (rows.starts + shift)[keep],
        (rows.ends + shift)[keep],
        (rows.next_starts + shift)[keep],
        rows.keys[keep],
        rows.n_words[keep],
        renumber[rows.trim_rows[kept_trim]],
        rows.trim_keys[kept_trim],
        rows.trim_words[kept_trim],
        None if parts is None else [part for part, k in zip(parts, keep.tolist(), strict=True) if k],
        None if rows.shapes is None else rows.shapes.take(keep),
    )


def _assemble(parts: list[_Rows], n_docs: int, keep_normalized: bool) -> LineTable:
    """Join the placed rows of every chunk and huge line (``piece`` holds each row's document)."""
    if not parts:  # no documents
        none, no_keys = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
        parts = [_Rows(none, none, none, none, no_keys, none, none, no_keys, none, [], LineShapes.concat([]))]
    sizes = np.array([len(rows.starts) for rows in parts], dtype=np.int64)
    row_base = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    def cat(name: str) -> NDArray[Any]:
        """One field of every part joined; the parts' arrays are released (peak: one field twice)."""
        return _drain(parts, name)

    doc = cat("piece")
    counts = np.bincount(doc, minlength=n_docs)
    doc_offsets = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=doc_offsets[1:])
    n_words = cat("n_words").astype(np.int64, copy=False)
    blank = n_words == 0
    first_of_doc = np.zeros(len(n_words), dtype=bool)
    first_of_doc[doc_offsets[:-1][counts > 0]] = True
    prev_blank = np.concatenate([[True], blank[:-1]])
    begins = ~blank & (prev_blank | first_of_doc)
    paragraphs = np.cumsum(begins) - 1
    paragraphs[blank] = -1
    normalized: list[bytes] | None = None
    if keep_normalized:
        normalized = []
        for rows in parts:
            normalized += rows.parts if rows.parts is not None else [b""] * len(rows.starts)
    shapes = [rows.shapes for rows in parts if rows.shapes is not None]
    trim_rows = np.concatenate([rows.trim_rows + base for rows, base in zip(parts, row_base, strict=True)])
    return LineTable(
        doc_offsets=doc_offsets,
        starts=cat("starts").astype(np.int64, copy=False),
        ends=cat("ends").astype(np.int64, copy=False),
        next_starts=cat("next_starts").astype(np.int64, copy=False),
        keys=cat("keys").astype(np.uint64, copy=False),
        n_words=n_words,
        paragraphs=paragraphs.astype(np.int64),
        trim_rows=trim_rows,
        trim_keys=cat("trim_keys").astype(np.uint64, copy=False),
        trim_words=cat("trim_words").astype(np.int64, copy=False),
        normalized=normalized,
        shapes=LineShapes.concat(shapes) if len(shapes) == len(parts) else None,
    )


def _drain(items: Sequence[Any], name: str) -> NDArray[Any]:
    """``items``' arrays ``name`` joined, each replaced by an empty one as soon as it is copied."""
    total = sum(len(getattr(item, name)) for item in items)
    out = np.empty(total, dtype=getattr(items[0], name).dtype)
    pos = 0
    for item in items:
        part = getattr(item, name)
        out[pos : pos + len(part)] = part
        pos += len(part)
        setattr(item, name, part[:0].copy())
    return out
