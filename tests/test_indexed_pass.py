"""The indexed path (plain JSON Lines: pass 1 parsed in workers, later passes read at offsets)
against the streaming path that reads the same bytes gzip-compressed (not indexable, parsed here
record by record): the same fates, rejects, errors and output, whatever the worker count and batch size."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.errors import InputError
from dedupe.io import LineIndex
from dedupe.io._line_blocks import line_blocks

_WORDS = ["river", "bank", "flood", "city", "rain", "storm", "north", "south", "day", "night", "the", "a"]
_FOOTER = "Leave a Reply\nScroll to Top"


def _line(kind: str, i: int, words: list[str]) -> bytes:
    body = " ".join(words) or "x"
    if kind == "good":
        return json.dumps({"id": f"d{i}", "site": f"s{i % 3}", "text": f"{body}\n{_FOOTER}"}).encode()
    if kind == "dupid":
        return json.dumps({"id": "d0", "site": "s0", "text": body}).encode()
    if kind == "empty":
        return json.dumps({"id": f"e{i}", "site": "s1", "text": " "}).encode()
    if kind == "copy":
        return json.dumps({"id": f"c{i}", "site": "s2", "text": f"the same story told twice {_FOOTER}"}).encode()
    if kind == "nofield":
        return json.dumps({"id": f"n{i}", "body": body}).encode()
    if kind == "badjson":
        return b'{"id": "broken", "text": '
    if kind == "badutf8":
        return b'{"id": "u' + str(i).encode() + b'", "text": "caf\xe9"}'
    if kind == "blank":
        return b"  \t"
    raise AssertionError(kind)


_KINDS = st.sampled_from(["good"] * 6 + ["copy"] * 2 + ["dupid", "empty", "nofield", "badjson", "badutf8", "blank"])
_DOCS = st.lists(st.tuples(_KINDS, st.lists(st.sampled_from(_WORDS), max_size=30)), min_size=1, max_size=40)


def _write(tmp: Path, docs: list[tuple[str, list[str]]], *, bom: bool, crlf: bool) -> tuple[Path, Path]:
    end = b"\r\n" if crlf else b"\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + b"".join(_line(k, i, w) + end for i, (k, w) in enumerate(docs))
    plain, packed = tmp / "in.jsonl", tmp / "in.jsonl.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data, mtime=0))
    return plain, packed


def _outcome(path: Path, out: Path, **options: object) -> tuple[object, ...]:
    try:
        result = dedupe.deduplicate(path, id_field="id", group_field="site", threshold=0.7, **options)  # type: ignore[arg-type]
    except InputError as exc:
        return ("error", exc.reason, exc.line, str(exc).replace(str(path), "IN"))
    written = result.write(out)
    rejects = [(r.line, r.reason, r.raw, r.doc_id) for r in result.rejects]
    similarity = np.nan_to_num(result.similarity, nan=-1.0).tolist()  # NaN: kept (NaN != NaN)
    return (result.ids, result.status.tolist(), result.duplicate_of, similarity, rejects,
            result.boilerplate_spans.tolist(), written, out.read_bytes())  # fmt: skip


@settings(max_examples=40)
@given(docs=_DOCS, bom=st.booleans(), crlf=st.booleans(), on_error=st.sampled_from(["raise", "reject"]),
       workers=st.sampled_from([1, 2]), batch_size=st.sampled_from([1, 3, 1000]),
       verify=st.sampled_from(["auto", "exact"]))  # fmt: skip
def test_indexed_equals_streaming(
    tmp_path_factory: pytest.TempPathFactory, docs: list[tuple[str, list[str]]], bom: bool, crlf: bool,
    on_error: str, workers: int, batch_size: int, verify: str,
) -> None:  # fmt: skip
    """With ``verify="exact"`` every candidate pair is verified (in the pool with 2 workers)."""
    tmp = tmp_path_factory.mktemp("indexed")
    plain, packed = _write(tmp, docs, bom=bom, crlf=crlf)
    fast = _outcome(plain, tmp / "a.jsonl", on_error=on_error, workers=workers, batch_size=batch_size, verify=verify)
    slow = _outcome(packed, tmp / "b.jsonl", on_error=on_error, workers=1, batch_size=1000, verify=verify)
    assert fast == slow


def test_the_index_holds_every_entry_and_its_bytes(tmp_path: Path) -> None:
    lines = [b'{"id": "a", "text": "one"}', b"", b'  ', b'{"id": "b", "text": "two"}', b'{"id": "c", "text": "3"}']
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines))  # no line break at the end
    result = dedupe.deduplicate(path, id_field="id", remove_boilerplate=False)
    index = result._source.index  # type: ignore[union-attr]
    assert isinstance(index, LineIndex) and index.complete and len(index) == 3
    reader = index.reader(text_field="text", id_field="id")
    assert [r.id for r in reader.records(np.array([0, 2]))] == ["a", "c"]
    assert reader.line.tolist() == [1, 4, 5]
    data = path.read_bytes()
    assert [data[o : o + n] for o, n in zip(reader.offset.tolist(), reader.length.tolist(), strict=True)] == [
        lines[0] + b"\n", lines[3] + b"\n", lines[4],
    ]  # fmt: skip


def test_blocks_cut_the_same_whatever_the_read_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import dedupe.io._line_blocks as blocks

    data = b"\xef\xbb\xbf\n" + b"".join(b'{"t": "' + b"x" * (i % 37) + b'"}\n \n' for i in range(500))
    cuts = []
    for chunk in (1, 7, 4096, 1 << 20):
        monkeypatch.setattr(blocks, "_CHUNK", chunk)
        got = list(line_blocks(io.BytesIO(data), 0, max_lines=64, max_bytes=900))
        cuts.append([b.offset.tolist() for b in got])
    assert all(c == cuts[0] for c in cuts)
    flat = [o for c in cuts[0] for o in c]
    expected, offset = [], 0
    for number, line in enumerate(io.BytesIO(data), 1):
        body = line[3:] if number == 1 else line
        if body.strip(b" \t\r\n"):
            expected.append(offset)
        offset += len(line)
    assert flat == expected


@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(st.sampled_from([b"", b" ", b"\t\r", b"x", b"y" * 40, b"z" * 700, b"w" * 3000]), max_size=60),
    end=st.sampled_from([b"", b"\n"]), chunk=st.sampled_from([1, 5, 64, 1000, 1 << 20]),
    probe=st.sampled_from([1, 4, 256]),
)  # fmt: skip
def test_line_breaks_found_whatever_the_line_lengths(lines: list[bytes], end: bytes, chunk: int, probe: int) -> None:
    """Long lines are found by ``find``, short ones by numpy once they prove short (``probe`` lines
    in): either way every non-blank line's offset is found, as iterating over the bytes finds them."""
    import io

    import dedupe.io._line_blocks as blocks

    data = b"\n".join(lines) + (end if lines else b"")
    expected, offset = [], 0
    for line in io.BytesIO(data):
        if line.strip(b" \t\r\n"):
            expected.append(offset)
        offset += len(line)
    saved = blocks._CHUNK, blocks._PROBE_LINES
    blocks._CHUNK, blocks._PROBE_LINES = chunk, probe
    try:
        got = [o for b in line_blocks(io.BytesIO(data), 0, max_lines=7, max_bytes=5000) for o in b.offset.tolist()]
    finally:
        blocks._CHUNK, blocks._PROBE_LINES = saved
    assert got == expected


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from([2**64, -(2**63) - 1, 1.0, 2.0**70]),  # orjson widens the first two to floats
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@example(extras=[{"n": 2**64}, {"n": 1.0}, {"n": 7}], int_ids=True, id_field="id", bom=False)
@given(
    extras=st.lists(st.dictionaries(st.sampled_from(["url", "n", "meta", "score", "tags"]), _VALUES, max_size=3),
                    min_size=1, max_size=12),
    int_ids=st.booleans(), id_field=st.sampled_from(["id", None]), bom=st.booleans(),
)  # fmt: skip
def test_records_read_again_are_the_records_first_read(
    tmp_path_factory: pytest.TempPathFactory, extras: list[dict[str, object]], int_ids: bool, id_field: str | None,
    bom: bool,
) -> None:  # fmt: skip
    """The index's reader builds records without the first pass's checks where it can; what it
    builds must be what reading the file from the start builds (ids, texts, every field exactly:
    an integer beyond 2**64 stays an int, 1.0 stays a float)."""
    tmp = tmp_path_factory.mktemp("reread")
    rows = [{"id": i if int_ids else f"d{i}", **extra, "text": f"story {i} é"} for i, extra in enumerate(extras)]
    path = tmp / "in.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"".join(json.dumps(r).encode() + b"\n" for r in rows))
    result = dedupe.deduplicate(path, id_field=id_field, remove_boilerplate=False)
    index = result._source.index  # type: ignore[union-attr]
    reader = index.reader(text_field="text", id_field=id_field)
    again = reader.records(np.arange(len(rows)))
    first = list(dedupe.io.read_corpus(path, id_field=id_field))
    assert [(r.id, r.text, repr(r.fields), r.source, r.line) for r in again] == [
        (r.id, r.text, repr(r.fields), r.source, r.line) for r in first
    ]
