"""Tests for dedupe.io: streaming reading and atomic writing of corpora."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.errors import ConfigError, InputError, MissingDependencyError
from dedupe.io import Record, Rejected, read_corpus, write_corpus, write_jsonl
from dedupe.io.textdir import TxtNames

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
zstd = pytest.importorskip("zstandard")

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

ROWS: list[dict[str, Any]] = [
    {"url": "https://a.example/1", "text": "Première page — café", "meta": {"lang": "fr", "n": [1, 2]}},
    {"url": "https://a.example/2", "text": "", "meta": {"lang": "en", "n": []}},
    {
        "url": "https://a.example/3",
        "text": "line one\nline two\r\n\u2028tab\tend",
        "meta": {"lang": "xx", "n": [3]},
    },
]

FILE_SUFFIXES = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet"]


def _write_bytes(path: Path, data: bytes) -> Path:
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstd.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def _jsonl(rows: list[Any]) -> bytes:
    return b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in rows)


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------------------------ reading


def test_reads_seeds_folder_with_file_stems_as_ids() -> None:
    records = list(read_corpus(SEEDS))
    stems = sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert len(records) == 5
    assert [r.id for r in records] == stems
    for record in records:
        assert isinstance(record, Record)
        assert record.text == (SEEDS / f"{record.id}.txt").read_bytes().decode("utf-8")
        assert record.fields == {"id": record.id, "text": record.text}
        assert record.source == str(SEEDS / f"{record.id}.txt")
        assert record.line is None


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".ndjson", ".jsonl.gz", ".gz", ".jsonl.zst", ".zst"])
def test_reads_json_lines_in_every_compression(tmp_path: Path, suffix: str) -> None:
    path = _write_bytes(tmp_path / f"crawl{suffix}", _jsonl(ROWS))
    records = list(read_corpus(path))
    assert [r.id for r in records] == ["0", "1", "2"]
    assert [r.fields for r in records] == ROWS
    assert [r.text for r in records] == [row["text"] for row in ROWS]
    assert [r.line for r in records] == [1, 2, 3]
    assert {r.source for r in records} == {str(path)}


def test_reads_parquet_in_batches(tmp_path: Path) -> None:
    path = tmp_path / "crawl.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path)
    for batch_size in (1, 2, 10_000):
        records = list(read_corpus(path, id_field="url", batch_size=batch_size))
        assert [r.fields for r in records] == ROWS
        assert [r.id for r in records] == [row["url"] for row in ROWS]
        assert [r.line for r in records] == [1, 2, 3]


def test_reads_iterables_of_dicts_strings_and_records() -> None:
    records = list(read_corpus(["a b", {"text": "c", "k": 1}, Record("x", "y", {"text": "y"})]))
    assert [(r.id, r.text) for r in records] == [("0", "a b"), ("1", "c"), ("x", "y")]
    assert records[0].fields == {"id": "0", "text": "a b"}
    assert records[1].fields == {"text": "c", "k": 1}
    assert [r.line for r in records[:2]] == [1, 2]
    assert all(r.source is None for r in records[:2])
    # read_corpus applied to its own output changes nothing
    assert list(read_corpus(iter(records))) == records


def test_iterable_dicts_are_copied() -> None:
    row = {"text": "a"}
    (record,) = read_corpus([row])
    row["text"] = "changed"
    assert record.fields == {"text": "a"}


def test_reading_is_lazy() -> None:
    endless = ({"text": f"doc {i}"} for i in itertools.count())
    first = list(itertools.islice(read_corpus(endless), 3))
    assert [r.text for r in first] == ["doc 0", "doc 1", "doc 2"]


def test_id_field_accepts_str_and_int(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "c.jsonl", _jsonl([{"id": 7, "text": "a"}, {"id": "b", "text": "b"}]))
    assert [r.id for r in read_corpus(path, id_field="id")] == ["7", "b"]


def test_empty_text_is_a_valid_record() -> None:
    (record,) = read_corpus([{"text": ""}])
    assert isinstance(record, Record)
    assert record.text == ""


def test_blank_lines_bom_and_crlf(tmp_path: Path) -> None:
    data = b'\xef\xbb\xbf{"text": "a"}\r\n\n   \r\n{"text": "b"}\r\n{"text": "c"}'
    path = _write_bytes(tmp_path / "c.jsonl", data)
    records = list(read_corpus(path))
    assert [(r.id, r.text, r.line) for r in records] == [("0", "a", 1), ("1", "b", 4), ("2", "c", 5)]


def test_folder_of_shards_numbers_positions_across_files(tmp_path: Path) -> None:
    _write_bytes(tmp_path / "part-0.jsonl", _jsonl([{"text": "a"}, {"text": "b"}]))
    _write_bytes(tmp_path / "part-1.jsonl.gz", _jsonl([{"text": "c"}]))
    _write_bytes(tmp_path / "_SUCCESS", b"")
    _write_bytes(tmp_path / ".hidden.crc", b"junk")
    records = list(read_corpus(tmp_path))
    assert [(r.id, r.text, Path(r.source or "").name) for r in records] == [
        ("0", "a", "part-0.jsonl"),
        ("1", "b", "part-0.jsonl"),
        ("2", "c", "part-1.jsonl.gz"),
    ]


def test_rejected_entries_keep_their_positions(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "c.jsonl", b'{"text": "a"}\nnot json\n{"text": "c"}\n')
    items = list(read_corpus(path, on_error="reject"))
    assert [type(i).__name__ for i in items] == ["Record", "Rejected", "Record"]
    assert [i.id for i in items if isinstance(i, Record)] == ["0", "2"]


def test_zstd_multiple_frames(tmp_path: Path) -> None:
    compressor = zstd.ZstdCompressor()
    data = compressor.compress(b'{"text": "a"}\n{"te') + compressor.compress(b'xt": "b"}\n')
    path = tmp_path / "c.jsonl.zst"
    path.write_bytes(data)
    assert [r.text for r in read_corpus(path)] == ["a", "b"]


# ---------------------------------------------------------------------------------- bad input

BAD_LINES = [
    pytest.param(b"{not json}", "malformed_json", "malformed JSON at column 2", id="malformed"),
    pytest.param(b'["a", "b"]', "not_an_object", "got array", id="array"),
    pytest.param(b'"just text"', "not_an_object", "got string", id="string"),
    pytest.param(b'{"url": "u", "body": "b"}', "missing_field", "field 'text' is missing", id="missing"),
    pytest.param(b'{"text": 42}', "bad_field_type", "field 'text' must be a string, got number", id="int"),
    pytest.param(b'{"text": null}', "bad_field_type", "field 'text' must be a string, got null", id="null"),
    pytest.param(b'{"text": "caf\xe9"}', "invalid_utf8", "invalid UTF-8 at byte 14 of the line", id="utf8"),
]


def _bad_file(tmp_path: Path, bad: bytes, suffix: str = ".jsonl") -> Path:
    lines = b'{"text": "good 1"}\n{"text": "good 2"}\n' + bad + b'\n{"text": "good 4"}\n'
    return _write_bytes(tmp_path / f"crawl{suffix}", lines)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
@pytest.mark.parametrize(("bad", "reason", "detail"), BAD_LINES)
def test_bad_line_raises_naming_file_line_and_field(
    tmp_path: Path, bad: bytes, reason: str, detail: str, suffix: str
) -> None:
    path = _bad_file(tmp_path, bad, suffix)
    items = read_corpus(path)
    assert next(items).text == "good 1"  # streaming: the good lines come first
    with pytest.raises(InputError) as info:
        list(items)
    error = info.value
    assert error.path == str(path)
    assert error.line == 3
    assert error.reason == reason
    assert str(error).startswith(f"{path}:3: ")
    assert detail in str(error)


@pytest.mark.parametrize(("bad", "reason", "detail"), BAD_LINES)
def test_bad_line_is_yielded_as_rejected(tmp_path: Path, bad: bytes, reason: str, detail: str) -> None:
    path = _bad_file(tmp_path, bad)
    items = list(read_corpus(path, on_error="reject"))
    assert [type(i) for i in items] == [Record, Record, Rejected, Record]
    rejected = items[2]
    assert isinstance(rejected, Rejected)
    assert (rejected.source, rejected.line, rejected.reason) == (str(path), 3, reason)
    assert detail in rejected.message
    assert rejected.message.startswith(f"{path}:3: ")
    assert rejected.raw == bad.decode("utf-8", "backslashreplace")
    assert json.loads(json.dumps(rejected.as_dict()))["reason"] == reason


def test_missing_text_field_message_suggests_the_field(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "crawl.jsonl", b'{"url": "u", "body": "the text", "title": "t"}\n')
    with pytest.raises(InputError) as info:
        list(read_corpus(path))
    assert str(info.value) == (
        f"{path}:1: field 'text' is missing (keys: 'url', 'body', 'title'); pass text_field='body'"
    )
    assert [r.text for r in read_corpus(path, text_field="body")] == ["the text"]


@pytest.mark.parametrize(
    ("row", "reason", "detail"),
    [
        ({"text": "a"}, "missing_field", "id field 'url' is missing"),
        ({"url": 1.5, "text": "a"}, "bad_field_type", "got number 1.5"),
        ({"url": True, "text": "a"}, "bad_field_type", "got boolean True"),
        ({"url": None, "text": "a"}, "bad_field_type", "got null"),
    ],
)
def test_bad_id_field(tmp_path: Path, row: dict[str, Any], reason: str, detail: str) -> None:
    path = _write_bytes(tmp_path / "c.jsonl", _jsonl([{"url": "u0", "text": "ok"}, row]))
    with pytest.raises(InputError) as info:
        list(read_corpus(path, id_field="url"))
    assert (info.value.line, info.value.reason) == (2, reason)
    assert detail in str(info.value)
    assert "'url'" in str(info.value)
    items = list(read_corpus(path, id_field="url", on_error="reject"))
    assert isinstance(items[1], Rejected)
    assert items[1].reason == reason


def test_duplicate_ids(tmp_path: Path) -> None:
    rows = [{"url": "a", "text": "1"}, {"url": "b", "text": "2"}, {"url": "a", "text": "3"}]
    path = _write_bytes(tmp_path / "c.jsonl", _jsonl(rows))
    with pytest.raises(InputError) as info:
        list(read_corpus(path, id_field="url"))
    error = info.value
    assert (error.line, error.reason, error.doc_id) == (3, "duplicate_id", "a")
    assert str(error).startswith(f"{path}:3: id 'a' (field 'url') was already used")
    items = list(read_corpus(path, id_field="url", on_error="reject"))
    assert [type(i) for i in items] == [Record, Record, Rejected]
    assert isinstance(items[2], Rejected)
    assert (items[2].reason, items[2].doc_id, items[2].raw) == ("duplicate_id", "a", json.dumps(rows[2]))


def test_duplicate_ids_across_shards_and_iterables(tmp_path: Path) -> None:
    _write_bytes(tmp_path / "a.jsonl", _jsonl([{"id": "x", "text": "1"}]))
    _write_bytes(tmp_path / "b.jsonl", _jsonl([{"id": "x", "text": "2"}]))
    with pytest.raises(InputError, match=r"b.jsonl:1: id 'x'"):
        list(read_corpus(tmp_path, id_field="id"))
    with pytest.raises(InputError, match="record 2: id 'x'") as info:
        list(read_corpus([{"id": "x", "text": "1"}, {"id": "x", "text": "2"}], id_field="id"))
    assert info.value.reason == "duplicate_id"
    with pytest.raises(InputError, match=r"duplicate|already used"):
        list(read_corpus([Record("r", "1"), Record("r", "2")]))


def test_bad_items_of_an_iterable() -> None:
    with pytest.raises(InputError) as info:
        list(read_corpus([{"text": "a"}, 42]))
    assert (info.value.path, info.value.line, info.value.reason) == (None, 2, "not_an_object")
    assert str(info.value).startswith("record 2: ")
    items = list(read_corpus([{"text": "a"}, 42, {"body": "b"}, {"text": "c"}], on_error="reject"))
    assert [type(i) for i in items] == [Record, Rejected, Rejected, Record]
    assert isinstance(items[2], Rejected)
    assert items[2].raw == '{"body": "b"}'
    assert isinstance(items[3], Record) and items[3].id == "3"  # rejected items keep their positions


def test_json_array_file_gets_a_hint(tmp_path: Path) -> None:
    path = _write_bytes(tmp_path / "data.json", json.dumps([{"text": "a"}]).encode())
    with pytest.raises(InputError, match=r"jq -c"):
        list(read_corpus(path))
    pretty = _write_bytes(tmp_path / "pretty.json", b'{\n  "text": "a"\n}\n')
    with pytest.raises(InputError, match=r"pretty-printed"):
        list(read_corpus(pretty))


def test_invalid_utf8_in_txt_file_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"fine\n")
    (tmp_path / "b.txt").write_bytes(b"one\ntwo \xff\n")
    with pytest.raises(InputError) as info:
        list(read_corpus(tmp_path))
    error = info.value
    assert (error.path, error.line, error.reason, error.doc_id) == (
        str(tmp_path / "b.txt"),
        2,
        "invalid_utf8",
        "b",
    )
    assert "invalid UTF-8 at byte 5 of line 2" in str(error)
    items = list(read_corpus(tmp_path, on_error="reject"))
    assert [type(i) for i in items] == [Record, Rejected]
    assert isinstance(items[1], Rejected)
    assert items[1].raw == "one\ntwo \\xff"


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_truncated_compressed_file(tmp_path: Path, suffix: str) -> None:
    rng = random.Random(0)  # incompressible text: many zstd blocks, so half the file holds whole lines
    rows = [{"text": rng.randbytes(32).hex()} for i in range(5000)]
    full = tmp_path / f"full{suffix}"
    _write_bytes(full, _jsonl(rows))
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    seen = 0
    with pytest.raises(InputError) as info:
        for _ in read_corpus(path):
            seen += 1
    error = info.value
    assert 0 < seen < len(rows)
    assert error.reason == "truncated_file"
    assert error.line == seen + 1
    assert str(error).startswith(f"{path}:{seen + 1}: ")
    assert f"after line {seen}" in str(error)
    assert isinstance(error.__cause__, EOFError)
    items = list(read_corpus(path, on_error="reject"))
    assert all(isinstance(i, Record) for i in items[:-1])
    assert len(items) == seen + 1
    last = items[-1]
    assert isinstance(last, Rejected)
    assert (last.reason, last.line, last.raw) == ("truncated_file", seen + 1, None)


def test_corrupt_gzip_and_parquet(tmp_path: Path) -> None:
    bad_gz = tmp_path / "bad.jsonl.gz"
    bad_gz.write_bytes(b"this is not gzip at all")
    with pytest.raises(InputError, match="truncated or corrupt before the first line"):
        list(read_corpus(bad_gz))
    bad_pq = tmp_path / "bad.parquet"
    bad_pq.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError) as info:
        list(read_corpus(bad_pq))
    assert (info.value.reason, info.value.path) == ("corrupt_file", str(bad_pq))
    (item,) = read_corpus(bad_pq, on_error="reject")
    assert isinstance(item, Rejected)
    assert item.reason == "corrupt_file"


def test_missing_path_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder") as info:
        read_corpus(tmp_path / "nope.jsonl")  # checked at call time, not on first next()
    assert info.value.reason == "not_found"
    (tmp_path / "data.csv").write_text("a,b\n")
    with pytest.raises(ConfigError, match=r"unknown file type '.csv'; expected one of: .jsonl, .json"):
        read_corpus(tmp_path / "data.csv")
    (tmp_path / "data.csv.gz").write_bytes(gzip.compress(b"a,b\n"))
    with pytest.raises(ConfigError, match=r"compressed .csv files are not supported"):
        read_corpus(tmp_path / "data.csv.gz")


def test_folder_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="holds no corpus files"):
        read_corpus(tmp_path)
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(ConfigError, match=r"contains 'notes.md', which is not a corpus file"):
        read_corpus(tmp_path)
    (tmp_path / "notes.md").unlink()
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError, match="contains 'sub', which is not a file"):
        read_corpus(tmp_path)


def test_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="on_error"):
        read_corpus([], on_error="ignore")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="text_field must be a str"):
        read_corpus([], text_field=3)  # type: ignore[call-overload]
    with pytest.raises(ConfigError, match="text_field must be a non-empty"):
        read_corpus([], text_field="")
    with pytest.raises(ConfigError, match="batch_size"):
        read_corpus([], batch_size=0)
    for source in (b"crawl.jsonl", {"text": "a"}, 3):
        with pytest.raises(TypeError, match="source must be a path"):
            read_corpus(source)  # type: ignore[arg-type]


def test_missing_extras(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zst = _write_bytes(tmp_path / "c.jsonl.zst", _jsonl(ROWS))
    parquet = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), parquet)
    monkeypatch.setitem(sys.modules, "zstandard", None)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'dedupe-text\[zstd\]'"):
        read_corpus(zst)
    with pytest.raises(
        MissingDependencyError, match=r"reading Parquet.*pip install 'dedupe-text\[parquet\]'"
    ):
        read_corpus(parquet)
    with pytest.raises(MissingDependencyError, match=r"dedupe-text\[zstd\]"):
        write_corpus([], tmp_path / "out.jsonl.zst")
    with pytest.raises(MissingDependencyError, match=r"dedupe-text\[parquet\]"):
        write_corpus([], tmp_path / "out.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.jsonl.zst", "c.parquet"]


# ------------------------------------------------------------------------------------ writing


@pytest.mark.parametrize("suffix", FILE_SUFFIXES)
def test_round_trip_keeps_every_field(tmp_path: Path, suffix: str) -> None:
    records = list(read_corpus(ROWS, id_field="url"))
    path = tmp_path / f"out{suffix}"
    assert write_corpus(records, path) == len(ROWS)
    back = list(read_corpus(path, id_field="url"))
    assert [r.fields for r in back] == ROWS
    assert [list(r.fields) for r in back] == [list(row) for row in ROWS]  # key order
    assert [(r.id, r.text) for r in back] == [(r.id, r.text) for r in records]
    assert _no_temp_files(tmp_path)


@pytest.mark.parametrize("suffix", FILE_SUFFIXES)
def test_writer_replaces_the_text_field_in_place(tmp_path: Path, suffix: str) -> None:
    rows = [{"title": "t", "body": "old text", "n": 1}]
    (record,) = read_corpus(rows, text_field="body")
    path = tmp_path / f"out{suffix}"
    write_corpus([record.with_text("cleaned")], path, text_field="body")
    (back,) = read_corpus(path, text_field="body")
    assert back.fields == {"title": "t", "body": "cleaned", "n": 1}
    assert list(back.fields) == ["title", "body", "n"]


def test_round_trip_txt_folder(tmp_path: Path) -> None:
    records = list(read_corpus(SEEDS))
    out = tmp_path / "corpus"
    assert write_corpus(records, out) == 5
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in SEEDS.glob("*.txt"))
    for name in os.listdir(out):
        assert (out / name).read_bytes() == (SEEDS / name).read_bytes()
    assert [(r.id, r.text) for r in read_corpus(out)] == [(r.id, r.text) for r in records]
    # to JSON Lines and back keeps id and text
    write_corpus(records, tmp_path / "seeds.jsonl")
    again = list(read_corpus(tmp_path / "seeds.jsonl", id_field="id"))
    assert [(r.id, r.text) for r in again] == [(r.id, r.text) for r in records]


def test_txt_folder_names() -> None:
    names = TxtNames()
    assert names.name("doc-1.v2") == "doc-1.v2.txt"
    assert names.name("DOC-1.v2").startswith("DOC-1.v2_")  # clashes ignoring case: hashed
    odd = names.name("https://x.example/a b?c")
    assert odd.startswith("https_x.example_a_b_c_") and odd.endswith(".txt")
    assert names.name("").startswith("doc_")
    assert names.name(".hidden").startswith("hidden_")
    for repeated in ("doc-1.v2", "https://x.example/a b?c"):
        with pytest.raises(InputError) as info:
            names.name(repeated)
        assert (info.value.reason, info.value.doc_id) == ("duplicate_id", repeated)


def test_txt_folder_output_rules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()  # an existing empty folder is fine
    write_corpus([Record("a", "x"), Record("b/c", "y")], out)
    names = sorted(p.name for p in out.iterdir())
    assert names[0] == "a.txt" and names[1].startswith("b_c_")
    with pytest.raises(ConfigError, match="exists and is not empty"):
        write_corpus([Record("z", "z")], out)
    with pytest.raises(InputError) as info:
        write_corpus([Record("a", "1"), Record("a", "2")], tmp_path / "dup")
    assert info.value.reason == "duplicate_id"
    assert not (tmp_path / "dup").exists()
    assert _no_temp_files(tmp_path)
    with pytest.raises(ConfigError, match=r"a .txt path holds one document"):
        write_corpus([], tmp_path / "one.txt")


@pytest.mark.parametrize("target", [*FILE_SUFFIXES, ""])
def test_write_is_atomic_when_the_records_fail(tmp_path: Path, target: str) -> None:
    path = tmp_path / f"out{target}"
    if target:
        path.write_bytes(b"previous content")

    def records() -> Iterator[Record]:
        for i in range(25_000):  # more than one write chunk / Parquet batch
            yield Record(str(i), f"text {i} " * 5, {"text": "", "i": i})
        raise RuntimeError("upstream failed")

    with pytest.raises(RuntimeError, match="upstream failed"):
        write_corpus(records(), path)
    if target:
        assert path.read_bytes() == b"previous content"
    else:
        assert not path.exists()
    assert _no_temp_files(tmp_path)


def test_write_jsonl_is_atomic_and_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "rejects.jsonl"
    rejected = Rejected("c.jsonl", 3, "{bad", "malformed_json", "c.jsonl:3: malformed JSON")
    assert write_jsonl([{"b": 1, "a": "é"}, rejected], path) == 2
    assert (
        path.read_bytes()
        == (
            '{"b":1,"a":"é"}\n'
            '{"source":"c.jsonl","line":3,"doc_id":null,"reason":"malformed_json",'
            '"message":"c.jsonl:3: malformed JSON","raw":"{bad"}\n'
        ).encode()
    )

    def rows() -> Iterator[dict[str, int]]:
        yield {"a": 1}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_jsonl(rows(), path)
    assert path.read_bytes().startswith(b'{"b":1')
    assert _no_temp_files(tmp_path)
    with pytest.raises(TypeError, match="item 1 must be a dict"):
        write_jsonl([Record("a", "b")], tmp_path / "x.jsonl")  # type: ignore[list-item]


@pytest.mark.parametrize("suffix", FILE_SUFFIXES)
def test_output_bytes_are_deterministic(tmp_path: Path, suffix: str) -> None:
    records = list(read_corpus(ROWS, id_field="url"))
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    write_corpus(records, first)
    write_corpus(iter(records), second)
    assert first.read_bytes() == second.read_bytes()


def test_jsonl_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_corpus([Record("1", "naïve\n", {"id": "1", "text": "old", "x": 1.5})], path)
    assert path.read_bytes() == '{"id":"1","text":"naïve\\n","x":1.5}\n'.encode()
    gz = tmp_path / "out.jsonl.gz"
    write_corpus([Record("1", "a", {"text": "a"})], gz)
    assert gz.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0
    assert gzip.decompress(gz.read_bytes()) == b'{"text":"a"}\n'


def test_write_corpus_rejects_non_records(tmp_path: Path) -> None:
    items = list(read_corpus([{"text": "a"}, {"body": "b"}], on_error="reject"))
    with pytest.raises(TypeError, match=r"item 2 must be a Record .*write rejects with write_jsonl"):
        write_corpus(items, tmp_path / "out.jsonl")  # type: ignore[arg-type]
    assert not (tmp_path / "out.jsonl").exists()
    with pytest.raises(ConfigError, match="does not exist"):
        write_corpus([], tmp_path / "no" / "out.jsonl")
    with pytest.raises(ConfigError, match="unknown file type"):
        write_corpus([], tmp_path / "out.csv")


def test_write_values_beyond_json(tmp_path: Path) -> None:
    when = dt.datetime(2024, 5, 1, 12, 30)
    write_corpus([Record("1", "a", {"text": "a", "at": when})], tmp_path / "d.jsonl")
    (back,) = read_corpus(tmp_path / "d.jsonl")
    assert back.fields["at"] == "2024-05-01T12:30:00"
    with pytest.raises(TypeError, match=r"cannot write record 'x' .*bytes is not JSON-serialisable"):
        write_corpus([Record("x", "a", {"text": "a", "blob": b"\0"})], tmp_path / "e.jsonl")
    assert not (tmp_path / "e.jsonl").exists()


def test_parquet_schema_is_fixed_by_the_first_batch(tmp_path: Path) -> None:
    rows = [Record("1", "a", {"text": "a", "n": 1}), Record("2", "b", {"text": "b"})]
    write_corpus(rows, tmp_path / "ok.parquet", batch_size=1)
    assert [r.fields for r in read_corpus(tmp_path / "ok.parquet")] == [
        {"text": "a", "n": 1},
        {"text": "b", "n": None},  # Parquet has no absent value
    ]
    late = [Record("1", "a", {"text": "a"}), Record("2", "b", {"text": "b", "extra": 1})]
    with pytest.raises(
        InputError, match="record '2' \\(row 2\\): field 'extra' is not in the Parquet schema"
    ):
        write_corpus(late, tmp_path / "late.parquet", batch_size=1)
    mixed = [Record("1", "a", {"text": "a", "n": 1}), Record("2", "b", {"text": "b", "n": "two"})]
    with pytest.raises(InputError, match="field 'n' of rows 1-2 cannot be stored"):
        write_corpus(mixed, tmp_path / "mixed.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.parquet"]


def test_empty_outputs(tmp_path: Path) -> None:
    assert write_corpus([], tmp_path / "e.jsonl") == 0
    assert (tmp_path / "e.jsonl").read_bytes() == b""
    assert list(read_corpus(tmp_path / "e.jsonl")) == []
    assert write_corpus([], tmp_path / "e.parquet") == 0
    assert list(read_corpus(tmp_path / "e.parquet")) == []


# ----------------------------------------------------------------------- unicode and surrogates


def test_lone_surrogates_are_escaped_in_jsonl(tmp_path: Path) -> None:
    text = "a\ud800b\udfffc"
    path = tmp_path / "s.jsonl"
    write_corpus([Record("1", text, {"text": ""})], path)
    data = path.read_bytes()
    assert data == b'{"text":"a\\ud800b\\udfffc"}\n'
    data.decode("utf-8")  # the file stays valid UTF-8
    (back,) = read_corpus(path)
    assert back.text == text


@pytest.mark.parametrize("target", ["s.parquet", "folder"])
def test_lone_surrogates_cannot_go_to_utf8_only_formats(tmp_path: Path, target: str) -> None:
    records = [Record("ok", "fine"), Record("bad", "x\udc80y", {"text": ""})]
    with pytest.raises(InputError, match=r"record 'bad'.*UTF-8 cannot encode.*write JSON Lines") as info:
        write_corpus(records, tmp_path / target)
    assert (info.value.reason, info.value.doc_id) == ("unencodable_text", "bad")
    assert list(tmp_path.iterdir()) == []


def _roundtrip_jsonl(texts: list[str], suffix: str) -> list[str]:
    records = [Record(str(i), t, {"id": str(i), "text": ""}) for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"p{suffix}"
        write_corpus(records, path)
        return [r.text for r in read_corpus(path, id_field="id")]


# Every code point, with surrogates, line breaks and JSON escapes made frequent.
ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from(["\n", "\r", "\u2028", "\x85", "\x00", '"', "\\", "\ufeff"]),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=ANY_CHAR), max_size=5))
def test_property_jsonl_round_trip_any_code_points(texts: list[str]) -> None:
    # Any str, lone surrogates included, is written without error and reads back as JSON
    # defines it: identical, except that a high + low surrogate pair becomes one character.
    assert _roundtrip_jsonl(texts, ".jsonl") == [json.loads(json.dumps(t)) for t in texts]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(), max_size=5), st.sampled_from([".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet"]))
def test_property_round_trip_valid_unicode(texts: list[str], suffix: str) -> None:
    assert _roundtrip_jsonl(texts, suffix) == texts


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(), max_size=6))
def test_property_txt_folder_round_trip(docs: dict[str, str]) -> None:
    records = [Record(doc_id, text) for doc_id, text in docs.items()]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        write_corpus(records, out)
        back = {r.text for r in read_corpus(out)} if records else set()
        assert back == set(docs.values())
        assert len(os.listdir(out)) == len(records)
