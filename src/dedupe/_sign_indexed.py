"""Pass 1 on an indexed input (plain JSON Lines): the workers read, parse, check and sign.

This process reads each file once, through the watch (which hashes it), and only finds its line
breaks and blank lines (:func:`~dedupe.io._line_blocks.line_blocks`); each block of entries goes
to a :class:`~dedupe.parallel.WorkerPool` worker that reads the block itself (``pread``, from the
page cache), parses every entry once, checks it (:func:`~dedupe._signing.check_record`), hashes
its bytes for the :class:`~dedupe.io.LineIndex` and signs the usable texts. Back here, in input
order, only what needs the whole input is done: the repeated-id check (ids must be unique across
blocks) and the index. The result is the :class:`~dedupe._signing.SignPass` that
:func:`~dedupe._signing.sign_records` gives on the same input, and the first error, with
``on_error="raise"``, is the one a serial read raises first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xxhash
from numpy.typing import NDArray

from ._signing import Progress, RecordCheck, SignPass, _sign, check_record, reject_or_raise
from ._source import Source
from ._typing import IntArray
from .config import MinHashConfig
from .duplicates import SignedTexts
from .errors import InputError
from .io import Record, Rejected, input_files
from .io._line_blocks import LineBlock, line_blocks, read_block
from .io.jsonl import parse_line
from .io.records import RecordBuilder
from .parallel import WorkerPool
from .shingles import _classes

__all__ = ["sign_indexed"]

#: Most bytes of input in one block of pass 1 (a longer line is a block of its own).
MAX_BLOCK_BYTES = 32 << 20


@dataclass(frozen=True)
class _State:
    """What every worker of pass 1 holds."""

    check: RecordCheck
    config: MinHashConfig
    id_field: str | None
    files: tuple[str, ...]
    names: tuple[str, ...]


@dataclass
class _Block:
    """A worker's verdict on one block: per entry its id and whether it parsed as a record; the
    rejected ones; the signed ones with their lengths, digests and signatures; the entries' hashes."""

    ids: list[str | None] = field(default_factory=list)
    parsed: list[bool] = field(default_factory=list)
    rejects: dict[int, Rejected] = field(default_factory=dict)
    signed: list[int] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    digests: bytes = b""
    sigs: NDArray[np.uint32] | None = None
    hashes: list[int] = field(default_factory=list)
    error: InputError | None = None


def _sign_block(state: _State, task: tuple[int, LineBlock]) -> _Block:
    """Parse, check and sign the entries of one block (a worker's job); ``task``: first position, block."""
    first, block = task
    check = state.check
    name = state.names[block.file_no]
    builder = RecordBuilder(text_field=check.text_field, id_field=state.id_field, on_error=check.on_error,
                            check_ids=False)  # fmt: skip
    out = _Block()
    texts: list[str] = []
    for k, (data, line) in enumerate(zip(read_block(state.files[block.file_no], block), block.line.tolist(),
                                         strict=True)):  # fmt: skip
        out.hashes.append(xxhash.xxh3_64_intdigest(data))
        pos = first + k
        builder.position = pos
        try:
            item = parse_line(data, line, name, builder)
            if not isinstance(item, Record):  # a Rejected (a blank line never reaches a block)
                out.ids.append(None if item is None else item.doc_id)
                out.parsed.append(False)
                if item is not None:
                    out.rejects[k] = item
                continue
            out.ids.append(item.id)
            out.parsed.append(True)
            problem = check_record(item, check.text_field, check.group_field, check.max_chars)
            if problem is not None:
                out.rejects[k] = reject_or_raise(item, pos, problem[0], problem[1], check.on_error)
                continue
        except InputError as exc:
            out.error = exc  # raised in input order, after the repeated-id check of what came before
            break
        out.signed.append(k)
        out.lengths.append(len(item.text))
        texts.append(item.text)
    out.digests, sigs = _sign(texts, state.config)
    out.sigs = sigs
    return out


@dataclass
class _Collected:
    """Pass 1's output, gathered block by block in input order."""

    ids: list[str | None] = field(default_factory=list)
    rejects: dict[int, Rejected] = field(default_factory=dict)
    rows: list[IntArray] = field(default_factory=list)
    lengths: list[IntArray] = field(default_factory=list)
    digests: list[bytes] = field(default_factory=list)
    sigs: list[NDArray[np.uint32]] = field(default_factory=list)


def _repeats(result: _Block, first: int, block: LineBlock, builder: RecordBuilder, path: str, name: str) -> set[int]:
    """Check the block's records' ids against every earlier id (``builder``); return the entries
    rejected as repeats (``duplicate_id``; raised with ``on_error="raise"``)."""
    repeated: set[int] = set()
    ids = [d for d, parsed in zip(result.ids, result.parsed, strict=True) if parsed and d is not None]
    if builder.accept_new(ids):
        return repeated  # no repeat: every id was taken at once, as the loop below would
    for k, (doc_id, parsed) in enumerate(zip(result.ids, result.parsed, strict=True)):
        if not parsed or doc_id is None:
            continue
        builder.position = first + k
        line = int(block.line[k])
        raw = None
        if builder.is_repeat(doc_id):
            one = LineBlock(block.file_no, block.offset[k : k + 1], block.length[k : k + 1], block.line[k : k + 1])
            raw = read_block(path, one)[0].decode("utf-8", "backslashreplace")
        item = builder.accept(Record(doc_id, "", {}, name, line), raw=raw)
        if isinstance(item, Rejected):
            result.rejects[k] = item
            repeated.add(k)
    return repeated


def _collect(out: _Collected, result: _Block, first: int, repeated: set[int]) -> None:
    """Add one checked block to ``out``."""
    out.ids.extend(result.ids)
    out.rejects.update({first + k: r for k, r in result.rejects.items()})
    signed = np.asarray(result.signed, dtype=np.int64)
    keep = np.array([k not in repeated for k in result.signed], dtype=bool) if repeated else slice(None)
    if result.sigs is not None:
        out.rows.append(signed[keep] + first)
        out.lengths.append(np.asarray(result.lengths, dtype=np.int64)[keep])
        digests = np.frombuffer(result.digests, dtype="V16")[keep]
        out.digests.append(digests.tobytes())
        out.sigs.append(result.sigs[keep])


def _tasks(src: Source, files: list[Path], batch_size: int, noted: deque[tuple[int, LineBlock]]) -> Iterator[
        tuple[int, LineBlock]]:  # fmt: skip
    """``(first position, block)`` over every file, read once through the watch."""
    assert src.index is not None
    first = 0
    for path in files:
        file_no = src.index.add_file(str(path), src.names.get(str(path), str(path)))
        with src.watch.opener(path) as fh:
            for block in line_blocks(fh, file_no, max_lines=batch_size, max_bytes=MAX_BLOCK_BYTES):
                noted.append((first, block))
                yield first, block
                first += len(block.offset)
        src.watch.after(path)


def sign_indexed(
    src: Source, check: RecordCheck, config: MinHashConfig, *, workers: int, batch_size: int, progress: Progress
) -> SignPass:
    """Pass 1 over ``src`` (an indexed path input), in ``workers`` processes (see the module docstring)."""
    if src.index is None or src.path is None:  # pragma: no cover - the pipeline calls it for indexed paths only
        raise RuntimeError("sign_indexed needs an indexed path input")
    files = input_files(src.path)
    src.watch.files(src.path, files)
    state = _State(check, config, src.id_field, tuple(str(p) for p in files),
                   tuple(src.names.get(str(p), str(p)) for p in files))  # fmt: skip
    builder = RecordBuilder(text_field=check.text_field, id_field=src.id_field, on_error=check.on_error,
                            check_ids=src.id_field is not None or src.path.is_dir())  # fmt: skip
    out = _Collected()
    noted: deque[tuple[int, LineBlock]] = deque()
    bar = progress("read+sign", None)
    try:
        with WorkerPool(workers, state, warm=_classes) as pool:
            for result in pool.map(_sign_block, _tasks(src, files, batch_size, noted)):
                first, block = noted.popleft()
                path, name = state.files[block.file_no], state.names[block.file_no]
                repeated = _repeats(result, first, block, builder, path, name) if builder.check_ids else set()
                if result.error is not None:
                    raise result.error
                _collect(out, result, first, repeated)
                src.index.extend(block.file_no, block.offset, block.length, block.line,
                                 np.asarray(result.hashes, dtype=np.uint64))  # fmt: skip
                bar.update(len(result.ids))
    finally:
        bar.close()
    src.index.complete = True
    return _sign_pass(out, config)


def _sign_pass(out: _Collected, config: MinHashConfig) -> SignPass:
    rows = np.concatenate(out.rows) if out.rows else np.empty(0, dtype=np.int64)
    sigs = np.concatenate(out.sigs) if out.sigs else np.empty((0, config.num_perm), dtype=np.uint32)
    lengths = np.concatenate(out.lengths) if out.lengths else np.empty(0, dtype=np.int64)
    signed = SignedTexts(sigs, np.frombuffer(b"".join(out.digests), dtype="V16"), lengths)
    return SignPass(out.ids, out.rejects, rows, signed)
