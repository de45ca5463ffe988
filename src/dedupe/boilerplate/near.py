"""Near-exact groups of long blocks: MinHash over byte n-grams, banded with the project's LSH keys.

A model keeps one signature per canonical long block (its *representative*) and an alias from
every other exact key of the group to the canonical one. New blocks are banded (``banding.band_keys``)
against the representatives and against each other; a block joins a group when its estimated
Jaccard similarity with the bucket's first row reaches the threshold (star edges, linear in the
bucket sizes), and groups are the connected components of those edges
(:func:`dedupe.clusters.connected_components`).

Near-exact groups depend on the order in which blocks arrive (a new line joins the first
representative it matches), so a model updated batch by batch can group a few lines differently
from one fitted at once; the exact path gives identical counts either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import banding
from .._typing import BoolArray, HashArray, IntArray
from ..clusters import connected_components
from ..config import BoilerplateConfig
from ..errors import ConfigError
from ..hashing import fmix64
from ..minhash import MinHasher
from ..shingles import ShingleBatch
from .counts import _C1, _C2, KeyMap, count_distinct, sorted_search
from .units import Units

__all__ = ["Representatives", "Segment", "byte_shingles", "canonicalize", "near_groups"]

_NEAR_CHUNK_BYTES = 1 << 20


def band_keys(signatures: NDArray[np.uint32], num_bands: int) -> HashArray:
    """``(num_bands, n)`` uint64 band keys of the signatures (the LSH index's own key function)."""
    return banding.band_keys(signatures, num_bands, signatures.shape[1] // num_bands)


def bucket_heads(sorted_keys: HashArray, order: IntArray) -> IntArray:
    """For rows sorted by band key (``order``), the first row of each row's bucket."""
    n = len(sorted_keys)
    new = np.ones(n, dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    heads: IntArray = order[np.flatnonzero(new)][np.cumsum(new) - 1]
    return heads


@dataclass
class BandIndex:
    """Band keys of a fixed set of signatures, sorted per band for ``searchsorted`` lookups."""

    keys: HashArray  # (num_bands, n) sorted per band
    heads: IntArray  # (num_bands, n) first row of each bucket, aligned with keys

    @classmethod
    def build(cls, signatures: NDArray[np.uint32], num_bands: int) -> BandIndex:
        keys = band_keys(signatures, num_bands)
        sorted_keys = np.empty_like(keys)
        heads = np.empty(keys.shape, dtype=np.int64)
        for band in range(num_bands):
            order = np.argsort(keys[band], kind="stable")
            sorted_keys[band] = keys[band][order]
            heads[band] = bucket_heads(sorted_keys[band], order)
        return cls(sorted_keys, heads)


def near_groups(
    signatures: NDArray[np.uint32],
    num_bands: int,
    threshold: float,
    bases: Sequence[tuple[NDArray[np.uint32], BandIndex]] = (),
) -> IntArray:
    """Group new rows whose signatures agree on at least ``threshold`` of their slots (MinHash + LSH).

    Rows sharing a band key are candidates: each is compared with the first row of its bucket and
    joined to it when the estimated Jaccard similarity reaches ``threshold`` (star edges, so the work
    is linear in the bucket sizes). ``bases`` are signatures grouped before (a model's
    representatives) with their :class:`BandIndex`: a new row is also compared with the first base
    row of each bucket it shares. Nodes are numbered base after base, then the new rows; only the
    nodes an edge touches take part in the union, so the cost does not grow with the bases.

    Returns:
        For every new row, the smallest node of its group (an int64 below the total base size
        when the group holds a base row).
    """
    n = signatures.shape[0]
    offsets = np.cumsum([0] + [sigs.shape[0] for sigs, _ in bases])
    n_base = int(offsets[-1])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    keys = band_keys(signatures, num_bands)
    left_parts, right_parts = [], []
    for band in range(num_bands):
        for (base_sigs, index), offset in zip(bases, offsets[:-1].tolist(), strict=True):
            if base_sigs.shape[0] == 0:
                continue
            bkeys = index.keys[band]
            pos = np.minimum(sorted_search(bkeys, keys[band]), len(bkeys) - 1)
            hit = np.flatnonzero(bkeys[pos] == keys[band])
            left_parts.append(index.heads[band][pos[hit]] + offset)
            right_parts.append(hit + n_base)
        order = np.argsort(keys[band], kind="stable")
        heads = bucket_heads(keys[band][order], order)
        member = heads != order
        left_parts.append(heads[member] + n_base)
        right_parts.append(order[member] + n_base)
    left, right = np.concatenate(left_parts), np.concatenate(right_parts)
    own = np.arange(n_base, n_base + n, dtype=np.int64)
    if len(left) == 0:
        return own
    pairs = np.unique(left.astype(np.uint64) << np.uint64(32) | right.astype(np.uint64))
    left = (pairs >> np.uint64(32)).astype(np.int64)
    right = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
    similar = np.empty(len(left), dtype=bool)
    step = max(1, (1 << 22) // max(signatures.shape[1], 1))
    for lo in range(0, len(left), step):
        a_rows, b_rows = left[lo : lo + step], right[lo : lo + step] - n_base
        a = np.empty((len(a_rows), signatures.shape[1]), dtype=np.uint32)
        in_base = a_rows < n_base
        segment = np.searchsorted(offsets, a_rows, side="right") - 1
        for k, (base_sigs, _) in enumerate(bases):
            sel = in_base & (segment == k)
            if sel.any():
                a[sel] = base_sigs[a_rows[sel] - offsets[k]]
        a[~in_base] = signatures[a_rows[~in_base] - n_base]
        similar[lo : lo + step] = (a == signatures[b_rows]).mean(axis=1) >= threshold
    left, right = left[similar], right[similar]
    # Union over the touched nodes only (numbered compactly), then map back.
    nodes, inverse = np.unique(np.concatenate([own, left, right]), return_inverse=True)
    inverse = inverse.reshape(-1)
    labels = connected_components(np.stack([inverse[n : n + len(left)], inverse[n + len(left) :]], axis=1), len(nodes))
    out: IntArray = nodes[labels[inverse[:n]]]
    return out


_BYTE_MASKS = [np.uint64((1 << (8 * k)) - 1) for k in range(8)] + [np.uint64(0xFFFFFFFFFFFFFFFF)]


def byte_shingles(parts: list[bytes], ngram_size: int, seed: int) -> tuple[HashArray, IntArray]:
    """Hashes of the ``ngram_size``-byte windows of each part (CSR: hashes and offsets).

    Every byte of a part starts one window; the last ``ngram_size - 1`` windows of a part are padded
    with zero bytes (so a part shorter than the window still has shingles, and the end of a line is
    part of its set). Parts must not contain NUL bytes (normalized lines never do). At most 8 bytes
    per window; one unaligned 8-byte load per window, no Python per part.
    """
    if not 1 <= ngram_size <= 8:
        raise ConfigError(f"ngram_size must be between 1 and 8 for byte shingles (got {ngram_size})")
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    separator = bytes(ngram_size - 1)
    raw = separator.join(parts) + separator + bytes(8)
    buf = np.frombuffer(raw, dtype=np.uint8)
    size = len(buf) - 8
    words = np.ndarray((size,), dtype="<u8", buffer=buf, strides=(1,))
    windows = words[np.flatnonzero(buf[:size])].astype(np.uint64)
    windows &= _BYTE_MASKS[ngram_size]
    windows ^= np.uint64(seed) * _C1 ^ _C2
    return fmix64(windows), offsets


@dataclass
class Segment:
    """Representatives added together: sorted keys, document counts, signatures, band index."""

    keys: HashArray
    counts: NDArray[np.uint32]
    sigs: NDArray[np.uint32]
    index: BandIndex | None = None


class Representatives:
    """Near-exact representatives: one MinHash signature per canonical long block, and aliases.

    Representatives live in segments (each with its own band index, built once) that merge when a
    newer one grows to half the size of the one before, so there are O(log n) of them and adding a
    batch does not rebuild everything. ``aliases`` map the other exact keys of a group to its
    canonical key.
    """

    def __init__(self, num_perm: int) -> None:
        self.num_perm = num_perm
        self.segments: list[Segment] = []
        self.aliases = KeyMap()

    def __len__(self) -> int:
        return sum(len(seg.keys) for seg in self.segments)

    @property
    def nbytes(self) -> int:
        return self.aliases.nbytes + sum(int(s.keys.nbytes + s.counts.nbytes + s.sigs.nbytes) for s in self.segments)

    def bases(self, num_bands: int) -> list[tuple[NDArray[np.uint32], BandIndex]]:
        out = []
        for seg in self.segments:
            if seg.index is None:
                seg.index = BandIndex.build(seg.sigs, num_bands)
            out.append((seg.sigs, seg.index))
        return out

    def key_at(self, nodes: IntArray) -> HashArray:
        """Keys of representatives numbered segment after segment (as in :func:`near_groups`)."""
        offsets = np.cumsum([0] + [len(s.keys) for s in self.segments])
        segment = np.searchsorted(offsets, nodes, side="right") - 1
        out = np.zeros(len(nodes), dtype=np.uint64)
        for k, seg in enumerate(self.segments):
            sel = segment == k
            out[sel] = seg.keys[nodes[sel] - offsets[k]]
        return out

    def contains(self, keys: HashArray) -> BoolArray:
        out = np.zeros(len(keys), dtype=bool)
        for seg in self.segments:
            pos = np.minimum(np.searchsorted(seg.keys, keys), len(seg.keys) - 1)
            out |= seg.keys[pos] == keys
        return out

    def add(self, keys: HashArray, sigs: NDArray[np.uint32]) -> None:
        if len(keys) == 0:
            return
        order = np.argsort(keys, kind="stable")
        self.segments.append(Segment(keys[order], np.zeros(len(keys), dtype=np.uint32), sigs[order]))
        while len(self.segments) > 1 and 2 * len(self.segments[-1].keys) >= len(self.segments[-2].keys):
            self.segments[-2:] = [_merge_segments(self.segments[-2:])]

    def count(self, canon: HashArray, docs: IntArray) -> None:
        """Add one per distinct (canonical key, document) to the representatives' counts."""
        if len(canon) == 0:
            return
        keys, per_key = count_distinct(canon, docs)
        for seg in self.segments:
            pos = np.minimum(np.searchsorted(seg.keys, keys), len(seg.keys) - 1)
            hit = seg.keys[pos] == keys
            totals = seg.counts.astype(np.int64)
            np.add.at(totals, pos[hit], per_key[hit])
            seg.counts = np.minimum(totals, np.iinfo(np.uint32).max).astype(np.uint32)

    def merged(self) -> Segment:
        """All representatives as one segment (the segments are merged in place)."""
        if len(self.segments) != 1:
            self.segments = [_merge_segments(self.segments)] if self.segments else []
        if not self.segments:
            return Segment(np.zeros(0, np.uint64), np.zeros(0, np.uint32), np.zeros((0, self.num_perm), np.uint32))
        return self.segments[0]

    def prune(self, max_keys: int) -> None:
        """Keep the ``max_keys`` representatives with the highest counts (and the aliases onto them)."""
        if len(self) <= max_keys:
            return
        seg = self.merged()
        keep = np.sort(np.argsort(-seg.counts.astype(np.int64), kind="stable")[:max_keys])
        kept = Segment(seg.keys[keep], seg.counts[keep], seg.sigs[keep])
        self.segments = [kept]

        def onto_kept(_: HashArray, values: HashArray) -> BoolArray:
            pos = np.minimum(np.searchsorted(kept.keys, values), max(len(kept.keys) - 1, 0))
            hit: BoolArray = kept.keys[pos] == values if len(kept.keys) else np.zeros(len(values), dtype=bool)
            return hit

        self.aliases.keep(onto_kept)


def _merge_segments(segments: Sequence[Segment]) -> Segment:
    keys = np.concatenate([s.keys for s in segments])
    order = np.argsort(keys, kind="stable")
    return Segment(
        keys[order],
        np.concatenate([s.counts for s in segments])[order],
        np.concatenate([s.sigs for s in segments])[order],
    )


def near_signatures(cfg: BoilerplateConfig, batch: Units, units: IntArray) -> NDArray[np.uint32]:
    """MinHash signatures of the normalized ``units`` (byte shingles; digits already masked)."""
    hasher = MinHasher(cfg.near_num_perm, cfg.seed, kind="char", ngram_size=cfg.near_ngram_size, mask_digits=True)
    normalized = batch.table.normalized
    if normalized is None:  # pragma: no cover - _prepare keeps them whenever near_threshold is set
        raise ConfigError("near-exact grouping needs the normalized lines (split_lines(keep_normalized=True))")
    out = []
    firsts, lasts = batch.rows[units].tolist(), batch.last_rows[units].tolist()
    parts = [normalized[a] if a == b else b" ".join(normalized[a : b + 1]) for a, b in zip(firsts, lasts, strict=True)]
    ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
    lo = 0
    while lo < len(parts):  # about a megabyte of text at a time
        base = int(ends[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(ends, base + _NEAR_CHUNK_BYTES, side="right")))
        hashes, offsets = byte_shingles(parts[lo:hi], cfg.near_ngram_size, cfg.seed)
        out.append(np.asarray(hasher.sign_batch(ShingleBatch(hashes, offsets, hasher.config.shingle))))
        lo = hi
    return np.concatenate(out) if out else np.zeros((0, cfg.near_num_perm), dtype=np.uint32)


def canonicalize(cfg: BoilerplateConfig, reps: Representatives, batch: Units, *, learn: bool) -> None:
    """Give every long line of the batch the key of its near-exact group (``batch.ckeys``).

    Lines of at least ``near_min_words`` words are signed (byte n-grams of the normalized line) once
    per distinct key; a key already known to the model (as a representative or an alias) is not
    signed again. New keys are banded against the model's representatives and against each other;
    a group takes the key of the model representative it joins, else its smallest key. With
    ``learn`` the new representatives and aliases are stored in the model.
    """
    if cfg.near_threshold is None:
        return
    long_rows = np.flatnonzero(batch.words >= cfg.near_min_words)
    if len(long_rows) == 0:
        return
    uniq, first, inverse = np.unique(batch.keys[long_rows], return_index=True, return_inverse=True)
    aliased, canon = reps.aliases.get(uniq)
    unknown = np.flatnonzero(~(aliased | reps.contains(uniq)))
    if len(unknown):
        sigs = near_signatures(cfg, batch, long_rows[first[unknown]])
        n_base = len(reps)
        labels = near_groups(sigs, cfg.near_num_bands, cfg.near_threshold, reps.bases(cfg.near_num_bands))
        new_keys = uniq[unknown]
        # A group takes the key of the representative it holds, else the smallest of its new keys.
        groups, group_of = np.unique(labels, return_inverse=True)
        group_of = group_of.reshape(-1)
        smallest = np.full(len(groups), np.iinfo(np.uint64).max, dtype=np.uint64)
        np.minimum.at(smallest, group_of, new_keys)
        group_canon = np.where(groups < n_base, reps.key_at(np.minimum(groups, max(n_base - 1, 0))), smallest)
        new_canon = group_canon[group_of]
        canon[unknown] = new_canon
        if learn:
            own = new_canon == new_keys
            reps.add(new_keys[own], sigs[own])
            reps.aliases.add(new_keys[~own], new_canon[~own])
    ckeys = batch.ckeys.copy()
    ckeys[long_rows] = canon[inverse.reshape(-1)]
    batch.ckeys = ckeys
    if learn:
        reps.count(ckeys[long_rows], batch.doc[long_rows])
