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

from . import _args
from ._version import __version__
from .config import BATCH_SIZE
from .errors import ConfigError, DedupeError, InputError

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
    clean.add_argument(
        "input", metavar="INPUT", help="corpus file or folder; - reads JSON Lines from standard input"
    )
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
    clean.add_argument(
        "--keep", choices=["first", "longest"], default=None,
        help="record kept per cluster (default: first; longest with --similarity containment)",
    )  # fmt: skip
    clean.add_argument(
        "--similarity", choices=["jaccard", "containment"], default="jaccard",
        help="jaccard (default) or containment: a record mostly inside a longer one is its duplicate",
    )  # fmt: skip
    clean.add_argument("--num-perm", type=_args.num_perm, default=128, help="MinHash slots, 2 to 8192 (default: 128)")
    clean.add_argument(
        "--workers", type=_args.workers, default=None,
        help="processes for every pass, 1 to 256 (default: the usable cores, at most 32); output does not depend on it",
    )  # fmt: skip
    clean.add_argument(
        "--batch-size", type=_args.batch_size, default=BATCH_SIZE,
        help=f"records per batch of every pass (default: {BATCH_SIZE}); with --workers it bounds memory (README)",
    )  # fmt: skip
    clean.add_argument(
        "--backend",
        choices=["local", "ray"],
        default="local",
        help="where signatures and LSH grouping run: in process (local, default) or on Ray Data (ray)",
    )
    clean.add_argument("--address", default=None, help="Ray cluster address (--backend ray with a folder of shards)")
    _common(clean)

    index = sub.add_parser("index", help="a persistent LSH index for incremental crawls")
    isub = index.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in (
        ("build", "create an index from INPUT"),
        ("add", "check INPUT against the index, write matches, then add it"),
        ("query", "check INPUT against the index without adding it"),
    ):
        p = isub.add_parser(action, help=text, description=text)
        p.add_argument("input", metavar="INPUT", help="corpus file or folder; - reads JSON Lines from standard input")
        p.add_argument("--index", required=True, metavar="DIR", help="index directory")
        if action == "build":
            p.add_argument("--threshold", type=_args.threshold, default=0.8)
            p.add_argument("--num-perm", type=_args.num_perm, default=128, help="MinHash slots, 2 to 8192")
        else:
            p.add_argument("-o", "--output", metavar="FILE", help="matches as JSONL (default: stdout)")
            p.add_argument(
                "--margin",
                type=_args.margin,
                default=0.1,
                help="also list 'possible' matches whose estimated similarity is within this of the "
                "threshold (the index keeps signatures, not texts, so it cannot check them exactly; default 0.1)",
            )
        _common(p, id_required=True)

    from ._cli_bench import add_parser as add_bench_parser

    add_bench_parser(sub)
    return parser


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.quiet:
        print(line, file=sys.stdout, flush=True)


def _progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


class _Outputs:
    """The output files of one run: checked before any work, written under hidden staged names
    beside their targets, and renamed into place together at the end (SIGINT and SIGTERM held
    back during the renames), so the outputs of a run appear all together or not at all."""

    def __init__(self) -> None:
        import secrets

        self.token = secrets.token_hex(4)
        self.pending: list[tuple[Path, Path]] = []  # (staged, final)
        self.folders: list[tuple[Path, Path]] = []  # (staged folder of plots, final folder)

    def staged(self, final: Path) -> Path:
        path = final.parent / f".dedupe-{self.token}-{final.name}"
        self.pending.append((path, final))
        return path

    def staged_folder(self, final: Path) -> Path:
        path = final.parent / f".dedupe-{self.token}-{final.name}"
        self.folders.append((path, final))
        return path

    def commit(self) -> None:
        import os

        from ._persist import signals_deferred

        with signals_deferred():
            for staged, final in self.folders:
                if not staged.exists():
                    continue
                final.mkdir(exist_ok=True)
                for item in sorted(staged.iterdir()):
                    os.replace(item, final / item.name)
                staged.rmdir()
            for staged, final in self.pending:
                if staged.exists():
                    os.replace(staged, final)
        self.pending, self.folders = [], []

    def discard(self) -> None:
        import shutil

        for staged, _ in [*self.pending, *self.folders]:
            if staged.is_dir():
                shutil.rmtree(staged, ignore_errors=True)
            else:
                staged.unlink(missing_ok=True)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_writable(flag: str, value: str, folder: Path) -> None:
    """Create and remove a file in ``folder``: the one sure test that the output can be written."""
    import os
    import secrets

    probe = folder / f".dedupe-probe-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise DedupeError(f"{flag} {value}: cannot write in {folder} ({exc.strerror}); choose another path") from None
    os.close(fd)
    probe.unlink(missing_ok=True)


def _check_outputs(
    args: argparse.Namespace, outputs: list[tuple[str, str | None]], *, index: str | None = None
) -> None:
    """Fail before any work when an output cannot be written or would clobber or pollute an input,
    the index or another output."""
    from .io import output_format
    from .io._atomic import _check_dir_target
    from .io._watch import is_stream

    seen: dict[Path, str] = {}
    stream = is_stream(args.input)
    source = Path(args.input).resolve()
    index_dir = Path(index).resolve() if index is not None else None
    for flag, value in outputs:
        if value is None:
            continue
        if value == "-":
            raise DedupeError(f"{flag} -: writing to standard output is not supported; give a file path")
        path = Path(value).resolve()
        if not path.parent.is_dir():
            raise DedupeError(f"{flag} {value}: folder {path.parent} does not exist")
        if not stream and path == source:
            raise DedupeError(f"{flag} {value}: is the input; write the output elsewhere")
        if not stream and source.is_dir() and _inside(path, source):
            raise DedupeError(
                f"{flag} {value}: is inside the input folder {args.input}; the next run over that folder "
                "would read it; write the output elsewhere"
            )
        if index_dir is not None and _inside(path, index_dir):
            raise DedupeError(
                f"{flag} {value}: is inside the index folder {index}, which is replaced as a whole when it "
                "is updated; write the output elsewhere"
            )
        if path in seen:
            raise DedupeError(f"{flag} {value}: also given to {seen[path]}; each output needs its own path")
        if flag == "--plots":
            if path.exists() and not path.is_dir():
                raise DedupeError(f"{flag} {value}: is a file; expected a folder for the plots")
        else:
            try:
                kind, _ = output_format(path, None)
                if kind == "txt":
                    _check_dir_target(path)
                elif path.is_dir():
                    raise DedupeError(f"{flag} {value}: is a folder; expected a file path")
            except ConfigError as exc:
                raise DedupeError(f"{flag} {value}: {exc}") from None
        _check_writable(flag, value, path.parent)
        seen[path] = flag


def _workers(requested: int | None) -> int:
    """``--workers``, or by default the usable cores (at most :data:`~dedupe.parallel.MAX_DEFAULT_WORKERS`)."""
    from .parallel import default_workers

    return default_workers() if requested is None else requested


def _clean(args: argparse.Namespace) -> int:
    from .config import BoilerplateConfig
    from .pipeline import deduplicate

    if args.backend == "ray" and Path(args.input).is_dir():  # shards in, shards out (dedupe.sharded)
        from .sharded import clean_shards

        return clean_shards(args, say=lambda line: _say(args, line))
    _check_outputs(args, [("-o", args.output), ("--duplicates", args.duplicates), ("--rejects", args.rejects),
                          ("--report", args.report), ("--plots", args.plots)])  # fmt: skip
    if args.plots:
        from . import plots

        plots.require_matplotlib()
    result = deduplicate(
        args.input, text_field=args.text_field, id_field=args.id_field, group_field=args.group_field,
        on_error=args.on_error, threshold=args.threshold, similarity=args.similarity, keep=args.keep,
        num_perm=args.num_perm, remove_boilerplate=not args.no_boilerplate,
        boilerplate=BoilerplateConfig(near_threshold=0.7) if args.near_boilerplate else None,
        backend=args.backend, workers=_workers(args.workers), batch_size=args.batch_size, progress=_progress(args),
    )  # fmt: skip
    import time

    from .io import output_format

    outputs = _Outputs()
    try:
        t = time.perf_counter()
        final = Path(args.output)
        result.write(outputs.staged(final), format=output_format(final, None)[0])
        result.timings["write"] = time.perf_counter() - t
        if args.duplicates:
            result.write_duplicates(outputs.staged(Path(args.duplicates)))
        if args.rejects:
            result.write_rejects(outputs.staged(Path(args.rejects)))
        report = result.report()
        if args.plots:
            folder = Path(args.plots)
            report["plots"] = [str(folder / p.name) for p in _plots(result, outputs.staged_folder(folder))]
        if args.report:
            from .io._atomic import atomic_file
            from .io.jsonl import finite_json

            with atomic_file(outputs.staged(Path(args.report))) as fh:
                text = json.dumps(finite_json(report), indent=2, ensure_ascii=False, default=str, allow_nan=False)
                fh.write(text.encode("utf-8") + b"\n")
        outputs.commit()
    finally:
        outputs.discard()
    _say(args, result.summary())
    return 0


def _plots(result: Any, folder: Path) -> list[Path]:
    """Write the clean run's plots into ``folder``; return their paths."""
    import numpy as np

    from . import plots
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
    return [Path(p) for p in out]


def _read_for_index(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """Ids and texts of the usable records; bad ones raise or are reported (``--on-error reject``)."""
    from ._signing import check_record
    from .io import Record, read_corpus, read_path_watched
    from .io._watch import InputWatch, is_stream, spill_stream

    cleanup = None
    if is_stream(args.input):
        spilled, name, cleanup = spill_stream(args.input)
        items: Any = read_path_watched(
            spilled, text_field=args.text_field, id_field=args.id_field, on_error=args.on_error,
            watch=InputWatch(), names={str(spilled): name},
        )  # fmt: skip
    else:
        items = read_corpus(args.input, text_field=args.text_field, id_field=args.id_field, on_error=args.on_error)
    ids: list[str] = []
    texts: list[str] = []
    try:
        for item in items:
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
    finally:
        if cleanup is not None:
            cleanup()
    return ids, texts


def _print_rows(rows: list[dict[str, Any]]) -> None:
    """Print JSON lines to stdout; a reader that went away (``| head``) ends the printing quietly."""
    import os

    from .io.jsonl import finite_json

    try:
        for row in rows:
            print(json.dumps(finite_json(row), ensure_ascii=False, allow_nan=False))
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the broken pipe again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _index_build(args: argparse.Namespace) -> int:
    from ._persist import absolute, check_replaceable
    from .lsh import LSHIndex
    from .minhash import MinHasher

    if Path(args.index).exists():
        raise DedupeError(f"{args.index}: already exists; use 'dedupe index add' to extend it")
    check_replaceable(absolute(Path(args.index)), "LSHIndex")
    ids, texts = _read_for_index(args)
    hasher = MinHasher(num_perm=args.num_perm)
    index = LSHIndex.for_threshold(args.threshold, num_perm=args.num_perm)
    index.insert(ids, hasher.signatures(texts))
    index.save(args.index)
    _say(args, f"indexed {len(ids):,} records in {args.index} ({index.config.describe()})")
    return 0


def _match_rows(index: Any, ids: list[str], sigs: Any, margin: float) -> list[dict[str, Any]]:
    """One row per checked record with matches (or possible matches within ``margin``), in input order."""
    import numpy as np

    from .clusters import pair_similarities
    from .minhash import EMPTY_VALUE

    # Texts without words carry the empty signature: they match nothing.
    wordless = (sigs == EMPTY_VALUE).all(axis=1)
    pairs = index.query_pairs(sigs)
    pairs = pairs[~wordless[pairs[:, 0]]] if len(pairs) else pairs
    known = index.doc_ids
    matches: dict[int, dict[str, list[dict[str, Any]]]] = {}
    if len(pairs):
        rows_in_both = np.stack([pairs[:, 0], pairs[:, 1] + len(sigs)], axis=1)
        est = pair_similarities(np.concatenate([sigs, np.asarray(index.signatures)]), rows_in_both)
        for (q, r), sim in zip(pairs.tolist(), est.tolist(), strict=True):
            other = str(known[r])
            if other == ids[q] or sim < index.threshold - margin:
                continue
            kind = "matches" if sim >= index.threshold else "possible"
            entry = matches.setdefault(q, {"matches": [], "possible": []})
            entry[kind].append({"id": other, "similarity": round(sim, 6)})
    return [
        {"id": ids[q], **{k: sorted(v, key=lambda x: (-x["similarity"], x["id"])) for k, v in m.items()}}
        for q, m in sorted(matches.items())
    ]


def _index(args: argparse.Namespace) -> int:
    import numpy as np

    from ._persist import absolute, check_replaceable
    from .config import UNICODE_VERSION
    from .errors import IncompatibleSignaturesError
    from .lsh import LSHIndex
    from .minhash import MinHasher

    if args.action == "build":
        return _index_build(args)
    _check_outputs(args, [("-o", args.output)], index=args.index)
    if args.action == "add":
        check_replaceable(absolute(Path(args.index)), "LSHIndex")
    index = LSHIndex.load(args.index)
    config = index.minhash_config
    if config is None:
        raise DedupeError(
            f"{args.index}: the index records no MinHash settings (an older dedupe built it from an empty "
            "batch); rebuild it with 'dedupe index build'"
        )
    if index.unicode_version not in (None, UNICODE_VERSION):
        raise IncompatibleSignaturesError(
            f"{args.index}: the index holds signatures made under Unicode {index.unicode_version} (Python's "
            f"unicodedata); this Python has Unicode {UNICODE_VERSION}, whose normalization and word classes may "
            f"differ; use a Python with Unicode {index.unicode_version} or rebuild the index"
        )
    ids, texts = _read_for_index(args)
    signed = MinHasher.from_config(config).signatures(texts)
    if args.action == "add":
        try:
            index.insert(ids, signed)  # refuses ids it already holds
        except InputError as exc:
            raise DedupeError(f"{args.input}: {exc} across batches") from exc
    rows = _match_rows(index, ids, np.asarray(signed), args.margin)
    outputs = _Outputs()
    try:
        if args.output:
            from .io import write_jsonl

            write_jsonl(rows, outputs.staged(Path(args.output)))
        if args.action == "add":
            index.save(args.index)  # a new folder swapped in: the update does not depend on stdout
        outputs.commit()
    finally:
        outputs.discard()
    if not args.output:
        _print_rows(rows)
    if not args.quiet:
        found = sum(1 for r in rows if r["matches"])
        print(
            f"{len(ids):,} records checked: {found:,} with matches at estimated similarity >= {index.threshold:g}, "
            f"{len(rows) - found:,} more with possible matches within {args.margin:g} below it",
            file=sys.stderr,
        )
    return 0


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
            from .bench.cli import run as run_bench

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
