"""Peers for ``dedupe bench``: datasketch and rensa in this process, with our parameters.

Every peer gets the same pre-built shingles: the reference tokenizer's output
(:func:`dedupe.bench.quality.reference_shingles`: lower-cased ``\\w+`` word n-grams), made once by
:func:`tokenize` and timed once (the bench reports those seconds apart and adds them to each
peer's time from text). Each peer then does what a user of that library writes for
near-duplicate detection with our settings, each step timed:

* signatures with ``num_perm`` slots and ``seed``;
* an LSH index with our band plan (datasketch ``MinHashLSH(params=(num_bands, rows_per_band))``,
  rensa ``RMinHashLSH(threshold, num_perm, num_bands)``, which takes ``num_perm // num_bands`` rows
  per band), every document inserted, then every document queried;
* *verification*: a candidate pair is kept when the peer's own Jaccard estimate of the two
  signatures reaches ``threshold``;
* clusters: connected components of the kept pairs (:func:`dedupe.clusters.connected_components`
  for every side, so clustering code does not differ).

A peer that is not installed is reported as skipped with the command that installs it.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._typing import IntArray
from ..clusters import connected_components
from .quality import reference_shingles

__all__ = ["INSTALL", "PEERS", "PeerRun", "PeerSettings", "describe", "is_installed", "run_peer", "tokenize"]

#: Peer name -> command that installs it.
INSTALL: dict[str, str] = {
    "datasketch": "pip install 'datasketch>=2'",
    "rensa": "pip install 'rensa>=0.5'",
    "datatrove": "pip install 'datatrove>=0.10' spacy",
}
#: Peer name -> module that must be importable.
_MODULES = {"datasketch": "datasketch", "rensa": "rensa", "datatrove": "datatrove"}


def is_installed(name: str) -> bool:
    """True when the peer's module can be imported by this interpreter (without importing it)."""
    return importlib.util.find_spec(_MODULES[name]) is not None


@dataclass(frozen=True, slots=True)
class PeerSettings:
    """The parameters every side shares."""

    threshold: float
    num_perm: int
    ngram_size: int
    num_bands: int
    rows_per_band: int
    seed: int


@dataclass
class PeerRun:
    """What one peer did on the corpus, with seconds per step.

    Attributes:
        name: the peer.
        api: the calls timed, in words.
        stages: seconds of ``sign`` (of the pre-built shingles), ``lsh`` (insert + query) and
            ``verify+cluster``; tokenizing is not in them.
        labels: ``(n,)`` int64 cluster label of every document (equal labels: same cluster).
        candidates: distinct candidate pairs from the LSH queries.
        verified: candidate pairs kept by the peer's Jaccard estimate.
    """

    name: str
    api: str
    stages: dict[str, float]
    labels: IntArray
    candidates: int
    verified: int
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Seconds of every step after tokenizing."""
        return sum(self.stages.values())


def _finish(
    name: str,
    api: str,
    n: int,
    stages: dict[str, float],
    candidates: set[tuple[int, int]],
    similarity: Callable[[int, int], float],
    threshold: float,
) -> PeerRun:
    t = time.perf_counter()
    kept = [p for p in candidates if similarity(p[0], p[1]) >= threshold]
    pairs = np.array(kept, dtype=np.int64).reshape(-1, 2)
    labels = connected_components(pairs, n)
    stages["verify+cluster"] = time.perf_counter() - t
    return PeerRun(name, api, stages, labels, len(candidates), len(kept))


Tokens = Sequence[list[str]]


def tokenize(texts: Sequence[str], ngram_size: int) -> tuple[list[list[str]], float]:
    """The shingles every peer gets (:func:`reference_shingles` of each text) and the seconds they took."""
    t = time.perf_counter()
    tokens = [reference_shingles(text, ngram_size) for text in texts]
    return tokens, time.perf_counter() - t


def _run_datasketch(tokens: Tokens, s: PeerSettings) -> PeerRun:
    from datasketch import MinHash, MinHashLSH

    t = time.perf_counter()
    sets = [[g.encode("utf-8") for g in doc] for doc in tokens]  # datasketch hashes bytes
    minhashes = MinHash.bulk(sets, num_perm=s.num_perm, seed=s.seed)
    del sets
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=s.threshold, num_perm=s.num_perm, params=(s.num_bands, s.rows_per_band))
    with lsh.insertion_session() as session:
        for key, m in enumerate(minhashes):
            session.insert(key, m, check_duplication=False)
    candidates: set[tuple[int, int]] = set()
    for key, m in enumerate(minhashes):
        for other in lsh.query(m):
            if other != key:
                candidates.add((key, other) if key < other else (other, key))
    t2 = time.perf_counter()
    stages = {"sign": t1 - t, "lsh": t2 - t1}
    return _finish(
        "datasketch",
        f"MinHash.bulk + MinHashLSH(params=({s.num_bands}, {s.rows_per_band})) insert/query + MinHash.jaccard",
        len(tokens),
        stages,
        candidates,
        lambda i, j: float(minhashes[i].jaccard(minhashes[j])),
        s.threshold,
    )


def _run_rensa(tokens: Tokens, s: PeerSettings) -> PeerRun:
    # rensa's bulk calls use a rayon thread pool; every side gets one core (set before first use).
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    from rensa import RMinHash, RMinHashLSH

    # RMinHashLSH needs num_perm divisible by num_bands: give it exactly the banded slots then.
    num_perm = s.num_perm if s.num_perm % s.num_bands == 0 else s.num_bands * s.rows_per_band
    t = time.perf_counter()
    minhashes = RMinHash.from_token_sets(list(tokens), num_perm, s.seed)
    t1 = time.perf_counter()
    lsh = RMinHashLSH(s.threshold, num_perm, s.num_bands)
    lsh.insert_many(minhashes)
    candidates: set[tuple[int, int]] = set()
    for key, hits in enumerate(lsh.query_all(minhashes)):
        for other in hits:
            if other != key:
                candidates.add((key, other) if key < other else (other, key))
    t2 = time.perf_counter()
    stages = {"sign": t1 - t, "lsh": t2 - t1}
    run = _finish(
        "rensa",
        f"RMinHash.from_token_sets + RMinHashLSH(num_bands={s.num_bands}).insert_many/query_all + RMinHash.jaccard",
        len(tokens),
        stages,
        candidates,
        lambda i, j: float(minhashes[i].jaccard(minhashes[j])),
        s.threshold,
    )
    run.notes.append(f"RAYON_NUM_THREADS={os.environ.get('RAYON_NUM_THREADS')}")
    if num_perm != s.num_perm:
        run.notes.append(
            f"num_perm {num_perm}: RMinHashLSH needs num_perm divisible by num_bands ({s.num_bands}), "
            f"so rensa signs the {num_perm} slots that the {s.num_bands} x {s.rows_per_band} plan bands"
        )
    return run


PEERS: dict[str, Callable[[Tokens, PeerSettings], PeerRun]] = {
    "datasketch": _run_datasketch,
    "rensa": _run_rensa,
}


def run_peer(name: str, tokens: Tokens, settings: PeerSettings) -> PeerRun:
    """Run one in-process peer (``"datasketch"`` or ``"rensa"``) on pre-built shingles (:func:`tokenize`)."""
    return PEERS[name](tokens, settings)


def describe(run: PeerRun) -> dict[str, Any]:
    """JSON-ready summary of a run (labels left out)."""
    return {
        "name": run.name,
        "api": run.api,
        "seconds": run.seconds,
        "stages": run.stages,
        "candidates": run.candidates,
        "verified": run.verified,
        "notes": run.notes,
    }
