"""The result vocabulary: what became of each document, and :class:`DuplicateResult`.

One set of words serves :func:`dedupe.find_duplicates`, :func:`dedupe.deduplicate` and the CLI:

============  ==============================================================================
``kept``      the document stays: it has no duplicate, or it is its cluster's representative
``exact``     removed: the same normalized words as the kept document of its cluster
``near``      removed: verified similar to a document of its cluster
``rejected``  (:func:`dedupe.deduplicate` only) the record could not be used; see its reason
============  ==============================================================================

:class:`ShardRun` is what :func:`dedupe.deduplicate_shards` returns: the counts of a run whose
records stayed in their shards.

A document's *status* is one of these words; a duplicate pair's *kind* is ``exact`` or ``near``.
The words of the first release (``DuplicateResult.kind``, with ``unique`` for a kept document
without duplicates) remain as deprecated aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._deprecation import deprecated
from ._typing import IntArray

__all__ = ["EXACT", "KEPT", "NEAR", "REJECTED", "DuplicateResult", "ShardRun", "Status"]

Status = Literal["kept", "exact", "near", "rejected"]
KEPT, EXACT, NEAR, REJECTED = "kept", "exact", "near", "rejected"


@dataclass(frozen=True, slots=True)
class DuplicateResult:
    """Duplicate structure of a batch of documents (rows are input positions).

    Attributes:
        labels: ``(n,)`` int64; the row of the cluster's representative (a document without
            duplicates is its own label), so equal labels mean the same cluster.
        status: ``(n,)`` str: ``"kept"``, ``"exact"`` or ``"near"`` (see :mod:`dedupe.results`).
        similarity: ``(n,)`` float64; 1.0 for exact duplicates, the similarity to the
            representative for near duplicates, NaN for kept documents.
        pairs: ``(k, 2)`` int64 rows ``(i, j)``, ``i < j``, of verified duplicate pairs.
        pair_similarity: ``(k,)`` float64 similarity of each pair (1.0 for exact pairs).
        pair_kind: ``(k,)`` str, ``"exact"`` or ``"near"``.
        threshold: the similarity threshold used.
    """

    labels: IntArray
    status: NDArray[np.str_]
    similarity: NDArray[np.float64]
    pairs: IntArray
    pair_similarity: NDArray[np.float64]
    pair_kind: NDArray[np.str_]
    threshold: float

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def keep_mask(self) -> NDArray[np.bool_]:
        """``(n,)`` bool: True for the kept documents."""
        mask: NDArray[np.bool_] = self.status == KEPT
        return mask

    @property
    def kind(self) -> NDArray[np.str_]:
        """Deprecated: ``status`` in the first release's words (``"unique"`` for a kept document alone)."""
        deprecated("DuplicateResult.kind", "DuplicateResult.status ('unique' is now 'kept')")
        rows = np.arange(len(self.labels))
        alone = self.keep_mask & (np.bincount(self.labels, minlength=len(rows))[rows] == 1)
        return np.where(alone, "unique", self.status).astype("<U6")

    def clusters(self) -> list[IntArray]:
        """Rows of every cluster with at least two documents, representative first, by representative."""
        order = np.argsort(self.labels, kind="stable")
        cuts = np.flatnonzero(np.diff(self.labels[order])) + 1
        out = []
        for group in np.split(order, cuts):
            if len(group) > 1:
                rep = int(self.labels[group[0]])
                out.append(np.concatenate([[rep], group[group != rep]]).astype(np.int64))
        return out

    def summary(self) -> str:
        """One line, e.g. ``1,000 documents: 900 kept, 60 exact duplicates, 40 near duplicates ...``."""
        kept = int(self.keep_mask.sum())
        exact = int((self.status == EXACT).sum())
        near = int((self.status == NEAR).sum())
        return (
            f"{len(self):,} documents: {kept:,} kept, {exact:,} exact duplicates, {near:,} near duplicates "
            f"in {len(self.clusters()):,} clusters (threshold {self.threshold:g})"
        )


@dataclass
class ShardRun:
    """What a sharded run (:func:`dedupe.deduplicate_shards`) did; its records are in the output shards.

    Attributes:
        per_shard: one entry per shard, in shard order: ``shard`` (its file name), ``input``,
            ``kept``, ``exact``, ``near``, ``rejected``, and the boilerplate ``spans``, ``chars``
            and ``docs`` (records touched); ``kept + exact + near + rejected == input``.
        counts: the same counts over all shards, plus ``duplicates`` (``exact + near``).
        params: the run's options, as ``_report.json`` records them.
        timings: seconds per stage.
        graph: what the driver held: ``exact_copies``, ``near_edges``, ``removed``, ``candidate_pairs``.
        top_blocks: the most frequent boilerplate blocks: ``{"text", "reason", "occurrences"}``.
    """

    per_shard: list[dict[str, Any]]
    counts: dict[str, int]
    params: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    graph: dict[str, int] = field(default_factory=dict)
    top_blocks: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        """One line: ``"N in = K kept + D duplicates (E exact, M near) + R rejected; ..."``."""
        c = self.counts
        return (
            f"{c['input']:,} in = {c['kept']:,} kept + {c['duplicates']:,} duplicates "
            f"({c['exact']:,} exact, {c['near']:,} near) + {c['rejected']:,} rejected; "
            f"{c['spans']:,} boilerplate blocks ({c['chars']:,} chars) removed from {c['docs']:,} records"
        )
