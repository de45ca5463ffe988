"""Peak memory of ``MinHasher.signatures`` on a stream of ~100 MB of text.

Documents are generated one at a time (a generator, so the corpus is never held as a list); the
signatures of all of them are computed in one call. Reports the peak RSS of this process (it must
stay under 1 GB) and the size of the result.

Run: ``python benchmarks/memory_signatures.py [--mb 100]``
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe import MinHasher
from dedupe.bench.corpus import generate_document


def stream(total_mb: float, seed: int = 3) -> Iterator[str]:
    rng = random.Random(seed)
    pool = [generate_document(rng) for _ in range(200)]  # reused with a per-document prefix
    produced = 0
    i = 0
    while produced < total_mb * 1e6:
        text = f"document {i} " + pool[i % len(pool)]
        produced += len(text.encode("utf-8"))
        i += 1
        yield text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=100.0)
    args = parser.parse_args(argv)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    sigs = MinHasher().signatures(stream(args.mb))
    secs = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.mb:.0f} MB of text, {len(sigs):,} documents in {secs:.1f} s; signatures {sigs.nbytes / 1e6:.1f} MB; "
          f"peak RSS {peak:.0f} MB (before: {before:.0f} MB); limit 1024 MB: {'OK' if peak < 1024 else 'OVER'}")
    return 0 if peak < 1024 else 1


if __name__ == "__main__":
    raise SystemExit(main())
