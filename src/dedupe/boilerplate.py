"""Repeated boilerplate blocks inside a page and across pages, found as explainable spans.

The unit is the line (:mod:`dedupe.blocks`): its key is the hash of its normalized text (case,
whitespace, indentation and digits do not matter). A :class:`BoilerplateModel` counts keys over a
corpus; a line is then flagged, with a reason, when

* ``repeated_in_document``: its key occurs ``min_repeats`` times in its own document;
* ``frequent_across_documents``: its key occurs in ``min_docs`` documents of its group (site), and
  in ``min_doc_fraction`` of them; documents that share a near-duplicate ``label`` count once, so an
  article syndicated to ten sites never becomes boilerplate;
* ``stoplist``: it is short (``stoplist_max_words``) and ``stoplist_min_groups`` *other* groups hold
  it ("contact us", "privacy policy": a stoplist learned from the corpus, not written by hand);
* ``near_repeat``: it is a flagged block plus a short tail ("Learn to use AI like a Pro. Learn
  More"), or (with ``near_threshold``) a line of ``near_min_words`` words whose MinHash over byte
  n-grams of its normalized text matches a repeated or frequent one with estimated Jaccard
  similarity ``near_threshold`` ("3 hours ago" / "12 hours ago" is already exact: numbers are
  masked; a changed word or month name is near). Near-exact grouping is off by default: on real
  pages it barely changes the scores and costs two to three times the time (``boilerplate_quality.py``,
  ``bench_boilerplate.py``); it pays off where blocks are edited between copies;
* ``run``: up to ``run_max_gap`` short unflagged lines between two flagged lines of a document.

Two guards from the measurements (``design/boilerplate-probe.md``, method E) keep article text: a line
of ``long_words`` words needs ``long_min_count`` copies, and a line seen exactly twice that directly
precedes an unflagged line of ``heading_words`` words stays (a heading repeated in a table of contents).

Consecutive flagged lines with the same reason form one :class:`BoilerplateSpan`: the seed's promo
(title, text and sixteen logo lines, with blank lines between) is one span repeated nine times, and
every copy has the same ``group``. Spans cover whole lines, terminators included, so removing them
and putting them back gives the original text.

Memory: a model keeps 12 bytes per distinct (group, block) key (``uint64`` key, ``uint32`` count),
12 bytes per distinct short line (stoplist) and per group, and with near-exact grouping ``12 + 4 *
near_num_perm`` bytes per distinct long line (its representative signature; 268 bytes with the
defaults) plus 16 bytes per near variant. On the 25 MB of real pages in the dev set that is 4.9 MB
for the exact path (289k block keys, 116k short lines) and 26 MB with near-exact grouping; fitting a
batch peaks at about 150 bytes per line (3 times the text; 7 times with near-exact grouping) plus
about 20 MB of buffers for one chunk of a million characters (``tracemalloc``).
``max_distinct_blocks`` bounds each table: above it the keys with the lowest counts are pruned.
Pruning never overcounts a block's documents, so it can only unflag (a pruned block must be seen
``min_docs`` times again); the one exception is the stoplist, where a (group, short line) pair
pruned from the block table and seen again counts its group a second time. ``pruned_below`` in the
saved manifest records the count below which pruning dropped keys (0: never pruned).

Near-exact groups depend on the order in which blocks arrive (a new line joins the first
representative it matches), so a model updated batch by batch can group a few lines differently
from one fitted at once; the exact path gives identical counts either way.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xxhash
from numpy.typing import NDArray

from ._counting import (
    BandIndex,
    CountTable,
    KeyMap,
    byte_shingles,
    combine,
    count_distinct,
    count_rows,
    near_groups,
)
from ._persist import MANIFEST, load_npy, read_manifest, save_directory
from ._typing import BoolArray, HashArray, IntArray, PathLike
from .blocks import LineTable, split_lines
from .config import BoilerplateConfig
from .errors import ConfigError, CorruptFileError, IncompatibleSignaturesError
from .hashing import fmix64
from .minhash import MinHasher
from .shingles import ShingleBatch, _check_texts

__all__ = [
    "REASONS",
    "BoilerplateModel",
    "BoilerplateSpan",
    "Reason",
    "find_boilerplate",
    "remove_ranges",
    "strip_boilerplate",
]

Reason = Literal["repeated_in_document", "frequent_across_documents", "near_repeat", "stoplist", "run"]
#: Every reason, in order of precedence (a line that meets several gets the first).
REASONS: tuple[Reason, ...] = ("repeated_in_document", "frequent_across_documents", "near_repeat", "stoplist", "run")
_REP, _FREQ, _NEAR, _STOP, _RUN = 1, 2, 3, 4, 5

#: Version of the saved model layout.
MODEL_FORMAT_VERSION = 1
_FORMAT_NAME = "dedupe-boilerplate-model"
_PREVIEW = 60
_NEAR_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class BoilerplateSpan:
    """One boilerplate block in one document.

    Attributes:
        start: offset of the block's first character in the original text.
        end: offset just past the block (its last line's terminator included).
        reason: why it is boilerplate (one of :data:`REASONS`).
        count: the evidence: copies in the document, documents (clusters) of the group, or other
            groups holding it, whichever the reason names; for a block of several lines the
            smallest over its lines; for ``run`` the number of lines in the run.
        group: id shared by every occurrence of the same block (same lines, same reason), across
            documents; a 64-bit int.
        text: the block's first characters, stripped (a preview for reading; slice the original
            text with ``start`` and ``end`` for the block itself).
    """

    start: int
    end: int
    reason: Reason
    count: int
    group: int
    text: str = ""

    def __len__(self) -> int:
        return self.end - self.start


# ---------------------------------------------------------------------------------------------
# Input checks


def _group_keys(groups: Sequence[Hashable] | None, n: int) -> HashArray:
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


def _make_config(config: BoilerplateConfig | None, options: dict[str, Any]) -> BoilerplateConfig:
    if config is not None and not isinstance(config, BoilerplateConfig):
        raise TypeError(f"config must be a BoilerplateConfig (got {type(config).__name__})")
    names = {f.name for f in fields(BoilerplateConfig)}
    unknown = sorted(set(options) - names)
    if unknown:
        raise TypeError(
            f"unknown boilerplate option(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(names))}"
        )
    base = config if config is not None else BoilerplateConfig()
    return replace(base, **options) if options else base


# ---------------------------------------------------------------------------------------------
# A batch of documents, segmented and keyed


@dataclass
class _Batch:
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


def _prepare(
    texts: Iterable[str],
    groups: Sequence[Hashable] | None,
    labels: Sequence[int] | NDArray[Any] | None,
    config: BoilerplateConfig,
) -> _Batch:
    docs = _check_texts(texts)
    doc_groups = _group_keys(groups, len(docs))
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
    return _Batch(docs, table, rows, doc, keys, keys, table.n_words[rows], doc_groups, doc_labels)


# ---------------------------------------------------------------------------------------------
# Near-exact groups


@dataclass
class _Segment:
    """Representatives added together: sorted keys, document counts, signatures, band index."""

    keys: HashArray
    counts: NDArray[np.uint32]
    sigs: NDArray[np.uint32]
    index: BandIndex | None = None


class _Reps:
    """Near-exact representatives: one MinHash signature per canonical long block, and aliases.

    Representatives live in segments (each with its own band index, built once) that merge when a
    newer one grows to half the size of the one before, so there are O(log n) of them and adding a
    batch does not rebuild everything. ``aliases`` map the other exact keys of a group to its
    canonical key.
    """

    def __init__(self, num_perm: int) -> None:
        self.num_perm = num_perm
        self.segments: list[_Segment] = []
        self.aliases = KeyMap()

    def __len__(self) -> int:
        return sum(len(seg.keys) for seg in self.segments)

    @property
    def nbytes(self) -> int:
        return self.aliases.nbytes + sum(int(s.keys.nbytes + s.counts.nbytes + s.sigs.nbytes) for s in self.segments)

    def bases(self, num_bands: int) -> list[tuple[NDArray[np.uint32], BandIndex]]:
        out = []
        for seg in self.segments:
            if seg.index is None:
                seg.index = BandIndex.build(seg.sigs, num_bands)
            out.append((seg.sigs, seg.index))
        return out

    def key_at(self, nodes: IntArray) -> HashArray:
        """Keys of representatives numbered segment after segment (as in :func:`near_groups`)."""
        offsets = np.cumsum([0] + [len(s.keys) for s in self.segments])
        segment = np.searchsorted(offsets, nodes, side="right") - 1
        out = np.zeros(len(nodes), dtype=np.uint64)
        for k, seg in enumerate(self.segments):
            sel = segment == k
            out[sel] = seg.keys[nodes[sel] - offsets[k]]
        return out

    def contains(self, keys: HashArray) -> BoolArray:
        out = np.zeros(len(keys), dtype=bool)
        for seg in self.segments:
            pos = np.minimum(np.searchsorted(seg.keys, keys), len(seg.keys) - 1)
            out |= seg.keys[pos] == keys
        return out

    def add(self, keys: HashArray, sigs: NDArray[np.uint32]) -> None:
        if len(keys) == 0:
            return
        order = np.argsort(keys, kind="stable")
        self.segments.append(_Segment(keys[order], np.zeros(len(keys), dtype=np.uint32), sigs[order]))
        while len(self.segments) > 1 and 2 * len(self.segments[-1].keys) >= len(self.segments[-2].keys):
            self.segments[-2:] = [_merge_segments(self.segments[-2:])]

    def count(self, canon: HashArray, docs: IntArray) -> None:
        """Add one per distinct (canonical key, document) to the representatives' counts."""
        if len(canon) == 0:
            return
        keys, per_key = count_distinct(canon, docs)
        for seg in self.segments:
            pos = np.minimum(np.searchsorted(seg.keys, keys), len(seg.keys) - 1)
            hit = seg.keys[pos] == keys
            totals = seg.counts.astype(np.int64)
            np.add.at(totals, pos[hit], per_key[hit])
            seg.counts = np.minimum(totals, np.iinfo(np.uint32).max).astype(np.uint32)

    def merged(self) -> _Segment:
        """All representatives as one segment (the segments are merged in place)."""
        if len(self.segments) != 1:
            self.segments = [_merge_segments(self.segments)] if self.segments else []
        if not self.segments:
            return _Segment(np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros((0, self.num_perm), np.uint32))
        return self.segments[0]

    def prune(self, max_keys: int) -> None:
        """Keep the ``max_keys`` representatives with the highest counts (and the aliases onto them)."""
        if len(self) <= max_keys:
            return
        seg = self.merged()
        keep = np.sort(np.argsort(-seg.counts.astype(np.int64), kind="stable")[:max_keys])
        kept = _Segment(seg.keys[keep], seg.counts[keep], seg.sigs[keep])
        self.segments = [kept]

        def onto_kept(_: HashArray, values: HashArray) -> BoolArray:
            pos = np.minimum(np.searchsorted(kept.keys, values), max(len(kept.keys) - 1, 0))
            hit: BoolArray = kept.keys[pos] == values if len(kept.keys) else np.zeros(len(values), dtype=bool)
            return hit

        self.aliases.keep(onto_kept)


def _merge_segments(segments: Sequence[_Segment]) -> _Segment:
    keys = np.concatenate([s.keys for s in segments])
    order = np.argsort(keys, kind="stable")
    return _Segment(
        keys[order],
        np.concatenate([s.counts for s in segments])[order],
        np.concatenate([s.sigs for s in segments])[order],
    )


def _near_signatures(cfg: BoilerplateConfig, batch: _Batch, rows: IntArray) -> NDArray[np.uint32]:
    """MinHash signatures of the normalized lines ``rows`` (byte shingles; digits already masked)."""
    hasher = MinHasher(cfg.near_num_perm, cfg.seed, kind="char", ngram_size=cfg.near_ngram_size, mask_digits=True)
    normalized = batch.table.normalized
    if normalized is None:  # pragma: no cover - _prepare keeps them whenever near_threshold is set
        raise ConfigError("near-exact grouping needs the normalized lines (split_lines(keep_normalized=True))")
    out = []
    parts = [normalized[r] for r in rows.tolist()]
    ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    lo = 0
    while lo < len(parts):  # about a megabyte of text at a time
        base = int(ends[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(ends, base + _NEAR_CHUNK_BYTES, side="right")))
        hashes, offsets = byte_shingles(parts[lo:hi], cfg.near_ngram_size, cfg.seed)
        out.append(np.asarray(hasher.sign_batch(ShingleBatch(hashes, offsets, hasher.config.shingle))))
        lo = hi
    return np.concatenate(out) if out else np.zeros((0, cfg.near_num_perm), dtype=np.uint32)


def _canonicalize(model: BoilerplateModel, batch: _Batch, *, learn: bool) -> None:
    """Give every long line of the batch the key of its near-exact group (``batch.ckeys``).

    Lines of at least ``near_min_words`` words are signed (byte n-grams of the normalized line) once
    per distinct key; a key already known to the model (as a representative or an alias) is not
    signed again. New keys are banded against the model's representatives and against each other;
    a group takes the key of the model representative it joins, else its smallest key. With
    ``learn`` the new representatives and aliases are stored in the model.
    """
    cfg = model._config
    if cfg.near_threshold is None:
        return
    long_rows = np.flatnonzero(batch.words >= cfg.near_min_words)
    if len(long_rows) == 0:
        return
    reps = model._reps
    uniq, first, inverse = np.unique(batch.keys[long_rows], return_index=True, return_inverse=True)
    aliased, canon = reps.aliases.get(uniq)
    unknown = np.flatnonzero(~(aliased | reps.contains(uniq)))
    if len(unknown):
        sigs = _near_signatures(cfg, batch, batch.rows[long_rows[first[unknown]]])
        n_base = len(reps)
        labels = near_groups(sigs, cfg.near_num_bands, cfg.near_threshold, reps.bases(cfg.near_num_bands))
        new_keys = uniq[unknown]
        # A group takes the key of the representative it holds, else the smallest of its new keys.
        groups, group_of = np.unique(labels, return_inverse=True)
        group_of = group_of.reshape(-1)
        smallest = np.full(len(groups), np.iinfo(np.uint64).max, dtype=np.uint64)
        np.minimum.at(smallest, group_of, new_keys)
        group_canon = np.where(groups < n_base, reps.key_at(np.minimum(groups, max(n_base - 1, 0))), smallest)
        new_canon = group_canon[group_of]
        canon[unknown] = new_canon
        if learn:
            own = new_canon == new_keys
            reps.add(new_keys[own], sigs[own])
            reps.aliases.add(new_keys[~own], new_canon[~own])
    ckeys = batch.ckeys.copy()
    ckeys[long_rows] = canon[inverse.reshape(-1)]
    batch.ckeys = ckeys
    if learn:
        reps.count(ckeys[long_rows], batch.doc[long_rows])


# ---------------------------------------------------------------------------------------------
# The model


class BoilerplateModel:
    """Block counts learned from a corpus, and the rules that turn them into boilerplate spans.

    Fit it on a corpus (a site's pages, a crawl), then find or strip the boilerplate of the same
    texts or of new ones: a block is frequent when the *fitted* corpus holds it in ``min_docs``
    documents of the text's group (fit on a corpus that includes the texts, or :meth:`update` with
    them first). Within-document repeats always come from the text itself.

    Args:
        config: a :class:`~dedupe.config.BoilerplateConfig`; keyword options override its fields.

    >>> pages = ["Home\\nAbout us\\nFirst story, told once.", "Home\\nAbout us\\nSecond story, told once."]
    >>> model = BoilerplateModel.fit(pages, groups=["a.com", "a.com"])
    >>> [(s.reason, s.count, pages[0][s.start:s.end]) for s in model.find(pages[:1], groups=["a.com"])[0]]
    [('frequent_across_documents', 2, 'Home\\nAbout us\\n')]
    >>> model.strip(pages, groups=["a.com", "a.com"])
    ['First story, told once.', 'Second story, told once.']
    """

    def __init__(self, config: BoilerplateConfig | None = None, **options: Any) -> None:
        self._config = _make_config(config, options)
        self._site = CountTable.empty()  # combine(key, group) -> documents (clusters)
        self._groups = CountTable.empty()  # group -> documents (clusters)
        self._stop = CountTable.empty()  # short line key -> groups holding it
        self._reps = _Reps(self._config.near_num_perm)
        self._n_docs = 0
        self._pruned_below = 0

    # -- fitting -------------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        *,
        groups: Sequence[Hashable] | None = None,
        labels: Sequence[int] | NDArray[Any] | None = None,
        config: BoilerplateConfig | None = None,
        **options: Any,
    ) -> BoilerplateModel:
        """Count the blocks of ``texts`` in a new model.

        Args:
            texts: the documents.
            groups: one ``str`` or ``int`` per text (its site or domain); without it the corpus is
                one group.
            labels: one int per text; texts with the same label (a near-duplicate cluster) count
                as one document. Without it every text is its own cluster.
            config: the settings; keyword ``options`` override its fields.

        Raises:
            TypeError: a text is not a ``str`` (the message names its index), or a group is not a
                ``str`` or ``int``, or an option is unknown.
            ConfigError: ``groups`` or ``labels`` do not have one entry per text, or an option is invalid.
        """
        model = cls(config, **options)
        return model.update(texts, groups=groups, labels=labels)

    def update(
        self,
        texts: Iterable[str],
        *,
        groups: Sequence[Hashable] | None = None,
        labels: Sequence[int] | NDArray[Any] | None = None,
    ) -> BoilerplateModel:
        """Add the blocks of more texts to the counts (labels are distinct from earlier calls'); return self."""
        batch = _prepare(texts, groups, labels, self._config)
        _canonicalize(self, batch, learn=True)
        self._add(batch)
        return self

    def _add(self, batch: _Batch) -> None:
        cfg = self._config
        row_groups = batch.doc_groups[batch.doc]
        row_labels = batch.doc_labels[batch.doc]
        site_keys = combine(batch.ckeys, row_groups)
        uniq, counts = count_distinct(site_keys, row_labels)
        if cfg.stoplist_min_groups:
            short = np.flatnonzero(batch.words <= cfg.stoplist_max_words)
            # One row per (line, cluster): a syndicated copy does not add groups.
            first = np.unique(combine(batch.ckeys[short], row_labels[short]), return_index=True)[1]
            pairs, where = np.unique(site_keys[short][first], return_index=True)
            new = ~self._site.contains(pairs)
            stop_keys, stop_counts = np.unique(batch.ckeys[short][first][where[new]], return_counts=True)
            self._stop.add(stop_keys, stop_counts.astype(np.int64))
        self._site.add(uniq, counts)
        g_uniq, g_counts = count_distinct(batch.doc_groups, batch.doc_labels)
        self._groups.add(g_uniq, g_counts)
        self._n_docs += len(batch.texts)
        if self._site.size_bound > cfg.max_distinct_blocks:
            self._pruned_below = max(self._pruned_below, self._site.prune(cfg.max_distinct_blocks))
        if self._stop.size_bound > cfg.max_distinct_blocks:
            self._stop.prune(cfg.max_distinct_blocks)
        self._reps.prune(cfg.max_distinct_blocks)

    # -- applying -------------------------------------------------------------------------------

    def find(self, texts: Iterable[str], *, groups: Sequence[Hashable] | None = None) -> list[list[BoilerplateSpan]]:
        """Find the boilerplate spans of every text.

        Returns:
            One list per text of :class:`BoilerplateSpan`, sorted by ``start``, disjoint.
        """
        batch = _prepare(texts, groups, None, self._config)
        _canonicalize(self, batch, learn=False)
        return _spans(batch, _Decision.of(self, batch))

    def find_removals(
        self, texts: Iterable[str], *, groups: Sequence[Hashable] | None = None
    ) -> tuple[list[list[BoilerplateSpan]], tuple[IntArray, IntArray, IntArray]]:
        """:meth:`find` and the ``(doc, start, end)`` ranges that :meth:`strip` removes, from one pass.

        ``remove_ranges(texts, *ranges)`` then equals ``strip(texts, groups=groups)``: a caller can
        keep the ranges (a few bytes per block) and strip later without the model.
        """
        batch = _prepare(texts, groups, None, self._config)
        _canonicalize(self, batch, learn=False)
        decision = _Decision.of(self, batch)
        return _spans(batch, decision), _removals(batch, decision, "none")

    def strip(
        self,
        texts: Iterable[str],
        *,
        groups: Sequence[Hashable] | None = None,
        keep: Literal["none", "first"] = "none",
    ) -> list[str]:
        """Remove the boilerplate spans (and the blank lines they leave) from every text.

        Args:
            texts: the documents.
            groups: one group per text, as in :meth:`fit`.
            keep: ``"none"`` removes every span; ``"first"`` keeps the first occurrence (in the
                order of ``texts``) of every block (``group``).

        Returns:
            The texts with the spans removed; everything else is kept byte for byte.
        """
        batch = _prepare(texts, groups, None, self._config)
        _canonicalize(self, batch, learn=False)
        return _strip(batch, _Decision.of(self, batch), keep)

    # -- introspection --------------------------------------------------------------------------

    @property
    def config(self) -> BoilerplateConfig:
        """The settings."""
        return self._config

    @property
    def n_docs(self) -> int:
        """Texts counted so far."""
        return self._n_docs

    @property
    def n_blocks(self) -> int:
        """Distinct (group, block) keys held."""
        return len(self._site)

    @property
    def nbytes(self) -> int:
        """Bytes held by the count tables."""
        return self._site.nbytes + self._groups.nbytes + self._stop.nbytes + self._reps.nbytes

    def __repr__(self) -> str:
        return (
            f"BoilerplateModel(n_docs={self._n_docs}, n_groups={len(self._groups)}, "
            f"n_blocks={len(self._site)}, stoplist={len(self._stop)}, {self._config.fingerprint()})"
        )

    # -- persistence ----------------------------------------------------------------------------

    def save(self, path: PathLike) -> None:
        """Write the model to the directory ``path`` (created if needed).

        Layout: ``manifest.json`` (format version, config and its fingerprint, dedupe version,
        counts) and one ``.npy`` per array, saved with ``allow_pickle=False``. The manifest is
        written last (atomically), so an interrupted save is detected on load.
        """
        from . import __version__

        arrays = self._arrays()
        manifest = {
            "format": _FORMAT_NAME,
            "format_version": MODEL_FORMAT_VERSION,
            "dedupe_version": __version__,
            "config": self._config.as_dict(),
            "config_fingerprint": self._config.fingerprint(),
            "n_docs": self._n_docs,
            "counts": {
                "groups": len(arrays["group_keys"]),
                "blocks": len(arrays["site_keys"]),
                "stoplist": len(arrays["stop_keys"]),
                "near_representatives": len(arrays["near_keys"]),
                "near_aliases": len(arrays["alias_keys"]),
                "bytes": int(sum(a.nbytes for a in arrays.values())),
            },
            "pruned_below": self._pruned_below,
        }
        save_directory(Path(path), manifest, arrays, {name: f"{name}.npy" for name in arrays})

    def _arrays(self) -> dict[str, NDArray[Any]]:
        for table in (self._site, self._groups, self._stop):
            table.consolidate()
        self._reps.aliases.consolidate()
        reps = self._reps.merged()
        return {
            "site_keys": self._site.keys,
            "site_counts": self._site.counts,
            "group_keys": self._groups.keys,
            "group_counts": self._groups.counts,
            "stop_keys": self._stop.keys,
            "stop_counts": self._stop.counts,
            "near_keys": reps.keys,
            "near_counts": reps.counts,
            "near_signatures": reps.sigs,
            "alias_keys": self._reps.aliases.keys,
            "alias_canon": self._reps.aliases.values,
        }

    @classmethod
    def load(cls, path: PathLike, *, config: BoilerplateConfig | None = None) -> BoilerplateModel:
        """Read a model written by :meth:`save`.

        Args:
            path: the model directory.
            config: if given, it must equal the saved config (else ``IncompatibleSignaturesError``).

        Raises:
            FileNotFoundError: ``path`` is not a directory.
            CorruptFileError: the manifest or an array is missing, unreadable, truncated, of another
                format version, or inconsistent; the message names the file.
            IncompatibleSignaturesError: ``config`` differs from the saved one.
        """
        directory = Path(path)
        if not directory.is_dir():
            raise FileNotFoundError(f"no saved BoilerplateModel at {directory}: not a directory")
        manifest_path = directory / MANIFEST
        manifest = _read_manifest(manifest_path)
        saved = _manifest_config(manifest, manifest_path)
        if config is not None and config != saved:
            raise IncompatibleSignaturesError(
                f"{directory}: the model was saved with {saved.fingerprint()} ({saved.describe()}) "
                f"but {config.fingerprint()} ({config.describe()}) was asked for"
            )
        model = cls(saved)
        specs = manifest.get("arrays")
        if not isinstance(specs, dict):
            raise CorruptFileError(f"{manifest_path}: 'arrays' must be an object")
        arrays: dict[str, NDArray[Any]] = {}
        for name, array in model._arrays().items():
            arrays[name] = _load_array(directory, name, array.dtype, array.ndim, specs)
        pairs = (
            ("site_keys", "site_counts"),
            ("group_keys", "group_counts"),
            ("stop_keys", "stop_counts"),
            ("near_keys", "near_counts"),
            ("near_keys", "near_signatures"),
            ("alias_keys", "alias_canon"),
        )
        for keys_name, values_name in pairs:
            keys, values = arrays[keys_name], arrays[values_name]
            if keys.shape[0] != values.shape[0]:
                raise CorruptFileError(
                    f"{directory / (values_name + '.npy')}: {values.shape[0]} rows for {keys.shape[0]} keys"
                )
            if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
                raise CorruptFileError(f"{directory / (keys_name + '.npy')}: keys are not sorted and distinct")
        if arrays["near_signatures"].shape[1] != saved.near_num_perm:
            raise CorruptFileError(
                f"{directory / 'near_signatures.npy'}: {arrays['near_signatures'].shape[1]} slots, "
                f"the config says near_num_perm={saved.near_num_perm}"
            )
        model._site = CountTable(arrays["site_keys"], arrays["site_counts"])
        model._groups = CountTable(arrays["group_keys"], arrays["group_counts"])
        model._stop = CountTable(arrays["stop_keys"], arrays["stop_counts"])
        reps = model._reps
        if len(arrays["near_keys"]):
            reps.segments = [_Segment(arrays["near_keys"], arrays["near_counts"], arrays["near_signatures"])]
        reps.aliases = KeyMap(arrays["alias_keys"], arrays["alias_canon"])
        model._n_docs = _int_field(manifest, manifest_path, "n_docs")
        model._pruned_below = _int_field(manifest, manifest_path, "pruned_below")
        return model


def _read_manifest(manifest_path: Path) -> dict[str, Any]:
    manifest = read_manifest(manifest_path, "BoilerplateModel")
    if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT_NAME:
        raise CorruptFileError(f"{manifest_path}: not a {_FORMAT_NAME} manifest")
    version = manifest.get("format_version")
    if version != MODEL_FORMAT_VERSION:
        raise CorruptFileError(
            f"{manifest_path}: format_version {version!r} is not supported (this dedupe reads "
            f"{MODEL_FORMAT_VERSION}); refit the model with this version"
        )
    return manifest


def _int_field(manifest: dict[str, Any], manifest_path: Path, key: str) -> int:
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CorruptFileError(f"{manifest_path}: {key!r} must be a non-negative int (got {value!r})")
    return value


def _manifest_config(manifest: dict[str, Any], manifest_path: Path) -> BoilerplateConfig:
    raw = manifest.get("config")
    if not isinstance(raw, dict):
        raise CorruptFileError(f"{manifest_path}: 'config' must be an object")
    try:
        config = BoilerplateConfig(**raw)
    except (TypeError, ConfigError) as exc:
        raise CorruptFileError(f"{manifest_path}: invalid config ({exc})") from exc
    if manifest.get("config_fingerprint") != config.fingerprint():
        raise CorruptFileError(
            f"{manifest_path}: config_fingerprint {manifest.get('config_fingerprint')!r} does not match "
            f"the config ({config.fingerprint()})"
        )
    return config


def _load_array(directory: Path, name: str, dtype: np.dtype[Any], ndim: int, specs: dict[str, Any]) -> NDArray[Any]:
    path = directory / f"{name}.npy"
    spec = specs.get(name)
    if not isinstance(spec, dict) or not isinstance(spec.get("shape"), list):
        raise CorruptFileError(f"{directory / MANIFEST}: no valid entry for array {name!r}")
    array = load_npy(path)
    if array.dtype != dtype or array.ndim != ndim:
        raise CorruptFileError(f"{path}: expected a {ndim}-d {dtype} array (got {array.ndim}-d {array.dtype})")
    if list(array.shape) != spec["shape"]:
        raise CorruptFileError(f"{path}: shape {list(array.shape)} does not match the manifest's {spec['shape']}")
    return np.ascontiguousarray(array)


# ---------------------------------------------------------------------------------------------
# Decisions: one reason, count and key per non-blank line


@dataclass
class _Decision:
    """Per non-blank row of a batch: reason code (0 = content), count, and the key it is about."""

    reason: NDArray[np.int8]
    count: IntArray
    key: HashArray

    @classmethod
    def of(cls, model: BoilerplateModel, batch: _Batch) -> _Decision:
        cfg = model._config
        # Merge the runs that updates left pending, once: a lookup reads every run, so a model
        # fitted in many small batches would otherwise pay for each of them on every find.
        for table in (model._site, model._groups, model._stop):
            table.consolidate()
        n = len(batch.rows)
        row_groups = batch.doc_groups[batch.doc]
        words = batch.words
        long = words >= cfg.long_words
        doc_keys = combine(batch.keys, batch.doc)
        page = count_rows(doc_keys)
        cpage = page if batch.ckeys is batch.keys else count_rows(combine(batch.ckeys, batch.doc))
        site = model._site.lookup(combine(batch.ckeys, row_groups))
        need_page = np.where(long, max(cfg.long_min_count, cfg.min_repeats), cfg.min_repeats)
        need_site = np.where(long, max(cfg.long_min_count, cfg.min_docs), cfg.min_docs)
        if cfg.min_doc_fraction > 0:
            sizes = model._groups.lookup(row_groups)
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
            holders = model._stop.lookup(batch.ckeys) - (site > 0)
            assign((words <= cfg.stoplist_max_words) & (holders >= cfg.stoplist_min_groups), _STOP, holders)
        if cfg.trim_words and len(batch.table.trim_rows):
            _trimmed(model, batch, reason, count, key, doc_keys, row_groups)
        if cfg.heading_words:
            _heading_guard(batch, reason, page, cfg.heading_words)
        if cfg.run_max_gap and cfg.run_max_words:
            _fill_runs(batch, reason, count, cfg.run_max_gap, cfg.run_max_words)
            _keep_last_content(batch, reason, count)
        return cls(reason, count, key)


def _trimmed(
    model: BoilerplateModel,
    batch: _Batch,
    reason: NDArray[np.int8],
    count: IntArray,
    key: HashArray,
    doc_keys: HashArray,
    row_groups: HashArray,
) -> None:
    """Flag short unflagged lines that are a flagged block of their document (or group) plus a tail."""
    cfg = model._config
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
    site = model._site.lookup(combine(tkeys, row_groups[rows]))
    hit_count = np.where(in_doc > 0, in_doc + 1, np.where(site >= cfg.min_docs, site, 0))
    hit = hit_count > 0
    # A line may have several cuts; the first hit wins.
    rows, tkeys, hit_count = rows[hit], tkeys[hit], hit_count[hit]
    rows, first = np.unique(rows, return_index=True)
    reason[rows] = _NEAR
    count[rows] = hit_count[first]
    key[rows] = tkeys[first]


def _next_in_doc(batch: _Batch) -> tuple[IntArray, BoolArray]:
    """Index of the next non-blank row, and whether it is in the same document."""
    n = len(batch.rows)
    nxt = np.minimum(np.arange(1, n + 1), n - 1)
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[:-1] = batch.doc[1:] == batch.doc[:-1]
    return nxt, same


def _heading_guard(batch: _Batch, reason: NDArray[np.int8], page: IntArray, heading_words: int) -> None:
    """Guard 2: keep a line seen exactly twice in its document that introduces a long unflagged line."""
    nxt, same = _next_in_doc(batch)
    guard = (reason > 0) & (page == 2) & same & (reason[nxt] == 0) & (batch.words[nxt] >= heading_words)
    reason[guard] = 0


def _keep_last_content(batch: _Batch, reason: NDArray[np.int8], count: IntArray) -> None:
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


def _fill_runs(batch: _Batch, reason: NDArray[np.int8], count: IntArray, max_gap: int, max_words: int) -> None:
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


# ---------------------------------------------------------------------------------------------
# Spans


@dataclass
class _Blocks:
    """Maximal runs of consecutive flagged non-blank rows with the same reason (per document)."""

    doc: IntArray
    start: IntArray  # char offsets in the document
    end: IntArray
    reason: NDArray[np.int8]
    count: IntArray
    group: HashArray
    first_row: IntArray  # table rows
    last_row: IntArray


def _blocks(batch: _Batch, decision: _Decision) -> _Blocks:
    flagged = np.flatnonzero(decision.reason > 0)
    if len(flagged) == 0:
        none = np.zeros(0, dtype=np.int64)
        return _Blocks(none, none, none, np.zeros(0, np.int8), none, np.zeros(0, np.uint64), none, none)
    reason = decision.reason[flagged]
    doc = batch.doc[flagged]
    new = np.ones(len(flagged), dtype=bool)
    if len(flagged) > 1:
        new[1:] = (flagged[1:] != flagged[:-1] + 1) | (reason[1:] != reason[:-1]) | (doc[1:] != doc[:-1])
    starts = np.flatnonzero(new)
    block_of = np.cumsum(new) - 1
    pos = np.arange(len(flagged)) - starts[block_of]
    mixed = combine(decision.key[flagged], pos)
    mixed ^= reason.astype(np.uint64)
    group = fmix64(np.add.reduceat(mixed, starts) if len(starts) else np.zeros(0, dtype=np.uint64))
    ends = np.append(starts[1:], len(flagged)) - 1
    table = batch.table
    first_row = batch.rows[flagged[starts]]
    last_row = batch.rows[flagged[ends]]
    counts = np.minimum.reduceat(decision.count[flagged], starts) if len(starts) else np.zeros(0, np.int64)
    return _Blocks(
        doc=doc[starts],
        start=table.starts[first_row],
        end=table.next_starts[last_row],
        reason=reason[starts],
        count=counts,
        group=group,
        first_row=first_row,
        last_row=last_row,
    )


def _preview(text: str, start: int, end: int, stop: int) -> str:
    """The first characters of ``text[start:end]``, leading indentation skipped."""
    head = text[start:stop]
    if head[:1].isspace():
        head = text[start : min(end, start + 16 * _PREVIEW)].lstrip()[:_PREVIEW]
    return head.strip()


def _spans(batch: _Batch, decision: _Decision) -> list[list[BoilerplateSpan]]:
    blocks = _blocks(batch, decision)
    texts = batch.texts
    previews = np.minimum(blocks.end, blocks.start + _PREVIEW).tolist()
    starts = blocks.start.tolist()
    reasons = [REASONS[r - 1] for r in blocks.reason.tolist()]
    spans = [
        BoilerplateSpan(s, e, r, c, g, _preview(texts[d], s, e, p))
        for d, s, e, p, r, c, g in zip(
            blocks.doc.tolist(),
            starts,
            blocks.end.tolist(),
            previews,
            reasons,
            blocks.count.tolist(),
            blocks.group.tolist(),
            strict=True,
        )
    ]
    cuts = np.searchsorted(blocks.doc, np.arange(len(texts) + 1)).tolist()
    return [spans[cuts[d] : cuts[d + 1]] for d in range(len(texts))]


def _removals(batch: _Batch, decision: _Decision, keep: str) -> tuple[IntArray, IntArray, IntArray]:
    """``(doc, start, end)`` of every character range to remove (blocks plus the blank lines they leave)."""
    if keep not in ("none", "first"):
        raise ConfigError(f"keep must be 'none' or 'first' (got {keep!r})")
    blocks = _blocks(batch, decision)
    removed = np.ones(len(blocks.doc), dtype=bool)
    if keep == "first" and len(blocks.group):
        removed[np.unique(blocks.group, return_index=True)[1]] = False
    doc, first_row, last_row = blocks.doc[removed], blocks.first_row[removed], blocks.last_row[removed]
    table = batch.table
    blank = _whitespace_rows(batch)
    bounds = table.doc_offsets
    span_start = table.starts[first_row]
    span_end = table.next_starts[last_row]
    start, end = span_start.copy(), span_end.copy()
    # Blank lines the removal leaves: after a block that opens its paragraph run (document start or
    # a blank line before it), drop the blank lines that follow; at the end of a document, drop
    # the blank lines before the block.
    prev_blank = (first_row == bounds[doc]) | blank[np.maximum(first_row - 1, 0)]
    next_nonblank = _next_nonblank(blank, bounds)
    after = next_nonblank[last_row]
    at_doc_end = after >= bounds[doc + 1]
    follow = prev_blank & ~at_doc_end & (after > last_row + 1)
    end[follow] = table.starts[after[follow]]
    prev_nonblank = _prev_nonblank(blank, bounds)
    before = prev_nonblank[first_row]
    lead = at_doc_end & (before >= bounds[doc]) & (before < first_row - 1)
    start[lead] = table.next_starts[before[lead]]
    return doc, start, end


def _whitespace_rows(batch: _Batch) -> BoolArray:
    """Rows that are empty or whitespace only: the blank lines a removal may take along.

    A line of control or format characters normalizes to nothing (no words) but is not blank: it
    is kept byte for byte like any other content.
    """
    table = batch.table
    blank: BoolArray = table.n_words == 0
    wordless = np.flatnonzero(blank)
    if len(wordless):
        docs = table.docs()[wordless].tolist()
        lo, hi = table.starts[wordless].tolist(), table.ends[wordless].tolist()
        texts = batch.texts
        blank[wordless] = [texts[d][a:b].strip() == "" for d, a, b in zip(docs, lo, hi, strict=True)]
    return blank


def remove_ranges(texts: Sequence[str], doc: IntArray, start: IntArray, end: IntArray) -> list[str]:
    """Remove the ranges ``[start, end)`` of ``texts[doc]`` (sorted by document, then start); keep the rest."""
    out: list[str] = []
    cuts = np.searchsorted(doc, np.arange(len(texts) + 1))
    for d, text in enumerate(texts):
        lo, hi = int(cuts[d]), int(cuts[d + 1])
        if lo == hi:
            out.append(text)
            continue
        pieces: list[str] = []
        pos = 0
        for s, e in zip(start[lo:hi].tolist(), end[lo:hi].tolist(), strict=True):
            if s > pos:
                pieces.append(text[pos:s])
            pos = max(pos, e)
        pieces.append(text[pos:])
        out.append("".join(pieces))
    return out


def _strip(batch: _Batch, decision: _Decision, keep: str) -> list[str]:
    return remove_ranges(batch.texts, *_removals(batch, decision, keep))


def _next_nonblank(blank: BoolArray, bounds: IntArray) -> IntArray:
    """For every row, the first non-blank row after it (``len`` if none; may be in a later document)."""
    n = len(blank)
    idx = np.where(~blank, np.arange(n), n)
    nxt = np.empty(n, dtype=np.int64)
    if n:
        nxt[:-1] = np.minimum.accumulate(idx[::-1])[::-1][1:]
        nxt[-1] = n
    return nxt


def _prev_nonblank(blank: BoolArray, bounds: IntArray) -> IntArray:
    """For every row, the last non-blank row before it (``-1`` if none; may be in an earlier document)."""
    n = len(blank)
    idx = np.where(~blank, np.arange(n), -1)
    prv = np.empty(n, dtype=np.int64)
    if n:
        prv[1:] = np.maximum.accumulate(idx)[:-1]
        prv[0] = -1
    return prv


# ---------------------------------------------------------------------------------------------
# One-call API


def find_boilerplate(
    texts: Iterable[str],
    *,
    groups: Sequence[Hashable] | None = None,
    labels: Sequence[int] | NDArray[Any] | None = None,
    config: BoilerplateConfig | None = None,
    **options: Any,
) -> list[list[BoilerplateSpan]]:
    """Find the boilerplate spans of a corpus, counting blocks over the corpus itself.

    Equivalent to ``BoilerplateModel.fit(texts, ...).find(texts, groups=groups)``, with the texts
    segmented once.

    Args:
        texts: the documents.
        groups: one ``str`` or ``int`` per text (site, domain); frequencies are counted per group.
        labels: one int per text; texts with the same label (near-duplicate cluster) count once.
        config: a :class:`~dedupe.config.BoilerplateConfig`; keyword ``options`` override its fields.

    Returns:
        One sorted list of disjoint :class:`BoilerplateSpan` per text.

    Raises:
        TypeError: a text is not a ``str`` (the message names its index), a group is not a ``str``
            or ``int``, or an option is unknown.
        ConfigError: ``groups``/``labels`` lengths differ from ``texts``, or an option is invalid.

    >>> page = "Subscribe now\\nA story of more than eight words, told once.\\n\\nSubscribe now\\n"
    >>> [(s.start, s.end, s.reason, s.count) for s in find_boilerplate([page])[0]]
    [(0, 14, 'repeated_in_document', 2), (60, 74, 'repeated_in_document', 2)]
    """
    model = BoilerplateModel(config, **options)
    batch = _prepare(texts, groups, labels, model._config)
    _canonicalize(model, batch, learn=True)
    model._add(batch)
    return _spans(batch, _Decision.of(model, batch))


def strip_boilerplate(
    texts: Iterable[str],
    *,
    groups: Sequence[Hashable] | None = None,
    labels: Sequence[int] | NDArray[Any] | None = None,
    keep: Literal["none", "first"] = "none",
    config: BoilerplateConfig | None = None,
    **options: Any,
) -> list[str]:
    """Remove the boilerplate of a corpus (counted over the corpus itself) from every text.

    Args:
        texts, groups, labels, config, options: as for :func:`find_boilerplate`.
        keep: ``"none"`` removes every span; ``"first"`` keeps the first occurrence of every block.

    Returns:
        The texts without their boilerplate spans and the blank lines those leave; the rest is
        kept byte for byte.

    >>> page = "Subscribe now\\nA story of more than eight words, told once.\\n\\nSubscribe now\\n"
    >>> strip_boilerplate([page])
    ['A story of more than eight words, told once.\\n']
    >>> strip_boilerplate([page], keep="first")
    ['Subscribe now\\nA story of more than eight words, told once.\\n']
    """
    model = BoilerplateModel(config, **options)
    batch = _prepare(texts, groups, labels, model._config)
    _canonicalize(model, batch, learn=True)
    model._add(batch)
    return _strip(batch, _Decision.of(model, batch), keep)
