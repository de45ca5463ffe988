"""Synthetic benchmark corpora built from the bundled seeds with a fixed seed.

Documents are word sequences from a bigram Markov chain trained on ``seeds/`` (so vocabulary, word
lengths, curly quotes and punctuation look like the seeds' news prose while the documents are new),
300 to 3,000 words long (log-uniform), in paragraphs. ``edited_copy`` makes near-duplicates at a
known edit rate.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _chain() -> tuple[list[str], dict[str, list[str]]]:
    words: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        words.extend(path.read_text(encoding="utf-8").split())
    nxt: dict[str, list[str]] = defaultdict(list)
    for a, b in itertools.pairwise(words):
        nxt[a].append(b)
    return words, dict(nxt)


_WORDS, _NEXT = _chain()


def generate_document(rng: random.Random, min_words: int = 300, max_words: int = 3000) -> str:
    """One document of ``min_words`` to ``max_words`` words (log-uniform), paragraphs of ~40-120 words."""
    n = round(min_words * (max_words / min_words) ** rng.random())
    out: list[str] = []
    word = rng.choice(_WORDS)
    para = 0
    limit = rng.randint(40, 120)
    for _ in range(n):
        # A random jump now and then keeps long documents from looping through the same chain.
        word = rng.choice(_WORDS) if rng.random() < 0.08 or word not in _NEXT else rng.choice(_NEXT[word])
        out.append(word)
        para += 1
        if para >= limit:
            out.append("\n\n")
            para, limit = 0, rng.randint(40, 120)
        else:
            out.append(" ")
    return "".join(out).strip()


def generate_corpus(n_docs: int, seed: int = 42, min_words: int = 300, max_words: int = 3000) -> list[str]:
    """``n_docs`` independent documents, the same for the same ``seed``."""
    rng = random.Random(seed)
    return [generate_document(rng, min_words, max_words) for _ in range(n_docs)]


def edited_copy(text: str, rate: float, rng: random.Random) -> str:
    """Copy of ``text`` with about ``rate`` of its words replaced, deleted or followed by an insertion."""
    out: list[str] = []
    for word in text.split(" "):
        r = rng.random()
        if r < rate / 3:
            out.append(rng.choice(_WORDS))
        elif r < 2 * rate / 3:
            continue
        elif r < rate:
            out.extend([word, rng.choice(_WORDS)])
        else:
            out.append(word)
    return " ".join(out)
