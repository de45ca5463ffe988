"""``python -m dedupe.bench``: the benchmark without the rest of the CLI."""

from .cli import main

raise SystemExit(main())
