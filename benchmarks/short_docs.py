"""Signatures of short documents, text in: dedupe vs datasketch and rensa, one process, one core.

Reuters stories (``../shared/data/reuters-dev.jsonl.gz``, field ``text``, ~0.8 KB each) are cut into
batches of ``--batch`` (800) documents; each side turns every batch of texts into 128-slot
signatures, tokenizing inside its timing:

* dedupe: ``MinHasher(num_perm=128).signatures(batch)`` (normalized word 5-grams).
* datasketch: ``MinHash.bulk(shingle sets, num_perm=128)``, the shingles made in the timing by the
  peers' tokenizer (lower-cased ``\\w+`` words, 5-grams joined by spaces, UTF-8 encoded).
* rensa: ``RMinHash.from_token_sets(shingle lists, 128, seed)``, the same tokenizer.

Every side runs all batches once per round; the figure is the best of ``--rounds`` (5) rounds, the
sides interleaved round by round. Threads are pinned to 1 (OMP, OpenBLAS, MKL, rayon) before numpy
or rensa load. Exits 1 when dedupe is below ``--floor-datasketch`` (15x) or ``--floor-rensa`` (4x).

Run: ``python benchmarks/short_docs.py [--docs 4000] [--batch 800] [--rounds 5] [--join 1]``
(``--join 10`` joins ten stories per document: ~8 KB documents, for comparison).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "reuters-dev.jsonl.gz"
NUM_PERM = 128
NGRAM = 5
_WORD = re.compile(r"\w+")


def load_texts(path: Path, limit: int) -> list[str]:
    """The first ``limit`` non-empty ``text`` fields of a JSONL.gz file."""
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            if text.strip():
                texts.append(text)
                if len(texts) == limit:
                    break
    return texts


def peer_shingles(text: str) -> list[str]:
    """The peers' tokenizer: lower-cased ``\\w+`` word 5-grams joined by spaces (one shingle if fewer)."""
    words = _WORD.findall(text.lower())
    if len(words) < NGRAM:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def _sides() -> dict[str, Callable[[Sequence[str]], object]]:
    from datasketch import MinHash
    from rensa import RMinHash

    from dedupe import MinHasher

    hasher = MinHasher(num_perm=NUM_PERM, seed=1)
    return {
        "dedupe": hasher.signatures,
        "datasketch": lambda batch: MinHash.bulk(
            [[s.encode("utf-8") for s in peer_shingles(t)] for t in batch], num_perm=NUM_PERM, seed=1
        ),
        "rensa": lambda batch: RMinHash.from_token_sets([peer_shingles(t) for t in batch], NUM_PERM, 1),
    }


def measure(texts: list[str], batch: int, rounds: int) -> dict[str, float]:
    """Best-of-``rounds`` seconds per side to sign every batch of ``texts``."""
    batches = [texts[i : i + batch] for i in range(0, len(texts), batch)]
    sides = _sides()
    for fn in sides.values():  # warm-up: tables, caches, lazy imports
        fn(batches[0])
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(rounds):
        for name, fn in sides.items():
            t = time.perf_counter()
            for b in batches:
                fn(b)
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--join", type=int, default=1, help="stories per document (10: ~8 KB documents)")
    parser.add_argument("--floor-datasketch", type=float, default=15.0)
    parser.add_argument("--floor-rensa", type=float, default=4.0)
    args = parser.parse_args(argv)
    texts = load_texts(args.data, args.docs * args.join)
    texts = [" ".join(texts[i : i + args.join]) for i in range(0, len(texts), args.join)]
    mean_kb = sum(len(t.encode("utf-8")) for t in texts) / len(texts) / 1000
    best = measure(texts, args.batch, args.rounds)
    print(f"{len(texts)} documents of {args.join} Reuters stories ({mean_kb:.2f} KB mean), batches of {args.batch}, "
          f"num_perm {NUM_PERM}, best of {args.rounds}, one thread")
    for name, seconds in best.items():
        print(f"{name:>10}: {seconds * 1000:8.1f} ms  {len(texts) / seconds:9.0f} docs/s  "
              f"dedupe is {seconds / best['dedupe']:5.2f}x")
    ratios = {"datasketch": best["datasketch"] / best["dedupe"], "rensa": best["rensa"] / best["dedupe"]}
    floors = {"datasketch": args.floor_datasketch, "rensa": args.floor_rensa}
    below = [f"{name} {ratios[name]:.2f}x < {floors[name]}x" for name in ratios if ratios[name] < floors[name]]
    if below:
        print("FAIL: " + "; ".join(below))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
