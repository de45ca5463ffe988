"""The benchmark scripts fail (exit 1) when they miss what they claim: floors and targets."""

from __future__ import annotations

import importlib.util

import pytest

import boilerplate_quality as quality
import datatrove_e2e


def test_boilerplate_floors_pass_and_fail() -> None:
    good_synthetic = {"synthetic": (1.0, 0.93, 0.96), "syndicated_lost": 0}
    good_real = {"corpus": (0.942, 0.882, 0.911, 0.98)}
    assert quality.check("defaults", good_synthetic, good_real) == []
    lost = quality.check("defaults", {**good_synthetic, "syndicated_lost": 3}, good_real)
    assert lost == ["defaults: 3 syndicated body lines removed (floor: 0)"]
    low = quality.check("defaults", good_synthetic, {"corpus": (0.939, 0.9, 0.909, 0.98)})
    assert low == ["defaults: real precision 0.939 < floor 0.94", "defaults: real F1 0.909 < floor 0.91"]
    # A run's floors apply to that run only: near_threshold=0.7 has its own (synthetic F1 >= 0.99).
    assert quality.check("near_threshold=0.7", good_synthetic, None) == [
        "near_threshold=0.7: synthetic F1 0.960 < floor 0.99"
    ]
    assert quality.check("min_docs=3", {**good_synthetic, "synthetic": (0.5, 0.5, 0.5)}, None) == []


@pytest.mark.skipif(importlib.util.find_spec("datatrove") is not None, reason="datatrove installed: it would run")
def test_datatrove_e2e_exits_1_when_datatrove_did_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert datatrove_e2e.main(["--docs", "60"]) == 1
    assert "datatrove did not run" in capsys.readouterr().err


@pytest.mark.parametrize(("datatrove_wall", "expected"), [(20.0, 0), (5.0, 1)])
def test_datatrove_e2e_exit_follows_the_target(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], datatrove_wall: float, expected: int
) -> None:
    from dedupe.bench.report import BenchReport, EndToEndRow

    def fake_run_bench(options: object) -> BenchReport:
        rows = [
            EndToEndRow("dedupe (no boilerplate)", "ran", wall_s=2.0, run_s=1.5, peak_rss_mb=100.0, kept=9),
            EndToEndRow("datatrove", "ran", wall_s=datatrove_wall, run_s=datatrove_wall - 3, peak_rss_mb=300.0, kept=8),
        ]
        agree = {"ours_recall": 1.0, "peer_recall": 1.0, "ours_precision": 1.0, "peer_precision": 0.5, "truth": 4}
        return BenchReport({"mb": 1.0}, {}, [], rows, [], {"datatrove (end to end)": agree}, {})

    monkeypatch.setattr(datatrove_e2e, "run_bench", fake_run_bench)
    assert datatrove_e2e.main(["--docs", "10"]) == expected  # wall ratio 10x (met) or 2.5x (NOT met)
    out = capsys.readouterr().out
    assert ("NOT met" in out) == (expected == 1)
    assert "| 1.50 |" in out  # dedupe's in-process run seconds are printed beside the wall seconds
