"""The command line attacked as a hostile user would (issue 12): nothing lost, nothing overwritten, no hang.

One test (or a few) per numbered item of the issue, each failing on the code before its fix; then
the golden signatures of ``seeds/`` and the saved fixtures of format version 1 under ``tests/data``.
Signal and FIFO cases run ``python -m dedupe`` in a subprocess with bounded timeouts.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dedupe
from dedupe import LSHIndex, MinHasher
from dedupe.cli import main
from dedupe.config import MinHashConfig
from dedupe.errors import CorruptFileError, IncompatibleSignaturesError, InputError
from dedupe.io import write_jsonl
from dedupe.minhash import SignatureArray

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

DATA = Path(__file__).resolve().parent / "data"
WORDS = [
    "river", "market", "court", "bank", "price", "alpha", "delta", "sigma", "omega", "kappa", "lambda",
    "storm", "harbor", "ledger", "crown", "signal", "winter", "garden", "paper", "copper", "silver", "engine",
    "orbit", "planet", "forest", "valley", "bridge", "tower", "letter", "station",
]


def _text(rng: random.Random, words: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _corpus(tmp_path: Path, name: str = "in.jsonl", n: int = 12, seed: int = 0) -> Path:
    """``n`` distinct records plus an exact copy of record 1 and a near copy of record 3."""
    rng = random.Random(seed)
    rows = [{"id": f"r{i}", "site": "s", "text": _text(rng, 80)} for i in range(n)]
    rows.append({"id": "copy", "site": "s", "text": rows[1]["text"]})
    words = rows[3]["text"].split(" ")
    words[5] = "edited"
    rows.append({"id": "near", "site": "s", "text": " ".join(words)})
    return _write_jsonl(tmp_path / name, rows)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _dedupe(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "dedupe", *args], capture_output=True, text=True, check=False, env=env, **kwargs
    )


# 1. Ctrl-C with --workers 2 -------------------------------------------------------------------


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to see the worker processes")
def test_1_ctrl_c_with_two_workers_exits_130_without_files(tmp_path: Path) -> None:
    rng = random.Random(1)
    vocab = [f"w{i}" for i in range(5000)]
    with open(tmp_path / "big.jsonl", "w", encoding="utf-8") as fh:
        for i in range(100_000):
            fh.write(json.dumps({"id": i, "text": " ".join(rng.choices(vocab, k=100))}) + "\n")
    out = tmp_path / "out" / "clean.jsonl"
    out.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedupe", "clean", str(tmp_path / "big.jsonl"), "-o", str(out), "--workers", "2",
         "--no-boilerplate", "--quiet", "--duplicates", str(out.parent / "d.jsonl")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while len(_children(proc.pid)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # wait for the pool: the run is then in read-and-sign
    time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("dedupe did not end within 10 s of SIGINT with --workers 2")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(out.parent.iterdir()) == []


# 2. and 3. Outputs that would replace the input, pollute its folder or vanish with the index ---------


def test_2_index_query_output_over_the_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus(tmp_path)
    before = corpus.read_bytes()
    assert main(["index", "build", str(corpus), "--index", str(tmp_path / "ref.idx"), "--id-field", "id",
                 "--quiet"]) == 0  # fmt: skip
    code = main(["index", "query", str(corpus), "--index", str(tmp_path / "ref.idx"), "--id-field", "id",
                 "-o", str(corpus)])  # fmt: skip
    assert code == 1 and "is the input" in capsys.readouterr().err
    assert corpus.read_bytes() == before


def test_2_clean_output_inside_the_input_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    _corpus(shards, "a.jsonl", seed=1)
    shard = _corpus(shards, "c.jsonl", seed=2)
    before = shard.read_bytes()
    assert main(["clean", str(shards), "-o", str(shard), "--id-field", "id", "--no-boilerplate"]) == 1
    assert "inside the input folder" in capsys.readouterr().err
    assert shard.read_bytes() == before
    assert sorted(p.name for p in shards.iterdir()) == ["a.jsonl", "c.jsonl"]


def test_3_index_add_output_inside_the_index_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "t.idx"
    assert main(["index", "build", str(_corpus(tmp_path)), "--index", str(index), "--id-field", "id",
                 "--quiet"]) == 0  # fmt: skip
    day2 = _corpus(tmp_path, "day2.jsonl", seed=5)
    day2.write_text(day2.read_text().replace('"id": "', '"id": "d2-'))
    code = main(["index", "add", str(day2), "--index", str(index), "--id-field", "id", "-o", str(index / "out.jsonl")])
    assert code == 1 and "inside the index folder" in capsys.readouterr().err
    assert len(LSHIndex.load(index)) == 14  # not added either: nothing happened


# 4. Input changing during a run ---------------------------------------------------------------


def test_4_input_edited_between_the_passes_writes_nothing(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    result = dedupe.deduplicate(corpus, id_field="id", remove_boilerplate=False)
    rows = _lines(corpus)
    _write_jsonl(corpus, [*rows, {"id": "late", "site": "s", "text": "a record that was never deduplicated"}])
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match="changed while the run was going") as info:
        result.write(out)
    assert info.value.reason == "input_changed"
    assert not out.exists() and _hidden(tmp_path) == []


def test_4_same_size_and_time_other_bytes_is_caught(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    result = dedupe.deduplicate(corpus, id_field="id", remove_boilerplate=False)
    st = corpus.stat()
    data = corpus.read_bytes()
    corpus.write_bytes(data.replace(b"river", b"RIVER"))  # same length
    os.utime(corpus, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(InputError, match="xxh3"):
        result.write(tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_4_shard_halved_mid_run_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """The CLI case: a shard is cut in half after the first pass (as a crawler rewriting it would)."""
    from dedupe import pipeline

    corpus = _corpus(tmp_path)
    real = pipeline.resolve_duplicates

    def halve_then_resolve(*args: Any, **kwargs: Any) -> Any:
        data = corpus.read_bytes()
        corpus.write_bytes(data[: data.index(b"\n", len(data) // 2) + 1])
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "resolve_duplicates", halve_then_resolve)
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(corpus), "-o", str(out), "--id-field", "id"]) == 1
    assert "changed while the run was going" in capsys.readouterr().err
    assert not out.exists()


# 5. --margin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("margin", ["-1", "nan", "inf", "1.5"])
def test_5_margin_outside_0_1_is_a_usage_error(tmp_path: Path, margin: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(["index", "query", "x.jsonl", "--index", "i.idx", "--id-field", "id", "--margin", margin])
    assert info.value.code == 2


# 6. An empty first batch ------------------------------------------------------------------------


def test_6_an_index_built_from_an_empty_batch_can_be_extended(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    index = tmp_path / "e.idx"
    assert main(["index", "build", str(empty), "--index", str(index), "--id-field", "id", "--quiet"]) == 0
    assert main(["index", "add", str(_corpus(tmp_path)), "--index", str(index), "--id-field", "id",
                 "-o", str(tmp_path / "m.jsonl"), "--quiet"]) == 0  # fmt: skip
    assert len(LSHIndex.load(index)) == 14
    assert main(["index", "query", str(_corpus(tmp_path)), "--index", str(index), "--id-field", "id",
                 "-o", str(tmp_path / "q.jsonl"), "--quiet"]) == 0  # fmt: skip
    assert {r["id"] for r in _lines(tmp_path / "q.jsonl")} >= {"copy", "near", "r1", "r3"}


# 7. --index . ---------------------------------------------------------------------------------


def test_7_index_add_on_the_working_directory_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "t.idx"
    assert main(["index", "build", str(_corpus(tmp_path)), "--index", str(index), "--id-field", "id",
                 "--quiet"]) == 0  # fmt: skip
    day2 = _corpus(tmp_path, "day2.jsonl", seed=5)
    day2.write_text(day2.read_text().replace('"id": "', '"id": "d2-'))
    monkeypatch.chdir(index)
    code = main(["index", "add", str(day2), "--index", ".", "--id-field", "id", "-o", str(tmp_path / "m.jsonl")])
    err = capsys.readouterr().err
    assert code == 1 and "current working directory" in err and "ValueError" not in err
    assert not (tmp_path / "m.jsonl").exists()
    assert len(LSHIndex.load(index)) == 14


# 8. The set of outputs --------------------------------------------------------------------------


def test_8_interrupt_while_writing_side_files_leaves_the_old_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _corpus(tmp_path)
    out, dups = tmp_path / "out.jsonl", tmp_path / "dups.jsonl"
    out.write_text("old output\n")
    dups.write_text("old duplicates\n")

    def interrupted(self: Any, path: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(dedupe.CorpusResult, "write_duplicates", interrupted)
    assert main(["clean", str(corpus), "-o", str(out), "--duplicates", str(dups), "--id-field", "id", "--quiet"]) == 130
    assert out.read_text() == "old output\n" and dups.read_text() == "old duplicates\n"
    assert _hidden(tmp_path) == []


def test_8_plots_pointing_at_a_file_fail_before_any_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus(tmp_path)
    (tmp_path / "plots").write_text("a file")
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(corpus), "-o", str(out), "--plots", str(tmp_path / "plots"), "--id-field", "id"]) == 1
    assert "--plots" in capsys.readouterr().err
    assert not out.exists() and _hidden(tmp_path) == []


def test_8_all_outputs_appear_together(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    names = ("out.jsonl", "dups.jsonl", "rej.jsonl", "report.json")
    out, dups, rej, rep = (tmp_path / n for n in names)
    assert main(["clean", str(corpus), "-o", str(out), "--duplicates", str(dups), "--rejects", str(rej),
                 "--report", str(rep), "--id-field", "id", "--quiet"]) == 0  # fmt: skip
    assert all((tmp_path / n).exists() for n in names) and _hidden(tmp_path) == []
    assert {r["id"] for r in _lines(dups)} == {"copy", "near"}


# 9. --duplicates rows ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["duplicate_of", "kind", "similarity"])
def test_9_duplicate_rows_keep_their_keys_whatever_the_id_field(tmp_path: Path, field: str) -> None:
    rows = _lines(_corpus(tmp_path))
    corpus = _write_jsonl(tmp_path / "renamed.jsonl", [{**{k: v for k, v in r.items() if k != "id"}, field: r["id"]}
                                                       for r in rows])  # fmt: skip
    dups = tmp_path / "dups.jsonl"
    assert main(["clean", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--duplicates", str(dups),
                 "--id-field", field, "--quiet", "--no-boilerplate"]) == 0  # fmt: skip
    got = {r["record_id"]: r for r in _lines(dups)}
    assert set(got) == {"copy", "near"}
    assert got["copy"]["duplicate_of"] == "r1" and got["copy"]["kind"] == "exact"
    assert got["near"]["duplicate_of"] == "r3" and got["near"]["kind"] == "near"
    assert all(set(r) == {"record_id", "duplicate_of", "kind", "similarity"} for r in got.values())


# 10. Index integrity ----------------------------------------------------------------------------


def _built_index(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, size=(400, 128), dtype=np.uint32)
    sigs[200:] = sigs[:200]
    sigs[200:, :10] = 7  # pairs (i, i + 200) agree on 118 of 128 slots
    index = LSHIndex.for_threshold(0.8, num_perm=128)
    index.insert([f"d{i}" for i in range(400)], SignatureArray(sigs, MinHashConfig()))
    index.save(tmp_path / "idx")
    return tmp_path / "idx"


def test_10_a_rolled_doc_ids_array_is_caught(tmp_path: Path) -> None:
    directory = _built_index(tmp_path)
    ids = np.load(directory / "doc_ids.npy")
    np.save(directory / "doc_ids.npy", np.roll(ids, 1))
    with pytest.raises(CorruptFileError, match=r"doc_ids\.npy: checksum"):
        LSHIndex.load(directory)


def test_10_zeroed_signature_rows_outside_the_sample_are_caught(tmp_path: Path) -> None:
    directory = _built_index(tmp_path)
    assert len(LSHIndex.load(directory).similar_pairs()[0]) == 200
    rows = np.load(directory / "band_rows.npy")
    sigs = np.load(directory / "signatures.npy")
    unsampled = sorted(set(range(400)) - set(rows[:, :8].ravel().tolist()))
    assert unsampled  # rows that the old 8-per-band check never looked at
    sigs[unsampled] = 0
    np.save(directory / "signatures.npy", sigs)
    with pytest.raises(CorruptFileError, match=r"signatures\.npy: checksum"):
        LSHIndex.load(directory)


# 11. Re-saving over an existing directory ----------------------------------------------------------


def _fail_on_second_array(monkeypatch: pytest.MonkeyPatch) -> None:
    real = np.save
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as if Ctrl-C arrived in the middle of the save
        real(*args, **kwargs)

    monkeypatch.setattr(np, "save", flaky)


def test_11_interrupted_resave_keeps_the_saved_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = _built_index(tmp_path)
    index = LSHIndex.load(directory)
    index.insert(["extra"], MinHasher(num_perm=128).signatures(["one more document to add here"]))
    _fail_on_second_array(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        index.save(directory)
    monkeypatch.undo()
    assert len(LSHIndex.load(directory)) == 400
    assert _hidden(tmp_path) == []
    index.save(directory)
    assert len(LSHIndex.load(directory)) == 401


def test_11_interrupted_resave_keeps_the_saved_boilerplate_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = [f"Home | About\nStory {i} told once, with its own words.\nScroll to Top" for i in range(6)]
    model = dedupe.BoilerplateModel.fit(pages, groups=["a"] * 6)
    model.save(tmp_path / "model")
    bigger = dedupe.BoilerplateModel.fit(pages * 2, groups=["a"] * 12)
    _fail_on_second_array(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        bigger.save(tmp_path / "model")
    monkeypatch.undo()
    assert dedupe.BoilerplateModel.load(tmp_path / "model").n_docs == 6
    assert _hidden(tmp_path) == []


def test_11_save_refuses_to_replace_an_unrelated_folder(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("keep me")
    with pytest.raises(dedupe.ConfigError, match="not a saved LSHIndex"):
        LSHIndex.for_threshold(0.8).save(tmp_path / "home")
    assert (tmp_path / "home" / "notes.txt").read_text() == "keep me"


# 12. FIFOs and standard input ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_12_a_named_pipe_is_read_once(tmp_path: Path) -> None:
    data = _corpus(tmp_path).read_bytes()
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as fh:
            fh.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = tmp_path / "out.jsonl"
    try:
        proc = _dedupe("clean", str(fifo), "-o", str(out), "--id-field", "id", "--quiet", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("dedupe hung on a named pipe")
    finally:
        if writer.is_alive():  # unblock the writer if dedupe never opened the pipe
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    assert proc.returncode == 0, proc.stderr
    assert len(_lines(out)) == 12


def test_12_standard_input_is_accepted(tmp_path: Path) -> None:
    data = _corpus(tmp_path).read_text()
    out = tmp_path / "out.jsonl"
    proc = _dedupe("clean", "-", "-o", str(out), "--id-field", "id", "--quiet", input=data, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in _lines(out)] == [f"r{i}" for i in range(12)]
    bad = data + "{not json\n"
    proc = _dedupe("clean", "-", "-o", str(out), "--id-field", "id", input=bad, timeout=30)
    assert proc.returncode == 1 and "<stdin>:15" in proc.stderr


# 13. Messages that misled -----------------------------------------------------------------------


def test_13_gzip_data_named_jsonl_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "packed.jsonl"
    path.write_bytes(gzip.compress(_corpus(tmp_path).read_bytes()))
    assert main(["clean", str(path), "-o", str(tmp_path / "o.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "gzip-compressed" in err and ".jsonl.gz" in err and "iconv" not in err


def test_13_a_dotted_text_field_says_nested_fields_are_not_supported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_jsonl(tmp_path / "n.jsonl", [{"id": "a", "doc": {"text": "nested text here"}}])
    assert main(["clean", str(path), "-o", str(tmp_path / "o.jsonl"), "--text-field", "doc.text"]) == 1
    err = capsys.readouterr().err
    assert "nested fields are not supported" in err and "text_field='id'" not in err


def test_13_an_edited_minhash_seed_is_named(tmp_path: Path) -> None:
    directory = _built_index(tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["minhash_config"]["seed"] = 2
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptFileError, match="edited or damaged") as info:
        LSHIndex.load(directory)
    assert "does not record" not in str(info.value)


def test_13_an_unwritable_output_fails_first_and_names_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_input = _write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "body": "no text field"}])
    assert main(["clean", str(bad_input), "-o", "/proc/dedupe-out.jsonl"]) == 1
    err = capsys.readouterr().err
    assert "-o /proc/dedupe-out.jsonl: cannot write" in err
    assert "/proc/.dedupe-out" not in err and "no text field" not in err and "'text'" not in err


def test_13_bench_seed_out_of_range_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as info:
        main(["bench", "--seed", "-1"])
    assert info.value.code == 2


def test_13_numpy_strings_are_texts() -> None:
    texts = np.array(["the first document has words in it", "the second document has other words"])
    result = dedupe.deduplicate(texts, remove_boilerplate=False)
    assert result.status.tolist() == ["kept", "kept"]
    records = [{"id": np.str_("a"), "text": np.str_("some text to keep here")}]
    assert dedupe.deduplicate(records, id_field="id", remove_boilerplate=False).ids == ["a"]


def test_13_signatures_of_none_say_what_was_expected() -> None:
    with pytest.raises(TypeError, match="texts must be an iterable of str"):
        MinHasher().signatures(None)  # type: ignore[arg-type]


def test_13_to_datasketch_accepts_the_hasher() -> None:
    pytest.importorskip("datasketch")
    hasher = MinHasher(num_perm=16, seed=3)
    sigs = hasher.signatures(["a few words for a sketch", "another text"])
    plain = np.asarray(sigs)
    via_hasher = dedupe.to_datasketch(plain, hasher)
    assert [m.seed for m in via_hasher] == [m.seed for m in dedupe.to_datasketch(sigs)]
    with pytest.raises(TypeError, match="MinHashConfig or a MinHasher"):
        dedupe.to_datasketch(plain, "not a config")  # type: ignore[arg-type]


# 14. Smaller ones --------------------------------------------------------------------------------


def test_14_nan_in_a_record_is_written_as_null(tmp_path: Path) -> None:
    path = tmp_path / "nan.jsonl"
    path.write_text('{"id": "a", "score": NaN, "text": "a text with a NaN score"}\n'
                    '{"id": "b", "score": [Infinity], "text": "another text entirely different"}\n')  # fmt: skip
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(path), "-o", str(out), "--id-field", "id", "--quiet"]) == 0

    def refuse(constant: str) -> None:
        raise ValueError(f"invalid JSON constant {constant}")

    rows = [json.loads(line, parse_constant=refuse) for line in out.read_text().splitlines()]
    assert [r["score"] for r in rows] == [None, [None]]


def test_14_num_perm_1_is_a_usage_error() -> None:
    for argv in (["clean", "x", "-o", "y", "--num-perm", "1"], ["index", "build", "x", "--index", "i", "--id-field",
                                                               "id", "--num-perm", "1"]):  # fmt: skip
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2


def test_14_a_bom_at_the_start_of_a_txt_file_is_not_text(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\xef\xbb\xbfHello there, a text file saved by a Windows editor.")
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(folder), "-o", str(out), "--quiet"]) == 0
    assert _lines(out)[0]["text"].startswith("Hello")


def test_14_index_add_survives_a_closed_stdout(tmp_path: Path) -> None:
    rng = random.Random(9)
    rows = [{"id": f"a{i}", "text": _text(rng, 40)} for i in range(300)]
    day1 = _write_jsonl(tmp_path / "day1.jsonl", rows)
    index = tmp_path / "t.idx"
    assert main(["index", "build", str(day1), "--index", str(index), "--id-field", "id", "--quiet"]) == 0
    day2 = _write_jsonl(tmp_path / "day2.jsonl", [{"id": f"b{i}", "text": r["text"]} for i, r in enumerate(rows)])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedupe", "index", "add", str(day2), "--index", str(index), "--id-field", "id"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.read(1)  # `| head -c 1`: read a little, then go away
    proc.stdout.close()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert len(LSHIndex.load(index)) == 600


def test_14_plots_inside_the_input_folder_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(SEEDS, folder)
    code = main(["clean", str(folder), "-o", str(tmp_path / "o.jsonl"), "--plots", str(folder / "plots")])
    assert code == 1 and "inside the input folder" in capsys.readouterr().err
    assert not (folder / "plots").exists() and not (tmp_path / "o.jsonl").exists()


# Also: the Unicode version, golden signatures, saved fixtures ----------------------------------------


def test_the_fingerprint_names_the_unicode_version() -> None:
    config = MinHashConfig()
    assert config.describe().endswith(f";unicode={unicodedata.unidata_version}")
    assert config.fingerprint() != config.fingerprint(unicode_version="0.0.0")


def test_an_index_from_another_unicode_version_is_not_mixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _corpus(tmp_path)
    index = tmp_path / "t.idx"
    assert main(["index", "build", str(corpus), "--index", str(index), "--id-field", "id", "--quiet"]) == 0
    path = index / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["unicode_version"] = "9.0.0"
    manifest["minhash_fingerprint"] = MinHashConfig().fingerprint(unicode_version="9.0.0")
    path.write_text(json.dumps(manifest))
    loaded = LSHIndex.load(index)  # it loads: its content is intact
    assert loaded.unicode_version == "9.0.0"
    with pytest.raises(IncompatibleSignaturesError, match=r"Unicode 9\.0\.0"):
        loaded.insert(["x"], MinHasher().signatures(["some new text to add"]))
    code = main(["index", "query", str(corpus), "--index", str(index), "--id-field", "id"])
    assert code == 1 and "Unicode 9.0.0" in capsys.readouterr().err


#: sha256 of the signatures of ``seeds/`` (MinHasher(num_perm=128, seed=1), little-endian uint32).
SEEDS_SIGNATURES_SHA256 = "369632afc26d24fb3c9285541dfbb41a04b01a42ac27dd122d1c62d5539cf8c4"


def test_golden_signatures_of_the_seeds() -> None:
    texts = [r.text for r in dedupe.read_corpus(SEEDS)]
    sigs = np.asarray(MinHasher(num_perm=128, seed=1).signatures(texts))
    assert sigs.shape == (5, 128)
    digest = hashlib.sha256(np.ascontiguousarray(sigs, dtype="<u4").tobytes()).hexdigest()
    assert digest == SEEDS_SIGNATURES_SHA256


def test_the_saved_index_of_format_version_1_keeps_loading() -> None:
    """``tests/data/index_v1``: the seeds plus a near copy of seed 1, built with the defaults."""
    index = LSHIndex.load(DATA / "index_v1")
    records = dedupe.read_corpus(DATA / "index_v1_corpus.jsonl", id_field="id")
    ids, texts = zip(*((r.id, r.text) for r in records), strict=True)
    assert len(index) == 6 and index.doc_ids.tolist() == list(ids)
    assert (index.num_bands, index.rows_per_band, index.threshold) == (21, 6, 0.8)
    assert index.candidate_pairs().tolist() == [[1, 5]]
    pairs, sims = index.similar_pairs()
    assert pairs.tolist() == [[1, 5]] and sims.tolist() == [0.984375]
    # The hashing constants are unchanged: today's signatures of the texts are the saved ones.
    assert np.array_equal(MinHasher(num_perm=128, seed=1).signatures(list(texts)), index.signatures)
    if index.unicode_version == unicodedata.unidata_version:
        found = index.query(MinHasher(num_perm=128, seed=1).signatures([texts[5]]))
        assert found[0].tolist() == [ids[1], ids[5]]


def test_the_saved_boilerplate_model_of_format_version_1_keeps_loading() -> None:
    """``tests/data/boilerplate_v1``: 8 pages of 2 sites (a header, a footer), default config."""
    model = dedupe.BoilerplateModel.load(DATA / "boilerplate_v1")
    manifest = json.loads((DATA / "boilerplate_v1" / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert model.n_docs == 8 and model.n_blocks == 10


def test_4_a_shard_added_to_the_input_folder_between_the_passes_writes_nothing(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    _corpus(shards, "a.jsonl", seed=1)
    result = dedupe.deduplicate(shards, remove_boilerplate=False)
    _corpus(shards, "b.jsonl", seed=2)
    with pytest.raises(InputError, match=r"files added: b\.jsonl"):
        result.write(tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_13_the_library_names_the_output_it_cannot_write() -> None:
    with pytest.raises(dedupe.ConfigError, match=r"cannot write '/proc/dedupe-out\.jsonl'") as info:
        write_jsonl([{"a": 1}], "/proc/dedupe-out.jsonl")
    assert "/proc/.dedupe-out" not in str(info.value)
