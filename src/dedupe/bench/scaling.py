"""``dedupe bench --scaling``: ``deduplicate()`` + write at several sizes, each in a fresh process."""

from __future__ import annotations

import math
import os
import platform
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._version import __version__
from .inputs import prepare_input, say, text_mb, workdir, write_outputs
from .options import BenchOptions
from .processes import dedupe_cmd, run_row
from .render import scaling_markdown
from .report import EndToEndRow, ScalingReport
from .stages import boilerplate_finder

__all__ = ["fit_exponent", "run_scaling"]


def fit_exponent(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Least-squares slope of log(y) on log(x) over the positive points; None with fewer than two."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return None if den == 0 else sum((p[0] - mx) * (p[1] - my) for p in pts) / den


def run_scaling(options: BenchOptions) -> ScalingReport:
    """Time ``deduplicate()`` + write at each of ``options.scaling`` sizes, each in a fresh process."""
    bp_finder, bp_why = boilerplate_finder()
    with_bp = options.boilerplate and bp_finder is not None
    params: dict[str, Any] = {
        "dedupe_version": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "threshold": options.threshold,
        "num_perm": options.num_perm,
        "boilerplate": "on" if with_bp else "off",
        "corpus": options.corpus or f"generated (seed {options.seed})",
        "sizes": list(options.scaling),
    }
    notes: list[str] = []
    if options.boilerplate and not with_bp:
        notes.append(f"boilerplate removal: {bp_why}")
    rows: list[EndToEndRow] = []
    files: list[str] = []
    with workdir(options) as work:
        for size in options.scaling:
            path = work / f"scaling-{size}.jsonl"
            say(options, f"scaling: preparing {size:,} records")
            _, group_field = prepare_input(options, path, size)
            mb = text_mb(path)
            say(options, f"scaling: deduplicate() + write on {size:,} records, fresh process")
            row, _ = run_row(
                f"dedupe {size}",
                dedupe_cmd(options, path, work / f"scaling-{size}", group_field, boilerplate=with_bp, labels=False),
                work,
                size,
                mb,
                "",
            )
            if row.status == "ran":
                row.note = ", ".join(f"{k} {v:.3g} s" for k, v in row.stages_s.items())
            rows.append(row)
            path.unlink(missing_ok=True)
            shutil.rmtree(work / f"scaling-{size}", ignore_errors=True)
    ran = [r for r in rows if r.status == "ran"]
    t_exp = fit_exponent([r.docs for r in ran], [r.wall_s or 0.0 for r in ran])
    m_exp = fit_exponent([r.docs for r in ran], [r.peak_rss_mb or 0.0 for r in ran])
    report = ScalingReport(params, rows, t_exp, m_exp, files, notes)
    if options.out is not None:
        from .. import plots

        if not options.plots:
            notes.append("plots: off (--no-plots)")
        elif not plots.plots_available():
            notes.append(f"plots: skipped, matplotlib is not installed: {plots.INSTALL_PLOT}")
        elif len(ran) >= 1:
            png = plots.plot_scaling(
                Path(options.out) / "scaling.png",
                docs=[r.docs for r in ran],
                seconds=[r.wall_s or 0.0 for r in ran],
                rss_mb=[r.peak_rss_mb or 0.0 for r in ran],
                time_exponent=t_exp,
                rss_exponent=m_exp,
            )
            files.append(str(png))
        write_outputs(Path(options.out), "scaling", scaling_markdown(report), report.to_dict(), report.files)
    return report
