"""Generated benchmark corpora (the one generator module of ``dedupe bench`` and ``benchmarks/``).

Two families, each the same for the same seed on every machine (README figures depend on both):

* **web-like pages** (:func:`generate_records`, :func:`write_corpus_jsonl`; ``dedupe bench``) from a
  built-in vocabulary, described below;
* **seed-chain prose** (:func:`generate_document`, :func:`generate_corpus`, :func:`edited_copy`,
  :func:`write_synthetic_jsonl`; the scripts in ``benchmarks/``): word sequences from a bigram
  Markov chain trained on the repository's ``seeds/`` (so vocabulary, word lengths, curly quotes
  and punctuation look like the seeds' news prose while the documents are new). These need the
  source checkout's ``seeds/`` folder and raise :class:`~dedupe.errors.ConfigError` without it.

Web-like pages:

Everything is built in this module (the package ships no data files): a fixed vocabulary of about
300 common English words followed by 30,000 pronounceable pseudo-words, drawn with Zipf
frequencies (exponent 1.05), so the text has the long tail of real prose and unrelated documents
share almost no word 5-gram. Pages are

* **lengths**: log-normal in words (median 350, sigma 0.8, clipped to 25 .. 6,000), in sentences of
  6 to 30 words and paragraphs of 1 to 6 sentences;
* **sites**: each record belongs to one of ``max(5, n // 200)`` sites; every page of a site carries
  the site's header, navigation line, a dated line and footer (the boilerplate);
* **exact duplicates** (``exact_rate``, 3 %): the whole text of an earlier page, on any site;
* **near duplicates** (``near_rate``, 7 %): an earlier page's body with a fraction of its words
  replaced, deleted or followed by an inserted word, at edit rates from 0.2 % to 10 %, published
  on a random site, so their word 5-gram Jaccard similarities spread around the usual thresholds.

Records are ``{"id", "site", "text", "planted", "source"}``; ``planted`` is ``"original"``,
``"exact"`` or ``"near:<rate>"`` and ``source`` the id of the copied page (or ``None``).
The same ``(n_docs, seed)`` gives the same records on every machine.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._typing import PathLike
from ..errors import ConfigError

__all__ = [
    "EDIT_RATES",
    "SEEDS",
    "edited_copy",
    "generate_corpus",
    "generate_document",
    "generate_records",
    "sentence_pool",
    "write_corpus_jsonl",
    "write_synthetic_jsonl",
]

#: Edit rates of the planted near duplicates (fraction of words edited).
EDIT_RATES = (0.002, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.06, 0.1)
#: Earlier pages remembered as sources for copies.
_SOURCES = 5000

_COMMON_TEXT = """
the of and to a in is it you that he was for on are with as his they be at one have this from or had
by not word but what some we can out other were all there when up use your how said an each she which do
their time if will way about many then them write would like so these her long make thing see him two has
look more day could go come did number sound no most people my over know water than call first who may
down side been now find any new work part take get place made live where after back little only round man
year came show every good me give our under name very through just form sentence great think say help low
line differ turn cause much mean before move right boy old too same tell does set three want air well also
play small end put home read hand port large spell add even land here must big high such follow act why ask
men change went light kind off need house picture try us again animal point mother world near build self
earth father head stand own page should country found answer school grow study still learn plant cover
food sun four between state keep eye never last let thought city tree cross farm hard start might story saw
far sea draw left late run while press close night real life few north open seem together next white
children begin got walk example ease paper group always music those both mark often letter until mile river
car feet care second book carry took science eat room friend began idea fish mountain stop once base hear
horse cut sure watch color face wood main enough plain girl usual young ready above ever red list though
feel talk bird soon body dog family direct pose leave song measure door product black short numeral class
wind question happen complete ship area half rock order fire south problem piece told knew pass since top
whole king space heard best hour better true during hundred five remember step early hold west ground
interest reach fast verb sing listen six table travel less morning ten simple several vowel toward war lay
against pattern slow center love person money serve appear road map rain rule govern pull cold notice voice
unit power town fine certain fly fall lead cry dark machine note wait plan figure star box noun field rest
correct able pound done beauty drive stood contain front teach week final gave green quick develop ocean
warm free minute strong special mind behind clear tail produce fact street inch multiply nothing course stay
wheel full force blue object decide surface deep moon island foot system busy test record boat common gold
possible plane stead dry wonder laugh thousand ago ran check game shape equate miss brought heat snow tire
bring yes distant fill east paint language among market report council minister police budget company
"""
_COMMON = _COMMON_TEXT.split()

_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "z",
    "br",
    "ch",
    "cl",
    "dr",
    "fl",
    "gr",
    "pl",
    "pr",
    "sh",
    "st",
    "th",
    "tr",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io", "y"]
_CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng", "rt"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[list[str], NDArray[np.float64]]:
    """The words (common ones first) and the cumulative Zipf distribution over them."""
    rng = np.random.default_rng(20240607)  # fixed: the vocabulary never depends on the corpus seed
    seen = set(_COMMON)
    words = list(dict.fromkeys(_COMMON))
    while len(words) < len(_COMMON) + 30_000:
        n_syl = int(rng.integers(1, 4))
        parts = []
        for _ in range(n_syl):
            parts.append(_ONSETS[int(rng.integers(len(_ONSETS)))])
            parts.append(_VOWELS[int(rng.integers(len(_VOWELS)))])
        parts.append(_CODAS[int(rng.integers(len(_CODAS)))])
        word = "".join(parts)
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = 1.0 / np.arange(1, len(words) + 1) ** 1.05
    cdf = np.cumsum(weights)
    return words, cdf / cdf[-1]


def _words(rng: np.random.Generator, n: int) -> list[str]:
    words, cdf = _vocabulary()
    idx = np.searchsorted(cdf, rng.random(n), side="right").tolist()
    return [words[min(i, len(words) - 1)] for i in idx]


def _body(rng: np.random.Generator) -> str:
    """One page body: paragraphs of sentences, log-normal length in words."""
    n = int(np.clip(rng.lognormal(np.log(350.0), 0.8), 25, 6000))
    words = _words(rng, n)
    lengths = rng.integers(6, 31, size=n // 6 + 2).tolist()
    per_para = rng.integers(1, 7, size=n // 6 + 2).tolist()
    paras: list[str] = []
    sentences: list[str] = []
    pos = k = 0
    while pos < n:
        chunk = words[pos : pos + lengths[k]]
        pos += len(chunk)
        sentences.append(chunk[0].capitalize() + (" " + " ".join(chunk[1:]) if len(chunk) > 1 else "") + ".")
        if len(sentences) >= per_para[len(paras)] or pos >= n:
            paras.append(" ".join(sentences))
            sentences = []
        k += 1
    return "\n\n".join(paras)


def _edited(body: str, rate: float, rng: np.random.Generator) -> str:
    """``body`` with about ``rate`` of its words replaced, deleted or followed by a new word."""
    tokens = body.split(" ")
    r = rng.random(len(tokens)).tolist()
    fresh = iter(_words(rng, len(tokens) // 10 + 16))
    out: list[str] = []
    for token, x in zip(tokens, r, strict=True):
        if x < rate / 3:
            out.append(next(fresh, "the"))
        elif x < 2 * rate / 3:
            continue
        elif x < rate:
            out.extend([token, next(fresh, "the")])
        else:
            out.append(token)
    return " ".join(out)


def _site_frame(site: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(1000 + site)
    name = " ".join(w.capitalize() for w in _words(rng, 2))
    header = [
        f"{name} | News and Views",
        "Home | World | Business | Technology | Sport | Opinion | Culture",
        f"Subscribe to the {name} newsletter",
    ]
    footer = [
        "Share this article",
        "Privacy Policy | Terms of Use | Contact Us | Advertise",
        f"Copyright {name} Media Group. All rights reserved.",
    ]
    return header, footer


def generate_records(
    n_docs: int, *, seed: int = 42, exact_rate: float = 0.03, near_rate: float = 0.07
) -> Iterator[dict[str, Any]]:
    """Yield ``n_docs`` generated page records (see the module docstring), the same for the same seed.

    >>> recs = list(generate_records(3, seed=1))
    >>> [sorted(r) for r in recs][0]
    ['id', 'planted', 'site', 'source', 'text']
    >>> recs == list(generate_records(3, seed=1))
    True
    """
    rng = np.random.default_rng(seed)
    n_sites = max(5, n_docs // 200)
    frames: dict[int, tuple[list[str], list[str]]] = {}
    bodies: list[tuple[str, str]] = []  # (id, body) of earlier originals and near copies
    texts: list[tuple[str, str]] = []  # (id, text) of earlier pages
    for i in range(n_docs):
        doc_id = f"doc-{i:07d}"
        site = int(rng.integers(n_sites))
        r = float(rng.random())
        if texts and r < exact_rate:
            src_id, text = texts[int(rng.integers(len(texts)))]
            yield {"id": doc_id, "site": f"site{site:04d}.example", "text": text, "planted": "exact", "source": src_id}
            continue
        if bodies and r < exact_rate + near_rate:
            src_id, src_body = bodies[int(rng.integers(len(bodies)))]
            rate = EDIT_RATES[int(rng.integers(len(EDIT_RATES)))]
            body, planted, source = _edited(src_body, rate, rng), f"near:{rate:g}", src_id
        else:
            body, planted, source = _body(rng), "original", None
        if site not in frames:
            frames[site] = _site_frame(site)
        header, footer = frames[site]
        date = f"Updated {int(rng.integers(1, 29))} {_MONTHS[int(rng.integers(12))]} {int(rng.integers(2015, 2026))}"
        text = "\n".join([*header, date, "", body, "", *footer])
        for memory, item in ((bodies, (doc_id, body)), (texts, (doc_id, text))):
            if len(memory) < _SOURCES:
                memory.append(item)
            elif rng.random() < 0.05:
                memory[int(rng.integers(_SOURCES))] = item
        yield {"id": doc_id, "site": f"site{site:04d}.example", "text": text, "planted": planted, "source": source}


def write_corpus_jsonl(path: PathLike, n_docs: int, *, seed: int = 42) -> dict[str, int]:
    """Write :func:`generate_records` to ``path`` as JSON Lines; return the planted counts by kind."""
    counts = {"original": 0, "exact": 0, "near": 0}
    with open(Path(path), "w", encoding="utf-8") as fh:
        for rec in generate_records(n_docs, seed=seed):
            counts[str(rec["planted"]).split(":")[0]] += 1
            fh.write(json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
    return counts


# ---------------------------------------------------------------------------------------------
# Seed-chain prose (benchmarks/)

#: The repository's ``seeds/`` folder (present in a source checkout, not in an installed wheel).
SEEDS = Path(__file__).resolve().parents[3] / "seeds"


@lru_cache(maxsize=1)
def _chain() -> tuple[list[str], dict[str, list[str]]]:
    """Every word of ``seeds/*.txt`` in order, and each word's followers (built on first use)."""
    words: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        words.extend(path.read_text(encoding="utf-8").split())
    if not words:
        raise ConfigError(f"{SEEDS}: no seeds/*.txt to train the seed-chain corpus on (it needs a source checkout)")
    nxt: dict[str, list[str]] = defaultdict(list)
    for a, b in itertools.pairwise(words):
        nxt[a].append(b)
    return words, dict(nxt)


def generate_document(rng: random.Random, min_words: int = 300, max_words: int = 3000) -> str:
    """One document of ``min_words`` to ``max_words`` words (log-uniform), paragraphs of ~40-120 words."""
    vocab, follow = _chain()
    n = round(min_words * (max_words / min_words) ** rng.random())
    out: list[str] = []
    word = rng.choice(vocab)
    para = 0
    limit = rng.randint(40, 120)
    for _ in range(n):
        # A random jump now and then keeps long documents from looping through the same chain.
        word = rng.choice(vocab) if rng.random() < 0.08 or word not in follow else rng.choice(follow[word])
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
    vocab = _chain()[0]
    out: list[str] = []
    for word in text.split(" "):
        r = rng.random()
        if r < rate / 3:
            out.append(rng.choice(vocab))
        elif r < 2 * rate / 3:
            continue
        elif r < rate:
            out.extend([word, rng.choice(vocab)])
        else:
            out.append(word)
    return " ".join(out)


def sentence_pool(size: int, seed: int = 1) -> list[str]:
    """``size`` generated sentences of 8-25 words (the raw material of :func:`write_synthetic_jsonl`)."""
    vocab, follow = _chain()
    rng = random.Random(seed)
    out = []
    for _ in range(size):
        words = []
        word = rng.choice(vocab)
        for _ in range(rng.randint(8, 25)):
            word = rng.choice(vocab) if rng.random() < 0.08 or word not in follow else rng.choice(follow[word])
            words.append(word)
        out.append(" ".join(words))
    return out


def write_synthetic_jsonl(
    path: PathLike,
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
    vocab = _chain()[0]
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
                        words[rng.randrange(len(words))] = rng.choice(vocab)
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
