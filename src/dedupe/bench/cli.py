"""``dedupe bench`` from the command line: options into :class:`BenchOptions`, the report on stdout."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .._cli_bench import DESCRIPTION, add_parser, configure
from ..errors import DedupeError
from .options import BenchOptions
from .render import report_markdown, scaling_markdown
from .report import BenchReport, ScalingReport
from .runner import run_bench
from .scaling import run_scaling

__all__ = ["add_parser", "main", "options_from_args", "run"]


def options_from_args(args: argparse.Namespace) -> BenchOptions:
    """Build :class:`BenchOptions` from parsed ``bench`` arguments."""
    return BenchOptions(
        corpus=args.corpus,
        docs=args.docs,
        peers=tuple(args.peers),
        out=Path(args.out) if args.out else None,
        threshold=args.threshold,
        num_perm=args.num_perm,
        ngram_size=args.ngram_size,
        text_field=args.text_field,
        id_field=args.id_field,
        group_field=args.group_field,
        seed=args.seed,
        quality=not args.no_quality,
        plots=not args.no_plots,
        boilerplate=not args.no_boilerplate,
        scaling=tuple(args.scaling or ()),
        datatrove_python=args.datatrove_python,
        progress=not args.quiet,
    )


def run(args: argparse.Namespace) -> int:
    """Execute ``dedupe bench`` with parsed arguments: print the report on stdout; 1 if a run failed.

    Raises:
        DedupeError: bad options or input (the CLI prints one line and exits 1).
    """
    options = options_from_args(args)
    report: BenchReport | ScalingReport
    if options.scaling:
        report = run_scaling(options)
        sys.stdout.write(scaling_markdown(report))
    else:
        report = run_bench(options)
        sys.stdout.write(report_markdown(report))
    sys.stdout.flush()
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point: ``python -m dedupe.bench [options]``."""
    parser = configure(argparse.ArgumentParser(prog="python -m dedupe.bench", description=DESCRIPTION))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("dedupe bench: interrupted", file=sys.stderr)
        return 130
    except (DedupeError, OSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"dedupe bench: error: {exc}", file=sys.stderr)
        return 1
