"""``python -m dedupe``: the same as the ``dedupe`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
