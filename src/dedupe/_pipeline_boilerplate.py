"""The boilerplate stage of the pipeline: fit block counts on kept records, then find their spans.

Counting over kept records only means each near-duplicate cluster counts once, so an article
syndicated to many sites does not turn into boilerplate.

Both passes run over batches of positions (:mod:`dedupe._position_batches`) in a
:class:`~dedupe.parallel.WorkerPool` of ``workers`` processes: counting turns each batch into
:class:`~dedupe.boilerplate.counts.BatchCounts` in a worker and this process adds them in input
order (exactly :meth:`BoilerplateModel.update` batch after batch); finding is a pure function of the
fitted model, which the workers inherit by ``fork``, and returns each batch's ranges, statistics
and only-boilerplate rejects. Where the input is indexed the workers read their records
themselves. Output does not depend on ``workers``. With ``near_threshold`` set, counting stays in
this process (blocks are grouped against the representatives seen so far, in order).

Texts are segmented once: counting keeps each batch's units in a temporary folder
(:mod:`dedupe.boilerplate.spill`, 0.4 to 1 byte per byte of text, removed batch by batch as
finding reads them back), so finding only decides. A batch whose units could not be kept
(the disk nearly full) is segmented again; the output is the same either way.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ._position_batches import Item, plan_batches, read_items, records_of
from ._source import Source
from ._typing import IntArray
from .boilerplate import BoilerplateModel, remove_ranges
from .boilerplate.counts import BatchCounts
from .boilerplate.found import BlockTally, find_batch
from .boilerplate.model import count_batch, count_batch_parts
from .boilerplate.parts import Cut, line_parts
from .boilerplate.spill import load_units, save_units
from .config import BoilerplateConfig
from .io import LineReader, Record, Rejected
from .parallel import WorkerPool

__all__ = ["BoilerplateRun", "run_boilerplate"]

class _Timer(Protocol):
    def add(self, stage: str, since: float) -> float: ...


@dataclass
class BoilerplateRun:
    """A fitted model plus what it found in each kept record.

    Attributes:
        model: the fitted :class:`BoilerplateModel`.
        group_field: the field that names each record's group, or None.
        stats: position -> (spans, characters covered).
        only_boilerplate: position -> the :class:`Rejected` entry of each record that is
            boilerplate from end to end (with its source, line and raw record).
        top_blocks: the most frequent blocks: ``{"text", "reason", "occurrences"}``.
        skipped: input positions of the kept records with too many units to search (kept whole;
            :func:`~dedupe.boilerplate.long_docs.unit_budget`), ascending.
    """

    model: BoilerplateModel
    group_field: str | None
    stats: dict[int, tuple[int, int]] = field(default_factory=dict)
    only_boilerplate: dict[int, Rejected] = field(default_factory=dict)
    #: Character ranges to remove, by input position (sorted): 3 int64 per range, a few per record.
    range_pos: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    range_start: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    range_end: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    top_blocks: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)

    def groups_of(self, records: Sequence[Record]) -> list[str] | None:
        if self.group_field is None:
            return None
        return [str(r.fields[self.group_field]) for r in records]

    def strip(self, positions: Sequence[int], records: Sequence[Record]) -> list[str]:
        """Texts of ``records`` (at input ``positions``, ascending) with the ranges found earlier removed."""
        pos = np.asarray(positions, dtype=np.int64)
        lo, hi = np.searchsorted(self.range_pos, [pos[0], pos[-1] + 1]) if len(pos) else (0, 0)
        doc = np.searchsorted(pos, self.range_pos[lo:hi])
        return remove_ranges([r.text for r in records], doc, self.range_start[lo:hi], self.range_end[lo:hi])


@dataclass
class _Found:
    """What finding learned of one batch, by input position: ranges to remove, statistics, rejects, blocks."""

    n_docs: int
    range_pos: IntArray
    range_start: IntArray
    range_end: IntArray
    stats: dict[int, tuple[int, int]]
    only_boilerplate: dict[int, Rejected]
    tally: BlockTally
    skipped: list[int]


@dataclass(frozen=True)
class _Stage:
    """What a worker of either pass holds: the reader (or None), the model or config, the group field."""

    reader: LineReader | None
    group_field: str | None
    config: BoilerplateConfig
    model: BoilerplateModel | None = None
    spill: Path | None = None  # the folder where counting keeps each batch's units for finding

    def units_file(self, item: Item, lo: int) -> Path:
        """Where the units of the part of ``item``'s batch that starts at record ``lo`` are kept
        (named by its first position); only with a spill folder."""
        assert self.spill is not None
        return self.spill / f"{int(item.positions[lo])}.units"

    def groups_of(self, records: Sequence[Record]) -> list[str] | None:
        if self.group_field is None:
            return None
        return [str(r.fields[self.group_field]) for r in records]


def _count(stage: _Stage, item: Item) -> tuple[BatchCounts, Cut]:
    """A batch's block counts (a worker's share of the fit), and the parts it was cut in; each
    part's units are kept in the spill folder for finding (the exact path always has one)."""
    recs = records_of(item, stage.reader)
    texts, groups = [r.text for r in recs], stage.groups_of(recs)
    cut = line_parts(texts)
    parts: list[BatchCounts] = []
    for lo, _, counts, units in count_batch_parts(texts, groups=groups, config=stage.config, cut=cut):
        save_units(stage.units_file(item, lo), units)  # not kept (no disk space): finding segments it again
        parts.append(counts)
    return BatchCounts.merge(parts), cut


def _find(stage: _Stage, task: tuple[Item, Cut]) -> _Found:
    """A batch's boilerplate ranges, per-record statistics and only-boilerplate rejects (compact: no
    texts); ``task``: the batch and the parts counting cut it in."""
    if stage.model is None:  # pragma: no cover - the find pass always has its model
        raise RuntimeError("finding needs a fitted model")
    item, cut = task
    recs = records_of(item, stage.reader)
    tally = BlockTally(limit=len(recs) * 1_000_000 + 1)  # one batch: pruned where the batches are merged
    units_of = None
    if stage.spill is not None:
        units_of = lambda lo, hi: load_units(stage.units_file(item, lo), [r.text for r in recs[lo:hi]])  # noqa: E731
    found = find_batch(stage.model, recs, stage.groups_of(recs), tally, units_of, cut)
    pos = item.positions
    return _Found(
        len(recs), pos[found.doc], found.start, found.end, {int(pos[i]): v for i, v in found.stats.items()},
        {int(pos[i]): r for i, r in found.only_boilerplate.items()}, tally, [int(pos[i]) for i in found.skipped],
    )  # fmt: skip


def _fit(run: BoilerplateRun, src: Source, stage: _Stage, batches: list[IntArray], workers: int,
         bar: Any) -> list[Cut]:  # fmt: skip
    """Count every batch into ``run.model``, in input order; return the parts each batch was cut in."""
    items = read_items(src, batches, stage.reader)
    cuts: list[Cut] = []
    if stage.config.near_threshold is not None:
        for item in items:
            recs = records_of(item, stage.reader)
            texts, groups = [r.text for r in recs], stage.groups_of(recs)
            cuts.append(line_parts(texts))
            for lo, hi in cuts[-1]:  # memory bounded by the part, as on the exact path
                run.model.update(texts[lo:hi], groups=None if groups is None else groups[lo:hi])
            bar.update(len(item.positions))
        return cuts
    warm = lambda: count_batch([_WARM], config=stage.config)  # noqa: E731
    with WorkerPool(workers, stage, warm=warm) as pool:
        for counts, cut in pool.map(_count, items):
            run.model.add_counts(counts)
            cuts.append(cut)
            bar.update(counts.n_docs)
    return cuts


def _merge(run: BoilerplateRun, found: Iterable[_Found], bar: Any) -> None:
    """Collect every batch's findings into ``run``, in input order (the report's blocks pruned as they grow)."""
    tally = BlockTally()
    parts: list[tuple[IntArray, IntArray, IntArray]] = []
    for f in found:
        parts.append((f.range_pos, f.range_start, f.range_end))
        run.stats.update(f.stats)
        run.only_boilerplate.update(f.only_boilerplate)
        run.skipped.extend(f.skipped)
        tally.merge(f.tally)
        bar.update(f.n_docs)
    if parts:
        run.range_pos, run.range_start, run.range_end = (np.concatenate(cols) for cols in zip(*parts, strict=True))
    run.top_blocks = tally.top(50)


#: A tiny text run in this process before forking: the tables it builds are then shared by the workers.
_WARM = "Warm up the tables\nonce, before forking 2024\n"


def run_boilerplate(
    src: Source,
    *,
    kept: IntArray,
    kept_chars: IntArray,
    group_field: str | None,
    config: BoilerplateConfig,
    batch_size: int,
    workers: int,
    progress: Callable[[str, int], Any],
    timer: _Timer,
) -> BoilerplateRun:
    """Fit the model on the kept records (at positions ``kept``, ascending, of ``kept_chars``
    characters each), then find their spans: two passes over the same batches (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="dedupe-units-") as spill:
        return _fit_and_find(src, kept, kept_chars, group_field, config, batch_size, workers, progress, timer,
                             None if config.near_threshold is not None else Path(spill))  # fmt: skip


def _fit_and_find(
    src: Source, kept: IntArray, kept_chars: IntArray, group_field: str | None, config: BoilerplateConfig,
    batch_size: int, workers: int, progress: Callable[[str, int], Any], timer: _Timer, spill: Path | None,
) -> BoilerplateRun:  # fmt: skip
    """:func:`run_boilerplate`, counting keeping each batch's units in ``spill`` (or None) for finding."""
    t = time.perf_counter()
    run = BoilerplateRun(BoilerplateModel(config), group_field)
    batches = plan_batches(kept, kept_chars, batch_size)
    stage = _Stage(src.reader(), group_field, config, spill=spill)
    bar = progress("boilerplate: count", len(kept))
    cuts = _fit(run, src, stage, batches, workers, bar)
    bar.close()
    src.unchanged()
    t = timer.add("boilerplate_fit", t)
    run.model._counts.consolidate()  # before forking: the workers then read one table each, shared
    stage = _Stage(src.reader(), group_field, config, run.model, spill)
    bar = progress("boilerplate: find", len(kept))
    warm = lambda: run.model.find_removals([_WARM])  # noqa: E731
    with WorkerPool(workers, stage, warm=warm) as pool:
        _merge(run, pool.map(_find, zip(read_items(src, batches, stage.reader), cuts, strict=True)), bar)
    bar.close()
    src.unchanged()
    timer.add("boilerplate_find", t)
    return run
