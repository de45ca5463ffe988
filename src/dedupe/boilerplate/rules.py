"""The rules: one reason, count and key per unit, from the unit's document and the model's counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .._typing import BoolArray, HashArray, IntArray
from ..config import BoilerplateConfig
from .counts import Counts, CountTable, combine, count_rows
from .units import Units

__all__ = ["REASONS", "Decision", "Reason", "decide"]

Reason = Literal["repeated_in_document", "frequent_across_documents", "near_repeat", "stoplist", "run"]
#: Every reason, in order of precedence (a line that meets several gets the first).
REASONS: tuple[Reason, ...] = ("repeated_in_document", "frequent_across_documents", "near_repeat", "stoplist", "run")
_REP, _FREQ, _NEAR, _STOP, _RUN = 1, 2, 3, 4, 5


@dataclass
class Decision:
    """Per non-blank row of a batch: reason code (0 = content), count, and the key it is about."""

    reason: NDArray[np.int8]
    count: IntArray
    key: HashArray


def decide(cfg: BoilerplateConfig, counts: Counts, batch: Units) -> Decision:
    """Apply the rules to every unit of ``batch`` with the model's ``counts``."""
    # Merge the runs that updates left pending, once: a lookup reads every run, so a model
    # fitted in many small batches would otherwise pay for each of them on every find.
    counts.consolidate()
    n = len(batch.rows)
    row_groups = batch.doc_groups[batch.doc]
    words = batch.words
    long = words >= cfg.long_words
    doc_keys = combine(batch.keys, batch.doc)
    page = count_rows(doc_keys)
    cpage = page if batch.ckeys is batch.keys else count_rows(combine(batch.ckeys, batch.doc))
    site = counts.site.lookup(combine(batch.ckeys, row_groups))
    need_page = np.where(long, max(cfg.long_min_count, cfg.min_repeats), cfg.min_repeats)
    need_site = np.where(long, max(cfg.long_min_count, cfg.min_docs), cfg.min_docs)
    if cfg.min_doc_fraction > 0:
        sizes = counts.groups.lookup(row_groups)
        need_site = np.maximum(need_site, np.ceil(cfg.min_doc_fraction * sizes - 1e-9).astype(np.int64))
    reason = np.zeros(n, dtype=np.int8)
    count = np.zeros(n, dtype=np.int64)
    key = batch.ckeys.copy()

    def assign(mask: BoolArray, code: int, values: IntArray) -> None:
        mask = mask & (reason == 0)
        reason[mask] = code
        count[mask] = values[mask]

    assign(page >= need_page, _REP, page)
    assign(cpage >= need_page, _NEAR, cpage)
    frequent = site >= need_site
    assign(frequent & (batch.ckeys == batch.keys), _FREQ, site)
    assign(frequent, _NEAR, site)
    if cfg.stoplist_min_groups:
        holders = counts.stop.lookup(batch.ckeys) - (site > 0)
        assign((words <= cfg.stoplist_max_words) & (holders >= cfg.stoplist_min_groups), _STOP, holders)
    if cfg.trim_words and len(batch.table.trim_rows):
        _trimmed(cfg, counts.site, batch, reason, count, key, doc_keys, row_groups)
    if cfg.heading_words:
        _heading_guard(batch, reason, page, cfg.heading_words)
    if cfg.run_max_gap and cfg.run_max_words:
        _fill_runs(batch, reason, count, cfg.run_max_gap, cfg.run_max_words)
        _keep_last_content(batch, reason, count)
    return Decision(reason, count, key)


def _trimmed(
    cfg: BoilerplateConfig,
    site_counts: CountTable,
    batch: Units,
    reason: NDArray[np.int8],
    count: IntArray,
    key: HashArray,
    doc_keys: HashArray,
    row_groups: HashArray,
) -> None:
    """Flag short unflagged lines that are a flagged block of their document (or group) plus a tail."""
    table = batch.table
    position = np.full(len(table), -1, dtype=np.int64)
    position[batch.rows] = np.arange(len(batch.rows))
    rows = position[table.trim_rows]
    ok = (rows >= 0) & (table.trim_words >= cfg.trim_min_kept)
    rows, tkeys = rows[ok], table.trim_keys[ok]
    open_rows = reason[rows] == 0
    rows, tkeys = rows[open_rows], tkeys[open_rows]
    if len(rows) == 0:
        return
    flagged = (reason > 0) & (reason != _RUN)
    marked = CountTable.from_counts(*np.unique(doc_keys[flagged], return_counts=True))
    in_doc = marked.lookup(combine(tkeys, batch.doc[rows]))
    site = site_counts.lookup(combine(tkeys, row_groups[rows]))
    hit_count = np.where(in_doc > 0, in_doc + 1, np.where(site >= cfg.min_docs, site, 0))
    hit = hit_count > 0
    # A line may have several cuts; the first hit wins.
    rows, tkeys, hit_count = rows[hit], tkeys[hit], hit_count[hit]
    rows, first = np.unique(rows, return_index=True)
    reason[rows] = _NEAR
    count[rows] = hit_count[first]
    key[rows] = tkeys[first]


def _next_in_doc(batch: Units) -> tuple[IntArray, BoolArray]:
    """Index of the next non-blank row, and whether it is in the same document."""
    n = len(batch.rows)
    nxt = np.minimum(np.arange(1, n + 1), n - 1)
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[:-1] = batch.doc[1:] == batch.doc[:-1]
    return nxt, same


def _heading_guard(batch: Units, reason: NDArray[np.int8], page: IntArray, heading_words: int) -> None:
    """Guard 2: keep a line seen exactly twice in its document that introduces a long unflagged line."""
    nxt, same = _next_in_doc(batch)
    guard = (reason > 0) & (page == 2) & same & (reason[nxt] == 0) & (batch.words[nxt] >= heading_words)
    reason[guard] = 0


def _keep_last_content(batch: Units, reason: NDArray[np.int8], count: IntArray) -> None:
    """Unflag the ``run`` lines of a document whose every other line is flagged.

    A run line is short and seen only between flagged lines, not repeated anywhere: when it is all
    the content a page has (a one-line story between a site's header and footer), it is the content.
    """
    n_docs = len(batch.texts)
    content = np.bincount(batch.doc[reason == 0], minlength=n_docs)
    runs = np.bincount(batch.doc[reason == _RUN], minlength=n_docs)
    undo = (reason == _RUN) & ((content == 0) & (runs > 0))[batch.doc]
    reason[undo] = 0
    count[undo] = 0


def _fill_runs(batch: Units, reason: NDArray[np.int8], count: IntArray, max_gap: int, max_words: int) -> None:
    """Flag gaps of at most ``max_gap`` short unflagged lines between two flagged lines of a document."""
    n = len(batch.rows)
    if n < 3:
        return
    flagged = reason > 0
    idx = np.arange(n)
    prev = np.maximum.accumulate(np.where(flagged, idx, -1))
    nxt = np.minimum.accumulate(np.where(flagged, idx, n)[::-1])[::-1]
    gap = ~flagged & (prev >= 0) & (nxt < n)
    if not gap.any():
        return
    prev_c, next_c = np.maximum(prev, 0), np.minimum(nxt, n - 1)
    long_lines = np.concatenate([[0], np.cumsum(~flagged & (batch.words > max_words))])
    gap &= batch.doc[prev_c] == batch.doc[next_c]
    gap &= (next_c - prev_c - 1) <= max_gap
    gap &= long_lines[next_c] - long_lines[prev_c + 1] == 0
    reason[gap] = _RUN
    count[gap] = (next_c - prev_c - 1)[gap]
