"""The worker pool: input order, bounded read-ahead, errors; and output independent of --workers."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.config import BATCH_SIZE as BATCH_RECORDS
from dedupe.errors import ConfigError
from dedupe.parallel import MAX_DEFAULT_WORKERS, WorkerPool, default_workers, ordered_map
from dedupe.pipeline import deduplicate


def _square_after_delay(scale: int, batch: tuple[int, float]) -> tuple[int, int]:
    value, delay = batch
    time.sleep(delay)  # later batches finish first: the pool must still yield in input order
    return value, value * value * scale


def _fail_on(bad: int, value: int) -> int:
    if value == bad:
        raise ValueError(f"batch {value} is bad")
    return value


def _pid(_: None, value: int) -> int:
    return os.getpid()


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_input_order(workers: int) -> None:
    rng = random.Random(workers)
    batches = [(i, rng.choice([0.0, 0.0, 0.01, 0.03])) for i in range(40)]
    out = list(ordered_map(_square_after_delay, batches, workers=workers, state=3))
    assert out == [(i, 3 * i * i) for i in range(40)]


def test_input_is_read_at_most_ahead_batches_early() -> None:
    consumed: list[int] = []
    in_flight: list[int] = []

    def source() -> object:
        for i in range(30):
            consumed.append(i)
            yield (i, 0.0)

    with WorkerPool(2, 1, ahead=3) as pool:
        for k, (value, _) in enumerate(pool.map(_square_after_delay, source())):
            assert value == k
            in_flight.append(len(consumed) - k)
    assert max(in_flight) <= 3  # never more than `ahead` batches read and not yet yielded
    assert len(consumed) == 30


def test_a_worker_error_is_raised_at_its_batch() -> None:
    seen: list[int] = []
    with pytest.raises(ValueError, match="batch 7 is bad"), WorkerPool(2, 7) as pool:
        for value in pool.map(_fail_on, range(20)):
            seen.append(value)
    assert seen == list(range(7))
    assert pool._pool is None  # terminated and joined


_STOP_WHILE_WRITING = """
from dedupe.parallel import WorkerPool
def big(n, value):
    return b"x" * n  # a large result: a worker spends a while writing it into the pipe
for rep in range(3):
    try:
        with WorkerPool(2, 32 << 20, ahead=6) as pool:
            for k, _ in enumerate(pool.map(big, range(40))):
                if k == 1:
                    raise RuntimeError("stop")
    except RuntimeError:
        pass
print("stopped")
"""


def test_stopping_while_workers_write_results_does_not_hang() -> None:
    # Pool.terminate on a worker that is writing a result leaves a partial message that the pool's
    # result thread waits on forever (Ctrl-C hung `dedupe clean --workers 2` that way). The pool
    # now skips the batches not begun, lets the running ones end, and terminates idle workers.
    # Before the fix this script hung on its first try; run it in a child so a hang fails the test.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    done = subprocess.run([sys.executable, "-c", _STOP_WHILE_WRITING], capture_output=True, text=True, env=env,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == "stopped", done.stderr


def _note_and_sleep(folder: str, value: int) -> int:
    Path(folder, str(value)).touch()  # this batch was begun
    time.sleep(0.2)
    return value


def test_stopping_skips_the_batches_not_begun(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="stop"), WorkerPool(2, str(tmp_path), ahead=12) as pool:
        for value in pool.map(_note_and_sleep, range(40)):
            if value == 1:
                raise RuntimeError("stop")
    assert pool._pool is None
    time.sleep(0.5)  # a worker that was not stopped would go on beginning queued batches
    begun = len(list(tmp_path.iterdir()))
    assert begun < 12, f"{begun} batches begun: the queued ones were not skipped"


def test_one_worker_runs_in_this_process() -> None:
    assert set(ordered_map(_pid, range(5), workers=1, state=None)) == {os.getpid()}
    assert os.getpid() not in set(ordered_map(_pid, range(8), workers=2, state=None))


def test_bad_worker_counts() -> None:
    for bad in (0, 257):
        with pytest.raises(ConfigError, match="workers"):
            WorkerPool(bad, None)
    for wrong in (True, 1.5):
        with pytest.raises(TypeError, match="workers must be an int"):
            WorkerPool(wrong, None)  # type: ignore[arg-type]
    assert 1 <= default_workers() <= MAX_DEFAULT_WORKERS
    assert default_workers() <= len(os.sched_getaffinity(0))


def _corpus(path: Path, n: int) -> None:
    """``n`` records over several batches: exact and near duplicates far apart, shared site footers."""
    rng = random.Random(14)
    words = [f"w{i}" for i in range(400)]
    bodies = [" ".join(rng.choice(words) for _ in range(100)) for _ in range(n // 3)]
    lines = []
    for i in range(n):
        body = bodies[rng.randrange(len(bodies))]
        if rng.random() < 0.2:  # a near copy: one word changed
            parts = body.split()
            parts[rng.randrange(len(parts))] = "changed"
            body = " ".join(parts)
        site = f"site{i % 7}"
        text = f"Home | News | {site}\n{body}\nCopyright {site} all rights reserved\n"
        lines.append(f'{{"id": "r{i}", "site": "{site}", "text": "{text.encode("unicode_escape").decode()}"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_output_is_byte_identical_whatever_the_workers(tmp_path: Path) -> None:
    n = 3 * BATCH_RECORDS + 123  # four read batches, so an ordering bug between batches shows
    src = tmp_path / "in.jsonl"
    _corpus(src, n)
    outputs = []
    for workers in (1, 2, 3):
        result = deduplicate(src, id_field="id", group_field="site", workers=workers)
        out = tmp_path / f"out{workers}.jsonl"
        result.write(out)
        dups = tmp_path / f"dups{workers}.jsonl"
        result.write_duplicates(dups)
        outputs.append((out.read_bytes(), dups.read_bytes(), result.summary()))
    counts = result.counts()
    assert counts["exact"] > 100 and counts["near"] > 100 and counts["kept"] > BATCH_RECORDS  # a real workload
    assert int(result.boilerplate_spans.sum()) > n // 2
    assert outputs[0] == outputs[1] == outputs[2]


def _pages(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    menus = [f"Home | Section {k} | Contact" for k in range(5)]
    words = [f"word{i}" for i in range(300)]
    texts, groups = [], []
    for _ in range(n):
        site = f"s{rng.randrange(6)}.com"
        body = "\n".join(" ".join(rng.choices(words, k=rng.randrange(3, 15))) for _ in range(rng.randrange(1, 6)))
        texts.append(f"{rng.choice(menus)}\n{body}\nShare this\nCopyright {site} {rng.randrange(1990, 2030)}\n")
        groups.append(site)
    return texts, groups


@pytest.mark.parametrize("near", [None, 0.7])
def test_pooled_boilerplate_equals_updates_and_finds_in_order(near: float | None) -> None:
    from dedupe.boilerplate import BoilerplateModel
    from dedupe.boilerplate.pooled import count_in_pool, find_in_pool

    texts, groups = _pages(900, 5)
    batches = [(texts[lo : lo + 64], groups[lo : lo + 64]) for lo in range(0, len(texts), 64)]
    sequential = BoilerplateModel(near_threshold=near)
    for batch_texts, batch_groups in batches:
        sequential.update(batch_texts, groups=batch_groups)
    expected = [sequential.find_removals(t, groups=g) for t, g in batches]
    for workers in (1, 2):
        pooled = BoilerplateModel(near_threshold=near)
        assert sum(count_in_pool(pooled, iter(batches), workers=workers)) == len(texts)
        assert {k: v.tolist() for k, v in pooled._arrays().items()} == {
            k: v.tolist() for k, v in sequential._arrays().items()
        }
        found = list(find_in_pool(pooled, iter(batches), workers=workers))
        assert [spans for spans, _ in found] == [spans for spans, _ in expected]
        for (_, got), (_, want) in zip(found, expected, strict=True):
            assert all(a.tolist() == b.tolist() for a, b in zip(got, want, strict=True))
    assert sum(len(s) for spans, _ in expected for s in spans) > len(texts)  # menus and footers were found


def test_warm_runs_once_here_before_forking() -> None:
    calls: list[int] = []
    with WorkerPool(2, None, warm=lambda: calls.append(os.getpid())) as pool:
        assert calls == [os.getpid()]
        assert len(list(pool.map(_pid, range(4)))) == 4
    with WorkerPool(1, None, warm=lambda: calls.append(0)):
        pass
    assert calls == [os.getpid()]  # one worker runs here: nothing to share


@given(st.lists(st.integers(0, 50), max_size=60), st.integers(1, 7), st.integers(1, 120))
def test_batches_keep_order_and_both_caps(sizes: list[int], max_items: int, max_bytes: int) -> None:
    from dedupe.parallel import batched

    out = list(batched(sizes, max_items=max_items, max_bytes=max_bytes, size=lambda n: n))
    assert [n for b in out for n in b] == sizes  # nothing lost, nothing reordered
    for b in out:
        assert 1 <= len(b) <= max_items
        assert sum(b) <= max_bytes or len(b) == 1  # only a lone oversized item goes over
    for a, b in pairwise(out):  # a batch was cut only when the next item did not fit
        assert len(a) == max_items or sum(a) + b[0] > max_bytes
