"""Workers that write their batches straight into one output file, in batch order.

Sending every encoded batch back to the parent costs the parent a copy per pipe end, an unpickle
and a write for each byte of output (0.3 s of its time for the 190 MB of the 70,000-record
benchmark at two workers, while the workers wait on nothing). Instead each worker, once its batch
is encoded, takes its turn (:class:`Turns`: batch ``i`` waits until batch ``i - 1`` has taken
its place), is given the offset where its bytes go, and writes them there itself (``pwrite``) to
the file descriptor it inherited by ``fork``. Only taking the turn is ordered; the writes run side
by side. The file holds exactly the bytes the parent would have appended, in the same order.

A batch that fails gives its turn up (:meth:`Turns.give_up`): the batches after it are not
written, the ones before it still are (they may be encoded later than it), and the parent raises
the failure at its turn. A pool being stopped stops the waiting too.
"""

from __future__ import annotations

import os
from multiprocessing.context import BaseContext
from typing import Any

from .parallel import is_cancelled

__all__ = ["Turns", "can_write_in_workers", "write_at"]

#: How long a worker waits for its turn between checks that the pool is not being stopped.
_POLL_S = 0.05

#: ``Turns``' "first batch that gave up" while none has.
_NONE_FAILED = 2**62


def can_write_in_workers(ctx: BaseContext) -> bool:
    """Whether workers started by ``ctx`` can write into the parent's open file (``fork`` and ``pwrite``)."""
    return ctx.get_start_method() == "fork" and hasattr(os, "pwrite")


class Turns:
    """The order in which batches take their place in one output file, shared by forked workers.

    Batch ``i`` (numbered from 0 in output order) calls :meth:`take` with its size once it is
    encoded: the call returns once batches ``0 .. i - 1`` have taken theirs, with the offset at
    which batch ``i`` is written; :attr:`size` is then the file's size so far.
    """

    def __init__(self, ctx: BaseContext) -> None:
        self._cond: Any = ctx.Condition()
        self._state: Any = ctx.Array("q", 3, lock=False)  # next batch, next offset, first that gave up
        self._state[2] = _NONE_FAILED

    def take(self, index: int, size: int) -> int | None:
        """Batch ``index``'s offset for its ``size`` bytes, or ``None`` if it or an earlier batch
        gave up or the pool is being stopped (then nothing may be written)."""
        with self._cond:
            while self._state[0] != index:
                if self._state[2] <= index or is_cancelled():
                    return None
                self._cond.wait(_POLL_S)
            if self._state[2] <= index:
                return None
            offset = int(self._state[1])
            self._state[0] = index + 1
            self._state[1] = offset + size
            self._cond.notify_all()
            return offset

    def give_up(self, index: int) -> None:
        """Batch ``index`` failed: no later batch takes a turn; the earlier ones still do."""
        with self._cond:
            self._state[2] = min(int(self._state[2]), index)
            self._cond.notify_all()

    @property
    def size(self) -> int:
        """Bytes given out so far: the file's size once every batch has written."""
        return int(self._state[1])

    @property
    def taken(self) -> int:
        """Batches that have taken their turn."""
        return int(self._state[0])


def write_at(fd: int, data: bytes, offset: int) -> None:
    """Write all of ``data`` to ``fd`` at ``offset`` (``pwrite`` may write less than asked)."""
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n
