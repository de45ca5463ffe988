"""Deprecated names of the first release: one warning, one release of grace."""

from __future__ import annotations

import warnings

__all__ = ["deprecated"]


def deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (it goes in the next release)."""
    message = f"{old} is deprecated; use {new} (the old name goes in the next release)"
    warnings.warn(message, DeprecationWarning, stacklevel)
