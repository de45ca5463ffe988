"""The rules: one reason, count and key per unit, from the unit's document and the model's counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .._typing import BoolArray, HashArray, IntArray
from ..config import BoilerplateConfig
from .counts import Counts, CountTable, combine, count_rows
from .units import Units, position_type

__all__ = ["REASONS", "Decision", "Reason", "decide"]

Reason = Literal["repeated_in_document", "frequent_across_documents", "near_repeat", "stoplist", "run"]
#: Every reason, in order of precedence (a line that meets several gets the first).
REASONS: tuple[Reason, ...] = ("repeated_in_document", "frequent_across_documents", "near_repeat", "stoplist", "run")
_REP, _FREQ, _NEAR, _STOP, _RUN = 1, 2, 3, 4, 5
#: Longest row (in words) of a listing: a number and a word or two ("68 Reviews", "Engine v29").
_LISTING_WORDS = 3
#: A gap without sentences may be this many times ``run_max_gap`` long.
_MENU_GAPS = 3


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
    # Per-unit arrays are dropped as soon as the rules are done with them: the state of a batch
    # of many tiny units (a crafted record of short lines) is what bounds find's memory.
    n = len(batch.rows)
    words = batch.words
    long = words >= cfg.long_words
    doc_keys = combine(batch.keys, batch.doc)
    page = _page_counts(cfg, batch, count_rows(doc_keys))
    if batch.ckeys is batch.keys:
        cpage = page
    else:
        cpage = count_rows(combine(batch.ckeys ^ (batch.xkeys ^ batch.keys), batch.doc))
    site_keys = batch.site_keys()
    site = counts.site.lookup(combine(site_keys, batch.doc_groups[batch.doc]))
    need_page = np.where(long, max(cfg.long_min_count, cfg.min_repeats), cfg.min_repeats)
    # A data row (a table's, numbers and all) repeated within its page is still the table's.
    need_page[batch.data] = np.maximum(need_page[batch.data], cfg.long_min_count)
    need_page = _long_block_guard(cfg, batch, page if cpage is page else np.maximum(page, cpage), need_page)
    reason = np.zeros(n, dtype=np.int8)
    count = np.zeros(n, dtype=np.int64)
    key = batch.ckeys  # copied only where a trimmed line takes another key

    def assign(mask: BoolArray, code: int, values: IntArray) -> None:
        mask &= reason == 0
        reason[mask] = code
        count[mask] = values[mask]

    assign(page >= need_page, _REP, page)
    assign(cpage >= need_page, _NEAR, cpage)
    del need_page, cpage
    need_site = np.where(long, max(cfg.long_min_count, cfg.min_docs), cfg.min_docs)
    del long
    if cfg.min_doc_fraction > 0:  # per document, then per unit
        need_docs = np.ceil(cfg.min_doc_fraction * counts.groups.lookup(batch.doc_groups) - 1e-9).astype(np.int64)
        np.maximum(need_site, need_docs[batch.doc], out=need_site)
    frequent = site >= need_site
    del need_site
    assign(frequent & (batch.ckeys == batch.keys), _FREQ, site)
    assign(frequent, _NEAR, site)
    del frequent
    if cfg.stoplist_min_groups:
        holders = counts.stop.lookup(site_keys)
        holders -= site > 0
        # Data rows ("Net 2,853,000 vs 1,579,000", "24.") share their masked form with every
        # table of every site: that is not a stoplist.
        short = (words <= cfg.stoplist_max_words) & ~batch.data
        assign(short & (holders >= cfg.stoplist_min_groups), _STOP, holders)
        del holders, short
    del site
    if cfg.trim_words and len(batch.table.trim_rows):
        key = _trimmed(cfg, counts.site, batch, reason, count, key, doc_keys)
    del doc_keys
    _isolated_pair_guard(batch, reason, page)
    if cfg.body_doc_fraction > 0:
        sizes = counts.groups.lookup(batch.doc_groups)  # per document
        _body_guard(batch, reason, count, sizes, cfg.body_doc_fraction, cfg.content_words)
    if cfg.heading_words:
        _heading_guard(batch, reason, page, cfg.heading_words)
    if cfg.run_max_gap and cfg.run_max_words:
        _fill_runs(batch, reason, count, cfg.run_max_gap, cfg.run_max_words)
    _keep_last_content(batch, reason, count, cfg.content_words)
    return Decision(reason, count, key)


def _long_block_guard(cfg: BoilerplateConfig, batch: Units, page: IntArray, need_page: IntArray) -> IntArray:
    """Guard 1 for blocks: a run of units repeated in their page, fewer than ``long_min_count`` times,
    that holds a sentence and ``long_words`` words in all needs ``long_min_count`` copies, as one long
    unit does.

    Wire copy repeats a passage of short paragraphs verbatim (one copy sent twice); each paragraph
    alone is short, so guard 1 would not hold them. Furniture repeated in a page is repeated more
    often (a promo), has no sentence (a menu shown twice), or is also frequent across the group's
    documents, which the other rules still see.
    """
    n = len(batch.rows)
    repeated = (page >= cfg.min_repeats) & (page < cfg.long_min_count)
    if n == 0 or not repeated.any():
        return need_page
    prev = np.zeros(n, dtype=bool)
    prev[1:] = repeated[:-1] & (batch.doc[1:] == batch.doc[:-1])
    run = np.cumsum(repeated & ~prev) - 1  # run number of each repeated unit
    rows = np.flatnonzero(repeated)
    words = np.bincount(run[rows], weights=batch.words[rows])
    sentences = np.bincount(run[rows], weights=batch.sentence[rows])
    held = rows[((words >= cfg.long_words) & (sentences > 0))[run[rows]]]
    out: IntArray = need_page.copy()
    out[held] = np.maximum(out[held], cfg.long_min_count)
    return out


def _page_counts(cfg: BoilerplateConfig, batch: Units, masked: IntArray) -> IntArray:
    """Copies of each unit in its document, numbers compared: repetition within a page is exact.

    Rows equal only once their digits are masked ("Shr 23 cts vs 18 cts", "Shr 39 cts vs 50 cts")
    are a table, not a repeat. A listing of many short such rows (a pagination bar, a calendar, a
    version menu: at most ``_LISTING_WORDS`` words, ``listing_min_rows`` masked copies or more) is
    furniture again and counts its masked copies.
    """
    if (batch.xkeys is batch.keys) or bool(np.all(batch.xkeys == batch.keys)):
        return masked
    exact = count_rows(combine(batch.xkeys, batch.doc))
    listing = (masked >= max(cfg.listing_min_rows, cfg.min_repeats)) & (batch.words <= _LISTING_WORDS)
    out: IntArray = np.where(listing, masked, exact)
    return out


def _trimmed(
    cfg: BoilerplateConfig,
    site_counts: CountTable,
    batch: Units,
    reason: NDArray[np.int8],
    count: IntArray,
    key: HashArray,
    doc_keys: HashArray,
) -> HashArray:
    """Flag short unflagged lines that are a flagged block of their document (or group) plus a tail;
    return ``key`` with those lines' keys (a copy where any changes)."""
    table = batch.table
    position = np.full(len(table), -1, dtype=np.int64)
    single = np.flatnonzero(batch.single_line())
    position[batch.rows[single]] = single
    rows = position[table.trim_rows]
    ok = (rows >= 0) & (table.trim_words >= cfg.trim_min_kept)
    rows, tkeys = rows[ok], table.trim_keys[ok]
    open_rows = reason[rows] == 0
    rows, tkeys = rows[open_rows], tkeys[open_rows]
    if len(rows) == 0:
        return key
    flagged = (reason > 0) & (reason != _RUN)
    marked = CountTable.from_counts(*np.unique(doc_keys[flagged], return_counts=True))
    in_doc = marked.lookup(combine(tkeys, batch.doc[rows]))
    site = site_counts.lookup(combine(tkeys, batch.doc_groups[batch.doc[rows]]))
    hit_count = np.where(in_doc > 0, in_doc + 1, np.where(site >= cfg.min_docs, site, 0))
    hit = hit_count > 0
    # A line may have several cuts; the first hit wins.
    rows, tkeys, hit_count = rows[hit], tkeys[hit], hit_count[hit]
    rows, first = np.unique(rows, return_index=True)
    reason[rows] = _NEAR
    count[rows] = hit_count[first]
    if len(rows):
        key = key.copy()
        key[rows] = tkeys[first]
    return key


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
    heading = ~batch.sentence  # a heading does not end with a full stop; a promo's sentence does
    guard = heading & (reason > 0) & (page == 2) & same & (reason[nxt] == 0) & (batch.words[nxt] >= heading_words)
    reason[guard] = 0


def _isolated_pair_guard(batch: Units, reason: NDArray[np.int8], page: IntArray) -> None:
    """Keep a unit seen exactly twice in its document when both copies stand alone among content.

    A row label repeated in a table ("Year", "Shr nil vs nil") or a heading used twice is one line
    with unflagged text on both sides, in each copy; a repeated block of furniture (a menu shown
    twice, a promo) has flagged neighbours or more copies.
    """
    n = len(batch.rows)
    if n == 0:
        return
    flagged = reason > 0
    prev_open = np.ones(n, dtype=bool)
    next_open = np.ones(n, dtype=bool)
    same_prev = batch.doc[1:] == batch.doc[:-1]
    prev_open[1:] = ~(flagged[:-1] & same_prev)
    next_open[:-1] = ~(flagged[1:] & same_prev)
    # Content on at least one side that is really there (not the document's edge).
    has_prev = np.zeros(n, dtype=bool)
    has_prev[1:] = same_prev
    has_next = np.zeros(n, dtype=bool)
    has_next[:-1] = same_prev
    alone = (reason == _REP) & (page == 2) & prev_open & next_open & (has_prev & has_next)
    if not alone.any():
        return
    # Both copies must stand alone: count the lone copies per (key, document).
    keys = combine(batch.xkeys, batch.doc)
    lone = count_rows(np.where(alone, keys, np.uint64(0)))
    reason[alone & (lone == 2)] = 0


def _body_guard(
    batch: Units, reason: NDArray[np.int8], count: IntArray, sizes: IntArray, fraction: float, content_words: int
) -> None:
    """Keep a unit found on other pages when it sits inside the article and is not on most pages.

    Furniture sits at a page's edges (header, navigation, footer) or, inside the body, recurs on
    most pages of the site (an "Advertisement" label, a share bar). A table's row label ("Nine
    mths"), a list item or a short heading inside the body that a few other pages also use is the
    article's: a unit flagged only for being frequent across the documents of its group with
    content-like text (``content_words`` words, unflagged; for a data row any unflagged row, as in
    a table) before and after it in its document stays unless it is on ``fraction`` of its group's
    documents. (The stoplist's evidence, other sites holding the same short line, is kept wherever
    the line stands.) ``sizes``: documents in each document's group.
    """
    n = len(batch.rows)
    if n == 0:
        return
    doc = batch.doc
    bounds = np.searchsorted(doc, np.arange(len(batch.texts) + 1))  # each document's first unit

    def around(content: BoolArray) -> BoolArray:
        """Some ``content`` before the unit in its document, and some after it."""
        total = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(content, out=total[1:])
        out: BoolArray = total[:-1] > total[bounds[:-1]][doc]
        out &= total[bounds[1:]][doc] > total[1:]
        return out

    unflagged = reason == 0
    inside = around(unflagged & (batch.words >= max(content_words, 1)))
    # A data row (numbers and all) is inside a table when unflagged rows stand on both sides.
    inside |= batch.data & around(unflagged)
    shared = (reason == _FREQ) | ((reason == _NEAR) & (count > 0))
    weak = count < np.ceil(fraction * sizes - 1e-9)[doc]
    keep = shared & inside & weak
    reason[keep] = 0
    count[keep] = 0


def _keep_last_content(batch: Units, reason: NDArray[np.int8], count: IntArray, content_words: int) -> None:
    """A document whose every unit is flagged keeps its content-like units and its ``run`` lines.

    Only a document that holds nothing but furniture is boilerplate from end to end. When every unit
    is flagged, the units that read as content (``content_words`` words or more, flagged for being
    shared with other documents rather than repeated within this one) stay: a story whose sentences
    other stories share keeps its text. The ``run`` lines stay too: a run line is short and seen only
    between flagged lines, so when it is all a page has (a one-line story between a site's header and
    footer), it is the content.
    """
    n_docs = len(batch.texts)
    content = np.bincount(batch.doc[reason == 0], minlength=n_docs)
    empty = (content == 0)[batch.doc]
    shared = (reason != 0) & (reason != _REP) & (reason != _RUN)
    keep = empty & shared & (batch.words >= max(content_words, 1)) if content_words else np.zeros_like(empty)
    kept_docs = np.bincount(batch.doc[keep], minlength=n_docs) > 0
    # Run lines stay when nothing else would (or beside the content kept above).
    runs = np.bincount(batch.doc[reason == _RUN], minlength=n_docs)
    undo = keep | ((reason == _RUN) & empty & ((runs > 0) | kept_docs)[batch.doc])
    reason[undo] = 0
    count[undo] = 0


def _fill_runs(batch: Units, reason: NDArray[np.int8], count: IntArray, max_gap: int, max_words: int) -> None:
    """Flag gaps of short unflagged units between two flagged units of a document (``run``).

    A gap of at most ``max_gap`` units of at most ``max_words`` words each is taken; a longer one,
    up to ``_MENU_GAPS * max_gap`` units, only when none of its units is a sentence (a menu or a
    list of links between two pieces of furniture). A gap that holds a longer unit stays whole.
    """
    n = len(batch.rows)
    if n < 3:
        return
    flagged = reason > 0
    pos_type = position_type(n)
    idx = np.arange(n, dtype=pos_type)
    prev = np.where(flagged, idx, np.array(-1, dtype=pos_type))
    np.maximum.accumulate(prev, out=prev)
    nxt = np.where(flagged, idx, np.array(n, dtype=pos_type))[::-1]
    nxt = np.minimum.accumulate(nxt)[::-1]
    del idx
    gap = ~flagged & (prev >= 0) & (nxt < n)
    if not gap.any():
        return
    # Only the candidates from here on: each has a flagged unit before and after it.
    rows = np.flatnonzero(gap)
    prev_c, next_c = prev[rows], nxt[rows]
    del prev, nxt, gap
    long_lines = np.zeros(n + 1, dtype=pos_type)
    np.cumsum(~flagged & (batch.words > max_words), out=long_lines[1:])
    sentences = np.zeros(n + 1, dtype=pos_type)
    np.cumsum(~flagged & batch.sentence, out=sentences[1:])
    size = next_c - prev_c - 1
    menu = sentences[next_c] == sentences[prev_c + 1]
    ok = batch.doc[prev_c] == batch.doc[next_c]
    # A blank line between a unit and either flank makes it not a gap in one block of furniture.
    para = batch.table.paragraphs
    ok &= para[batch.rows[rows]] == para[batch.last_rows[prev_c]]
    ok &= para[batch.last_rows[rows]] == para[batch.rows[next_c]]
    ok &= (size <= max_gap) | (menu & (size <= _MENU_GAPS * max_gap))
    ok &= long_lines[next_c] == long_lines[prev_c + 1]
    ok &= ~batch.sentence[rows]  # a sentence is content, wherever it stands
    reason[rows[ok]] = _RUN
    count[rows[ok]] = size[ok]
