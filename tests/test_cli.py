from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dedupe.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(b"".join(line.encode("utf-8") + b"\n" for line in lines))
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Seeds plus planted duplicates, as JSONL with ids and sites."""
    rng = random.Random(4)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    recs = [{"id": f"seed{i}", "site": f"s{i}", "text": t} for i, t in enumerate(texts)]
    recs.append({"id": "copy", "site": "s9", "text": texts[1]})
    words = texts[3].split(" ")
    edited = " ".join(w if rng.random() > 0.01 else "edited" for w in words)
    recs.append({"id": "edit", "site": "s8", "text": edited})
    return _write(tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in recs])


def test_clean_end_to_end(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, dups, rej, rep = (tmp_path / n for n in ("out.jsonl", "dups.jsonl", "rej.jsonl", "report.json"))
    code = main([
        "clean", str(corpus), "-o", str(out), "--duplicates", str(dups), "--rejects", str(rej),
        "--report", str(rep), "--id-field", "id", "--group-field", "site", "--no-boilerplate",
    ])
    assert code == 0
    assert "7 in = 5 kept + 2 duplicates (1 exact, 1 near) + 0 rejected" in capsys.readouterr().out
    assert [r["id"] for r in _lines(out)] == [f"seed{i}" for i in range(5)]
    assert all(set(r) == {"id", "site", "text"} for r in _lines(out))
    d = {r["id"]: r for r in _lines(dups)}
    assert d["copy"]["duplicate_of"] == "seed1" and d["copy"]["kind"] == "exact"
    assert d["edit"]["duplicate_of"] == "seed3" and d["edit"]["kind"] == "near"
    assert rej.read_text() == ""
    report = json.loads(rep.read_text())
    assert report["counts"] == {"kept": 5, "exact": 1, "near": 1, "rejected": 0, "duplicates": 2, "input": 7}
    assert report["params"]["fingerprint"].startswith("minhash-v1:")
    assert report["largest_clusters"][0]["size"] == 2


def test_same_input_gives_identical_bytes(corpus: Path, tmp_path: Path) -> None:
    outs = []
    for i, workers in enumerate(["1", "2", "1"]):
        out = tmp_path / f"o{i}.jsonl"
        assert main(["clean", str(corpus), "-o", str(out), "--workers", workers, "--quiet", "--no-boilerplate"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


BAD = {
    "malformed_json": ['{"text": "ok words"}', '{"text": "broken'],
    "missing_field": ['{"text": "ok words"}', '{"body": "x"}'],
    "bad_field_type": ['{"text": "ok words"}', '{"text": 5}'],
    "empty_text": ['{"text": "ok words"}', '{"text": "  "}'],
    "duplicate_id": ['{"id": "a", "text": "ok words"}', '{"id": "a", "text": "other words"}'],
}


@pytest.mark.parametrize("reason", sorted(BAD))
def test_bad_input_stops_or_is_rejected(
    reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "bad.jsonl", BAD[reason])
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    args = ["clean", str(path), "-o", str(out), "--no-boilerplate", "--quiet"]
    if reason == "duplicate_id":
        args += ["--id-field", "id"]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dedupe: error: ") and "bad.jsonl:2" in err[0]
    assert out.read_text() == "previous run\n"  # nothing half-written
    rej = tmp_path / "rej.jsonl"
    assert main([*args, "--on-error", "reject", "--rejects", str(rej)]) == 0
    rows = _lines(rej)
    assert [r["reason"] for r in rows] == [reason]
    assert rows[0]["line"] == 2 and rows[0]["raw"] is not None
    assert len(_lines(out)) == 1


def test_invalid_utf8_and_truncated_gzip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "fine words"}\n{"text": "caf\xe9"}\n')
    assert main(["clean", str(path), "-o", str(tmp_path / "o.jsonl"), "--no-boilerplate"]) == 1
    assert "bad.jsonl:2" in capsys.readouterr().err
    gz = tmp_path / "t.jsonl.gz"
    data = gzip.compress(b"".join(b'{"text": "record number %d here"}\n' % i for i in range(2000)))
    gz.write_bytes(data[: len(data) // 2])
    assert main(["clean", str(gz), "-o", str(tmp_path / "o2.jsonl"), "--no-boilerplate"]) == 1
    assert "t.jsonl.gz" in capsys.readouterr().err
    assert not (tmp_path / "o2.jsonl").exists()


def test_debug_shows_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "bad.jsonl", BAD["missing_field"])
    assert main(["clean", str(path), "-o", str(tmp_path / "o.jsonl"), "--debug", "--no-boilerplate"]) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [[], ["clean"], ["clean", "x.jsonl"], ["clean", "x", "-o", "y", "--threshold", "2"], ["frobnicate"]]
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: dedupe" in capsys.readouterr().err


def test_option_types_are_shared_with_bench() -> None:
    from dedupe.bench import add_parser
    from dedupe.cli import build_parser

    args = build_parser().parse_args(["clean", "x", "-o", "y", "--num-perm", "1_024", "--workers", "2,00"])
    assert (args.num_perm, args.workers) == (1024, 200)
    bench = add_parser(argparse.ArgumentParser().add_subparsers())
    assert bench.parse_args(["--docs", "10,000", "--threshold", "0.7"]).docs == 10_000
    for bad in (["--docs", "0"], ["--threshold", "1.5"]):
        with pytest.raises(SystemExit):
            bench.parse_args(bad)


def test_missing_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")]) == 1
    assert "nope.jsonl" in capsys.readouterr().err


def test_python_m_dedupe_on_seeds(tmp_path: Path) -> None:
    out = tmp_path / "seeds.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "dedupe", "clean", str(SEEDS), "-o", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("5 in = 5 kept + 0 duplicates (0 exact, 0 near) + 0 rejected")
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    assert len(_lines(out)) == 5


def test_index_build_add_query(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds_only = _write(tmp_path / "seeds.jsonl", corpus.read_text(encoding="utf-8").splitlines()[:5])
    new = _write(tmp_path / "new.jsonl", corpus.read_text(encoding="utf-8").splitlines()[5:])
    index = tmp_path / "idx"
    assert main(["index", "build", str(seeds_only), "--index", str(index), "--id-field", "id"]) == 0
    capsys.readouterr()
    assert main(["index", "query", str(new), "--index", str(index), "--id-field", "id"]) == 0
    found = {r["id"]: [m["id"] for m in r["matches"]] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert found == {"copy": ["seed1"], "edit": ["seed3"]}
    matches = tmp_path / "m.jsonl"
    assert main(["index", "add", str(new), "--index", str(index), "--id-field", "id", "-o", str(matches)]) == 0
    assert {r["id"] for r in _lines(matches)} == {"copy", "edit"}
    # Added records are now in the index; adding them again is refused (duplicate ids).
    assert main(["index", "add", str(new), "--index", str(index), "--id-field", "id"]) == 1
    assert main(["index", "build", str(seeds_only), "--index", str(index), "--id-field", "id"]) == 1
    with pytest.raises(SystemExit) as info:  # ids must be named: positions repeat from batch to batch
        main(["index", "add", str(new), "--index", str(index)])
    assert info.value.code == 2


def test_outputs_are_checked_before_any_work(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o.jsonl"
    for extra, needle in (
        (["--rejects", str(out)], "also given to -o"),
        (["--report", str(tmp_path / "no" / "r.json")], "does not exist"),
    ):
        assert main(["clean", str(corpus), "-o", str(out), "--quiet", *extra]) == 1
        assert needle in capsys.readouterr().err
        assert not out.exists()
    assert main(["clean", str(corpus), "-o", str(corpus), "--quiet"]) == 1
    assert "is the input" in capsys.readouterr().err


def test_unexpected_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "b.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["some words here", "other words"], "blob": [b"x", b"y"]}), path)
    assert main(["clean", str(path), "-o", str(tmp_path / "o.jsonl"), "--id-field", "id", "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dedupe: error:") and "Traceback" not in err[0]


def test_plots_are_written_and_linked(corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    report, plots = tmp_path / "r.json", tmp_path / "plots"
    args = ["clean", str(corpus), "-o", str(tmp_path / "o.jsonl"), "--report", str(report), "--plots", str(plots)]
    assert main([*args, "--id-field", "id", "--quiet"]) == 0
    linked = json.loads(report.read_text())["plots"]
    assert [Path(p).name for p in linked] == ["s_curve.png", "similarities.png", "cluster_sizes.png"]
    assert all(Path(p).read_bytes()[:4] == b"\x89PNG" for p in linked)


def test_near_boilerplate_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stories = [
        "The river flooded the lower town after three days of heavy rain in the hills",
        "Local bakers won the regional bread prize with a rye loaf baked in a stone oven",
        "The council voted to keep the old library open on weekends through the summer",
    ]
    promo = ["Get our weekly newsletter with the best stories, analysis and interviews every Friday morning",
             "Get our weekly newsletter with the top stories, analysis and interviews every Friday morning",
             "Get our weekly newsletter with the latest stories, analysis and interviews every Friday morning"]
    lines = [json.dumps({"text": f"{s}\n\n{p}"}) for s, p in zip(stories, promo, strict=True)]
    path = _write(tmp_path / "in.jsonl", lines)
    assert main(["clean", str(path), "-o", str(tmp_path / "exact.jsonl"), "--quiet"]) == 0
    assert main(["clean", str(path), "-o", str(tmp_path / "near.jsonl"), "--quiet", "--near-boilerplate"]) == 0
    exact = [r["text"] for r in _lines(tmp_path / "exact.jsonl")]
    near = [r["text"] for r in _lines(tmp_path / "near.jsonl")]
    assert all("newsletter" in t for t in exact)
    assert all("newsletter" not in t for t in near) and [t.strip() for t in near] == stories
