"""Markdown of the ``dedupe bench`` reports: one function per section."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .report import BenchReport, ScalingReport

__all__ = ["report_markdown", "scaling_markdown"]


def _num(value: float | None, kind: str = "g") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "s":
        return f"{value:.3g}" if value < 10 else f"{value:,.1f}"
    if kind == "x":
        return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"
    if kind == "p":
        return f"{value:.4f}"
    if kind == "mb":
        return f"{value:,.1f}" if value >= 1 else f"{value:.3g}"
    return f"{value:.3g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _rates(docs: float, mb: float, seconds: float | None) -> list[str]:
    """The docs/s and MB/s cells of ``docs`` documents and ``mb`` MB done in ``seconds``."""
    return [_num(docs / seconds if seconds else None, "int"), _num(mb / seconds if seconds else None, "mb")]


def _header(r: BenchReport) -> list[str]:
    c, p = r.corpus, r.params
    return [
        f"# dedupe bench ({p['dedupe_version']}, Python {p['python']}, {p['cpus']} CPUs)",
        "",
        f"Corpus: {c['description']}.",
        f"Parameters: threshold {p['threshold']:g}, num_perm {p['num_perm']}, word {p['ngram_size']}-grams, "
        f"MinHash seed {p['minhash_seed']}, band plan {p['num_bands']} bands x {p['rows_per_band']} rows "
        f"(candidate probability {p['candidate_probability']:.3f} at the threshold).",
    ]


def _stages(r: BenchReport) -> list[str]:
    rows = [
        [
            s.stage,
            _num(s.seconds, "s"),
            _num(s.docs_per_s, "int"),
            _num(s.mb_per_s, "mb"),
            _num(s.peak_rss_mb, "mb"),
            s.note,
        ]
        for s in r.stages
    ]
    lines = ["", "## Stages (dedupe, in this process)", ""]
    return lines + _table(["stage", "seconds", "docs/s", "MB/s", "peak RSS MB", "notes"], rows, "lrrrrl")


def _end_to_end(r: BenchReport) -> list[str]:
    rows = []
    for e in r.end_to_end:
        if e.status != "ran":
            rows.append([e.name, e.status, "-", "-", "-", "-", "-", "-", e.note])
            continue
        cells = [_num(e.wall_s, "s"), _num(e.run_s, "s"), *_rates(e.docs, e.mb, e.wall_s)]
        rows.append([e.name, "ran", *cells, _num(e.peak_rss_mb, "mb"), _num(e.kept, "int"), e.note])
    header = ["run", "status", "wall s", "run s", "docs/s", "MB/s", "peak RSS MB", "kept", "notes"]
    lines = ["", "## End to end (each run in a fresh process)", ""]
    lines += _table(header, rows, "llrrrrrrl")
    lines += ["", "wall s: the whole process (interpreter start and imports included); run s: from the first "
              "pipeline call to the last output byte, timed inside the process."]  # fmt: skip
    ratio = _e2e_ratio(r)
    return lines + (["", ratio] if ratio else [])


_PEER_HEADER = [
    "side",
    "status",
    "seconds",
    "tokenize s",
    "docs/s",
    "MB/s",
    "dedupe speed-up",
    "speed-up without tokenizing",
    "candidates",
    "verified pairs",
    "found pairs",
    "precision",
    "recall",
    "notes",
]


def _peers(r: BenchReport) -> list[str]:
    c = r.corpus
    rows = []
    for q in r.peers:
        if q.status != "ran":
            rows.append([q.name, q.status, *["-"] * (len(_PEER_HEADER) - 3), q.note])
            continue
        times = [_num(q.seconds, "s"), _num(q.tokenize_s, "s"), *_rates(c["docs"], c["mb"], q.seconds)]
        speed = [_num(q.speedup, "x"), _num(q.speedup_untokenized, "x")]
        pairs = [_num(q.candidates, "int"), _num(q.verified, "int"), _num(q.found, "int")]
        rows.append([q.name, "ran", *times, *speed, *pairs, _num(q.precision, "p"), _num(q.recall, "p"), q.note])
    lines = ["", "## Peers (this process, same documents and parameters)", ""]
    lines += _table(_PEER_HEADER, rows, "ll" + "r" * (len(_PEER_HEADER) - 3) + "l")
    apis = [f"- {q.name}: {q.api}" for q in r.peers if q.api]
    return lines + (["", "Calls timed:", *apis] if apis else [])


_AGREEMENT_HEADER = [
    "peer",
    "true pairs",
    "both found",
    "only dedupe",
    "only peer",
    "dedupe precision",
    "dedupe recall",
    "peer precision",
    "peer recall",
]
_AGREEMENT_KEYS = ("both", "only_ours", "only_peer", "ours_precision", "ours_recall", "peer_precision", "peer_recall")


def _agreement(r: BenchReport) -> list[str]:
    if not r.agreement:
        return []
    t, p = r.truth, r.params
    lines = ["", "## Agreement with exact Jaccard", ""]
    lines.append(
        f"Truth: {t['pairs']:,} pairs with exact Jaccard >= {p['threshold']:g} of lower-cased `\\w+` word "
        f"{p['ngram_size']}-gram sets (all pairs, prefix-filtered exact join, {t['seconds']:.1f} s). "
        "A side's found pairs: pairs of documents in one of its clusters."
    )
    lines.append("")
    rows = []
    for name, a in r.agreement.items():
        counts = [_num(a[k], "p" if k.endswith(("precision", "recall")) else "int") for k in _AGREEMENT_KEYS]
        rows.append([name, _num(a["truth"], "int"), *counts])
    return lines + _table(_AGREEMENT_HEADER, rows, "lrrrrrrrr")


def _footer(notes: list[str], files: list[str]) -> list[str]:
    lines: list[str] = []
    if notes:
        lines += ["", "Notes:", *[f"- {n}" for n in notes]]
    if files:
        lines += ["", "Files:", *[f"- {f}" for f in files]]
    return lines


def report_markdown(r: BenchReport) -> str:
    """The whole ``dedupe bench`` report as Markdown."""
    lines = _header(r) + _stages(r) + _end_to_end(r) + _peers(r) + _agreement(r) + _footer(r.notes, r.files)
    return "\n".join(lines) + "\n"


def _e2e_ratio(r: BenchReport) -> str:
    by = {e.name: e for e in r.end_to_end if e.status == "ran"}
    ours = by.get("dedupe (no boilerplate)")
    theirs = by.get("datatrove")
    if not ours or not theirs or not ours.wall_s or not theirs.wall_s:
        return ""
    a = r.agreement.get("datatrove (end to end)", {})
    recall = ""
    if a:
        recall = f"; recall dedupe {a['ours_recall']:.4f} vs datatrove {a['peer_recall']:.4f}"
    run = ""
    if ours.run_s and theirs.run_s:
        run = f"; run time without interpreter start and imports {theirs.run_s / ours.run_s:.1f}x " \
              f"({ours.run_s:.1f} s vs {theirs.run_s:.1f} s)"  # fmt: skip
    return (
        f"dedupe vs datatrove end to end: {theirs.wall_s / ours.wall_s:.1f}x faster "
        f"(wall {ours.wall_s:.1f} s vs {theirs.wall_s:.1f} s){run}, peak RSS {ours.peak_rss_mb:,.0f} MB vs "
        f"{theirs.peak_rss_mb:,.0f} MB{recall} (target: >= 5x at equal or better recall)"
    )


def scaling_markdown(r: ScalingReport) -> str:
    """The ``dedupe bench --scaling`` report as Markdown."""
    p = r.params
    lines = [f"# dedupe bench --scaling ({p['dedupe_version']}, Python {p['python']}, {p['cpus']} CPUs)", ""]
    lines.append(
        f"Corpus: {p['corpus']}; deduplicate() + write in a fresh process per size "
        f"(threshold {p['threshold']:g}, num_perm {p['num_perm']}, boilerplate {p['boilerplate']})."
    )
    lines.append("")
    rows = []
    for e in r.rows:
        if e.status != "ran":
            rows.append([_num(e.docs, "int"), "-", "-", "-", "-", "-", "-", f"{e.status}: {e.note}"])
            continue
        cells = [_num(e.docs, "int"), _num(e.mb, "mb"), _num(e.wall_s, "s"), _num(e.run_s, "s")]
        rows.append([*cells, *_rates(e.docs, e.mb, e.wall_s), _num(e.peak_rss_mb, "mb"), e.note])
    lines += _table(["docs", "MB", "wall s", "pipeline s", "docs/s", "MB/s", "peak RSS MB", "notes"], rows, "rrrrrrrl")
    lines.append("")
    if r.time_exponent is not None and r.rss_exponent is not None:
        lines.append(
            f"Fitted growth: wall time ~ n^{r.time_exponent:.2f}, peak RSS ~ n^{r.rss_exponent:.2f} "
            "(least squares on log-log; 1.00 = linear)."
        )
    else:
        lines.append("Fitted growth: needs at least two sizes that ran.")
    return "\n".join(lines + _footer(r.notes, r.files)) + "\n"


# ---------------------------------------------------------------------------------------------
# Running
