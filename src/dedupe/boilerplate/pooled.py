"""Boilerplate counting and finding over batches in a :class:`~dedupe.parallel.WorkerPool`.

Counting: each worker turns a batch into :class:`~.counts.BatchCounts` (segmenting and keying,
the expensive part), and this process adds them to the model in input order, which is exactly
:meth:`BoilerplateModel.update` batch after batch (the same model, pruning included). Finding is
a pure function of the fitted model and a batch: the workers are forked after the fit, so they
share the model's arrays instead of a copy each. Results come back in input order, so the output
does not depend on the number of workers.

With ``near_threshold`` set, blocks are grouped against the representatives seen so far, so
counting stays in this process (finding is still parallel).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import TypeAlias

from .._typing import IntArray
from ..config import BoilerplateConfig
from ..parallel import WorkerPool
from .counts import BatchCounts
from .model import BoilerplateModel, count_batch
from .spans import BoilerplateSpan

__all__ = ["Batch", "Found", "count_in_pool", "find_in_pool"]

#: A batch: its texts and their groups (or None: one group).
Batch: TypeAlias = tuple[list[str], Sequence[Hashable] | None]
#: What :meth:`BoilerplateModel.find_removals` returns for a batch.
Found: TypeAlias = tuple[list[list[BoilerplateSpan]], tuple[IntArray, IntArray, IntArray]]


#: A tiny text run in this process before forking: the tables it builds are then shared by the workers.
_WARM = "Warm up the tables\nonce, before forking 2024\n"


def _count(config: BoilerplateConfig, batch: Batch) -> BatchCounts:
    texts, groups = batch
    return count_batch(texts, groups=groups, config=config)


def _find(model: BoilerplateModel, batch: Batch) -> Found:
    texts, groups = batch
    return model.find_removals(texts, groups=groups)


def count_in_pool(model: BoilerplateModel, batches: Iterable[Batch], *, workers: int) -> Iterator[int]:
    """Add every batch to ``model``'s counts, counted in ``workers`` processes; yield each batch's size.

    The model ends as ``update`` over the batches in order would leave it.
    """
    config = model.config
    if config.near_threshold is not None:
        for texts, groups in batches:
            model.update(texts, groups=groups)
            yield len(texts)
        return
    with WorkerPool(workers, config, warm=lambda: count_batch([_WARM], config=config)) as pool:
        for counts in pool.map(_count, batches):
            model.add_counts(counts)
            yield counts.n_docs


def find_in_pool(model: BoilerplateModel, batches: Iterable[Batch], *, workers: int) -> Iterator[Found]:
    """``model.find_removals`` of every batch, in ``workers`` processes, in input order."""
    model._counts.consolidate()  # before forking: the workers then read one table each, shared
    with WorkerPool(workers, model, warm=lambda: model.find_removals([_WARM])) as pool:
        yield from pool.map(_find, batches)
