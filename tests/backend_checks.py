"""Comparison shared by the backend test modules: two DuplicateResults, byte for byte."""

from __future__ import annotations

from dedupe.duplicates import DuplicateResult

FIELDS = ("labels", "kind", "similarity", "pairs", "pair_similarity", "pair_kind")


def assert_same_result(got: DuplicateResult, expected: DuplicateResult) -> None:
    for name in FIELDS:
        a, b = getattr(got, name), getattr(expected, name)
        assert a.dtype == b.dtype, f"{name}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{name}: shape {a.shape} != {b.shape}"
        assert a.tobytes() == b.tobytes(), f"{name} differs"
    assert got.threshold == expected.threshold
