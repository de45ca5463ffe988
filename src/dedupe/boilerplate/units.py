"""The units boilerplate is decided on: the non-blank lines of a batch, with their keys and groups."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xxhash
from numpy.typing import NDArray

from .._typing import HashArray, IntArray
from ..blocks import LineTable, split_lines
from ..config import BoilerplateConfig
from ..errors import ConfigError
from ..shingles import _check_texts

__all__ = ["Units", "group_keys", "prepare"]


def group_keys(groups: Sequence[Hashable] | None, n: int) -> HashArray:
    """One 64-bit key per document: the hash of its group (str or int); all equal without groups."""
    if groups is None:
        return np.zeros(n, dtype=np.uint64)
    if isinstance(groups, (str, bytes)):
        raise TypeError("groups must be a sequence with one str or int per text, not a single string")
    values = list(groups)
    if len(values) != n:
        raise ConfigError(f"groups must have one entry per text: got {len(values)} groups for {n} texts")
    out = np.empty(n, dtype=np.uint64)
    memo: dict[tuple[str, str | int], int] = {}
    for i, value in enumerate(values):
        tag: tuple[str, str | int]
        if isinstance(value, str):
            tag = ("s", value)
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            tag = ("i", int(value))
        else:
            raise TypeError(f"groups[{i}] must be a str or an int (got {type(value).__name__}: {value!r:.60})")
        cached = memo.get(tag)
        if cached is None:
            data = tag[0].encode() + str(tag[1]).encode("utf-8", "surrogatepass")
            cached = memo[tag] = xxhash.xxh3_64_intdigest(data)
        out[i] = cached
    return out


def _labels(labels: Sequence[int] | NDArray[Any] | None, n: int) -> IntArray:
    """One int label per document (near-duplicate cluster); every document its own without labels."""
    if labels is None:
        return np.arange(n, dtype=np.int64)
    if isinstance(labels, (str, bytes)):
        raise TypeError("labels must be a sequence of ints, one per text")
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != n:
        raise ConfigError(f"labels must have one int per text: got shape {arr.shape} for {n} texts")
    if n and arr.dtype.kind not in "iu":
        bad = next((i for i, v in enumerate(labels) if isinstance(v, bool) or not isinstance(v, (int, np.integer))), 0)
        raise TypeError(f"labels[{bad}] must be an int (got {type(list(labels)[bad]).__name__})")
    return arr.astype(np.int64, copy=False)


@dataclass
class Units:
    """The non-blank lines of a batch, with their keys (rows are positions in ``rows``)."""

    texts: list[str]
    table: LineTable
    rows: IntArray  # table rows of the non-blank lines
    doc: IntArray  # document of each non-blank line
    keys: HashArray  # exact line keys
    ckeys: HashArray  # canonical keys (near-exact groups); equal to keys on the exact path
    words: IntArray
    doc_groups: HashArray  # per document
    doc_labels: IntArray  # per document


def prepare(
    texts: Iterable[str],
    groups: Sequence[Hashable] | None,
    labels: Sequence[int] | NDArray[Any] | None,
    config: BoilerplateConfig,
) -> Units:
    docs = _check_texts(texts)
    doc_groups = group_keys(groups, len(docs))
    doc_labels = _labels(labels, len(docs))
    table = split_lines(
        docs,
        seed=config.seed,
        trim_words=config.trim_words,
        trim_min_kept=config.trim_min_kept,
        trim_max_words=config.trim_max_words,
        keep_normalized=config.near_threshold is not None,
    )
    rows = np.flatnonzero(table.n_words > 0)
    doc = table.docs()[rows]
    keys = table.keys[rows]
    return Units(docs, table, rows, doc, keys, keys, table.n_words[rows], doc_groups, doc_labels)
