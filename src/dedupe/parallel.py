"""An ordered, bounded worker pool for the pipeline's batch stages.

:class:`WorkerPool` maps a function over batches in ``workers`` processes and yields the results
in input order, so a stage's output does not depend on the number of workers. At most
``ahead`` batches (default ``2 * workers``) are in flight, read but not yet consumed: the pool
pulls its input lazily (``multiprocessing.Pool.imap`` reads its whole input up front), so the
memory a stage holds is ``ahead`` batches, whatever the input size.

Workers are forked where the platform allows it, after the state they need (a fitted model, a
config) exists: the state reaches them through ``fork`` (shared copy-on-write pages, no pickling,
so per-worker memory does not grow with the number of workers), or is pickled once per worker
under ``spawn``. With ``workers=1`` everything runs in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Generic, TypeVar

from .config import check_int

__all__ = ["MAX_DEFAULT_WORKERS", "WorkerPool", "batched", "default_workers", "is_cancelled", "ordered_map",
           "pool_context"]  # fmt: skip

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

#: The default worker count is the usable cores, at most this many (beyond it the parent's
#: merging, not the workers, limits a run on one machine).
MAX_DEFAULT_WORKERS = 32

_STATE: Any = None
_CANCELLED: Any = None  # a multiprocessing Event: set, the workers skip the batches they have not begun

#: After a failure or Ctrl-C, how long the pool waits for the batches that workers are running
#: to end before it kills them (see :meth:`WorkerPool.close`).
DRAIN_S = 3.0


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity), capped at :data:`MAX_DEFAULT_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def pool_context() -> BaseContext:
    """The start method a :class:`WorkerPool` uses: ``fork`` where the platform has it, else ``spawn``."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def is_cancelled() -> bool:
    """Whether the pool this worker belongs to is being stopped (always ``False`` outside a worker)."""
    return _CANCELLED is not None and bool(_CANCELLED.is_set())


def batched(items: Iterable[T], *, max_items: int, max_bytes: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive lists of ``items`` of at most ``max_items`` items and ``max_bytes`` in all (by ``size``).

    The byte cap bounds what a batch holds whatever the records' sizes (2,000 records of 75 MB are
    150 GB; 64 MB batches are 64 MB): with a :class:`WorkerPool`'s ``ahead`` batches in flight, a
    stage holds about ``ahead * max_bytes`` of input. An item larger than ``max_bytes`` is a batch
    of its own.
    """
    check_int("max_items", max_items, low=1)
    check_int("max_bytes", max_bytes, low=1)
    batch: list[T] = []
    held = 0
    for item in items:
        n = size(item)
        if batch and (len(batch) >= max_items or held + n > max_bytes):
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += n
    if batch:
        yield batch


def _init_worker(state: Any, cancelled: Any) -> None:
    """Pool initializer: keep the stage's state; ignore Ctrl-C, let SIGTERM end the worker.

    Ctrl-C reaches the whole process group and only the parent should turn it into
    ``KeyboardInterrupt`` (then terminate the pool); ``Pool.terminate`` sends SIGTERM, which must
    end the worker silently whatever handler the parent had installed.
    """
    import signal

    global _STATE, _CANCELLED
    _STATE, _CANCELLED = state, cancelled
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the parent while forking


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Hold SIGINT back from this thread (and the processes it forks) for the duration of the block."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _call(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    if is_cancelled():
        return None  # the pool is being stopped: nobody reads this result
    return fn(_STATE, item)


class WorkerPool(Generic[S]):
    """``workers`` processes that apply ``fn(state, batch)`` to batches, results in input order.

    Args:
        workers: processes, 1 to 256; 1 runs in the calling process, without a pool.
        state: passed as the first argument of every call (inherited by ``fork``, else pickled
            once per worker); ``fn`` must be a module-level function.
        ahead: most batches submitted and not yet yielded (default ``2 * workers``).
        warm: called once in this process before the workers are forked (with more than one
            worker), to build what every worker would otherwise build for itself: the lazily
            built code point tables, say, by running the stage on a tiny input.

    Use it as a context manager: leaving the block normally waits for the workers, leaving it by
    an exception (``KeyboardInterrupt`` included) terminates them at once.
    """

    def __init__(
        self, workers: int, state: S, *, ahead: int | None = None, warm: Callable[[], object] | None = None
    ) -> None:
        check_int("workers", workers, low=1, high=256)
        self.workers = workers
        self.state = state
        self.ahead = 2 * workers if ahead is None else ahead
        check_int("ahead", self.ahead, low=1)
        self._pool: Pool | None = None
        self._pending: deque[AsyncResult[Any]] = deque()
        self._cancelled: Any = None
        if workers > 1:
            if warm is not None:
                warm()
            ctx = pool_context()
            self._cancelled = ctx.Event()
            with _sigint_blocked():  # a Ctrl-C while forking waits for the parent; the workers ignore it
                self._pool = ctx.Pool(workers, initializer=_init_worker, initargs=(state, self._cancelled))

    def map(self, fn: Callable[[S, T], R], batches: Iterable[T]) -> Iterator[R]:
        """``fn(state, batch)`` for every batch, in input order; the input is read ``ahead`` batches early.

        An exception raised by ``fn`` in a worker is raised here, at its batch's turn.
        """
        if self._pool is None:
            for batch in batches:
                yield fn(self.state, batch)
            return
        pending: deque[AsyncResult[R]] = deque()
        self._pending = pending  # for close(): what is still in flight
        for batch in batches:
            pending.append(self._pool.apply_async(_call, (fn, batch)))
            if len(pending) >= self.ahead:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def close(self, *, failed: bool = False) -> None:
        """Wait for the workers; after a failure or an interrupt, stop them instead.

        Stopping first tells the workers to skip every batch they have not begun, waits up to
        :data:`DRAIN_S` seconds for the ones they are running, then terminates them. Terminating a
        worker while it writes a result leaves a partial message in the result pipe, on which
        ``multiprocessing.Pool.terminate`` then waits forever (its result thread drains the pipe):
        idle workers write nothing.
        """
        if self._pool is not None:
            if failed:
                self._cancelled.set()
                deadline = time.monotonic() + DRAIN_S
                for result in self._pending:
                    result.wait(max(0.0, deadline - time.monotonic()))
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None
            self._pending = deque()

    def __enter__(self) -> WorkerPool[S]:
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.close(failed=kind is not None)


def ordered_map(fn: Callable[[S, T], R], batches: Iterable[T], *, workers: int, state: S) -> Iterator[R]:
    """``fn(state, batch)`` over ``batches`` in a :class:`WorkerPool` made for this one stage."""
    with WorkerPool(workers, state) as pool:
        yield from pool.map(fn, batches)
