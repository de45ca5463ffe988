"""Peak memory of one huge record: ``--mb`` (75) MB of short lines, ``"ab NN\\n"`` (6 bytes each,
lowercase without a full stop: they join into one hard-wrapped unit) or, with ``--shape units``,
``"Ab NN.\\n"`` (7 bytes, each line a unit of its own: the worst case for boilerplate's per-unit state),
or with ``--shape tiny`` ``"A.\\n"`` (3 bytes, each a unit: the shortest units a text can hold), or
with ``--shape budget`` ``"Subscribe now, it NN.\\n"`` (22 bytes, each a unit: just over the 21
characters a unit with which a text of many units is still searched for boilerplate).

Each figure comes from a fresh interpreter that builds the record, reads its RSS, runs one step and
reports how far the peak RSS rose above it, less what the same step adds for a record of 1 KB of the
same shape (the fixed cost of a run: modules and tables loaded on first use, the pool), in record
sizes: ``sign`` is ``MinHasher().signatures_and_digests([record])`` (the signing of ``dedupe clean
--no-boilerplate``); with ``--clean`` also :func:`dedupe.deduplicate` on the one record without and
with boilerplate (``max_chars`` raised; the CLI refuses records over 50 M characters). Exits 1 if
any step adds more than ``--limit`` (10) record sizes and more than ``--floor-mb`` (20 MB:
boilerplate searches every text of up to 65,536 units, whatever its size), or peaks over
``--max-gb`` (1 GB).

``--records N`` (N > 1) measures instead what one worker of the pipeline holds for one batch of N
such records of ``--mb / N`` MB each (a distinct first line each): ``batch`` runs the pipeline's
own counting and finding of one batch (``dedupe._pipeline_boilerplate``: part by part, each part's
units kept on disk between the two).

Run: ``python benchmarks/memory_long_record.py [--mb 75] [--clean] [--shape wrapped|units|tiny]``
     ``python benchmarks/memory_long_record.py --mb 30 --records 1000 --shape tiny``
"""

from __future__ import annotations

import argparse
import subprocess
import sys

_CHILD = """
import resource, sys, tempfile
from pathlib import Path
import dedupe
mode, mb, shape, n = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lines = {"wrapped": "ab {:02d}\\n", "units": "Ab {:02d}.\\n", "tiny": "A.\\n", "budget": "Subscribe now, it {:02d}.\\n"}
line = lines[shape]
block = "".join(line.format(i) for i in range(97))
record = block * max(1, int(mb * 1e6 / n / len(block)))
records = [record] if n == 1 else [f"Record {i} of the batch.\\n" + record for i in range(n)]
del record
with open("/proc/self/statm") as f:
    before = int(f.read().split()[1]) * resource.getpagesize()
if mode == "sign":
    dedupe.MinHasher().signatures_and_digests(records)
elif mode == "batch":  # the pipeline's own count and find of one batch, as a worker runs them
    import dataclasses, numpy as np
    from dedupe._pipeline_boilerplate import _Stage, _count, _find
    from dedupe._position_batches import Item
    from dedupe.io import Record
    cfg = dedupe.BoilerplateConfig()
    item = Item(np.arange(len(records)), [Record(str(i), t, {}) for i, t in enumerate(records)])
    with tempfile.TemporaryDirectory() as tmp:
        stage = _Stage(None, None, cfg, spill=Path(tmp))
        counts, cut = _count(stage, item)
        model = dedupe.BoilerplateModel(cfg).add_counts(counts)
        _find(dataclasses.replace(stage, model=model), (item, cut))
else:
    rows = [{"id": str(i), "text": t} for i, t in enumerate(records)]
    dedupe.deduplicate(rows, remove_boilerplate=mode == "clean", max_chars=10**9)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec (the parent's peak would count).
after = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) * 1024
print(sum(map(len, records)), before, after)
"""


def growth(mode: str, mb: float, shape: str = "wrapped", records: int = 1) -> tuple[int, int, int]:
    """(record bytes, RSS before, peak RSS after) of one run in a fresh interpreter.

    ``mode``: ``sign`` (signatures and digests), ``clean-no-bp`` or ``clean`` (:func:`dedupe.deduplicate`
    on the one record, without and with boilerplate), ``batch`` (one worker's boilerplate passes over
    ``records`` records). ``shape``: ``wrapped`` lines (``"ab NN"``, which join into one hard-wrapped
    unit), ``units`` (``"Ab NN."``, each line a unit of its own) or ``tiny`` (``"A."``, the same in 3 bytes).
    """
    cmd = [sys.executable, "-c", _CHILD, mode, str(mb), shape, str(records)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    size, before, after = (int(v) for v in out.stdout.split())
    return size, before, after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=75.0)
    parser.add_argument("--limit", type=float, default=10.0, help="allowed peak growth, in record sizes")
    parser.add_argument("--floor-mb", type=float, default=20.0, help="growth allowed whatever the record's size, in MB")
    parser.add_argument("--max-gb", type=float, default=1.0, help="allowed peak RSS of any step, in GB")
    parser.add_argument("--shape", choices=["wrapped", "units", "tiny", "budget"], default="wrapped")
    parser.add_argument("--records", type=int, default=1, help="N > 1: one batch of N records (boilerplate passes)")
    parser.add_argument("--clean", action="store_true", help="also run dedupe clean with and without boilerplate")
    args = parser.parse_args(argv)
    modes = ["sign", "clean-no-bp", "clean"] if args.clean else ["sign"]
    if args.records > 1:
        modes = ["sign", "batch"]
    added, sizes, peaks = {}, {}, {}
    for mode in modes:
        size, before, after = growth(mode, args.mb, args.shape, args.records)
        _, base_before, base_after = growth(mode, 0.001 * args.records, args.shape, args.records)
        fixed = base_after - base_before
        what = "record" if args.records == 1 else f"{args.records} records"
        added[mode], sizes[mode], peaks[mode] = after - before - fixed, size, after
        print(
            f"{mode:>12}: {what} {size / 1e6:.1f} MB, RSS {before / 1e6:.0f} MB before, peak {after / 1e6:.0f} MB: "
            f"+{(after - before) / 1e6:.1f} MB, {fixed / 1e6:.1f} MB of it for a 1 KB record: "
            f"+{added[mode] / size:.1f}x the text"
        )
    allowed = {m: max(args.limit * sizes[m], args.floor_mb * 1e6) for m in modes}
    missed = [m for m in modes if added[m] > allowed[m] or peaks[m] > args.max_gb * 1e9]
    if missed:
        print(f"MISSED: {', '.join(missed)} over +{args.limit:g}x the record and {args.floor_mb:g} MB, "
              f"or over {args.max_gb:g} GB")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
