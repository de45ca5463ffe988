"""Argument types shared by the ``dedupe`` command line (:mod:`dedupe.cli`) and ``dedupe bench``."""

from __future__ import annotations

import argparse
from collections.abc import Callable


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


def int_between(low: int, high: int) -> Callable[[str], int]:
    """An integer in ``[low, high]`` (digit groups as in :func:`positive_int`)."""

    def parse(value: str) -> int:
        try:
            x = int(value.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer from {low} to {high}, got {value!r}") from None
        if not low <= x <= high:
            raise argparse.ArgumentTypeError(f"expected an integer from {low} to {high}, got {value!r}")
        return x

    parse.__name__ = f"integer in [{low}, {high}]"
    return parse


#: MinHash slots, as :class:`~dedupe.config.MinHashConfig` accepts them.
num_perm = int_between(2, 8192)
#: Worker processes, as :func:`dedupe.deduplicate` accepts them.
workers = int_between(1, 256)
#: A seed, as numpy's generators and the configs accept it.
seed = int_between(0, 2**32 - 1)


def margin(value: str) -> float:
    """A similarity margin in [0, 1] (NaN and infinities refused)."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value!r}") from None
    if not 0 <= x <= 1:  # also false for NaN
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value!r}")
    return x
