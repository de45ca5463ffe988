"""dedupe: near-duplicate documents and repeated boilerplate in scraped text corpora."""

from __future__ import annotations

__version__ = "0.1.0"
