"""The rows and reports of ``dedupe bench`` (plain data; :mod:`.render` turns them into Markdown)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["BenchReport", "EndToEndRow", "PeerRow", "ScalingReport", "StageRow"]


@dataclass
class StageRow:
    """One timed stage of dedupe in this process."""

    stage: str
    seconds: float | None
    docs: int
    mb: float
    peak_rss_mb: float | None
    note: str = ""

    @property
    def docs_per_s(self) -> float | None:
        return None if not self.seconds else self.docs / self.seconds

    @property
    def mb_per_s(self) -> float | None:
        return None if not self.seconds else self.mb / self.seconds


@dataclass
class EndToEndRow:
    """One end-to-end run in its own process."""

    name: str
    status: str  # "ran", "skipped" or "failed"
    wall_s: float | None = None
    run_s: float | None = None
    peak_rss_mb: float | None = None
    docs: int = 0
    mb: float = 0.0
    kept: int | None = None
    note: str = ""
    stages_s: dict[str, float] = field(default_factory=dict)


@dataclass
class PeerRow:
    """One side of the in-process comparison (dedupe itself is the first row)."""

    name: str
    status: str  # "ran", "skipped" or "failed"
    seconds: float | None = None  # from text: tokenizing included
    tokenize_s: float | None = None  # the side's tokenizing (the peers' shared tokenizer, timed once)
    speedup: float | None = None  # peer seconds / dedupe seconds
    speedup_untokenized: float | None = None  # the same without the tokenizing seconds of either side
    candidates: int | None = None
    verified: int | None = None
    found: int | None = None
    precision: float | None = None
    recall: float | None = None
    api: str = ""
    note: str = ""
    stages_s: dict[str, float] = field(default_factory=dict)


@dataclass
class BenchReport:
    """Everything one ``dedupe bench`` run measured."""

    corpus: dict[str, Any]
    params: dict[str, Any]
    stages: list[StageRow]
    end_to_end: list[EndToEndRow]
    peers: list[PeerRow]
    agreement: dict[str, dict[str, Any]]
    truth: dict[str, Any]
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.end_to_end) or any(r.status == "failed" for r in self.peers)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "corpus": self.corpus,
            "params": self.params,
            "stages": [{**asdict(r), "docs_per_s": r.docs_per_s, "mb_per_s": r.mb_per_s} for r in self.stages],
            "end_to_end": [asdict(r) for r in self.end_to_end],
            "peers": [asdict(r) for r in self.peers],
            "agreement": self.agreement,
            "truth": self.truth,
            "files": self.files,
            "notes": self.notes,
        }
        return out

@dataclass
class ScalingReport:
    """``deduplicate()`` + write at several sizes, each in a fresh process."""

    params: dict[str, Any]
    rows: list[EndToEndRow]
    time_exponent: float | None
    rss_exponent: float | None
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "rows": [asdict(r) for r in self.rows],
            "time_exponent": self.time_exponent,
            "rss_exponent": self.rss_exponent,
            "files": self.files,
            "notes": self.notes,
        }

# ---------------------------------------------------------------------------------------------
