"""BoilerplateModel: block counts learned from a corpus, the rules applied to texts, save and load."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._persist import MANIFEST, load_npy, read_manifest, save_directory
from .._typing import IntArray, PathLike
from ..config import BoilerplateConfig
from ..errors import ConfigError, CorruptFileError, IncompatibleSignaturesError
from . import long_docs
from .counts import BatchCounts, Counts, CountTable, KeyMap, combine, count_distinct
from .long_docs import prepare_bounded
from .near import Representatives, Segment, canonicalize
from .parts import Cut, prepared_parts
from .rules import Decision, decide
from .spans import BoilerplateSpan, removals, spans, strip
from .units import Units

__all__ = [
    "BoilerplateModel",
    "count_batch",
    "count_batch_parts",
    "count_batch_units",
    "find_boilerplate",
    "strip_boilerplate",
]

#: Version of the saved model layout.
MODEL_FORMAT_VERSION = 1
_FORMAT_NAME = "dedupe-boilerplate-model"


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
        self._counts = Counts()
        self._reps = Representatives(self._config.near_num_perm)
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
        self._units(texts, groups, labels, learn=True, decide=False)
        return self

    def _units(
        self,
        texts: Iterable[str],
        groups: Sequence[Hashable] | None,
        labels: Sequence[int] | NDArray[Any] | None,
        *,
        learn: bool,
        decide: bool = True,
        warn: bool = True,
    ) -> Units:
        """Segment and key ``texts``; with ``learn`` also count them. Without ``decide`` the units
        are only counted: they lack the trimmed keys that only the rules look up. With ``warn``, a
        text with too many units to search (:func:`~.long_docs.unit_budget`) gives a RuntimeWarning."""
        batch = prepare_bounded(texts, groups, labels, self._config if decide else _counting(self._config))
        if warn and batch.skipped.any():
            index = np.flatnonzero(batch.skipped).tolist()
            warnings.warn(
                f"text(s) {', '.join(map(str, index[:10]))} hold too many units for their size (non-blank "
                f"lines that do not join: over {long_docs.MIN_UNITS:,} and over one per "
                f"{long_docs.CHARS_PER_UNIT} characters, or over {long_docs.MAX_UNITS:,}): their boilerplate "
                "is not searched and they are kept whole",
                RuntimeWarning,
                stacklevel=3,
            )
        canonicalize(self._config, self._reps, batch, learn=learn)
        if learn:
            self._add(batch)
        return batch

    def _decide(self, batch: Units) -> Decision:
        return decide(self._config, self._counts, batch)

    def _add(self, batch: Units) -> None:
        self.add_counts(_batch_counts(self._config, batch))

    def add_counts(self, counts: BatchCounts) -> BoilerplateModel:
        """Add a batch's counts (from :func:`count_batch`, maybe merged); return self.

        Adding the counts of consecutive batches in order is exactly :meth:`update` with each
        batch in turn (pruning included); adding a merge of any split gives the counts of one fit.
        Exact path only: with ``near_threshold`` set, blocks are grouped against the model's
        representatives, which :meth:`update` must see in order.
        """
        cfg = self._config
        if cfg.stoplist_min_groups and len(counts.short_site):
            new = ~self._counts.site.contains(counts.short_site)
            stop_keys, stop_counts = np.unique(counts.short_line[new], return_counts=True)
            self._counts.stop.add(stop_keys, stop_counts.astype(np.int64))
        self._counts.site.add(counts.site_keys, counts.site_counts)
        self._counts.groups.add(counts.group_keys, counts.group_counts)
        self._n_docs += counts.n_docs
        if self._counts.site.size_bound > cfg.max_distinct_blocks:
            self._pruned_below = max(self._pruned_below, self._counts.site.prune(cfg.max_distinct_blocks))
        if self._counts.stop.size_bound > cfg.max_distinct_blocks:
            self._counts.stop.prune(cfg.max_distinct_blocks)
        self._reps.prune(cfg.max_distinct_blocks)
        return self

    # -- applying -------------------------------------------------------------------------------

    def find(self, texts: Iterable[str], *, groups: Sequence[Hashable] | None = None) -> list[list[BoilerplateSpan]]:
        """Find the boilerplate spans of every text.

        A text of more units (non-blank lines that do not join) than :func:`~.long_docs.unit_budget`
        allows for its size is not searched: it gets no span, and a ``RuntimeWarning`` names it (so do :meth:`fit`,
        :meth:`update`, :meth:`find_removals` and :meth:`strip`, which keeps it whole).

        Returns:
            One list per text of :class:`BoilerplateSpan`, sorted by ``start``, disjoint.
        """
        batch = self._units(texts, groups, None, learn=False)
        return spans(batch, self._decide(batch))

    def find_removals(
        self, texts: Iterable[str], *, groups: Sequence[Hashable] | None = None
    ) -> tuple[list[list[BoilerplateSpan]], tuple[IntArray, IntArray, IntArray]]:
        """:meth:`find` and the ``(doc, start, end)`` ranges that :meth:`strip` removes, from one pass.

        ``remove_ranges(texts, *ranges)`` then equals ``strip(texts, groups=groups)``: a caller can
        keep the ranges (a few bytes per block) and strip later without the model.
        """
        return self.find_removals_of(self._units(texts, groups, None, learn=False))

    def find_removals_of(
        self, batch: Units
    ) -> tuple[list[list[BoilerplateSpan]], tuple[IntArray, IntArray, IntArray]]:
        """:meth:`find_removals` of a batch already segmented (by :func:`count_batch_units`)."""
        decision = self._decide(batch)
        return spans(batch, decision), removals(batch, decision, "none")

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
        batch = self._units(texts, groups, None, learn=False)
        return strip(batch, self._decide(batch), keep)

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
        return len(self._counts.site)

    @property
    def nbytes(self) -> int:
        """Bytes held by the count tables."""
        return self._counts.site.nbytes + self._counts.groups.nbytes + self._counts.stop.nbytes + self._reps.nbytes

    def __repr__(self) -> str:
        return (
            f"BoilerplateModel(n_docs={self._n_docs}, n_groups={len(self._counts.groups)}, "
            f"n_blocks={len(self._counts.site)}, stoplist={len(self._counts.stop)}, {self._config.fingerprint()})"
        )

    # -- persistence ----------------------------------------------------------------------------

    def save(self, path: PathLike) -> None:
        """Write the model to the directory ``path`` (created if needed).

        Layout: ``manifest.json`` (format version, config and its fingerprint, dedupe version,
        counts) and one ``.npy`` per array, saved with ``allow_pickle=False``. The manifest is
        written last (atomically), so an interrupted save is detected on load.
        """
        from .._version import __version__

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
        for table in (self._counts.site, self._counts.groups, self._counts.stop):
            table.consolidate()
        self._reps.aliases.consolidate()
        reps = self._reps.merged()
        return {
            "site_keys": self._counts.site.keys,
            "site_counts": self._counts.site.counts,
            "group_keys": self._counts.groups.keys,
            "group_counts": self._counts.groups.counts,
            "stop_keys": self._counts.stop.keys,
            "stop_counts": self._counts.stop.counts,
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
        model._counts.site = CountTable(arrays["site_keys"], arrays["site_counts"])
        model._counts.groups = CountTable(arrays["group_keys"], arrays["group_counts"])
        model._counts.stop = CountTable(arrays["stop_keys"], arrays["stop_counts"])
        reps = model._reps
        if len(arrays["near_keys"]):
            reps.segments = [Segment(arrays["near_keys"], arrays["near_counts"], arrays["near_signatures"])]
        reps.aliases = KeyMap(arrays["alias_keys"], arrays["alias_canon"])
        model._n_docs = _int_field(manifest, manifest_path, "n_docs")
        model._pruned_below = _int_field(manifest, manifest_path, "pruned_below")
        return model


def count_batch(
    texts: Iterable[str],
    *,
    groups: Sequence[Hashable] | None = None,
    config: BoilerplateConfig | None = None,
    **options: Any,
) -> BatchCounts:
    """What ``texts`` add to a model's counts, computed without a model (in a worker, say).

    ``BoilerplateModel(config).add_counts(BatchCounts.merge([count_batch(part) for part in parts]))``
    counts exactly what ``BoilerplateModel.fit(all texts)`` counts, for any split into parts.

    Raises:
        ConfigError: ``near_threshold`` is set (near-exact grouping depends on what the model has
            seen before: use :meth:`BoilerplateModel.update` in order).
        TypeError: as for :meth:`BoilerplateModel.fit`.
    """
    cfg = _make_config(config, options)
    if cfg.near_threshold is not None:
        raise ConfigError(
            "count_batch works on the exact path only (near_threshold=None); with near_threshold set, "
            "update the model batch by batch in order"
        )
    counting = _counting(cfg)
    return BatchCounts.merge([_batch_counts(cfg, units) for _, _, units in prepared_parts(texts, groups, counting)])


def count_batch_parts(
    texts: Sequence[str], *, groups: Sequence[Hashable] | None, config: BoilerplateConfig, cut: Cut | None = None
) -> Iterator[tuple[int, int, BatchCounts, Units]]:
    """:func:`count_batch_units` part by part (``cut``, else :func:`~.parts.line_parts`):
    ``(lo, hi, counts, units)`` of ``texts[lo:hi]``; :meth:`BatchCounts.merge` of the counts is
    :func:`count_batch`'s."""
    if config.near_threshold is not None:
        raise ConfigError("count_batch_parts works on the exact path only (near_threshold=None)")
    for lo, hi, units in prepared_parts(texts, groups, config, cut):
        yield lo, hi, _batch_counts(config, units), units


def count_batch_units(
    texts: Sequence[str], *, groups: Sequence[Hashable] | None, config: BoilerplateConfig
) -> tuple[BatchCounts, Units]:
    """:func:`count_batch`, and the batch's units as finding them needs (trimmed keys included):
    :meth:`BoilerplateModel.find_removals_of` on them equals ``find_removals(texts, groups=groups)``."""
    if config.near_threshold is not None:
        raise ConfigError("count_batch_units works on the exact path only (near_threshold=None)")
    batch = prepare_bounded(texts, groups, None, config)
    return _batch_counts(config, batch), batch


def _counting(cfg: BoilerplateConfig) -> BoilerplateConfig:
    """``cfg`` for a batch that is only counted: no trimmed keys (only finding looks them up; a
    tenth of the segmenting time), everything that is counted unchanged."""
    return replace(cfg, trim_words=0) if cfg.trim_words else cfg


def _batch_counts(cfg: BoilerplateConfig, batch: Units) -> BatchCounts:
    """The counts a prepared (and canonicalized) batch adds; see :class:`~.counts.BatchCounts`."""
    # Per-row arrays are built as each count needs them and dropped after: a batch of millions of
    # tiny units (a crafted record of short lines) bounds counting's memory.
    keys = batch.site_keys()
    uniq, counts = count_distinct(combine(keys, batch.doc_groups[batch.doc]), batch.doc_labels[batch.doc])
    short_site = short_line = np.zeros(0, dtype=np.uint64)
    if cfg.stoplist_min_groups:
        short = np.flatnonzero(batch.words <= cfg.stoplist_max_words)
        short_keys, short_docs = keys[short], batch.doc[short]
        del short
        # One row per (line, cluster): a syndicated copy does not add groups.
        first = np.unique(combine(short_keys, batch.doc_labels[short_docs]), return_index=True)[1]
        short_keys, short_docs = short_keys[first], short_docs[first]
        del first
        short_site, where = np.unique(combine(short_keys, batch.doc_groups[short_docs]), return_index=True)
        short_line = short_keys[where]
    g_uniq, g_counts = count_distinct(batch.doc_groups, batch.doc_labels)
    return BatchCounts(uniq, counts, g_uniq, g_counts, short_site, short_line, len(batch.texts))


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
    batch = model._units(texts, groups, labels, learn=True)
    return spans(batch, model._decide(batch))


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
    batch = model._units(texts, groups, labels, learn=True)
    return strip(batch, model._decide(batch), keep)
