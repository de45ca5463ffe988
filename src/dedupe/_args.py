"""Argument types shared by the ``dedupe`` command line (:mod:`dedupe.cli`) and ``dedupe bench``."""

from __future__ import annotations

import argparse


def threshold(value: str) -> float:
    """A Jaccard threshold in (0, 1]."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value!r}") from None
    if not 0 < x <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value!r}")
    return x


def positive_int(value: str) -> int:
    """An integer of at least 1; digit groups may be separated by ``_`` or ``,`` (``1_000``, ``1,000``)."""
    try:
        x = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if x < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return x
