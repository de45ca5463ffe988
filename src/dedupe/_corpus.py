"""What :func:`dedupe.deduplicate` returns: the fate of every input record, and the writers.

:meth:`CorpusResult.write` re-reads the input once more and writes the kept records, cleaned of
their boilerplate; the duplicates, rejects and report writers need no input.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ._pipeline_boilerplate import BoilerplateRun
from ._source import Source
from ._typing import IntArray, PathLike
from ._write_pass import write_kept
from .config import BATCH_SIZE
from .errors import ConfigError
from .io import Record, Rejected, output_format, write_corpus, write_jsonl
from .io.jsonl import require_zstd
from .results import EXACT, KEPT, NEAR, REJECTED

__all__ = ["CorpusResult"]


@dataclass
class CorpusResult:
    """What happened to every input record, in input order.

    Attributes:
        ids: record ids (``None`` for an entry rejected before an id was known).
        status: ``(n,)`` str: ``"kept"``, ``"exact"``, ``"near"`` or ``"rejected"`` (see
            :mod:`dedupe.results`).
        duplicate_of: for duplicates, the id of the kept record of their cluster; else ``None``.
        similarity: ``(n,)`` float64: 1.0 for exact duplicates, the estimated Jaccard similarity to
            the kept record for near duplicates, NaN otherwise.
        rejects: one :class:`~dedupe.io.Rejected` per rejected record (raw line, position, reason).
        boilerplate_spans: ``(n,)`` int64 boilerplate spans found in each kept record.
        boilerplate_chars: ``(n,)`` int64 characters those spans cover.
        params: the parameters, with ``fingerprint`` (of the signature config).
        timings: seconds per stage.
    """

    ids: list[str | None]
    status: NDArray[np.str_]
    duplicate_of: list[str | None]
    similarity: NDArray[np.float64]
    rejects: list[Rejected]
    boilerplate_spans: IntArray
    boilerplate_chars: IntArray
    params: dict[str, Any]
    timings: dict[str, float]
    top_blocks: list[dict[str, Any]] = field(default_factory=list)
    _source: Source | None = field(default=None, repr=False)
    _boilerplate: BoilerplateRun | None = field(default=None, repr=False)
    _batch_size: int = field(default=BATCH_SIZE, repr=False)
    #: Characters of each input record's text (0 where unknown), and the worker processes of the write pass.
    _lengths: IntArray | None = field(default=None, repr=False)
    _workers: int = field(default=1, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def counts(self) -> dict[str, int]:
        """Records per status, plus ``input`` and ``duplicates``."""
        out = {s: int((self.status == s).sum()) for s in (KEPT, EXACT, NEAR, REJECTED)}
        out["duplicates"] = out[EXACT] + out[NEAR]
        out["input"] = len(self)
        return out

    def summary(self) -> str:
        """One line that accounts for every input record."""
        c = self.counts()
        line = (
            f"{c['input']:,} in = {c[KEPT]:,} kept + {c['duplicates']:,} duplicates "
            f"({c[EXACT]:,} exact, {c[NEAR]:,} near) + {c[REJECTED]:,} rejected"
        )
        if self.params.get("remove_boilerplate"):
            docs = int((self.boilerplate_spans > 0).sum())
            line += (
                f"; {int(self.boilerplate_spans.sum()):,} boilerplate blocks "
                f"({int(self.boilerplate_chars.sum()):,} chars) removed from {docs:,} records"
            )
            if self.boilerplate_skipped:
                line += (
                    f"; {len(self.boilerplate_skipped):,} records with too many units for their size kept whole "
                    "(boilerplate not searched)"
                )
        return line

    @property
    def boilerplate_skipped(self) -> list[str | None]:
        """Ids of the kept records whose boilerplate was not searched: more units (non-blank lines
        that do not join) than :func:`~dedupe.boilerplate.long_docs.unit_budget` allows for their
        size, too many to decide within about 10 times the record's size. They are written whole."""
        if self._boilerplate is None:
            return []
        return [self.ids[p] for p in self._boilerplate.skipped]

    def clusters(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Clusters as ``{"kept": id, "size": n, "members": [...]}``, largest first."""
        members: dict[str, list[str]] = {}
        for i, rep in enumerate(self.duplicate_of):
            if rep is not None:
                members.setdefault(rep, []).append(str(self.ids[i]))
        out: list[dict[str, Any]] = [{"kept": rep, "size": len(m) + 1, "members": m} for rep, m in members.items()]
        out.sort(key=lambda c: (-int(c["size"]), str(c["kept"])))
        return out if limit is None else out[:limit]

    def kept_records(self) -> Iterator[Record]:
        """The kept records in input order, with boilerplate removed (re-reads a path input)."""
        if self._source is None:
            raise ConfigError("this result has no input attached")
        kept = {int(p) for p in np.flatnonzero(self.status == KEPT).tolist()}
        positions: list[int] = []
        batch: list[Record] = []
        for pos, item in self._source.records_at(kept):
            positions.append(pos)
            batch.append(item)
            if len(batch) >= self._batch_size:
                yield from self._cleaned(positions, batch)
                positions, batch = [], []
        yield from self._cleaned(positions, batch)

    def _cleaned(self, positions: list[int], batch: list[Record]) -> list[Record]:
        if self._boilerplate is None or not batch:
            return batch
        texts = self._boilerplate.strip(positions, batch)
        return [r.with_text(t) for r, t in zip(batch, texts, strict=True)]

    def write(self, path: PathLike, *, format: Literal["jsonl", "parquet", "txt"] | None = None) -> int:
        """Write the kept, cleaned records to ``path`` atomically; return how many were written.

        JSON Lines output is encoded in the run's ``workers`` processes (:mod:`dedupe._write_pass`).
        """
        target = Path(path)
        kind, compression = output_format(target, format)
        if kind == "jsonl" and self._source is not None and self._lengths is not None:
            if compression == "zstd":
                require_zstd("writing .zst files")
            kept = np.flatnonzero(self.status == KEPT).astype(np.int64)
            return write_kept(
                self._source, kept, self._lengths[kept], boilerplate=self._boilerplate, path=target,
                compression=compression, text_field=self.params["text_field"], batch_size=self._batch_size,
                workers=self._workers,
            )  # fmt: skip
        return write_corpus(self.kept_records(), path, text_field=self.params["text_field"], format=format)

    def duplicate_rows(self) -> Iterator[dict[str, Any]]:
        """One dict per removed duplicate: its id, the id it duplicates, the kind and the similarity.

        The id goes under the id field's name; without an id field, under ``record_id`` (the
        derived id: a file stem or a position), so it cannot be mistaken for a field of the record.
        The other three keys are fixed: an id field named ``duplicate_of``, ``kind`` or
        ``similarity`` puts the id under ``record_id`` too, so no key overwrites another.
        """
        id_key = self.params.get("id_field") or "record_id"
        if id_key in ("duplicate_of", "kind", "similarity"):
            id_key = "record_id"
        for i, s in enumerate(self.status.tolist()):
            if s in (EXACT, NEAR):
                sim = float(self.similarity[i])
                yield {
                    id_key: self.ids[i],
                    "duplicate_of": self.duplicate_of[i],
                    "kind": s,
                    "similarity": round(sim, 6),
                }

    def write_duplicates(self, path: PathLike) -> int:
        """Write :meth:`duplicate_rows` as JSONL (atomically)."""
        return write_jsonl(self.duplicate_rows(), path)

    def write_rejects(self, path: PathLike) -> int:
        """Write the rejected records (raw line or record, position, reason) as JSONL (atomically)."""
        return write_jsonl(self.rejects, path)

    def report(self, *, top: int = 20) -> dict[str, Any]:
        """JSON-ready report: counts, parameters and fingerprint, timings, largest clusters, top blocks."""
        return {
            "summary": self.summary(),
            "counts": self.counts(),
            "params": self.params,
            "timings_s": {k: round(v, 4) for k, v in self.timings.items()},
            "largest_clusters": [
                {**c, "members": c["members"][:top]} for c in self.clusters(limit=top)
            ],
            "top_boilerplate_blocks": self.top_blocks[:top],
            "boilerplate_skipped": {"records": len(self.boilerplate_skipped), "ids": self.boilerplate_skipped[:top]},
        }
