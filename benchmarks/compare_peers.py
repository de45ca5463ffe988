"""Signatures from text: dedupe vs datasketch 2.x vs rensa, same corpus, one process, one core.

Every contestant makes 128-slot MinHash signatures over word 5-grams of the same Python ``str``
documents, in two steps timed apart:

* **tokenizing**: dedupe's own (``iter_shingle_batches``: numpy, shingles hashed to uint64); the
  peers share one Python tokenizer (lower-case, ``\\w+`` words, 5-grams joined by spaces), whose
  output is made and timed once and given to every peer;
* **signing** the pre-built shingles: dedupe ``MinHasher.sign_batch`` on its batches (the shingles
  are already 64-bit hashes); each peer's call on the shared shingle strings (datasketch hashes
  them with its own hash function and needs ``bytes``, so its signing includes the UTF-8 encoding).

"From text" is tokenizing + signing; dedupe's one-call ``MinHasher.signatures`` is timed too. Every
timed step is the best of ``--repeats`` runs, the same number for every contestant, with no other
warm-up (the first run of each step is its warm-up). Accuracy: mean absolute error of the
estimated Jaccard against the exact Jaccard of the same contestant's shingle sets, over
near-duplicate pairs (edit rates 2-30 %) and unrelated pairs.

Run: ``python benchmarks/compare_peers.py [--docs 3000] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # rensa's bulk calls use rayon: keep them on one core

import numpy as np

from dedupe import MinHasher, word_shingles
from dedupe.bench.corpus import edited_copy, generate_corpus
from dedupe.shingles import ShingleBatch, iter_shingle_batches

NUM_PERM, NGRAM = 128, 5
HASHER = MinHasher(num_perm=NUM_PERM, seed=1, ngram_size=NGRAM)
_WORD = re.compile(r"\w+")


def peer_shingles(text: str) -> list[str]:
    """The tokenizer the peers get: lower-case ``\\w+`` words, word 5-grams joined by spaces."""
    words = _WORD.findall(text.lower())
    if len(words) < NGRAM:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


Tokens = list[list[str]]


def dedupe_tokenize(texts: list[str]) -> list[ShingleBatch]:
    """Dedupe's tokenizer: shingle batches (uint64 hashes) with the signer's shingle config."""
    return list(iter_shingle_batches(texts, HASHER.config.shingle))


def dedupe_sign(batches: list[ShingleBatch]) -> np.ndarray[Any, Any]:
    return np.concatenate([np.asarray(HASHER.sign_batch(b)) for b in batches])


def datasketch_bulk(tokens: Tokens) -> np.ndarray[Any, Any]:
    from datasketch import MinHash

    sets = [[s.encode("utf-8") for s in doc] for doc in tokens]
    return np.array([m.hashvalues for m in MinHash.bulk(sets, num_perm=NUM_PERM, seed=1)])


def datasketch_update(tokens: Tokens) -> np.ndarray[Any, Any]:
    from datasketch import MinHash

    out = []
    for doc in tokens:
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch([s.encode("utf-8") for s in doc])
        out.append(m.hashvalues)
    return np.array(out)


def rensa_rminhash(tokens: Tokens) -> np.ndarray[Any, Any]:
    from rensa import RMinHash

    out = []
    for doc in tokens:
        m = RMinHash(num_perm=NUM_PERM, seed=1)
        m.update(doc)
        out.append(m.digest())
    return np.array(out)


def rensa_matrix(tokens: Tokens) -> np.ndarray[Any, Any]:
    from rensa import RMinHash

    return np.array(RMinHash.digest_matrix_from_token_sets(tokens, NUM_PERM, 1).to_rows())


def rensa_cminhash(tokens: Tokens) -> np.ndarray[Any, Any]:
    from rensa import CMinHash

    return np.array(CMinHash.digests_from_token_sets(tokens, NUM_PERM, 1))


#: name -> signer of pre-built shingles ("dedupe" signs its own batches, the peers the shared tokens).
SIGNERS: dict[str, Callable[[Any], np.ndarray[Any, Any]]] = {
    "dedupe MinHasher.sign_batch": dedupe_sign,
    "datasketch MinHash.bulk": datasketch_bulk,
    "datasketch MinHash.update_batch": datasketch_update,
    "rensa RMinHash.update per doc": rensa_rminhash,
    "rensa RMinHash.digest_matrix_from_token_sets": rensa_matrix,
    "rensa CMinHash.digests_from_token_sets": rensa_cminhash,
}


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Least seconds of ``repeats`` calls of ``fn``, and the last call's result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def exact_jaccard(a: set[Any], b: set[Any]) -> float:
    union = len(a | b)
    return 1.0 if union == 0 else len(a & b) / union


def make_pairs(texts: list[str], rng: random.Random) -> tuple[list[str], list[tuple[int, int]]]:
    """Append edited copies; return all texts and the (i, j) pairs to score."""
    texts = list(texts)
    pairs = []
    base = len(texts)
    for k in range(min(400, base)):
        rate = [0.02, 0.05, 0.1, 0.2, 0.3][k % 5]
        texts.append(edited_copy(texts[k], rate, rng))
        pairs.append((k, base + k))
    for _ in range(200):
        pairs.append((rng.randrange(base), rng.randrange(base)))
    return texts, pairs


def _measure(texts: list[str], names: list[str], repeats: int) -> dict[str, tuple[float, float, np.ndarray[Any, Any]]]:
    """name -> (tokenize seconds, sign seconds, signatures); tokenizers timed once per family."""
    tok_ours, batches = best_of(repeats, lambda: dedupe_tokenize(texts))
    tok_peers, tokens = best_of(repeats, lambda: [peer_shingles(t) for t in texts]) if len(names) > 1 else (0.0, [])
    out = {}
    for name in names:
        ours = name.startswith("dedupe")
        sign_s, sigs = best_of(repeats, lambda fn=SIGNERS[name], x=batches if ours else tokens: fn(x))
        assert sigs.shape == (len(texts), NUM_PERM), (name, sigs.shape)
        out[name] = (tok_ours if ours else tok_peers, sign_s, sigs)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated name prefixes of the peers to run")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    texts, pairs = make_pairs(generate_corpus(args.docs, seed=42), random.Random(7))
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts):,} docs, {mb:.1f} MB, mean {mb * 1e3 / len(texts):.2f} KB/doc; "
          f"num_perm={NUM_PERM}, word {NGRAM}-grams, every step best of {args.repeats}, one core")
    only = [p for p in args.only.split(",") if p]
    names = [n for n in SIGNERS if n.startswith("dedupe") or not only or any(n.startswith(p) for p in only)]
    results = _measure(texts, names, args.repeats)
    one_call, _ = best_of(args.repeats, lambda: HASHER.signatures(texts))
    # Exact Jaccard per contestant family, from its own shingle sets.
    ours = word_shingles(texts, ngram_size=NGRAM)
    sets_of = {True: [set(ours.document(i).tolist()) for i in range(len(texts))],
               False: [set(peer_shingles(t)) for t in texts]}  # fmt: skip
    tok0, sign0, _ = results["dedupe MinHasher.sign_batch"]
    print("\n| contestant | tokenizing s | signing s | from text s | docs/s from text | dedupe speed-up from text "
          "| dedupe speed-up signing only | Jaccard MAE |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, (tok, sign, sigs) in results.items():
        sets = sets_of[name.startswith("dedupe")]
        errors = [abs(float((sigs[i] == sigs[j]).mean()) - exact_jaccard(sets[i], sets[j])) for i, j in pairs]
        mae = float(np.mean(errors))
        total = tok + sign
        print(f"| {name} | {tok:.3f} | {sign:.3f} | {total:.3f} | {len(texts) / total:,.0f} | "
              f"{total / (tok0 + sign0):.1f}x | {sign / sign0:.1f}x | {mae:.4f} |")
    print(f"| dedupe MinHasher.signatures (one call) | | | {one_call:.3f} | {len(texts) / one_call:,.0f} | | | |")
    print(f"\ntokenizing: dedupe iter_shingle_batches {tok0:.3f} s; the peers' shared Python tokenizer "
          f"{results[names[-1]][0]:.3f} s (made once, counted in every peer's 'from text')")
    for family, target in (("datasketch", 15), ("rensa", 3.5)):
        mine = [v for n, v in results.items() if n.startswith(family)]
        if mine:
            total = min(t + s for t, s, _ in mine) / (tok0 + sign0)
            sign = min(s for _, s, _ in mine) / sign0
            print(f"dedupe vs fastest {family}: {total:.1f}x from text (target >= {target}x), {sign:.1f}x signing only")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
