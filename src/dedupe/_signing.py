"""Pass 1 of the pipeline: read every record, check it, sign the usable ones in batches.

:func:`sign_records` turns the input's items into a :class:`SignPass`: the id of every item,
the rejected ones, and for each usable record its input position, length, content digest and
MinHash signature. Signing runs in this process, in a pool of ``workers`` processes, or on a
backend; the arrays do not depend on which, nor on the batch size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._source import OnError
from ._typing import IntArray
from .backends import Backend
from .config import MinHashConfig
from .duplicates import SignedTexts
from .errors import InputError
from .io import Record, Rejected
from .minhash import MinHasher
from .parallel import WorkerPool
from .shingles import _classes

__all__ = ["SignPass", "check_record", "sign_records"]

#: ``progress(description, total)`` returns a tqdm-like bar (``update(n)``, ``close()``).
Progress = Callable[[str, "int | None"], Any]


@dataclass
class SignPass:
    """What pass 1 learned: every item's id, the rejected ones, the signed records' arrays.

    Attributes:
        ids: the id of every input item (``None`` for an entry rejected before an id was known).
        rejects: input position -> :class:`Rejected`, for every rejected item.
        rows: ``(m,)`` int64 input position of each signed record, ascending.
        signed: their signatures, digests and lengths, one row per signed record.
    """

    ids: list[str | None]
    rejects: dict[int, Rejected]
    rows: IntArray
    signed: SignedTexts


def check_record(item: Record, text_field: str, group_field: str | None, max_chars: int) -> tuple[str, str] | None:
    """``(reason, message)`` for a record the pipeline cannot use, else None."""
    if not item.text.strip():
        return "empty_text", f"field {text_field!r} is empty"
    if len(item.text) > max_chars:
        return "too_large", f"field {text_field!r} has {len(item.text):,} characters (max_chars={max_chars:,})"
    if group_field is not None:
        if group_field not in item.fields:
            keys = ", ".join(repr(k) for k in list(item.fields)[:8])
            return "missing_field", f"field {group_field!r} is missing (keys: {keys}); check --group-field"
        value = item.fields[group_field]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return "bad_field_type", f"field {group_field!r} must be a string (got {type(value).__name__})"
    return None


def reject_or_raise(item: Record, pos: int, reason: str, message: str, on_error: OnError) -> Rejected:
    """The :class:`Rejected` entry of a bad record, or raise its :class:`InputError` (``on_error="raise"``)."""
    # Records from a file carry their own line (None for a .txt file); in-memory items count from 1.
    line = item.line if item.line is not None or item.source is not None else pos + 1
    err = InputError(message, path=item.source, line=line, doc_id=item.id, reason=reason)
    if on_error == "raise":
        raise err
    raw = json.dumps({**item.fields}, ensure_ascii=False, default=str)
    return Rejected(item.source, item.line, raw, reason, str(err), item.id)


def _sign(texts: Sequence[str], config: MinHashConfig) -> tuple[bytes, NDArray[np.uint32]]:
    """Content digests and signatures of a batch (a top-level function, so worker processes can run it)."""
    sigs, digests = MinHasher.from_config(config).signatures_and_digests(texts)
    return digests.tobytes(), np.asarray(sigs)


def _sign_task(config: MinHashConfig, texts: list[str]) -> tuple[bytes, NDArray[np.uint32]]:
    return _sign(texts, config)


@dataclass(frozen=True)
class RecordCheck:
    """How pass 1 judges a record: the fields it needs, the size it allows, what it does with a bad one."""

    text_field: str
    group_field: str | None
    max_chars: int
    on_error: OnError


@dataclass
class _Noted:
    """What :func:`_text_batches` notes while it reads."""

    ids: list[str | None] = field(default_factory=list)
    rejects: dict[int, Rejected] = field(default_factory=dict)
    positions: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)


def _text_batches(
    items: Iterable[Record | Rejected], check: RecordCheck, noted: _Noted, batch_size: int
) -> Iterator[list[str]]:
    """The usable texts in batches of ``batch_size``; ids, rejects, positions and lengths noted on the way."""
    texts: list[str] = []
    for pos, item in enumerate(items):
        if isinstance(item, Rejected):
            noted.ids.append(item.doc_id)
            noted.rejects[pos] = item
            continue
        noted.ids.append(item.id)
        problem = check_record(item, check.text_field, check.group_field, check.max_chars)
        if problem is not None:
            noted.rejects[pos] = reject_or_raise(item, pos, problem[0], problem[1], check.on_error)
            continue
        noted.positions.append(pos)
        noted.lengths.append(len(item.text))
        texts.append(item.text)
        if len(texts) >= batch_size:
            yield texts
            texts = []
    if texts:
        yield texts


def sign_records(
    items: Iterable[Record | Rejected],
    check: RecordCheck,
    config: MinHashConfig,
    *,
    workers: int,
    engine: Backend | None,
    batch_size: int,
    progress: Progress,
) -> SignPass:
    """Pass 1: check every item and sign the usable records (see the module docstring).

    ``engine`` signs all the texts at once on a backend (they are collected first); None signs
    each batch here or in a pool of ``workers`` processes as it is read.
    """
    noted = _Noted()
    digest_parts: list[bytes] = []
    sig_parts: list[NDArray[np.uint32]] = []
    bar = progress("read+sign", None)

    def counted() -> Iterator[list[str]]:
        for texts in _text_batches(items, check, noted, batch_size):
            yield texts
            bar.update(len(texts))

    try:
        if engine is None:
            # The code point table is built once, before forking, so the workers share it.
            with WorkerPool(workers, config, warm=_classes) as pool:
                for digest_bytes, sigs in pool.map(_sign_task, counted()):
                    digest_parts.append(digest_bytes)
                    sig_parts.append(sigs)
        else:
            texts_all = [text for batch in counted() for text in batch]
            sigs, digests = engine.signatures_and_digests(
                MinHasher.from_config(config), texts_all, batch_size=batch_size
            )
            sig_parts.append(np.asarray(sigs))
            digest_parts.append(digests.tobytes())
            del texts_all
    finally:
        bar.close()
    signatures = np.concatenate(sig_parts) if sig_parts else np.empty((0, config.num_perm), dtype=np.uint32)
    digests_all = np.frombuffer(b"".join(digest_parts), dtype="V16")
    signed = SignedTexts(signatures, digests_all, np.array(noted.lengths, dtype=np.int64))
    return SignPass(noted.ids, noted.rejects, np.array(noted.positions, dtype=np.int64), signed)
