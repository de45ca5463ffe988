"""``dedupe bench``: the report on a tiny generated corpus, its numbers, and the agreement arithmetic."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dedupe import bench, plots
from dedupe.bench.corpus import generate_records
from dedupe.bench.quality import (
    agreement,
    cluster_pair_codes,
    exact_similar_pairs,
    reference_shingles,
    shingle_sets,
)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dedupe")
    sub = parser.add_subparsers(dest="command", required=True)
    bench.add_parser(sub)
    return parser.parse_args(argv)


def _tables(text: str) -> dict[str, list[dict[str, str]]]:
    """Markdown tables under each ``## heading``, as lists of {column: cell}."""
    out: dict[str, list[dict[str, str]]] = {}
    heading = ""
    header: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading, header = line[3:], None
            continue
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if header is None:
            header = cells
            out[heading] = []
        elif not all(set(c) <= set("-:") for c in cells):
            out[heading].append(dict(zip(header, cells, strict=True)))
    return out


def _positive(cell: str) -> float:
    value = float(cell.replace(",", "").rstrip("x"))
    assert value > 0, cell
    return value


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    args = _parse(["bench", "--docs", "300", "--peers", "all", "--out", str(out), "--quiet"])
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = bench.run(args)
    return {"rc": rc, "text": buf.getvalue(), "out": out}


def test_bench_runs_and_prints_every_table(report: dict[str, Any]) -> None:
    assert report["rc"] == 0, report["text"]
    tables = _tables(report["text"])
    for heading in ("Stages", "End to end", "Peers", "Agreement"):
        assert any(h.startswith(heading) for h in tables), (heading, list(tables))


def test_every_printed_number_is_present_and_positive(report: dict[str, Any]) -> None:
    tables = _tables(report["text"])
    stages = next(v for k, v in tables.items() if k.startswith("Stages"))
    names = [r["stage"] for r in stages]
    assert names == [
        "read",
        "normalize+shingle",
        "signatures",
        "lsh+clusters",
        "boilerplate",
        "write",
        "total (stages)",
    ]
    for row in stages:
        if row["stage"] == "boilerplate" and row["notes"].startswith("skipped"):
            assert "not available" in row["notes"]
            continue
        for col in ("seconds", "docs/s", "MB/s", "peak RSS MB"):
            _positive(row[col])
    e2e = next(v for k, v in tables.items() if k.startswith("End to end"))
    assert "dedupe (no boilerplate)" in [r["run"] for r in e2e]
    for row in e2e:
        if row["status"] == "skipped":
            assert "pip install" in row["notes"], row
            continue
        assert row["status"] == "ran", row
        for col in ("wall s", "docs/s", "MB/s", "peak RSS MB", "kept"):
            _positive(row[col])
    peers = next(v for k, v in tables.items() if k.startswith("Peers"))
    assert [r["side"] for r in peers] == ["dedupe", "datasketch", "rensa", "datatrove"]
    for row in peers:
        if row["status"] == "skipped":
            assert "pip install" in row["notes"] or "end to end" in row["notes"], row
            continue
        assert row["status"] == "ran", row
        cols = ("seconds", "tokenize s", "docs/s", "MB/s", "dedupe speed-up", "speed-up without tokenizing")
        for col in (*cols, "found pairs", "precision", "recall"):
            _positive(row[col])
        for col in ("candidates", "verified pairs"):
            assert int(row[col].replace(",", "")) >= 0


def test_agreement_counts_add_up(report: dict[str, Any]) -> None:
    tables = _tables(report["text"])
    peers = {r["side"]: r for r in next(v for k, v in tables.items() if k.startswith("Peers"))}
    agree = next(v for k, v in tables.items() if k.startswith("Agreement"))
    assert agree, "at least datasketch (a dependency) is compared"
    ours = int(peers["dedupe"]["found pairs"].replace(",", ""))
    for row in agree:
        both, only_ours, only_peer = (int(row[c].replace(",", "")) for c in ("both found", "only dedupe", "only peer"))
        assert row["peer"].endswith("(end to end)") or both + only_ours == ours, row
        if row["peer"] in peers:
            assert both + only_peer == int(peers[row["peer"]]["found pairs"].replace(",", ""))
    data = json.loads((report["out"] / "bench.json").read_text())
    for name, a in data["agreement"].items():
        assert a["both"] + a["only_ours"] == a["ours"], name
        assert a["both"] + a["only_peer"] == a["peer"], name
        assert a["ours_true"] + a["ours_false"] == a["ours"], name
        assert a["peer_true"] + a["peer_false"] == a["peer"], name
        assert a["ours_true"] + a["ours_missed"] == a["truth"] == data["truth"]["pairs"], name
        assert a["peer_true"] + a["peer_missed"] == a["truth"], name
    # The generated corpus plants duplicates, and dedupe finds them.
    assert data["truth"]["pairs"] > 0
    assert data["peers"][0]["recall"] >= 0.95


def test_out_dir_has_tables_and_plots_or_the_install_command(report: dict[str, Any]) -> None:
    out: Path = report["out"]
    assert (out / "bench.md").read_text().startswith("# dedupe bench")
    data = json.loads((out / "bench.json").read_text())
    assert data["corpus"]["docs"] == 300
    if plots.plots_available():
        for name in ("s_curve.png", "similarities.png", "cluster_sizes.png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "pip install 'dedupe-text[plot]'" in report["text"]


def test_scaling_prints_table_and_exponent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["bench", "--scaling", "150,300", "--no-boilerplate", "--out", str(tmp_path), "--quiet"])
    assert bench.run(args) == 0
    text = capsys.readouterr().out
    rows = next(iter(_tables(text).values()))
    assert [r["docs"] for r in rows] == ["150", "300"]
    for row in rows:
        for col in ("MB", "wall s", "pipeline s", "docs/s", "MB/s", "peak RSS MB"):
            _positive(row[col])
    assert re.search(r"wall time ~ n\^-?\d+\.\d\d, peak RSS ~ n\^-?\d+\.\d\d", text)
    assert (tmp_path / "scaling.md").exists() and (tmp_path / "scaling.json").exists()


def test_missing_matplotlib_gives_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(plots, "plots_available", lambda: False)
    args = _parse(["bench", "--scaling", "100", "--no-boilerplate", "--out", str(tmp_path), "--quiet"])
    assert bench.run(args) == 0
    text = capsys.readouterr().out
    assert "| 100 |" in text
    assert "matplotlib is not installed: pip install 'dedupe-text[plot]'" in text
    with pytest.raises(ImportError, match="pip install"):
        plots.require_matplotlib()


def test_bad_options_are_usage_errors() -> None:
    for argv in (["bench", "--peers", "faiss"], ["bench", "--threshold", "1.5"], ["bench", "--scaling", "10,x"]):
        with pytest.raises(SystemExit) as exc:
            _parse(argv)
        assert exc.value.code == 2


def test_generated_corpus_is_deterministic_and_planted() -> None:
    a = list(generate_records(400, seed=3))
    assert a == list(generate_records(400, seed=3))
    assert a != list(generate_records(400, seed=4))
    kinds = {r["planted"].split(":")[0] for r in a}
    assert kinds == {"original", "exact", "near"}
    lengths = np.array([len(r["text"].split()) for r in a])
    assert lengths.min() >= 25 and np.median(lengths) > 200
    assert all(r["text"].isascii() and "_" not in r["text"] for r in a)


def test_exact_join_matches_brute_force() -> None:
    texts = [r["text"] for r in generate_records(250, seed=5)]
    sets = [set(reference_shingles(t)) for t in texts]
    for threshold in (0.5, 0.8):
        expected = set()
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                inter = len(sets[i] & sets[j])
                if inter / (len(sets[i]) + len(sets[j]) - inter) >= threshold:
                    expected.add((i, j))
        pairs, jac = exact_similar_pairs(shingle_sets(texts), threshold)
        assert set(map(tuple, pairs.tolist())) == expected
        assert np.all(jac >= threshold)


def test_agreement_golden_values() -> None:
    # Worked by hand. truth = {1, 2, 3, 5}, ours = {1, 2, 9}, peer = {2, 3, 5, 7, 8}:
    #   both = |{2}| = 1, only_ours = |{1, 9}| = 2, only_peer = |{3, 5, 7, 8}| = 4;
    #   ours_true = |{1, 2}| = 2, ours_false = |{9}| = 1, ours_missed = |{3, 5}| = 2;
    #   peer_true = |{2, 3, 5}| = 3, peer_false = |{7, 8}| = 2, peer_missed = |{1}| = 1;
    #   ours precision 2/3, recall 2/4 = 0.5; peer precision 3/5 = 0.6, recall 3/4 = 0.75.
    a = agreement(np.array([1, 2, 3, 5]), np.array([1, 2, 9]), np.array([2, 3, 5, 7, 8]))
    counts = (a.truth, a.ours, a.peer, a.both, a.only_ours, a.only_peer)
    assert counts == (4, 3, 5, 1, 2, 4)
    assert (a.ours_true, a.ours_false, a.ours_missed) == (2, 1, 2)
    assert (a.peer_true, a.peer_false, a.peer_missed) == (3, 2, 1)
    assert a.ours_precision == pytest.approx(2 / 3) and a.ours_recall == 0.5
    assert a.peer_precision == 0.6 and a.peer_recall == 0.75
    # Nothing found and nothing true: precision and recall are 1 by convention (no pair was wrong or missed).
    empty = np.array([], dtype=np.int64)
    e = agreement(empty, empty, empty)
    assert (e.ours_precision, e.ours_recall, e.peer_precision, e.peer_recall) == (1.0, 1.0, 1.0, 1.0)
    # Truth but nothing found: recall 0, precision 1 (no false pair).
    m = agreement(np.array([4]), empty, np.array([4]))
    assert (m.ours_recall, m.ours_precision, m.peer_recall, m.ours_missed) == (0.0, 1.0, 1.0, 1)


def test_cluster_pair_codes_golden_values() -> None:
    # labels [0, 0, 2, 0, 4, 4]: clusters {0, 1, 3} and {4, 5} (row 2 alone); n = 6, code = i * 6 + j:
    # (0, 1) -> 1, (0, 3) -> 3, (1, 3) -> 9, (4, 5) -> 29.
    assert cluster_pair_codes(np.array([0, 0, 2, 0, 4, 4])).tolist() == [1, 3, 9, 29]
    # Labels need not be sorted or small: [7, 3, 7, 3] -> (0, 2) -> 2, (1, 3) -> 7 with n = 4.
    assert cluster_pair_codes(np.array([7, 3, 7, 3])).tolist() == [2, 7]
    assert cluster_pair_codes(np.array([5, 6, 7])).tolist() == []


def test_peak_rss_is_unknown_without_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    from dedupe.bench.stages import peak_rss_mb

    assert (peak_rss_mb() or 0) > 0  # POSIX (where the tests run): getrusage
    monkeypatch.setitem(sys.modules, "resource", None)  # import resource now raises ImportError
    assert peak_rss_mb() is None
