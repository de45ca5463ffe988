"""The ``dedupe`` command: ``clean`` a corpus, maintain a persistent LSH ``index``, ``bench`` it.

Exit status: 0 on success, 1 on bad input or a failed run (one line on stderr; the traceback only
with ``--debug``), 2 on a usage error, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__, _args
from .errors import DedupeError, InputError

__all__ = ["main"]


def _common(parser: argparse.ArgumentParser, *, id_required: bool = False) -> None:
    parser.add_argument("--text-field", default="text", help="field holding the text (default: text)")
    if id_required:
        parser.add_argument(
            "--id-field", required=True, help="field holding the id (required: ids must stay unique across batches)"
        )
    else:
        parser.add_argument("--id-field", default=None, help="field holding the id (default: derived from position)")
    parser.add_argument(
        "--on-error",
        choices=["raise", "reject"],
        default="raise",
        help="stop at the first bad record (raise, default) or set it aside and go on (reject)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars or summary")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dedupe`` command."""
    parser = argparse.ArgumentParser(
        prog="dedupe",
        description="Remove near-duplicate documents and repeated boilerplate from text corpora.",
    )
    parser.add_argument("--version", action="version", version=f"dedupe-text {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    clean = sub.add_parser(
        "clean",
        help="deduplicate a corpus, strip boilerplate, write the kept records",
        description="Read INPUT (JSONL, .jsonl.gz/.zst, Parquet, a folder of .txt files or shards), "
        "remove exact and near duplicates and boilerplate blocks, write the kept records to OUTPUT.",
    )
    clean.add_argument("input", metavar="INPUT")
    clean.add_argument("-o", "--output", required=True, metavar="OUTPUT", help="cleaned corpus (format by suffix)")
    clean.add_argument("--duplicates", metavar="FILE", help="JSONL: one line per removed duplicate")
    clean.add_argument("--rejects", metavar="FILE", help="JSONL: one line per rejected record")
    clean.add_argument("--report", metavar="FILE", help="JSON report: counts, parameters, timings, clusters")
    clean.add_argument(
        "--plots",
        metavar="DIR",
        help="write PNG plots (band-plan S-curve, near-duplicate similarities, cluster sizes) to DIR "
        "and link them from the report (needs the plot extra)",
    )
    clean.add_argument("--threshold", type=_args.threshold, default=0.8, help="Jaccard threshold (default: 0.8)")
    clean.add_argument("--no-boilerplate", action="store_true", help="keep boilerplate blocks")
    clean.add_argument(
        "--near-boilerplate",
        action="store_true",
        help="also group boilerplate lines that differ by a few words (MinHash at 0.7; about 2.5x slower)",
    )
    clean.add_argument("--group-field", default=None, help="field (site, domain) to count boilerplate by")
    clean.add_argument("--keep", choices=["first", "longest"], default="first", help="record kept per cluster")
    clean.add_argument("--num-perm", type=_args.positive_int, default=128, help="MinHash slots (default: 128)")
    clean.add_argument("--workers", type=_args.positive_int, default=1, help="processes for hashing (default: 1)")
    clean.add_argument(
        "--backend",
        choices=["local", "ray"],
        default="local",
        help="where signatures and LSH grouping run: in process (local, default) or on Ray Data (ray)",
    )
    _common(clean)

    index = sub.add_parser("index", help="a persistent LSH index for incremental crawls")
    isub = index.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in (
        ("build", "create an index from INPUT"),
        ("add", "check INPUT against the index, write matches, then add it"),
        ("query", "check INPUT against the index without adding it"),
    ):
        p = isub.add_parser(action, help=text, description=text)
        p.add_argument("input", metavar="INPUT")
        p.add_argument("--index", required=True, metavar="DIR", help="index directory")
        if action == "build":
            p.add_argument("--threshold", type=_args.threshold, default=0.8)
            p.add_argument("--num-perm", type=_args.positive_int, default=128)
        else:
            p.add_argument("-o", "--output", metavar="FILE", help="matches as JSONL (default: stdout)")
            p.add_argument(
                "--margin",
                type=float,
                default=0.1,
                help="also list 'possible' matches whose estimated similarity is within this of the "
                "threshold (the index keeps signatures, not texts, so it cannot check them exactly; default 0.1)",
            )
        _common(p, id_required=True)

    from .bench import add_parser as add_bench_parser

    add_bench_parser(sub)
    return parser


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.quiet:
        print(line, file=sys.stdout, flush=True)


def _progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _check_outputs(args: argparse.Namespace) -> None:
    """Fail before any work when an output cannot be written or would clobber the input or another output."""
    outputs = [("-o", args.output), ("--duplicates", args.duplicates), ("--rejects", args.rejects),
               ("--report", args.report)]  # fmt: skip
    seen: dict[Path, str] = {}
    source = Path(args.input).resolve()
    for flag, value in outputs:
        if value is None:
            continue
        path = Path(value).resolve()
        if not path.parent.is_dir():
            raise DedupeError(f"{flag} {value}: folder {path.parent} does not exist")
        if path == source:
            raise DedupeError(f"{flag} {value}: is the input; write the output elsewhere")
        if path in seen:
            raise DedupeError(f"{flag} {value}: also given to {seen[path]}; each output needs its own path")
        seen[path] = flag


def _clean(args: argparse.Namespace) -> int:
    from .pipeline import deduplicate

    _check_outputs(args)
    result = deduplicate(
        args.input,
        threshold=args.threshold,
        remove_boilerplate=not args.no_boilerplate,
        text_field=args.text_field,
        id_field=args.id_field,
        group_field=args.group_field,
        on_error=args.on_error,
        num_perm=args.num_perm,
        keep=args.keep,
        workers=args.workers,
        progress=_progress(args),
        backend=args.backend,
        boilerplate_options={"near_threshold": 0.7} if args.near_boilerplate else None,
    )
    import time

    t = time.perf_counter()
    result.write(args.output)
    result.timings["write"] = time.perf_counter() - t
    if args.duplicates:
        result.write_duplicates(args.duplicates)
    if args.rejects:
        result.write_rejects(args.rejects)
    report = result.report()
    if args.plots:
        report["plots"] = _plots(result, Path(args.plots))
    if args.report:
        from .io._atomic import atomic_file

        with atomic_file(Path(args.report)) as fh:
            fh.write(json.dumps(report, indent=2, ensure_ascii=False, default=str).encode("utf-8") + b"\n")
    _say(args, result.summary())
    return 0


def _plots(result: Any, folder: Path) -> list[str]:
    """Write the clean run's plots into ``folder``; return their paths."""
    import numpy as np

    from . import _bench_plots as plots
    from .lsh import LSHIndex

    plots.require_matplotlib()
    folder.mkdir(parents=True, exist_ok=True)
    threshold = float(result.params["threshold"])
    plan = LSHIndex.for_threshold(threshold, num_perm=int(result.params["minhash"]["num_perm"])).config
    out = [plots.plot_s_curve(folder / "s_curve.png", threshold=threshold, num_bands=plan.num_bands,
                              rows_per_band=plan.rows_per_band)]
    near = result.similarity[result.status == "near"]
    if len(near):
        out.append(plots.plot_duplicate_similarities(folder / "similarities.png", near, threshold=threshold))
    sizes = np.array([c["size"] for c in result.clusters()], dtype=np.int64)
    if len(sizes):
        out.append(plots.plot_cluster_sizes(folder / "cluster_sizes.png", {"dedupe": sizes}))
    return [str(p) for p in out]


def _read_for_index(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Ids and texts of the usable records; bad ones raise or are reported (``--on-error reject``)."""
    from .io import Record, read_corpus
    from .pipeline import check_record

    ids: list[str] = []
    texts: list[str] = []
    for item in read_corpus(args.input, text_field=args.text_field, id_field=args.id_field, on_error=args.on_error):
        problem = check_record(item, args.text_field, None, 50_000_000) if isinstance(item, Record) else None
        if isinstance(item, Record) and problem is None:
            ids.append(item.id)
            texts.append(item.text)
            continue
        if isinstance(item, Record):
            assert problem is not None  # for mypy: a Record with a problem
            err = InputError(problem[1], path=item.source, line=item.line, doc_id=item.id, reason=problem[0])
            if args.on_error == "raise":
                raise err
            print(f"dedupe: rejected: {err}", file=sys.stderr)
        else:
            print(f"dedupe: rejected: {item.message}", file=sys.stderr)
    return ids, texts


def _index(args: argparse.Namespace) -> int:
    import numpy as np

    from .clusters import pair_similarities
    from .lsh import LSHIndex
    from .minhash import EMPTY_VALUE, MinHasher

    ids, texts = _read_for_index(args)
    if args.action == "build":
        if Path(args.index).exists():
            raise DedupeError(f"{args.index}: already exists; use 'dedupe index add' to extend it")
        hasher = MinHasher(num_perm=args.num_perm)
        index = LSHIndex.for_threshold(args.threshold, num_perm=args.num_perm)
        index.insert(ids, hasher.signatures(texts))
        index.save(args.index)
        _say(args, f"indexed {len(ids):,} records in {args.index} ({index.config.describe()})")
        return 0
    index = LSHIndex.load(args.index)
    config = index.minhash_config
    if config is None:
        raise DedupeError(f"{args.index}: the index does not record its MinHash settings")
    signed = MinHasher.from_config(config).signatures(texts)
    sigs = np.asarray(signed)
    if args.action == "add":
        try:
            index.insert(ids, signed)  # refuses ids it already holds
        except InputError as exc:
            raise DedupeError(f"{args.input}: {exc} across batches") from exc
    # Texts without words carry the empty signature: they match nothing.
    wordless = (sigs == EMPTY_VALUE).all(axis=1)
    pairs = index.query_pairs(sigs)
    pairs = pairs[~wordless[pairs[:, 0]]] if len(pairs) else pairs
    all_sigs = np.asarray(index.signatures)
    known = index.doc_ids
    matches: dict[int, dict[str, list[dict[str, Any]]]] = {}
    if len(pairs):
        rows_in_both = np.stack([pairs[:, 0], pairs[:, 1] + len(sigs)], axis=1)
        est = pair_similarities(np.concatenate([sigs, all_sigs]), rows_in_both)
        for (q, r), sim in zip(pairs.tolist(), est.tolist(), strict=True):
            other = str(known[r])
            if other == ids[q] or sim < index.threshold - args.margin:
                continue
            kind = "matches" if sim >= index.threshold else "possible"
            entry = matches.setdefault(q, {"matches": [], "possible": []})
            entry[kind].append({"id": other, "similarity": round(sim, 6)})
    rows: list[dict[str, Any]] = [
        {"id": ids[q], **{k: sorted(v, key=lambda x: (-x["similarity"], x["id"])) for k, v in m.items()}}
        for q, m in sorted(matches.items())
    ]
    if args.output:
        from .io import write_jsonl

        write_jsonl(rows, args.output)
    else:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    if args.action == "add":
        _replace_index(index, args.index)
    if not args.quiet:
        found = sum(1 for r in rows if r["matches"])
        print(
            f"{len(ids):,} records checked: {found:,} with matches at estimated similarity >= {index.threshold:g}, "
            f"{len(rows) - found:,} more with possible matches within {args.margin:g} below it",
            file=sys.stderr,
        )
    return 0


def _replace_index(index: Any, path: str) -> None:
    """Save ``index`` over the directory ``path`` atomically (new directory, then swap)."""
    import os
    import shutil

    target = Path(path)
    tmp = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    index.save(tmp)
    os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _interrupt_on_sigterm() -> None:
    """Treat SIGTERM (``kill``) like Ctrl-C, so temporary output files are removed on the way out."""
    import signal
    import threading

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _interrupt_on_sigterm()
    try:
        if args.command == "clean":
            return _clean(args)
        if args.command == "index":
            return _index(args)
        if args.command == "bench":
            from .bench import run as run_bench

            return run_bench(args)
        parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse checks choices
    except KeyboardInterrupt:
        print("dedupe: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line for any failure; the traceback only with --debug
        if args.debug:
            traceback.print_exc()
        if isinstance(exc, OSError) and exc.filename:
            message = f"{exc.filename}: {exc.strerror}"
        elif isinstance(exc, (DedupeError, OSError)):
            message = str(exc)
        else:
            message = f"{type(exc).__name__}: {exc} (run again with --debug for the traceback)"
        print(f"dedupe: error: {message}", file=sys.stderr)
        return 1
    return 0  # pragma: no cover
