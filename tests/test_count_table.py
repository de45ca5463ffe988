"""CountTable against a dict of counts: adds in any batches, merges, saturation, lookups, pruning."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.boilerplate.counts import CountTable, count_distinct, count_rows

MAX = 2**32 - 1

#: Batches of (key, count): few distinct keys so batches overlap; counts up to past saturation.
batches = st.lists(
    st.dictionaries(st.integers(0, 40), st.one_of(st.integers(1, 5), st.just(MAX - 3), st.just(2**40)), max_size=30),
    max_size=12,
)


def add(table: CountTable, batch: dict[int, int]) -> None:
    keys = np.array(sorted(batch), dtype=np.uint64)
    table.add(keys, np.array([batch[k] for k in sorted(batch)], dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(batches, st.integers(0, 12), st.data())
def test_count_table_matches_a_dict(parts: list[dict[int, int]], every: int, data: st.DataObject) -> None:
    """Whatever the batches and when they are merged, the table holds the dict's sums, saturated."""
    table, expected = CountTable.empty(), Counter[int]()
    for i, batch in enumerate(parts):
        add(table, batch)
        expected.update(batch)
        if every and i % every == 0:
            table.consolidate()  # merged at arbitrary points, not only when the runs grow
    probe = np.array(data.draw(st.lists(st.integers(0, 50), max_size=20)), dtype=np.uint64)
    want = [min(expected.get(int(k), 0), MAX) for k in probe]
    assert table.lookup(probe).tolist() == want  # reads the pending runs too
    assert table.contains(probe).tolist() == [int(k) in expected for k in probe]
    table.consolidate()
    assert table.keys.tolist() == sorted(expected)
    assert table.counts.tolist() == [min(expected[k], MAX) for k in sorted(expected)]
    assert table.counts.dtype == np.uint32 and table.keys.dtype == np.uint64 and not table.runs


def test_consolidate_leaves_the_callers_arrays_alone() -> None:
    keys, counts = np.array([1, 5, 9], dtype=np.uint64), np.array([1, 1, 1], dtype=np.int64)
    table = CountTable.from_counts(keys, counts)
    shared = table.counts
    table.add(np.array([5, 7], dtype=np.uint64), np.array([2, 3], dtype=np.int64))
    table.consolidate()
    assert table.keys.tolist() == [1, 5, 7, 9] and table.counts.tolist() == [1, 3, 3, 1]
    assert keys.tolist() == [1, 5, 9] and shared.tolist() == [1, 1, 1]


def test_large_merge_matches_a_sort_of_everything() -> None:
    """Many overlapping batches of random 64-bit keys: the merged table is np.unique's sums."""
    rng = np.random.default_rng(3)
    table = CountTable.empty()
    all_keys, all_counts = [], []
    pool = rng.integers(0, 2**64, size=50_000, dtype=np.uint64)
    for _ in range(40):
        keys = np.unique(rng.choice(pool, size=8_000))
        counts = rng.integers(1, 100, size=len(keys))
        table.add(keys, counts)
        all_keys.append(keys)
        all_counts.append(counts)
    keys, inverse = np.unique(np.concatenate(all_keys), return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=np.concatenate(all_counts)).astype(np.int64)
    table.consolidate()
    assert np.array_equal(table.keys, keys) and np.array_equal(table.counts, sums)



@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 3)), max_size=80))
def test_count_rows_and_count_distinct_match_a_counter(rows_: list[tuple[int, int]]) -> None:
    """Per row, the rows sharing its key; per distinct key, its distinct owners: against Counter and sets."""
    keys = np.array([k for k, _ in rows_], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    owners = np.array([o for _, o in rows_], dtype=np.int64)
    seen = Counter(keys.tolist())
    per_row = count_rows(keys)
    assert per_row.dtype == np.int64 and per_row.tolist() == [seen[k] for k in keys.tolist()]
    holders: dict[int, set[int]] = {}
    for k, o in zip(keys.tolist(), owners.tolist(), strict=True):
        holders.setdefault(k, set()).add(o)
    uniq, counts = count_distinct(keys, owners)
    assert uniq.tolist() == sorted(holders) and counts.tolist() == [len(holders[k]) for k in sorted(holders)]
