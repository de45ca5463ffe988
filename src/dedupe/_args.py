"""Argument types shared by the ``dedupe`` command line (:mod:`dedupe.cli`) and ``dedupe bench``.

Each type parses the string, then checks the value with the same checker the configs use
(:func:`dedupe.config.check_fraction`, :func:`dedupe.config.check_int`), so the command line
accepts exactly what the library accepts; a refused value is a usage error naming what was expected.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from .config import check_fraction, check_int

T = TypeVar("T")


def _integer(value: str) -> int:
    """An int; digit groups may be separated by ``_`` or ``,`` (``1_000``, ``1,000``)."""
    return int(value.replace("_", "").replace(",", ""))


def argument(convert: Callable[[str], T], check: Callable[[T], object], expected: str) -> Callable[[str], T]:
    """An argparse type: ``convert`` the string, ``check`` the value; refuse it as "expected ..., got ..."."""

    def parse(value: str) -> T:
        try:
            parsed = convert(value)
            check(parsed)
        except (TypeError, ValueError):  # ConfigError is a ValueError
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value!r}") from None
        return parsed

    parse.__name__ = expected
    return parse


def int_between(low: int, high: int) -> Callable[[str], int]:
    """An integer in ``[low, high]`` (digit groups as in :func:`positive_int`)."""
    return argument(_integer, lambda x: check_int("value", x, low=low, high=high), f"an integer from {low} to {high}")


#: A Jaccard threshold in (0, 1].
threshold = argument(float, lambda x: check_fraction("threshold", x, low_open=True), "a number in (0, 1]")
#: A similarity margin in [0, 1] (NaN and infinities refused).
margin = argument(float, lambda x: check_fraction("margin", x, low_open=False), "a number in [0, 1]")
#: An integer of at least 1; digit groups may be separated by ``_`` or ``,`` (``1_000``, ``1,000``).
positive_int = argument(_integer, lambda x: check_int("value", x, low=1), "a positive integer")
#: MinHash slots, as :class:`~dedupe.config.MinHashConfig` accepts them.
num_perm = int_between(2, 8192)
#: Worker processes, as :func:`dedupe.deduplicate` accepts them.
workers = int_between(1, 256)
#: Records per batch of a pass.
batch_size = int_between(1, 1_000_000)
#: A seed, as numpy's generators and the configs accept it.
seed = int_between(0, 2**32 - 1)
