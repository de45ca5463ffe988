"""``import dedupe`` and ``dedupe clean`` load no part of the benchmark harness (nor POSIX-only ``resource``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Runs in a fresh interpreter; prints the modules loaded (after the CLI's main returned).
_CLEAN = """
import json, runpy, sys
sys.argv = ["dedupe", "clean", sys.argv[1], "-o", sys.argv[2]]
try:
    runpy.run_module("dedupe", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
_IMPORT = "import json, sys, dedupe; print(json.dumps({'code': 0, 'modules': sorted(sys.modules)}))"


def _modules(code: str, *args: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1] / "src"), *sys.path])}
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["code"] == 0, proc.stderr
    modules: list[str] = out["modules"]
    assert "dedupe" in modules
    return modules


def _harness(modules: list[str]) -> list[str]:
    return [m for m in modules if m in ("resource", "dedupe.bench") or m.startswith(("dedupe.bench.", "dedupe._bench"))]


def test_import_dedupe_loads_no_benchmark_module() -> None:
    assert _harness(_modules(_IMPORT)) == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs the repository's seeds/ folder")
def test_dedupe_clean_loads_no_benchmark_module(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    modules = _modules(_CLEAN, str(SEEDS), str(out))
    assert out.stat().st_size > 0, "dedupe clean wrote its output"
    assert "dedupe.pipeline" in modules, "the clean command ran"
    assert _harness(modules) == []
