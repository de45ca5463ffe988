"""End-to-end runs of the bench in fresh processes: the commands and their measured rows."""

from __future__ import annotations

import sys
from pathlib import Path

from . import e2e
from .options import BenchOptions
from .peers import is_installed
from .report import EndToEndRow

__all__ = ["datatrove_cmd", "datatrove_python", "dedupe_cmd", "run_row"]


def datatrove_python(options: BenchOptions) -> str | None:
    """The interpreter that runs datatrove: ``--datatrove-python``, else this one if it has datatrove."""
    if options.datatrove_python:
        return options.datatrove_python
    return sys.executable if is_installed("datatrove") else None


def run_row(
    name: str, cmd: list[str], work: Path, docs: int, mb: float, note: str
) -> tuple[EndToEndRow, list[int] | None]:
    """Run ``cmd`` (an :mod:`.e2e` command) in a fresh process; return its row and its cluster labels."""
    try:
        res = e2e.run_measured(cmd, stderr_path=work / f"{name.split()[0]}-{len(cmd)}.stderr")
    except RuntimeError as exc:
        return EndToEndRow(name, "failed", docs=docs, mb=mb, note=str(exc).splitlines()[0]), None
    labels = res.get("labels")
    if res.get("boilerplate_note"):
        note = f"{note}; {res['boilerplate_note']}" if note else str(res["boilerplate_note"])
    row = EndToEndRow(
        name,
        "ran",
        wall_s=float(res["wall_s"]),
        run_s=float(res["run_s"]),
        peak_rss_mb=float(res["peak_rss_mb"]),
        docs=int(res["docs"]),
        mb=mb,
        kept=int(res["kept"]),
        note=note,
        stages_s={k: float(v) for k, v in res.get("stages_s", {}).items()},
    )
    return row, labels


def dedupe_cmd(
    options: BenchOptions, path: Path, work: Path, group_field: str | None, *, boilerplate: bool, labels: bool
) -> list[str]:
    """The command that runs ``deduplicate()`` + write on ``path`` in a fresh process."""
    cmd = [sys.executable, e2e.__file__, "dedupe", str(path), str(work)]
    cmd += ["--threshold", repr(options.threshold), "--num-perm", str(options.num_perm)]
    cmd += ["--ngram-size", str(options.ngram_size), "--id-field", "id"]
    if group_field is not None:
        cmd += ["--group-field", group_field]
    if boilerplate:
        cmd.append("--boilerplate")
    if labels:
        cmd.append("--labels")
    return cmd


def datatrove_cmd(
    python: str, path: Path, work: Path, *, num_bands: int, rows_per_band: int, ngram_size: int
) -> list[str]:
    """The command that runs datatrove's MinHash dedup on ``path`` under ``python``."""
    cmd = [python, e2e.__file__, "datatrove", str(path), str(work)]
    cmd += ["--num-bands", str(num_bands), "--rows-per-band", str(rows_per_band)]
    return [*cmd, "--ngram-size", str(ngram_size), "--seed", "1", "--id-field", "id", "--labels"]
