"""Reading with orjson: the same records, values and error messages as the standard library's parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.errors import InputError
from dedupe.io import Record, Rejected, jsonl, read_corpus

orjson = pytest.importorskip("orjson")  # a dependency (pyproject); without it the json.loads path is all there is

_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(1 << 70), max_value=1 << 70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _read(path: Path, *, stdlib: bool, monkeypatch: pytest.MonkeyPatch) -> list[Record | Rejected]:
    with monkeypatch.context() as m:
        if stdlib:
            m.setattr(jsonl, "_orjson", None)
        return list(read_corpus(path, on_error="reject"))


@given(st.lists(st.dictionaries(st.text(max_size=6), _values, max_size=5), min_size=1, max_size=6))
def test_orjson_reads_what_json_loads_reads(rows: list[dict[str, object]]) -> None:
    for row in rows:
        line = json.dumps({"text": "some text", **row}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        if b"\xed" in line:  # a lone surrogate in a key or value written raw is not UTF-8 at all
            continue
        expected = json.loads(line)
        got = jsonl._loads(line, line.decode())
        assert got == expected
        assert [type(v) for v in _leaves(got)] == [type(v) for v in _leaves(expected)]  # ints stay ints


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def test_lines_orjson_refuses_read_as_json_loads_reads_them() -> None:
    cases = {
        b'{"text": "a \\ud800 b"}': {"text": "a \ud800 b"},  # a lone surrogate escape
        b'{"text": "x", "n": NaN, "i": -Infinity}': None,  # non-standard literals json.loads accepts
        b'{"text": "x", "id": 123456789012345678901234567890}': {"text": "x", "id": 123456789012345678901234567890},
        b'{"text": "x", "big": [1, {"k": 18446744073709551616}]}': {"text": "x", "big": [1, {"k": 1 << 64}]},
        b'{"text": "x", "u64": 18446744073709551615}': {"text": "x", "u64": (1 << 64) - 1},
    }
    for line, want in cases.items():
        got = jsonl._loads(line, line.decode())
        if want is None:
            assert got["n"] != got["n"] and got["i"] == float("-inf")
        else:
            assert got == want
            assert type(got.get("id", 0)) is int
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(b'{"text": "a \\ud800 b"}')  # the premise: orjson alone would refuse it


def test_error_messages_are_the_standard_librarys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        b'{"text": "fine"}\n{"text": "cut\n[1, 2]\n{"text": "caf\xe9"}\n{\n{"text": 5}\n'
        b'{"text": "x", "id": 12345678901234567890123}\n\n{"text": "dup", "a": 1, "a": 2}\n'
        + b"[" * 5000 + b"\n"
    )
    fast = _read(path, stdlib=False, monkeypatch=monkeypatch)
    slow = _read(path, stdlib=True, monkeypatch=monkeypatch)
    assert fast == slow
    reasons = [item.reason if isinstance(item, Rejected) else "ok" for item in fast]
    assert reasons == [
        "ok", "malformed_json", "not_an_object", "invalid_utf8", "malformed_json", "bad_field_type", "ok", "ok",
        "malformed_json",
    ]  # fmt: skip
    assert isinstance(fast[6], Record) and fast[6].fields["id"] == 12345678901234567890123
    assert isinstance(fast[7], Record) and fast[7].fields == {"text": "dup", "a": 2}
    for stdlib in (False, True):
        with monkeypatch.context() as m:
            if stdlib:
                m.setattr(jsonl, "_orjson", None)
            with pytest.raises(InputError, match=r"bad.jsonl:2: malformed JSON at column 14: Invalid control"):
                list(read_corpus(path))


_row_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(1 << 70), max_value=1 << 70) | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.tuples(inner) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=6), _row_values, max_size=6))
def test_orjson_writes_the_bytes_json_writes(row: dict[str, object]) -> None:
    fast = jsonl.encode_line(row)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(jsonl, "_orjson", None)
        slow = jsonl.encode_line(row)
    assert fast == slow


def test_rows_orjson_would_write_differently_take_the_standard_librarys_way() -> None:
    import datetime as dt
    from dataclasses import dataclass

    @dataclass
    class Point:
        x: int

    class Tagged(str):
        pass

    circular: dict[str, object] = {"a": 1}
    circular["self"] = circular
    assert jsonl.encode_line({"f": 1e16, "g": -0.0, "h": float("nan")}) == b'{"f":1e+16,"g":-0.0,"h":null}\n'
    assert jsonl.encode_line({"d": dt.date(2024, 1, 2), 1: Tagged("x")}) == b'{"d":"2024-01-02","1":"x"}\n'
    assert jsonl.encode_line({"t": "a \ud800"}) == b'{"t":"a \\ud800"}\n'
    assert jsonl.encode_line({"n": 1 << 70}) == b'{"n":1180591620717411303424}\n'
    with pytest.raises(TypeError, match="Point is not JSON-serialisable"):
        jsonl.encode_line({"p": Point(1)})  # orjson would write {"x":1}
    with pytest.raises(ValueError, match="Circular"):
        jsonl.encode_line(circular)
    assert not jsonl._plain({"deep": [[0] * 20_000]})  # over the walk's budget: the standard library writes it


def _hostile_folder(tmp_path: Path) -> Path:
    import gzip

    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = [
        b'\xef\xbb\xbf{"id": "a", "text": "first"}', b"", b"   ", b'{"id": "b", "text": "two"}', b"{broken",
        b'{"id": "c", "text": "caf\xe9"}', b"[1]", b'{"id": "a", "text": "repeated id"}', b'{"id": "d", "text": 5}',
        b"\t\r", b'{"id": "e", "text": "\\ud800 lone"}', b'{"id": "f", "text": "last"}',
    ]  # fmt: skip
    (folder / "1.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (folder / "2.jsonl.gz").write_bytes(gzip.compress(b'{"id": "g", "text": "zipped"}\n\n{"id": "h", "text": "x"}\n'))
    (folder / "3.txt").write_text("a text file", encoding="utf-8")
    (folder / "4.jsonl").write_bytes(b'{"id": "i", "text": "no newline at the end"}')
    return folder


BAD = ["malformed_json", "invalid_utf8", "not_an_object"]
GOLDEN_IDS = ["a", "b", *BAD, "duplicate_id", "bad_field_type", "e", "f", "g", "h", "3", "i"]
GOLDEN_POSITIONS = ["0", "1", *BAD, "5", "bad_field_type", "7", "8", "9", "10", "3", "12"]


@given(st.sets(st.integers(0, 20)))
def test_positional_reads_match_a_full_read(tmp_path_factory: pytest.TempPathFactory, wanted: set[int]) -> None:
    from dedupe.io import read_path_watched, read_positions_watched
    from dedupe.io._watch import InputWatch

    folder = _hostile_folder(tmp_path_factory.mktemp("pos"))
    for id_field in ("id", None):
        watch = InputWatch()
        full = list(read_path_watched(folder, text_field="text", id_field=id_field, on_error="reject", watch=watch))
        seen = [x.id if isinstance(x, Record) else x.reason for x in full]
        assert seen == (GOLDEN_IDS if id_field else GOLDEN_POSITIONS)
        accepted = {pos for pos, item in enumerate(full) if isinstance(item, Record)}
        expected = [(pos, item) for pos, item in enumerate(full) if pos in wanted & accepted]
        got = list(read_positions_watched(folder, wanted & accepted, text_field="text", id_field=id_field, watch=watch))
        assert got == expected


def test_positional_read_skips_parsing_and_still_sees_a_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dedupe.io import read_path_watched, read_positions_watched
    from dedupe.io._watch import InputWatch

    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(b'{"id": "%d", "text": "record %d"}\n' % (i, i) for i in range(100)))
    watch = InputWatch()
    assert len(list(read_path_watched(path, text_field="text", id_field="id", on_error="raise", watch=watch))) == 100
    calls: list[bytes] = []
    real = jsonl._loads
    monkeypatch.setattr(jsonl, "_loads", lambda data, text: calls.append(data) or real(data, text))
    got = list(read_positions_watched(path, {3, 97}, text_field="text", id_field="id", watch=watch))
    assert [(pos, r.id, r.line) for pos, r in got] == [(3, "3", 4), (97, "97", 98)]
    assert len(calls) == 2  # only the wanted lines were parsed
    path.write_bytes(path.read_bytes().replace(b"record 50", b"record 5O"))  # same size, other bytes
    with pytest.raises(InputError, match="changed") as info:
        list(read_positions_watched(path, {3}, text_field="text", id_field="id", watch=watch))
    assert info.value.reason == "input_changed"
