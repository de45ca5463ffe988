from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import dedupe.blocks as blocks
from dedupe.blocks import LineTable, line_key, split_lines, split_windows
from dedupe.errors import ConfigError
from dedupe.normalize import normalize_text
from strategies import corpora, texts

_TERMINATOR = re.compile(r"\r\n?|\n")


def reference_lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end, next_start) of every line, the slow obvious way."""
    out, pos = [], 0
    for match in _TERMINATOR.finditer(text):
        out.append((pos, match.start(), match.end()))
        pos = match.end()
    out.append((pos, len(text), len(text)))
    return out


def assert_matches_reference(docs: list[str], table: LineTable) -> None:
    assert table.n_docs == len(docs)
    for i, text in enumerate(docs):
        rows = range(int(table.doc_offsets[i]), int(table.doc_offsets[i + 1]))
        expected = reference_lines(text)
        got = [(int(table.starts[r]), int(table.ends[r]), int(table.next_starts[r])) for r in rows]
        assert got == expected, (text, got, expected)
        for r, (s, e, _) in zip(rows, expected, strict=True):
            line = text[s:e]
            assert int(table.keys[r]) == line_key(line), repr(line)
            assert int(table.n_words[r]) == len(normalize_text(line, mask_digits=True).split()), repr(line)


# Lines mixing every kind of character the fold table treats differently.
_PIECES = st.sampled_from(
    [
        "abc", "XYZ", " ", "\t", "  ", "019", "\r", "\n", "\r\n", ".", ", ", "|", "\u00a0", "\u2019",
        "\u2014", "é", "É", "e\u0301", "\u0301", "ß", "ﬁ", "\u00ad", "\u200b", "Σ", "٣", "１", "Ａ",
        "\u3000", "\u2028", "\x85", "\ud800", "가", "\u1100\u1161", "😀", "İ", "ǅ", "…", "\x0c", "\x1c",
        "ﾊﾟ", "\u037a", "000", "7",
    ]
)  # fmt: skip
_MIXED = st.lists(_PIECES, max_size=30).map("".join)


@given(st.lists(_MIXED, min_size=1, max_size=5))
def test_lines_keys_and_words_match_the_reference(docs: list[str]) -> None:
    assert_matches_reference(docs, split_lines(docs))


@given(corpora(min_size=1))
def test_shared_strategy_texts_match_the_reference(docs: list[str]) -> None:
    assert_matches_reference(docs, split_lines(docs))


@pytest.mark.parametrize("chunk", [1, 2, 5, 17])
@given(docs=st.lists(_MIXED, min_size=1, max_size=4))
def test_results_do_not_depend_on_chunking(chunk: int, docs: list[str]) -> None:
    whole = split_lines(docs, trim_words=3)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blocks, "CHUNK_CHARS", chunk)
        cut = split_lines(docs, trim_words=3)
    assert_matches_reference(docs, cut)
    for name in ("doc_offsets", "starts", "ends", "next_starts", "keys", "n_words", "paragraphs"):
        np.testing.assert_array_equal(getattr(whole, name), getattr(cut, name), err_msg=name)


def test_every_bmp_code_point_folds_like_normalize_text() -> None:
    lines = [f"x{chr(c)}Y {chr(c)}{chr(c)}9" for c in range(0x10000) if c not in (10, 13)]
    lines += [f"a{chr(c)}" for c in range(0x10000, 0x110000, 97)]
    table = split_lines(["\n".join(lines)])
    assert len(table) == len(lines)
    keys = table.keys.tolist()
    bad = [line for line, key in zip(lines, keys, strict=True) if key != line_key(line)]
    assert bad == []


def test_terminators_and_offsets() -> None:
    text = "Home\r\n  HOME \rabout us\n\nlast"
    table = split_lines([text])
    lines = [text[s:e] for s, e in zip(table.starts.tolist(), table.ends.tolist(), strict=True)]
    assert lines == ["Home", "  HOME ", "about us", "", "last"]
    assert table.next_starts.tolist() == [6, 14, 23, 24, 28]
    assert table.keys[0] == table.keys[1] != 0
    assert table.keys[3] == 0
    assert table.paragraphs.tolist() == [0, 0, 0, -1, 1]


def test_form_feed_and_line_separator_do_not_end_lines() -> None:
    table = split_lines(["a\x0cb\u2028c\x85d"])
    assert len(table) == 1
    assert table.n_words.tolist() == [4]


def test_empty_inputs() -> None:
    table = split_lines([])
    assert table.n_docs == 0 and len(table) == 0
    table = split_lines(["", "", "x"])
    assert table.doc_offsets.tolist() == [0, 1, 2, 3]
    assert table.n_words.tolist() == [0, 0, 1]
    assert table.docs().tolist() == [0, 1, 2]


def test_whitespace_case_digits_and_indentation_do_not_change_the_key() -> None:
    variants = [
        "Posted 3 hours ago",
        "  posted 12 HOURS ago",
        "\tPosted\u00a05 hours  ago ",
        "POSTED 7 hours ago\u3000",
    ]
    assert len({line_key(v) for v in variants}) == 1
    table = split_lines(["\n".join(variants)])
    assert len(set(table.keys.tolist())) == 1
    assert line_key("Posted 3 hours ago.") != line_key("Posted 3 hours ago")


def test_trimmed_keys_cut_a_short_tail_after_punctuation() -> None:
    text = "Learn to use AI like a Pro. Learn More\nLearn to use AI like a Pro | Learn more\nLearn to use AI: no"
    table = split_lines([text], trim_words=3)
    target = line_key("Learn to use AI like a Pro")
    hits = {int(r) for r, k in zip(table.trim_rows, table.trim_keys, strict=True) if int(k) == target}
    assert hits == {0, 1}
    assert table.trim_words[table.trim_rows == 0].max() == 7
    assert len(split_lines([text]).trim_rows) == 0


def test_type_errors_name_the_index() -> None:
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str"):
        split_lines(["ok", b"bytes"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single str"):
        split_lines("not a list")
    with pytest.raises(ConfigError, match="trim_words"):
        split_lines(["x"], trim_words=-1)


def test_a_long_single_line_keeps_exact_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "CHUNK_CHARS", 64)
    head = "Menu\r\n" * 3
    body = "word " * 100
    text = head + body + "\nEnd"
    table = split_lines([text])
    assert_matches_reference([text], table)
    assert table.n_words.tolist() == [1, 1, 1, 100, 1]


@given(texts())
def test_line_key_is_stable_under_normalization(text: str) -> None:
    line = text.replace("\r", " ").replace("\n", " ")
    assert line_key(line) == line_key(normalize_text(line, mask_digits=True))


_SPACE_CHARS = {0xA0, 0x3000} | set(range(0x2000, 0x200B))
_SHAPE_ALPHABET = list(" \t\u00a0\u3000\u2003aZé\u00dfİ.!?\"')\u201d\u00bb\u300d\u3002,-(&/0123456789")
_SHAPE_ALPHABET += ["\u20ac", "\U0001f600", "\n", "\r"]


def _fmix64(x: int) -> int:
    mask = (1 << 64) - 1
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & mask
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & mask
    return x ^ (x >> 33)


def reference_shape(line: str) -> tuple[int, int, bool, bool, bool, int, int]:
    """(indent, width, sentence_end, soft_end, lower_start, digits, numbers) of a line, the slow way."""
    visible = [i for i, ch in enumerate(line) if not (ord(ch) <= 32 or ord(ch) in _SPACE_CHARS)]
    first, last = visible[0], visible[-1]
    end = last
    for _ in range(2):
        if end > 0 and line[end] in "\"')]\u201d\u2019\u00bb\u300d\u300f":
            end -= 1
    digits = numbers = rank = 0
    for i, ch in enumerate(line):
        if "0" <= ch <= "9":
            digits = (digits + _fmix64(ord(ch) - 47 + (rank << 8))) % (1 << 64)
            rank += 1
            after_digit = i > 0 and "0" <= line[i - 1] <= "9"
            grouped = i > 1 and line[i - 1] in ",." and "0" <= line[i - 2] <= "9"
            numbers += not after_digit and not grouped
    return (
        first,
        last + 1,
        line[end] in ".!?\u3002\uff0e\uff01\uff1f\u0964\u06d4\u061f",
        line[last] in ",-(&/",
        "a" <= line[first] <= "z" or "\u00df" <= line[first] <= "\u00ff",
        digits,
        numbers,
    )


@given(st.lists(st.text(alphabet=_SHAPE_ALPHABET, max_size=60), min_size=1, max_size=6), st.sampled_from([64, 1 << 20]))
@example(['He said."\u201d\n\u00a0 \u00e9t\u00e9 3,660,273 \u20ac (12)\u00bb\u300d', "?)'"], 1 << 20)
def test_line_shapes_match_a_reference(docs: list[str], chunk: int) -> None:
    """Line shapes read from UTF-8 bytes (and, for lines over the chunk size, code points) are the slow ones."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blocks, "CHUNK_CHARS", chunk)
        table = split_lines(docs, shapes=True)
    assert table.shapes is not None
    shapes = table.shapes
    for r, doc in enumerate(table.docs().tolist()):
        line = docs[doc][int(table.starts[r]) : int(table.ends[r])]
        if not any(not (ord(ch) <= 32 or ord(ch) in _SPACE_CHARS) for ch in line):
            continue
        got = (
            int(shapes.indent[r]),
            int(shapes.width[r]),
            bool(shapes.sentence_end[r]),
            bool(shapes.soft_end[r]),
            bool(shapes.lower_start[r]),
            int(shapes.digits[r]),
            int(shapes.numbers[r]),
        )
        assert got == reference_shape(line), repr(line)


_WINDOW_FIELDS = ("starts", "ends", "next_starts", "keys", "n_words")
_SHAPE_FIELDS = ("indent", "width", "sentence_end", "soft_end", "lower_start", "digits", "numbers")


@pytest.mark.parametrize("chunk", [1 << 20, 64, 97])
@given(text=_MIXED, window=st.sampled_from([1, 3, 16, 200]), reps=st.integers(1, 12))
@example(text="a\nb\r\nc\rd", window=2, reps=1)
@example(text="\r\n", window=1, reps=40)
def test_windows_are_the_rows_of_split_lines(chunk: int, text: str, window: int, reps: int) -> None:
    """Windows one after the other are split_lines's rows, values and all, each cut after a terminator."""
    text *= reps
    with pytest.MonkeyPatch.context() as m:
        m.setattr(blocks, "CHUNK_CHARS", chunk)
        whole = split_lines([text], trim_words=3, keep_normalized=True, shapes=True)
        windows = list(split_windows(text, window_chars=window, trim_words=3, keep_normalized=True, shapes=True))
    assert sum(len(w) for w in windows) == len(whole)
    for name in _WINDOW_FIELDS:
        np.testing.assert_array_equal(np.concatenate([getattr(w, name) for w in windows]), getattr(whole, name), name)
    assert whole.shapes is not None and all(w.shapes is not None for w in windows)
    for name in _SHAPE_FIELDS:
        got = np.concatenate([getattr(w.shapes, name) for w in windows if w.shapes is not None])
        np.testing.assert_array_equal(got, getattr(whole.shapes, name), name)
    assert [row for w in windows for row in w.normalized or []] == whole.normalized
    bases = np.cumsum([0] + [len(w) for w in windows])
    trims = np.concatenate([w.trim_rows + b for w, b in zip(windows, bases, strict=False)])
    np.testing.assert_array_equal(trims, whole.trim_rows)
    np.testing.assert_array_equal(np.concatenate([w.trim_keys for w in windows]), whole.trim_keys)
    for w in windows[:-1]:  # every window but the last ends just after a line terminator
        assert text[int(w.next_starts[-1]) - 1] in "\r\n" and int(w.ends[-1]) < int(w.next_starts[-1])


def test_windows_stay_near_their_size_and_keep_long_lines_whole() -> None:
    text = "short line\n" * 50 + "x" * 300 + "\n" + "tail\r\n" * 10
    windows = list(split_windows(text, window_chars=64))
    sizes = [int(w.next_starts[-1]) - int(w.starts[0]) for w in windows]
    assert max(sizes) == 301  # the long line, whole, with its terminator
    assert all(size <= 64 for size in sizes if size != 301)
    assert int(windows[-1].next_starts[-1]) == len(text)
    light = list(split_windows(text, window_chars=64, keys=False, trim_words=3))
    assert all(not w.keys.any() and len(w.trim_rows) == 0 for w in light)
    np.testing.assert_array_equal(np.concatenate([w.n_words for w in light]), split_lines([text]).n_words)
    with pytest.raises(ConfigError, match="window_chars"):
        next(split_windows(text, window_chars=0))
