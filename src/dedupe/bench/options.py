"""What ``dedupe bench`` runs: :class:`BenchOptions`, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._cli_bench import ALL_PEERS
from ..errors import ConfigError

__all__ = ["ALL_PEERS", "IN_PROCESS_PEERS", "BenchOptions"]

#: Peers that run in the bench's own process (datatrove runs end to end in another).
IN_PROCESS_PEERS = ("datasketch", "rensa")


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    """What ``dedupe bench`` runs; the fields mirror the command-line options."""

    corpus: str | None = None
    docs: int = 10_000
    peers: tuple[str, ...] = ALL_PEERS
    out: Path | None = None
    threshold: float = 0.8
    num_perm: int = 128
    ngram_size: int = 5
    text_field: str = "text"
    id_field: str | None = None
    group_field: str | None = None
    seed: int = 42
    quality: bool = True
    plots: bool = True
    boilerplate: bool = True
    scaling: tuple[int, ...] = ()
    datatrove_python: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        if self.docs < 2:
            raise ConfigError(f"docs must be at least 2 (got {self.docs!r})")
        unknown = [p for p in self.peers if p not in ALL_PEERS]
        if unknown:
            raise ConfigError(f"unknown peer {unknown[0]!r}; choose from {', '.join(ALL_PEERS)} (comma-separated)")
        if not 0 < self.threshold <= 1:
            raise ConfigError(f"threshold must be in (0, 1] (got {self.threshold!r})")
        if any(s < 2 for s in self.scaling):
            raise ConfigError(f"every --scaling size must be at least 2 (got {list(self.scaling)})")
        # Validates num_perm and ngram_size with the library's own messages.
