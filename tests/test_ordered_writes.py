"""Workers that write their own batches into the output, in batch order (dedupe._ordered_writes)."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

import dedupe._write_pass as write_pass
from dedupe._ordered_writes import Turns, can_write_in_workers, write_at
from dedupe.pipeline import deduplicate

FORK_AND_PWRITE = "fork" in multiprocessing.get_all_start_methods() and hasattr(os, "pwrite")
needs_fork = pytest.mark.skipif(
    not FORK_AND_PWRITE,
    reason="workers write into the output only where they are forked and have pwrite",
)


def _take_and_write(turns: Turns, fd: int, index: int, data: bytes, delay: float, offsets: Any) -> None:
    time.sleep(delay)  # batches arrive at their turn in any order
    offset = turns.take(index, len(data))
    offsets[index] = -1 if offset is None else offset
    if offset is not None:
        write_at(fd, data, offset)


@needs_fork
def test_batches_arriving_in_any_order_land_in_batch_order(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    assert can_write_in_workers(ctx)
    rng = random.Random(3)
    chunks = [bytes([65 + i]) * rng.randrange(0, 5000) for i in range(12)]  # one is likely empty
    chunks[4] = b""
    turns = Turns(ctx)
    offsets = ctx.Array("q", len(chunks))
    path = tmp_path / "out"
    with path.open("wb") as out:
        procs = [ctx.Process(target=_take_and_write, args=(turns, out.fileno(), i, chunk, rng.random() * 0.2, offsets))
                 for i, chunk in enumerate(chunks)]  # fmt: skip
        for proc in reversed(procs):  # the last batches start first
            proc.start()
        for proc in procs:
            proc.join(10)
            assert proc.exitcode == 0
    ends = [sum(map(len, chunks[: i + 1])) for i in range(len(chunks))]
    assert list(offsets) == [0, *ends[:-1]]
    assert turns.taken == len(chunks) and turns.size == ends[-1]
    assert path.read_bytes() == b"".join(chunks)


@needs_fork
@pytest.mark.parametrize("failed", [1, 2])
def test_a_batch_that_gives_up_stops_only_the_later_ones(tmp_path: Path, failed: int) -> None:
    """Batch ``failed`` gives up while the later ones wait for their turn: they write nothing. An
    earlier batch that is encoded after the failure (batch 1, when batch 2 fails) still takes its place."""
    ctx = multiprocessing.get_context("fork")
    turns = Turns(ctx)
    offsets = ctx.Array("q", 4)
    path = tmp_path / "out"
    with path.open("wb") as out:
        assert turns.take(0, 3) == 0
        write_at(out.fileno(), b"abc", 0)
        late = [ctx.Process(target=_take_and_write, args=(turns, out.fileno(), i, b"zz", 0.0, offsets))
                for i in range(failed + 1, 4)]  # fmt: skip
        for proc in late:
            proc.start()
        time.sleep(0.2)  # the later batches wait for their turn ...
        turns.give_up(failed)  # ... and batch `failed` fails
        for proc in late:
            proc.join(10)
            assert proc.exitcode == 0
        if failed == 2:
            assert turns.take(1, 2) == 3
            write_at(out.fileno(), b"de", 3)
    assert list(offsets)[failed + 1 :] == [-1] * (3 - failed)
    assert turns.take(failed, 2) is None and turns.take(4, 1) is None
    assert path.read_bytes() == (b"abc" if failed == 1 else b"abcde")


def test_write_at_writes_everything_at_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    with path.open("r+b") as f:
        write_at(f.fileno(), b"abc", 4)
    assert path.read_bytes() == b"0123abc789"


def _corpus(tmp_path: Path) -> Path:
    rng = random.Random(8)
    recs = [{"id": f"r{i}", "text": " ".join(f"d{i}w{rng.randrange(300)}" for _ in range(80))} for i in range(90)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_a_batch_failing_in_the_middle_raises_and_writes_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """At two workers a batch fails after others have written, and before the batch ahead of it
    has taken its turn: its error (not the batch ahead's) reaches the caller, the later batches
    stop waiting, and no output file (or temporary file) is left."""
    path = _corpus(tmp_path)
    result = deduplicate(path, id_field="id", workers=2, batch_size=7, remove_boilerplate=False)
    encoded = write_pass._encoded

    def failing(writer: Any, item: Any) -> tuple[int, bytes]:
        count, data = encoded(writer, item)
        ids = {rec.id for rec in write_pass.records_of(item, writer.reader)}
        if "r50" in ids:
            raise ValueError("batch with r50 failed")
        if "r45" in ids:  # the batch ahead of r50's finishes after r50's has failed
            time.sleep(0.5)
        return count, data

    monkeypatch.setattr(write_pass, "_encoded", failing)  # the forked workers inherit it
    out = tmp_path / "out" / f"kept.jsonl{suffix}"
    out.parent.mkdir()
    started = time.monotonic()
    with pytest.raises(ValueError, match="r50"):
        result.write(out)
    assert time.monotonic() - started < 30  # nobody waits forever for the failed batch's turn
    assert list(out.parent.iterdir()) == []
    monkeypatch.setattr(write_pass, "_encoded", encoded)
    received: list[bytes | None] = []
    append = write_pass.append_chunks

    def spying(chunks: Any, out: Any, *, compression: Any) -> int:
        return append(((n, received.append(data) or data) for n, data in chunks), out, compression=compression)

    monkeypatch.setattr(write_pass, "append_chunks", spying)
    assert result.write(out) == 90  # the same result writes once nothing fails
    assert len(received) == 13
    if FORK_AND_PWRITE:
        assert received == [None] * 13  # every batch was written by its worker, none by this process
    assert [json.loads(line)["id"] for line in _read(out)] == [f"r{i}" for i in range(90)]


def _read(path: Path) -> list[str]:
    import gzip

    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8").splitlines()
