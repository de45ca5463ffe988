"""Near-duplicate quality in seven scripts: Chinese, Japanese, Thai, Korean, Arabic, Russian, English.

Every language's set is built the same way, from a word list shipped in the ``faker`` package
(PyPI, MIT; ``pip install faker``): its lorem word lists ``zh_CN`` (346 words), ``ja_JP`` (218),
``th_TH`` (400), ``ar_AA`` (693), ``ru_RU`` (500) and ``en_US`` (971); faker has no Korean lorem, so
the Korean list is the Hangul words (of two or more syllables) of its ``ko_KR`` job, company,
address and person providers (about 1,500). Words are drawn with Zipf weights (rank ** -1) into
sentences of 6-14 words and articles of 25-45 sentences; Chinese, Japanese and Thai join words
without spaces (sentences end in "。", or a space for Thai), the others with spaces.

Each family is an article plus 1-3 variants with 1-10 % of its words edited (log-uniform) (replaced by another
word, 60 %; deleted, 20 %; or a word inserted, 20 %). The truth is the exact Jaccard similarity of the
shingle sets that ``find_duplicates`` uses (default ``ShingleConfig``: word 5-grams, scripts without
spaces cut into characters), computed for every pair inside a family and every pair reported.
All languages go through one ``find_duplicates(threshold=0.8)`` run, as in a multilingual crawl.

* precision: reported (verified) pairs whose true Jaccard >= 0.8;
* recall: true pairs (Jaccard >= 0.8) whose two documents end in one cluster; and for J >= 0.9;
* F1 from those two.

Floors (issue 16): in every language recall at J >= 0.9 >= 0.99 and F1 >= 0.97, both within 0.01
of English. The script prints a table and exits 1 when a floor is missed.

Run: ``python benchmarks/scripts_quality.py [--families 300] [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from dedupe.config import ShingleConfig
from dedupe.duplicates import find_duplicates
from dedupe.scripts import unspaced_share
from dedupe.shingles import shingle_texts

LANGUAGES = ("zh", "ja", "th", "ko", "ar", "ru", "en")
_LOREM = {"zh": "zh_CN", "ja": "ja_JP", "th": "th_TH", "ar": "ar_AA", "ru": "ru_RU", "en": "en_US"}
_UNSPACED = {"zh", "ja", "th"}
_END = {"zh": "。", "ja": "。", "th": " ", "ko": ". ", "ar": ". ", "ru": ". ", "en": ". "}
FLOORS = {"recall_090": 0.99, "f1": 0.97, "gap_to_english": 0.01}
THRESHOLD = 0.8


def word_list(language: str) -> list[str]:
    """The vocabulary of ``language`` from faker's providers (see the module docstring)."""
    import importlib

    if language in _LOREM:
        module = importlib.import_module(f"faker.providers.lorem.{_LOREM[language]}")
        return sorted(set(module.Provider.word_list))
    words: set[str] = set()
    for provider in ("job", "company", "address", "person"):
        cls = importlib.import_module(f"faker.providers.{provider}.ko_KR").Provider
        for value in vars(cls).values():
            items = value.values() if isinstance(value, dict) else value
            if isinstance(items, (list, tuple)) or isinstance(value, dict):
                for item in items:
                    if isinstance(item, str):
                        words.update(w for w in re.split(r"[^가-힣]+", item) if len(w) >= 2)
    return sorted(words)


class Language:
    """Random text in one language: Zipf-weighted words from its list."""

    def __init__(self, language: str, rng: random.Random) -> None:
        self.language = language
        self.words = word_list(language)
        rng.shuffle(self.words)
        weights = 1.0 / np.arange(1, len(self.words) + 1)
        self.cum = np.cumsum(weights / weights.sum()).tolist()
        self.sep = "" if language in _UNSPACED else " "

    def word(self, rng: random.Random) -> str:
        return rng.choices(self.words, cum_weights=self.cum)[0]

    def article(self, rng: random.Random) -> list[list[str]]:
        """Sentences as lists of words."""
        return [[self.word(rng) for _ in range(rng.randint(6, 14))] for _ in range(rng.randint(25, 45))]

    def edited(self, sentences: list[list[str]], rate: float, rng: random.Random) -> list[list[str]]:
        """A copy with ``rate`` of its words edited (replaced, deleted, or a word inserted after)."""
        out = [list(s) for s in sentences]
        slots = [(i, j) for i, s in enumerate(out) for j in range(len(s))]
        for i, j in sorted(rng.sample(slots, max(1, round(rate * len(slots)))), reverse=True):
            op = rng.random()
            if op < 0.6:
                out[i][j] = self.word(rng)
            elif op < 0.8 and len(out[i]) > 1:
                del out[i][j]
            else:
                out[i].insert(j + 1, self.word(rng))
        return out

    def text(self, sentences: list[list[str]]) -> str:
        end = _END[self.language]
        paragraphs = [sentences[k : k + 5] for k in range(0, len(sentences), 5)]
        return "\n\n".join("".join(self.sep.join(s) + end for s in p).strip() for p in paragraphs)


def build(families: int, seed: int) -> tuple[list[str], list[str], list[int]]:
    """Texts, their language and their family (all languages shuffled together)."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, int]] = []
    family = 0
    for language in LANGUAGES:
        gen = Language(language, random.Random(f"{seed}-{language}"))
        for _ in range(families):
            base = gen.article(rng)
            rows.append((gen.text(base), language, family))
            for _ in range(rng.randint(1, 3)):
                rate = math.exp(rng.uniform(math.log(0.01), math.log(0.10)))  # log-uniform in [1 %, 10 %]
                rows.append((gen.text(gen.edited(base, rate, rng)), language, family))
            family += 1
    rng.shuffle(rows)
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def exact_jaccards(sets: list[set[int]], pairs: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = np.empty(len(pairs))
    for k, (a, b) in enumerate(pairs.tolist()):
        union = len(sets[a] | sets[b])
        out[k] = len(sets[a] & sets[b]) / union if union else 1.0
    return out


@dataclass
class Scores:
    language: str
    docs: int
    true_pairs: int
    true_pairs_090: int
    precision: float
    recall: float
    recall_090: float
    f1: float
    unspaced_share: float
    shingles_per_doc: float


def evaluate(families: int = 300, seed: int = 1) -> tuple[list[Scores], float]:
    """Scores per language and the seconds of the ``find_duplicates`` run."""
    texts, langs, fams = build(families, seed)
    batch = shingle_texts(texts, ShingleConfig())
    sets = [set(batch.document(i).tolist()) for i in range(len(texts))]
    start = time.perf_counter()
    result = find_duplicates(texts, threshold=THRESHOLD)
    seconds = time.perf_counter() - start
    lang = np.array(langs)
    fam = np.array(fams)
    # Candidate truth: every pair inside a family, plus every reported pair.
    order = np.argsort(fam, kind="stable")
    within = [
        (int(a), int(b)) for f in np.split(order, np.flatnonzero(np.diff(fam[order])) + 1)
        for x, a in enumerate(f) for b in f[x + 1 :]
    ]  # fmt: skip
    reported = result.pairs[result.pair_kind == "near"]
    codes = {tuple(sorted(p)) for p in within} | {tuple(p) for p in reported.tolist()}
    pairs = np.array(sorted(codes), dtype=np.int64).reshape(-1, 2)
    truth = exact_jaccards(sets, pairs)
    same_cluster = result.labels[pairs[:, 0]] == result.labels[pairs[:, 1]]
    reported_set = {tuple(p) for p in np.sort(result.pairs, axis=1).tolist()}
    is_reported = np.array([tuple(p) in reported_set for p in pairs.tolist()], dtype=bool)
    scores = []
    for language in LANGUAGES:
        mine = lang[pairs[:, 0]] == language
        true = mine & (truth >= THRESHOLD)
        true90 = mine & (truth >= 0.9)
        rep = mine & is_reported
        precision = float((truth[rep] >= THRESHOLD).mean()) if rep.any() else 1.0
        recall = float(same_cluster[true].mean()) if true.any() else 1.0
        recall90 = float(same_cluster[true90].mean()) if true90.any() else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        docs = np.flatnonzero(lang == language)
        scores.append(
            Scores(
                language, len(docs), int(true.sum()), int(true90.sum()), precision, recall, recall90, f1,
                float(np.mean([unspaced_share(texts[d]) for d in docs])),
                float(np.mean(batch.counts()[docs])),
            )
        )  # fmt: skip
    return scores, seconds


def missed_floors(scores: list[Scores]) -> list[str]:
    english = next(s for s in scores if s.language == "en")
    missed = []
    for s in scores:
        if s.recall_090 < FLOORS["recall_090"]:
            missed.append(f"{s.language}: recall at J >= 0.9 {s.recall_090:.4f} < {FLOORS['recall_090']}")
        if s.f1 < FLOORS["f1"]:
            missed.append(f"{s.language}: F1 {s.f1:.4f} < {FLOORS['f1']}")
        for name in ("recall_090", "f1"):
            gap = getattr(english, name) - getattr(s, name)
            if gap > FLOORS["gap_to_english"]:
                missed.append(f"{s.language}: {name} {gap:.4f} below English (> {FLOORS['gap_to_english']})")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=300, help="families per language")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON too")
    args = parser.parse_args(argv)
    scores, seconds = evaluate(args.families, args.seed)
    print(f"{sum(s.docs for s in scores):,} documents, {args.families} families per language; "
          f"find_duplicates(threshold={THRESHOLD}) in {seconds:.2f} s")  # fmt: skip
    print()
    print("| language | docs | unspaced share | shingles/doc | true pairs (J >= 0.9) | precision | recall | "
          "recall (J >= 0.9) | F1 |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in scores:
        print(f"| {s.language} | {s.docs:,} | {s.unspaced_share:.2f} | {s.shingles_per_doc:.0f} | "
              f"{s.true_pairs:,} ({s.true_pairs_090:,}) | {s.precision:.4f} | {s.recall:.4f} | "
              f"{s.recall_090:.4f} | {s.f1:.4f} |")  # fmt: skip
    if args.json:
        print(json.dumps([s.__dict__ for s in scores]))
    missed = missed_floors(scores)
    for line in missed:
        print(f"FLOOR MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
