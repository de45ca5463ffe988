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


def sentence_pool(size: int, seed: int = 1) -> list[str]:
    """``size`` generated sentences of 8-25 words (the raw material of :func:`write_synthetic_jsonl`)."""
    rng = random.Random(seed)
    out = []
    for _ in range(size):
        words = []
        word = rng.choice(_WORDS)
        for _ in range(rng.randint(8, 25)):
            word = rng.choice(_WORDS) if rng.random() < 0.08 or word not in _NEXT else rng.choice(_NEXT[word])
            words.append(word)
        out.append(" ".join(words))
    return out


def write_synthetic_jsonl(
    path: Path | str,
    n_docs: int,
    *,
    seed: int = 42,
    sites: int = 50,
    exact_rate: float = 0.03,
    near_rate: float = 0.05,
    pool: int = 100_000,
) -> dict[str, int]:
    """Write ``n_docs`` JSONL records ``{"id", "site", "text"}`` with planted duplicates and boilerplate.

    Each document has 4-10 paragraphs of 2-5 pool sentences; every sentence gets one word replaced by
    a random one, so no paragraph repeats by chance. Each site wraps its pages in its own header,
    navigation and footer lines (with a varying date). ``exact_rate`` of the records copy an earlier
    record's whole text, ``near_rate`` copy an earlier body with 1 % of its words edited.

    Returns:
        Counts of planted ``exact`` and ``near`` duplicates.
    """
    import json

    rng = random.Random(seed)
    sentences = sentence_pool(pool, seed)
    headers = [
        [f"Site {s} News", "Home | World | Business | Tech | Sport", f"Subscribe to the Site {s} newsletter"]
        for s in range(sites)
    ]
    footers = [
        ["Leave a Reply", "Scroll to Top", f"Copyright Site {s} Media Group. All rights reserved."]
        for s in range(sites)
    ]
    bodies: list[str] = []
    texts: list[str] = []
    planted = {"exact": 0, "near": 0}
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n_docs):
            site = rng.randrange(sites)
            r = rng.random()
            if texts and r < exact_rate:
                text = rng.choice(texts)
                planted["exact"] += 1
                fh.write(json.dumps({"id": f"doc-{i}", "site": f"site{site}.example", "text": text}) + "\n")
                continue
            if bodies and r < exact_rate + near_rate:
                body = edited_copy(rng.choice(bodies), 0.01, rng)
                planted["near"] += 1
            else:
                paras = []
                for _ in range(rng.randint(4, 10)):
                    sents = []
                    for _ in range(rng.randint(2, 5)):
                        words = rng.choice(sentences).split(" ")
                        words[rng.randrange(len(words))] = rng.choice(_WORDS)
                        sents.append(" ".join(words) + ".")
                    paras.append(" ".join(sents))
                body = "\n\n".join(paras)
                if len(bodies) < 5000:
                    bodies.append(body)
                elif rng.random() < 0.05:
                    bodies[rng.randrange(len(bodies))] = body
            date = f"Updated {rng.randint(1, 28)} March 202{rng.randint(0, 5)}"
            text = "\n".join([*headers[site], date, "", body, "", *footers[site]])
            if len(texts) < 5000:
                texts.append(text)
            fh.write(json.dumps({"id": f"doc-{i}", "site": f"site{site}.example", "text": text}) + "\n")
    return planted
