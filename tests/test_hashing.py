"""Tests of dedupe.hashing: the mixers against published values and the plain-Python twins."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dedupe._reference import _fmix64, _seed_key
from dedupe.hashing import BASE, MASK64, fmix64, fmix64_inplace, fmix64_int, seed_key, splitmix64_int

u64 = st.integers(min_value=0, max_value=MASK64)


def test_splitmix64_matches_the_published_sequence() -> None:
    """SplitMix64 seeded with 0 (Vigna's splitmix64.c) starts e220a8397b1dcdaf, 6e789e6aa1b965f4, 06c45d188009454f."""
    states = [(k * BASE) & MASK64 for k in range(3)]  # output k is the output function of state k * gamma
    assert [splitmix64_int(s) for s in states] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


@given(st.lists(u64, max_size=50))
def test_fmix64_forms_agree_with_the_reference(values: list[int]) -> None:
    expected = [_fmix64(v) for v in values]
    array = np.array(values, dtype=np.uint64)
    assert fmix64(array).tolist() == expected
    assert array.tolist() == values  # fmix64 leaves its input alone
    assert [fmix64_int(v) for v in values] == expected
    inplace = array.copy()
    assert fmix64_inplace(inplace) is inplace
    assert inplace.tolist() == expected


def test_fmix64_is_a_bijection_on_a_sample() -> None:
    values = np.arange(100_000, dtype=np.uint64) << np.uint64(40)
    assert np.unique(fmix64(values)).shape[0] == values.shape[0]


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=16))
def test_seed_key_matches_the_reference(seed: int, salt: int) -> None:
    assert seed_key(seed, salt) == _seed_key(seed, salt)
