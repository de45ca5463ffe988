"""``dedupe bench`` on one corpus: stages, end to end, peers, agreement; the report it returns."""

from __future__ import annotations

import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from .._typing import IntArray
from .._version import __version__
from .inputs import prepare_input, say, workdir, write_outputs
from .options import IN_PROCESS_PEERS, BenchOptions
from .peers import INSTALL, PeerSettings, is_installed, run_peer, tokenize
from .processes import datatrove_cmd, datatrove_python, dedupe_cmd, run_row
from .render import report_markdown
from .report import BenchReport, EndToEndRow, PeerRow
from .stages import OurRun, boilerplate_finder, run_stages

__all__ = ["run_bench"]


def _params(options: BenchOptions) -> dict[str, Any]:
    from ..banding import candidate_probability
    from ..lsh import LSHIndex

    plan = LSHIndex.for_threshold(options.threshold, num_perm=options.num_perm)
    return {
        "dedupe_version": __version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "threshold": options.threshold,
        "num_perm": options.num_perm,
        "ngram_size": options.ngram_size,
        "minhash_seed": 1,
        "num_bands": plan.num_bands,
        "rows_per_band": plan.rows_per_band,
        "candidate_probability": candidate_probability(options.threshold, plan.num_bands, plan.rows_per_band),
    }


def _dedupe_end_to_end(
    options: BenchOptions, input_path: Path, group_field: str | None, work: Path, size: tuple[int, float]
) -> tuple[list[EndToEndRow], IntArray | None, str]:
    """Dedupe's end-to-end rows (with boilerplate removal when available, then without)."""
    n, mb = size
    rows: list[EndToEndRow] = []
    finder, why = boilerplate_finder()
    if options.boilerplate and finder is not None:
        say(options, "deduplicate() + write with boilerplate removal, fresh process")
        cmd = dedupe_cmd(options, input_path, work / "e2e-bp", group_field, boilerplate=True, labels=False)
        rows.append(
            run_row("dedupe (boilerplate)", cmd, work, n, mb, "deduplicate(remove_boilerplate=True) + write")[0]
        )
        why = ""
    elif not options.boilerplate:
        why = "off (--no-boilerplate)"
    say(options, "deduplicate() + write without boilerplate removal, fresh process")
    cmd = dedupe_cmd(options, input_path, work / "e2e", group_field, boilerplate=False, labels=True)
    row, lab = run_row("dedupe (no boilerplate)", cmd, work, n, mb, "deduplicate(remove_boilerplate=False) + write")
    rows.append(row)
    return rows, None if lab is None else np.asarray(lab, dtype=np.int64), why


def _datatrove_end_to_end(
    options: BenchOptions, params: dict[str, Any], input_path: Path, work: Path, size: tuple[int, float]
) -> tuple[EndToEndRow, IntArray | None]:
    python = datatrove_python(options)
    if python is None:
        return EndToEndRow("datatrove", "skipped", note=f"not installed: {INSTALL['datatrove']}"), None
    say(options, f"datatrove MinHash dedup on the same JSONL, fresh process ({python})")
    bands, rows = params["num_bands"], params["rows_per_band"]
    out = work / "e2e-datatrove"
    cmd = datatrove_cmd(python, input_path, out, num_bands=bands, rows_per_band=rows, ngram_size=options.ngram_size)
    shutil.rmtree(out, ignore_errors=True)
    note = f"MinhashDedup* stages, {bands} x {rows} hashes, no verification"
    row, lab = run_row("datatrove", cmd, work, size[0], size[1], note)
    return row, None if lab is None else np.asarray(lab, dtype=np.int64)


def _peer_row(
    name: str, tokens: list[list[str]], tokenize_s: float, settings: PeerSettings, ours: OurRun
) -> tuple[PeerRow, IntArray | None]:
    """One peer on the shared tokens: an untimed warm-up call on 8 documents, then one timed run."""
    try:
        run_peer(name, tokens[:8], settings)
        run = run_peer(name, tokens, settings)
    except Exception as exc:
        return PeerRow(name, "failed", note=f"{type(exc).__name__}: {exc}"), None
    seconds = tokenize_s + run.seconds
    untokenized = ours.core_seconds - ours.core_stages["shingle"]
    row = PeerRow(name, "ran", seconds=seconds, tokenize_s=tokenize_s, speedup=seconds / ours.core_seconds,
                  speedup_untokenized=run.seconds / untokenized, candidates=run.candidates, verified=run.verified,
                  api=run.api, note="; ".join(run.notes), stages_s={"tokenize": tokenize_s, **run.stages})  # fmt: skip
    return row, run.labels


def _peer_rows(
    options: BenchOptions, params: dict[str, Any], texts: list[str], ours: OurRun
) -> tuple[list[PeerRow], dict[str, IntArray], str]:
    """Dedupe's core row, then one row per requested in-process peer (ran, skipped or failed); a note."""
    settings = PeerSettings(
        threshold=options.threshold,
        num_perm=options.num_perm,
        ngram_size=options.ngram_size,
        num_bands=params["num_bands"],
        rows_per_band=params["rows_per_band"],
        seed=1,
    )
    api = (
        "iter_shingle_batches + MinHasher.sign_batch + LSHIndex candidate pairs "
        "+ verify (exact Jaccard near the threshold) + resolve_clusters"
    )
    peers = [
        PeerRow("dedupe", "ran", seconds=ours.core_seconds, tokenize_s=ours.core_stages["shingle"], speedup=1.0,
                speedup_untokenized=1.0, candidates=ours.candidates, verified=ours.verified, api=api,
                stages_s=ours.core_stages)
    ]  # fmt: skip
    wanted = [p for p in options.peers if p in IN_PROCESS_PEERS]
    tokens, tokenize_s = tokenize(texts, options.ngram_size) if any(map(is_installed, wanted)) else ([], 0.0)
    labels: dict[str, IntArray] = {}
    for name in wanted:
        if not is_installed(name):
            peers.append(PeerRow(name, "skipped", note=f"not installed: {INSTALL[name]}"))
            continue
        say(options, f"running {name} in this process")
        row, peer_labels = _peer_row(name, tokens, tokenize_s, settings, ours)
        peers.append(row)
        if peer_labels is not None:
            labels[name] = peer_labels
    if "datatrove" in options.peers:
        peers.append(PeerRow("datatrove", "skipped", note="end to end only (see above)"))
    note = (
        f"tokenizing: dedupe's own shingling {ours.core_stages['shingle']:.3g} s; the peers share one Python "
        f"tokenizer (lower-cased \\w+ word {options.ngram_size}-grams), run once ({tokenize_s:.3g} s) and counted "
        "in each peer's seconds; every side: one timed run after an untimed warm-up call on 8 documents"
    )
    return peers, labels, note


def run_bench(options: BenchOptions) -> BenchReport:
    """Run the benchmark described by ``options`` and return its report (nothing is printed on stdout)."""
    params = _params(options)
    notes: list[str] = []
    files: list[str] = []
    with workdir(options) as work:
        input_path = work / "bench-input.jsonl"
        say(options, f"preparing {options.docs:,} records in {input_path}")
        corpus, group_field = prepare_input(options, input_path, options.docs)
        say(options, "timing dedupe's stages")
        ours, texts, _ = run_stages(options, input_path, group_field, work)
        size = (len(texts), ours.stages[0].mb)
        corpus.update({"docs": size[0], "mb": size[1], "file_mb": input_path.stat().st_size / 1e6})
        corpus["description"] += f"; {size[0]:,} records, {size[1]:,.1f} MB of text"
        end_to_end, lab, why = _dedupe_end_to_end(options, input_path, group_field, work, size)
        labels_e2e = {} if lab is None else {"dedupe": lab}
        if why:
            notes.append(f"end-to-end boilerplate removal: {why}")
        if "datatrove" in options.peers:
            row, lab = _datatrove_end_to_end(options, params, input_path, work, size)
            end_to_end.append(row)
            if lab is not None:
                labels_e2e["datatrove"] = lab
        peers, peer_labels, peer_note = _peer_rows(options, params, texts, ours)
        notes.append(peer_note)
        agreement: dict[str, dict[str, Any]] = {}
        truth: dict[str, Any] = {}
        if options.quality:
            say(options, "exact Jaccard of every pair above the threshold (ground truth)")
            agreement, truth = _quality(options, texts, ours.labels, peer_labels, labels_e2e, peers)
        if options.out is not None and options.plots:
            files += _plots(options, params, ours.labels, peer_labels, truth, notes)
        elif options.out is not None:
            notes.append("plots: off (--no-plots)")
    report = BenchReport(corpus, params, ours.stages, end_to_end, peers, agreement, truth, files, notes)
    if options.out is not None:
        write_outputs(options.out, "bench", report_markdown(report), report.to_dict(), report.files)
    return report


def _quality(
    options: BenchOptions,
    texts: list[str],
    our_labels: IntArray,
    peer_labels: dict[str, IntArray],
    labels_e2e: dict[str, IntArray],
    peers: list[PeerRow],
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    from .quality import agreement, cluster_pair_codes, exact_similar_pairs, pair_codes, shingle_sets

    t = time.perf_counter()
    sets = shingle_sets(texts, options.ngram_size)
    low = min(options.threshold, max(0.5, options.threshold - 0.2))
    pairs, jac = exact_similar_pairs(sets, low)
    seconds = time.perf_counter() - t
    n = len(texts)
    above = jac >= options.threshold
    truth_codes = pair_codes(pairs[above], n)
    ours_codes = cluster_pair_codes(our_labels)
    found_all = np.isin(pairs[:, 0] * n + pairs[:, 1], ours_codes)
    truth = {
        "pairs": int(above.sum()),
        "seconds": seconds,
        "join_threshold": low,
        "pairs_above_join_threshold": len(pairs),
        "definition": "pairs with exact Jaccard >= threshold of lower-cased \\w+ word n-gram sets",
        "_jaccard": jac,
        "_found": found_all,
    }
    out: dict[str, dict[str, Any]] = {}
    our_row = peers[0]
    for name, labels in peer_labels.items():
        a = agreement(truth_codes, ours_codes, cluster_pair_codes(labels))
        out[name] = a.as_dict()
    for name, labels in labels_e2e.items():
        if name == "dedupe":
            continue
        ours_e2e = cluster_pair_codes(labels_e2e.get("dedupe", our_labels))
        a = agreement(truth_codes, ours_e2e, cluster_pair_codes(labels))
        out[f"{name} (end to end)"] = a.as_dict()
    base = agreement(truth_codes, ours_codes, ours_codes)
    our_row.found, our_row.precision, our_row.recall = base.ours, base.ours_precision, base.ours_recall
    for row in peers[1:]:
        if row.name in out:
            a_dict = out[row.name]
            row.found, row.precision, row.recall = a_dict["peer"], a_dict["peer_precision"], a_dict["peer_recall"]
    return out, truth


def _plots(
    options: BenchOptions,
    params: dict[str, Any],
    our_labels: IntArray,
    peer_labels: dict[str, IntArray],
    truth: dict[str, Any],
    notes: list[str],
) -> list[str]:
    from .. import plots

    if not plots.plots_available():
        notes.append(f"plots: skipped, matplotlib is not installed: {plots.INSTALL_PLOT}")
        return []
    assert options.out is not None
    out = Path(options.out)
    made = [
        plots.plot_s_curve(
            out / "s_curve.png",
            threshold=options.threshold,
            num_bands=params["num_bands"],
            rows_per_band=params["rows_per_band"],
        )
    ]
    if truth:
        made.append(
            plots.plot_similarities(
                out / "similarities.png",
                jaccard=truth["_jaccard"],
                found=truth["_found"],
                threshold=options.threshold,
                low=truth["join_threshold"],
            )
        )
    sizes = {"dedupe": np.bincount(our_labels)}
    sizes.update({name: np.bincount(labels) for name, labels in peer_labels.items()})
    made.append(plots.plot_cluster_sizes(out / "cluster_sizes.png", sizes))
    return [str(p) for p in made]
