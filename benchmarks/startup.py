"""Start-up cost: ``import dedupe``, the Unicode tables, and the time to the first signed record.

Each figure comes from a fresh interpreter (``sys.executable``, same ``PYTHONPATH``), best of
``--repeat`` runs: the import alone, the import plus the tables the word shingler and the
normalizer use (code point classes, script classes, translation), and the import plus one
signature of a non-ASCII record (which needs the tables). Also times ``dedupe clean`` on ``seeds/``
(``--no-boilerplate``, the signing side) as a whole process. Exits 1 if import plus tables takes
``--floor`` seconds or more.

Run: ``python benchmarks/startup.py [--repeat 5] [--floor 0.15]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

_IMPORT = "import time; t = time.perf_counter(); import dedupe; "
_PROBES = {
    "import": _IMPORT + "print(time.perf_counter() - t)",
    "import + tables": _IMPORT
    + "from dedupe import normalize, scripts; normalize.char_classes(); scripts.script_classes(); "
    "normalize.normalize_text('Caf\\u00e9\\u2019s \\u2014 \\u00bd'); print(time.perf_counter() - t)",
    "first record": _IMPORT
    + "dedupe.MinHasher().signatures(['Caf\\u00e9 \\u00e0 Z\\u00fcrich, \\u6771\\u4eac \\u2014 3 km']); "
    "print(time.perf_counter() - t)",
}


def _best(code: str, repeat: int) -> float:
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
            for _ in range(repeat)]
    return min(runs)


def _clean_wall(repeat: int) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "dedupe", "clean", str(SEEDS), "-o", f"{tmp}/out.jsonl", "--quiet",
                 "--no-boilerplate"],
                check=True,
            )
            best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--floor", type=float, default=0.15, help="limit for import + tables, in seconds")
    args = parser.parse_args(argv)
    figures = {name: _best(code, args.repeat) for name, code in _PROBES.items()}
    for name, value in figures.items():
        print(f"{name:>16}: {value * 1000:7.1f} ms (best of {args.repeat})")
    print(f"{'clean --no-bp':>16}: {_clean_wall(args.repeat) * 1000:7.1f} ms wall, whole process, seeds/")
    if figures["import + tables"] >= args.floor:
        print(f"FAIL: import + tables {figures['import + tables']:.3f} s >= {args.floor} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
