"""Start-up cost: ``import dedupe``, the Unicode tables, and the time to the first signed record.

Each figure comes from a fresh interpreter (``sys.executable``, same ``PYTHONPATH``), best of
``--repeat`` runs: the import alone, the import plus the tables the word shingler and the
normalizer use (code point classes, script classes, translation), and the import plus one
signature of a non-ASCII record (which needs the tables). Also times ``dedupe clean`` on ``seeds/``
(``--no-boilerplate``, the signing side) as a whole process. Exits 1 if import plus tables takes
``--floor`` seconds or more.

The probes run with bytecode caches, the state of an installed package (``pip install`` compiles
them; an editable install writes them on first import): ``PYTHONDONTWRITEBYTECODE`` is dropped from
the children's environment and one warm-up import writes the caches first. ``--no-bytecode`` times
the other case (every module compiled from source at each start), for information; the floor is
checked on the cached figure only.

Run: ``python benchmarks/startup.py [--repeat 5] [--floor 0.15] [--no-bytecode]``
"""

from __future__ import annotations

import argparse
import os
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


def _child_env(bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="dedupe-nopyc-")  # an empty cache: compile all
    return env


def _best(code: str, repeat: int, env: dict[str, str]) -> float:
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                 env=env).stdout)
            for _ in range(repeat)]
    return min(runs)


def _clean_wall(repeat: int, env: dict[str, str]) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "dedupe", "clean", str(SEEDS), "-o", f"{tmp}/out.jsonl", "--quiet",
                 "--no-boilerplate"],
                check=True, env=env,
            )
            best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--floor", type=float, default=0.15, help="limit for import + tables, in seconds")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="also time starts that compile every module from source (not checked)")
    args = parser.parse_args(argv)
    env = _child_env(bytecode=True)
    subprocess.run([sys.executable, "-c", "import dedupe.cli"], check=True, env=env)  # writes the caches
    figures = {name: _best(code, args.repeat, env) for name, code in _PROBES.items()}
    for name, value in figures.items():
        print(f"{name:>16}: {value * 1000:7.1f} ms (best of {args.repeat}, bytecode cached)")
    print(f"{'clean --no-bp':>16}: {_clean_wall(args.repeat, env) * 1000:7.1f} ms wall, whole process, seeds/")
    if args.no_bytecode:
        cold = _child_env(bytecode=False)
        for name, code in _PROBES.items():
            print(f"{name:>16}: {_best(code, args.repeat, cold) * 1000:7.1f} ms (best of {args.repeat}, "
                  "no bytecode: compiled from source)")
    if figures["import + tables"] >= args.floor:
        print(f"FAIL: import + tables {figures['import + tables']:.3f} s >= {args.floor} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
