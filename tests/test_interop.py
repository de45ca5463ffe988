from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from dedupe.errors import ConfigError, IncompatibleSignaturesError
from dedupe.interop import DATASKETCH_SCHEME, datasketch_seed, from_datasketch, to_datasketch
from dedupe.minhash import MinHasher

TEXTS = [
    "the quick brown fox jumps over the lazy dog and runs into the forest at night",
    "the quick brown fox jumps over the lazy dog and runs into the forest at dawn",
    "completely different words about a court case and revenue sharing deals",
]


def test_round_trip_and_jaccard_agree() -> None:
    hasher = MinHasher()
    sigs = hasher.signatures(TEXTS)
    sketches = to_datasketch(sigs)
    assert all(isinstance(s, LeanMinHash) and s.scheme == DATASKETCH_SCHEME for s in sketches)
    assert sketches[0].jaccard(sketches[1]) == pytest.approx(hasher.jaccard(sigs[0], sigs[1]))
    back = from_datasketch(sketches[1], hasher.config)
    assert np.array_equal(back, sigs[1]) and back.config == hasher.config
    single = to_datasketch(sigs[2])
    assert isinstance(single, LeanMinHash) and single.seed == datasketch_seed(hasher.config)


def test_exported_sketches_work_in_datasketch_lsh() -> None:
    sketches = to_datasketch(MinHasher().signatures(TEXTS))
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for i, s in enumerate(sketches):
        lsh.insert(str(i), s)
    assert set(lsh.query(sketches[0])) == {"0", "1"}


def test_native_datasketch_sketch_cannot_cross_over() -> None:
    native = MinHash(num_perm=128)
    native.update_batch([w.encode() for w in TEXTS[0].split()])
    with pytest.raises(IncompatibleSignaturesError, match="was not exported from dedupe"):
        from_datasketch(native, MinHasher().config)
    with pytest.raises(ValueError, match="different seeds"):
        to_datasketch(MinHasher().signatures(TEXTS))[0].jaccard(native)


def test_other_config_is_refused() -> None:
    sketch = to_datasketch(MinHasher(seed=1).signatures(TEXTS[:1]))[0]
    with pytest.raises(IncompatibleSignaturesError):
        from_datasketch(sketch, MinHasher(seed=2).config)


def test_plain_array_needs_config() -> None:
    plain = np.asarray(MinHasher().signatures(TEXTS))
    with pytest.raises(ConfigError, match="pass config"):
        to_datasketch(plain)
    assert len(to_datasketch(plain, MinHasher().config)) == 3
    with pytest.raises(TypeError):
        from_datasketch("not a sketch", MinHasher().config)
