"""Exceptions raised on purpose by dedupe.

Hierarchy::

    DedupeError
    ├── InputError (ValueError)          bad record, field, encoding; carries path, line, doc_id
    ├── ConfigError (ValueError)         an invalid parameter
    ├── IncompatibleSignaturesError (ValueError)
    │                                    signatures, indexes or models made with other settings
    ├── CorruptFileError (ValueError)    a saved index or model that cannot be read back
    ├── BackendError (RuntimeError)      a stage failed inside an execution engine; carries stage, backend
    └── MissingDependencyError (ImportError)
                                         an optional extra is not installed; the message gives the command

A wrong Python type raises the built-in ``TypeError`` with the argument's name, what was expected
and what came.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "ConfigError",
    "CorruptFileError",
    "DedupeError",
    "IncompatibleSignaturesError",
    "InputError",
    "MissingDependencyError",
]


class DedupeError(Exception):
    """Base of every exception that dedupe raises on purpose."""


class InputError(DedupeError, ValueError):
    """A bad input record: missing field, wrong type, invalid encoding, malformed line.

    Attributes:
        path: file the record came from, if any.
        line: 1-based line (or row) number, if known.
        doc_id: the record's id, if known.
        reason: a short machine-friendly reason (``"missing_field"``, ``"invalid_utf8"``, ...).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        doc_id: str | None = None,
        reason: str = "invalid_input",
    ) -> None:
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        elif line is not None:
            where = f"record {line}: "
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line
        self.doc_id = doc_id
        self.reason = reason
        self.detail = message


class ConfigError(DedupeError, ValueError):
    """An invalid parameter value (the message names it, what was expected and what came)."""


class IncompatibleSignaturesError(DedupeError, ValueError):
    """Signatures, an index or a model made with different settings were mixed."""


class CorruptFileError(DedupeError, ValueError):
    """A saved index or model is corrupt, truncated or of an unknown format (the message names the file)."""


class MissingDependencyError(DedupeError, ImportError):
    """An optional dependency is missing; the message ends with the install command."""


class BackendError(DedupeError, RuntimeError):
    """A stage failed inside the execution engine; no partial output was returned.

    Attributes:
        stage: the stage that failed (``"signatures"``, ``"candidate pairs"``, ...).
        backend: the backend's name.
    """

    def __init__(self, message: str, *, stage: str, backend: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.backend = backend


def missing_extra(package: str, extra: str, feature: str) -> MissingDependencyError:
    """Build the error for a missing optional ``package`` that the ``extra`` installs."""
    return MissingDependencyError(
        f"{feature} needs the optional package {package!r}, which is not installed; "
        f"install it with: pip install 'dedupe-text[{extra}]'"
    )
