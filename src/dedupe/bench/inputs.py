"""The bench's input and output files: progress lines, the work folder, the JSONL input, the report files."""

from __future__ import annotations

import itertools
import json
import math
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from .options import BenchOptions

__all__ = ["prepare_input", "say", "text_mb", "workdir", "write_outputs"]


def say(options: BenchOptions, message: str) -> None:
    """Print a progress line on stderr unless ``options.progress`` is off."""
    if options.progress:
        print(f"bench: {message}", file=sys.stderr, flush=True)


@contextmanager
def workdir(options: BenchOptions) -> Iterator[Path]:
    """``OUT/work`` when ``--out`` is given (kept), else a temporary folder (removed)."""
    if options.out is not None:
        work = Path(options.out) / "work"
        work.mkdir(parents=True, exist_ok=True)
        yield work
        return
    with tempfile.TemporaryDirectory(prefix="dedupe-bench-") as tmp:
        yield Path(tmp)


def prepare_input(options: BenchOptions, path: Path, n_docs: int) -> tuple[dict[str, Any], str | None]:
    """Write the benchmark input as JSONL ``{"id", "text"[, group]}``; return its description and group field."""
    if options.corpus is None:
        from .corpus import write_corpus_jsonl

        planted = write_corpus_jsonl(path, n_docs, seed=options.seed)
        desc = (
            f"generated (seed {options.seed}): {n_docs:,} web-like pages, {planted['exact']:,} planted exact and "
            f"{planted['near']:,} planted near copies, per-site boilerplate"
        )
        return {"source": "generated", "seed": options.seed, "planted": planted, "description": desc}, "site"
    from ..io import Record, read_corpus, write_jsonl

    group = options.group_field
    rows: list[dict[str, Any]] = []
    rejected = 0
    first_reject = ""
    for item in itertools.islice(
        read_corpus(options.corpus, text_field=options.text_field, id_field=options.id_field, on_error="reject"),
        n_docs,
    ):
        if not isinstance(item, Record):
            rejected += 1
            first_reject = first_reject or item.message
            continue
        row: dict[str, Any] = {"id": item.id, "text": item.text}
        if group is not None:
            row["group"] = str(item.fields.get(group, ""))
        rows.append(row)
    if len(rows) < 2:
        why = f"; the first rejected one: {first_reject}" if first_reject else ""
        raise ConfigError(f"{options.corpus}: the benchmark needs at least 2 good records (got {len(rows)}){why}")
    write_jsonl(rows, path)
    desc = f"{options.corpus}: first {len(rows) + rejected:,} records ({len(rows):,} good, {rejected:,} rejected)"
    return {"source": str(options.corpus), "rejected": rejected, "description": desc}, (
        "group" if group is not None else None
    )


def write_outputs(out: Path, stem: str, markdown: str, data: dict[str, Any], files: list[str]) -> None:
    """Write ``OUT/stem.md`` and ``OUT/stem.json`` (keys starting with ``_`` left out); add them to ``files``."""
    out.mkdir(parents=True, exist_ok=True)
    md, js = out / f"{stem}.md", out / f"{stem}.json"
    files += [str(md), str(js)]
    clean = _jsonable(data)
    clean["files"] = list(files)
    md.write_text(markdown + "".join(f"- {f}\n" for f in (str(md), str(js))), encoding="utf-8")
    js.write_text(json.dumps(clean, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def text_mb(path: Path) -> float:
    """MB (UTF-8) of the ``text`` fields of a JSONL file."""
    total = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            total += len(str(json.loads(line).get("text", "")).encode("utf-8", "surrogatepass"))
    return total / 1e6
