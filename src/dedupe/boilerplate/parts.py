"""A batch of texts cut into parts of a bounded number of characters, segmented and decided one at a time.

Segmenting and deciding hold per-line and per-unit arrays of everything they are given at once:
about 220 bytes a line at the peak where every line is a unit of its own (a crafted batch of
``"A.\\n"`` lines: 30 MB of them took 2.3 GB). The pipeline's passes therefore work on parts of
at most :data:`PART_CHARS` characters (consecutive texts; a longer text is a part of its own, and
segmented a window at a time, :mod:`.long_docs`), which bounds a worker's memory by the part,
not by the batch: a part holds at most as many lines as characters. Each text's boilerplate depends
on its own units and the fitted counts only, and a batch's counts are the sum of its parts' counts
(every text is its own cluster when counting), so the output is the same whatever the cut.
Characters, not lines, because counting lines costs a scan of every text (1.4 G characters a second
here, as much as the cut saves), while a batch of 1,000 web pages (3 MB) in three parts costs about
2 % more to segment and decide than in one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence

from ..config import BoilerplateConfig
from ..shingles import _check_texts
from .long_docs import prepare_keyed
from .units import Units, group_keys, label_array

__all__ = ["PART_CHARS", "char_parts", "prepared_parts"]

#: Most characters in one part (a longer text is a part of its own): at most about 220 MB at the
#: peak (a part of 1 M one-character lines), 10 to 20 MB for real text.
PART_CHARS = 1 << 20


def char_parts(texts: Sequence[str], budget: int | None = None) -> list[tuple[int, int]]:
    """``(lo, hi)`` ranges of consecutive ``texts`` that cover them all, in order, each holding at
    most ``budget`` (default :data:`PART_CHARS`) characters, counting one more per text (so many
    empty texts are bounded too), unless it is one text.

    >>> char_parts(["ab", "c", "def"], budget=5)
    [(0, 2), (2, 3)]
    >>> char_parts(["abcdefgh", "e", "f"], budget=5)
    [(0, 1), (1, 3)]
    >>> char_parts([])
    []
    """
    limit = PART_CHARS if budget is None else budget
    out: list[tuple[int, int]] = []
    lo, held = 0, 0
    for i, text in enumerate(texts):
        size = len(text) + 1
        if i > lo and held + size > limit:
            out.append((lo, i))
            lo, held = i, 0
        held += size
    if len(texts):
        out.append((lo, len(texts)))
    return out


def prepared_parts(
    texts: Iterable[str], groups: Sequence[Hashable] | None, config: BoilerplateConfig, budget: int | None = None
) -> Iterator[tuple[int, int, Units]]:
    """``(lo, hi, units of texts[lo:hi])`` part by part (:func:`char_parts`), every text its own
    cluster; texts and groups are checked for the whole batch first (errors name the batch's index)."""
    docs = _check_texts(texts)
    doc_groups = group_keys(groups, len(docs))
    labels = label_array(None, len(docs))
    for lo, hi in char_parts(docs, budget):
        yield lo, hi, prepare_keyed(docs[lo:hi], doc_groups[lo:hi], labels[lo:hi], config)
