"""The options of ``dedupe bench`` (argparse only).

Kept apart from :mod:`dedupe.bench` so that building the CLI's parser loads no part of the
benchmark harness: the harness is imported when ``dedupe bench`` runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from . import _args

__all__ = ["ALL_PEERS", "DESCRIPTION", "add_parser", "configure"]

ALL_PEERS = ("datasketch", "rensa", "datatrove")

DESCRIPTION = (
    "Benchmark dedupe on CORPUS (its first --docs records) or on a generated corpus: stage timings, "
    "end-to-end wall time and peak RSS, installed peers (datasketch, rensa, datatrove) on the same "
    "documents with the same parameters, and agreement with exact Jaccard."
)


def _peers(value: str) -> tuple[str, ...]:
    if value.strip().lower() in ("", "none"):
        return ()
    if value.strip().lower() == "all":
        return ALL_PEERS
    names = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in names if v not in ALL_PEERS]
    if unknown:
        choices = ", ".join(ALL_PEERS)
        raise argparse.ArgumentTypeError(f"unknown peer {unknown[0]!r}; choose from {choices}, all or none")
    return names


def _sizes(value: str) -> tuple[int, ...]:
    message = f"expected comma-separated sizes such as 10000,100000, got {value!r}"
    try:
        sizes = tuple(_args.positive_int(v.strip()) for v in value.split(",") if v.strip())
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(message) from None
    if not sizes:
        raise argparse.ArgumentTypeError(message)
    return sizes


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``bench`` options to ``parser``; return it."""
    parser.add_argument(
        "corpus",
        nargs="?",
        metavar="CORPUS",
        help="corpus to benchmark on (anything read_corpus takes); default: a generated one",
    )
    parser.add_argument("--docs", type=_args.positive_int, default=10_000, help="records to use (default: 10,000)")
    parser.add_argument(
        "--peers",
        type=_peers,
        default=ALL_PEERS,
        metavar="LIST",
        help="comma-separated peers: datasketch,rensa,datatrove (default), 'all' or 'none'",
    )
    parser.add_argument("--out", metavar="DIR", help="write bench.md, bench.json and PNG plots to DIR")
    parser.add_argument("--threshold", type=_args.threshold, default=0.8, help="Jaccard threshold (default: 0.8)")
    parser.add_argument("--num-perm", type=_args.positive_int, default=128, help="MinHash slots (default: 128)")
    parser.add_argument("--ngram-size", type=_args.positive_int, default=5, help="words per shingle (default: 5)")
    parser.add_argument("--text-field", default="text", help="field holding the text (default: text)")
    parser.add_argument("--id-field", default=None, help="field holding the id (default: position)")
    parser.add_argument("--group-field", default=None, help="field (site, domain) to count boilerplate by")
    parser.add_argument(
        "--seed", type=_args.seed, default=42, help="seed of the generated corpus, 0 to 2**32 - 1 (default: 42)"
    )
    parser.add_argument(
        "--scaling",
        type=_sizes,
        metavar="SIZES",
        help="instead: time deduplicate() at these sizes, e.g. 10000,100000,1000000",
    )
    parser.add_argument(
        "--datatrove-python",
        metavar="PYTHON",
        help="interpreter that has datatrove (default: this one, if it has datatrove)",
    )
    parser.add_argument("--no-quality", action="store_true", help="skip the exact-Jaccard agreement")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG files")
    parser.add_argument("--no-boilerplate", action="store_true", help="skip the boilerplate stage")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``bench`` subcommand on ``subparsers`` (from ``add_subparsers``); return its parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench", help="benchmark stages, peers and agreement on a corpus", description=DESCRIPTION
    )
    return configure(parser)
