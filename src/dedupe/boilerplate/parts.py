"""A batch of texts cut into parts of a bounded number of lines, segmented and decided one at a time.

Segmenting and deciding hold per-line and per-unit arrays of everything they are given at once:
about 220 bytes a line at the peak where every line is a unit of its own (a crafted batch of
``"A.\\n"`` lines: 30 MB of them took 2.3 GB). The pipeline's passes therefore work on parts of
at most :data:`PART_LINES` lines (consecutive texts; a longer text is a part of its own, and
segmented a window at a time, :mod:`.long_docs`), which bounds a worker's memory by the part,
not by the batch. Each text's boilerplate depends on its own units and the fitted counts only, and
a batch's counts are the sum of its parts' counts (every text is its own cluster when counting),
so the output is the same whatever the cut.

Real batches are one part (1,000 generated web pages or Reuters stories hold about 22,000 lines,
1,000 of the labelled web pages 261,000), so they pay no cost per part (a part's fixed cost:
cutting the 3 MB batches of the web benchmark in three made finding 23 % slower). Lines are
counted only where a batch holds more characters than the budget (1.4 G characters a second),
once per batch: the pipeline's counting pass hands its cut to the finding pass.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence

from ..config import BoilerplateConfig
from ..shingles import _check_texts
from .long_docs import line_bound, prepare_keyed
from .units import Units, group_keys, label_array

__all__ = ["PART_LINES", "Cut", "line_parts", "prepared_parts"]

#: Most lines in one part (a text with more is a part of its own): about 115 MB at the peak for
#: lines of one unit each, far less for real text.
PART_LINES = 1 << 19

#: ``(lo, hi)`` ranges of a batch's texts, in order, that cover them all.
Cut = list[tuple[int, int]]


def line_parts(texts: Sequence[str], budget: int | None = None) -> Cut:
    """``(lo, hi)`` ranges of consecutive ``texts`` that cover them all, in order, each holding at
    most ``budget`` (default :data:`PART_LINES`) lines unless it is one text. A text's lines are
    counted by :func:`~.long_docs.line_bound` (never short), and only where the batch has more
    characters than the budget (a text has at most one line more than characters).

    >>> line_parts(["a\\nb", "c", "d\\ne\\nf"], budget=3)
    [(0, 2), (2, 3)]
    >>> line_parts(["a\\nb\\nc\\nd", "e", "f"], budget=3)
    [(0, 1), (1, 3)]
    >>> line_parts(["abcdef", "ghi"], budget=3)
    [(0, 2)]
    >>> line_parts([])
    []
    """
    limit = PART_LINES if budget is None else budget
    if not texts:
        return []
    if sum(map(len, texts)) + len(texts) <= limit:
        return [(0, len(texts))]
    out: Cut = []
    lo, held = 0, 0
    for i, text in enumerate(texts):
        lines = line_bound(text)
        if i > lo and held + lines > limit:
            out.append((lo, i))
            lo, held = i, 0
        held += lines
    out.append((lo, len(texts)))
    return out


def prepared_parts(
    texts: Iterable[str], groups: Sequence[Hashable] | None, config: BoilerplateConfig, cut: Cut | None = None
) -> Iterator[tuple[int, int, Units]]:
    """``(lo, hi, units of texts[lo:hi])`` part by part (``cut``, else :func:`line_parts`), every text
    its own cluster; texts and groups are checked for the whole batch first (errors name the batch's index)."""
    docs = _check_texts(texts)
    doc_groups = group_keys(groups, len(docs))
    labels = label_array(None, len(docs))
    for lo, hi in line_parts(docs) if cut is None else cut:
        yield lo, hi, prepare_keyed(docs[lo:hi], doc_groups[lo:hi], labels[lo:hi], config)
