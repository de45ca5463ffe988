"""Line-level quality of boilerplate detection: a labelled synthetic corpus and real labelled pages.

Run from the repository root::

    python benchmarks/boilerplate_quality.py            # both parts
    python benchmarks/boilerplate_quality.py --real     # real pages only
    python benchmarks/boilerplate_quality.py --synthetic

(a) **Synthetic** (fixed seed): sites with header, navigation, footer and promo blocks (numbers, dates
and a few words varying between pages) around article bodies made of shuffled seed sentences; some
articles are syndicated to several sites and passed as one near-duplicate cluster (``labels``).
Reports line P/R/F1 and how many syndicated body lines were removed (must be 0).

(b) **Real pages** (``../shared/data/webpages-dev.jsonl.gz`` beside the checkout, or ``--data PATH``): the sites with
two or more pages of ``gold_coverage >= 0.8``; each page's lines joined with ``\\n``; detection run
over all of them as one corpus with ``groups=site``. Reports line P/R/F1 of the boilerplate class and
the recall over boilerplate lines that repeat in their page or on two pages of their site (Rep-R),
and again with the stoplist learned from every page of the file (unlabelled) as the probe did.

Exits 1 when a floor is missed (:data:`FLOORS`, the same as ``bench_boilerplate_floors.py``): a
syndicated body line removed (with labels) in any run; with the default options, real pages
(corpus = the multi-page sites, groups = site) below precision 0.94 or F1 0.91, synthetic below
precision 0.995; with ``near_threshold=0.7``, synthetic below F1 0.99. Each miss is printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dedupe.boilerplate import BoilerplateModel, BoilerplateSpan, find_boilerplate
from dedupe.normalize import normalize_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "webpages-dev.jsonl.gz"  # ../shared beside the checkout
#: (run, measure) -> the least value that passes; "defaults" is the run without options.
FLOORS: dict[tuple[str, str], float] = {
    ("defaults", "real precision"): 0.94,
    ("defaults", "real F1"): 0.91,
    ("defaults", "synthetic precision"): 0.995,
    ("near_threshold=0.7", "synthetic F1"): 0.99,
}
#: Baselines from design/boilerplate-probe.md (same pages, same metric).
BASELINES = {"exact counting": (0.931, 0.721, 0.813), "every repeat (B)": (0.934, 0.861, 0.896)}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, pred: list[bool], gold: list[bool]) -> None:
        for p, g in zip(pred, gold, strict=True):
            self.tp += p and g
            self.fp += p and not g
            self.fn += g and not p

    @property
    def precision(self) -> float:
        return self.tp / max(self.tp + self.fp, 1)

    @property
    def recall(self) -> float:
        return self.tp / max(self.tp + self.fn, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(p + r, 1e-12)

    def line(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"


def flagged_lines(lines: list[str], spans: list[BoilerplateSpan]) -> list[bool]:
    """Map spans over ``"\\n".join(lines)`` back to lines: a line is flagged when a span covers it."""
    starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]])
    flags = np.zeros(len(lines), dtype=bool)
    for span in spans:
        lo, hi = np.searchsorted(starts, [span.start, span.end])
        flags[lo:hi] = True
    return flags.tolist()


# ---------------------------------------------------------------------------------------------
# (b) real pages


def load_pages(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def multi_page_sites(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    good = [r for r in rows if r["gold_coverage"] >= 0.8]
    per_site = Counter(r["site"] for r in good)
    return [r for r in good if per_site[r["site"]] >= 2]


def repeated_mask(pages: list[dict[str, Any]]) -> list[list[bool]]:
    """Lines whose normalized text repeats in their page or occurs on >= 2 pages of their site."""
    norm = [[normalize_text(line["text"], mask_digits=True) for line in p["lines"]] for p in pages]
    site_pages: dict[str, Counter[str]] = defaultdict(Counter)
    for p, lines in zip(pages, norm, strict=True):
        site_pages[p["site"]].update(set(lines))
    out = []
    for p, lines in zip(pages, norm, strict=True):
        in_page = Counter(lines)
        out.append([in_page[t] >= 2 or site_pages[p["site"]][t] >= 2 for t in lines])
    return out


def score_real(pages: list[dict[str, Any]], spans: list[list[BoilerplateSpan]]) -> tuple[Score, float]:
    score, rep_hit, rep_total = Score(), 0, 0
    for page, page_spans, rep in zip(pages, spans, repeated_mask(pages), strict=True):
        lines = [line["text"] for line in page["lines"]]
        gold = [bool(line["is_boilerplate"]) for line in page["lines"]]
        pred = flagged_lines(lines, page_spans)
        score.add(pred, gold)
        for p, g, r in zip(pred, gold, rep, strict=True):
            if g and r:
                rep_total += 1
                rep_hit += p
    return score, rep_hit / max(rep_total, 1)


def run_real(path: Path, options: dict[str, Any]) -> dict[str, Any] | None:
    if not path.exists():
        print(f"(b) real pages: SKIPPED, {path} not found (pass --data PATH)")
        return None
    rows = load_pages(path)
    pages = multi_page_sites(rows)
    texts = ["\n".join(line["text"] for line in p["lines"]) for p in pages]
    sites = [p["site"] for p in pages]
    n_lines = sum(len(p["lines"]) for p in pages)
    print(f"(b) real pages: {len(pages)} pages of {len(set(sites))} sites, {n_lines:,} lines")
    for name, (p, r, f) in BASELINES.items():
        print(f"    baseline {name:<24} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    t0 = time.perf_counter()
    spans = find_boilerplate(texts, groups=sites, **options)
    took = time.perf_counter() - t0
    score, rep_r = score_real(pages, spans)
    print(f"    options: {options or 'defaults (exact path)'}")
    print(f"    dedupe (148 pages as the corpus)   {score.line()}  Rep-R {rep_r:.3f}  ({took:.2f} s)")
    # The probe learned its stoplist from every page of the file; fitting on all pages does the same.
    all_texts = ["\n".join(line["text"] for line in r["lines"]) for r in rows]
    model = BoilerplateModel.fit(all_texts, groups=[r["site"] for r in rows], **options)
    spans_all = model.find(texts, groups=sites)
    score_all, rep_all = score_real(pages, spans_all)
    print(f"    dedupe (fitted on all {len(rows):,} pages) {score_all.line()}  Rep-R {rep_all:.3f}")
    return {
        "corpus": (score.precision, score.recall, score.f1, rep_r),
        "fitted_all": (score_all.precision, score_all.recall, score_all.f1, rep_all),
    }


# ---------------------------------------------------------------------------------------------
# (a) synthetic sites


def seed_sentences() -> list[str]:
    """Sentences of the seeds' article bodies (lines of at least 12 words, split at sentence ends)."""
    out: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line.split()) < 12:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                if len(sentence.split()) >= 6:
                    out.append(sentence)
    return sorted(set(out))


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
WORDS = [
    "News",
    "World",
    "Tech",
    "Business",
    "Science",
    "Health",
    "Sports",
    "Culture",
    "Opinion",
    "Video",
    "Markets",
    "Travel",
    "Style",
    "Climate",
    "Books",
    "Podcasts",
    "Newsletters",
    "Events",
    "Jobs",
    "Deals",
]


@dataclass
class Site:
    name: str
    header: list[str]
    nav: list[str]
    promo: list[str]
    footer: list[str]
    indent: str


def make_site(rng: random.Random, k: int) -> Site:
    first = rng.choice(["Daily", "Morning", "Global", "Metro", "Valley", "Harbor"])
    name = f"{first} {rng.choice(['Ledger', 'Post', 'Wire', 'Herald', 'Times', 'Signal'])} {k}"
    nav = rng.sample(WORDS, rng.randint(6, 12))
    header = [f"{name}", "Skip to main content", f"Subscribe to {name} from $1 a week"]
    promo = [
        f"Get the {name} newsletter",
        f"Sign up for {rng.choice(['daily', 'weekly', 'morning'])} briefings on {rng.choice(WORDS).lower()} and "
        f"{rng.choice(WORDS).lower()}, written by our editors and delivered to your inbox every single day.",
        "Sign up",
    ]
    footer = [
        "About us",
        "Contact us",
        "Privacy policy",
        "Terms of use",
        "Advertise with us",
        f"© 2025 {name} Media Group. All rights reserved. Reproduction of material from any {name} pages "
        "without written permission is strictly prohibited.",
        f"{name} is not responsible for the content of external sites. Read about our approach to external linking.",
    ]
    return Site(name, header, nav, promo, footer, rng.choice(["", "  ", "\t", "    "]))


def vary(rng: random.Random, line: str) -> str:
    """Change the numbers of a line and, in a long line, sometimes one word, as pages of a site do."""
    line = re.sub(r"\d+", lambda m: str(rng.randint(1, 99)), line)
    words = line.split()
    if len(words) >= 12 and rng.random() < 0.3:
        i = rng.randrange(2, len(words) - 1)
        words[i] = rng.choice(["new", "latest", "best", "top", "free", "all"])
        line = " ".join(words)
    return line


def splice(rng: random.Random, sentences: list[str]) -> str:
    """A new sentence: the head of one seed sentence and the tail of another."""
    a, b = rng.sample(sentences, 2)
    wa, wb = a.split(), b.split()
    return " ".join(wa[: rng.randint(3, len(wa) - 2)] + wb[rng.randint(2, len(wb) - 3) :])


def make_body(rng: random.Random, sentences: list[str], seen: set[str]) -> list[str]:
    """Five to fourteen body lines never used before (paragraphs of one to three sentences)."""
    body: list[str] = []
    while len(body) < rng.randint(5, 14):
        line = " ".join(splice(rng, sentences) for _ in range(rng.randint(1, 3)))
        if line not in seen:
            seen.add(line)
            body.append(line)
    return body


def make_page(rng: random.Random, site: Site, body: list[str]) -> tuple[list[str], list[bool]]:
    lines: list[tuple[str, bool]] = []
    ind = site.indent
    for h in site.header:
        lines.append((ind + vary(rng, h), True))
    lines.append(("", True))
    lines += [(ind + n, True) for n in site.nav]
    lines.append(("", True))
    lines.append((f"Updated {rng.randint(1, 12)} hours ago, {rng.randint(1, 28)}.{rng.randint(1, 12)}.2025", True))
    lines.append(
        (
            f"Published on {rng.choice(MONTHS)} {rng.randint(1, 28)}, 2025 by the {site.name} staff, "
            f"filed under {rng.choice(WORDS)}",
            True,
        )
    )
    lines.append(("", True))
    cut = rng.randint(2, max(2, len(body) - 2))
    for sentence in body[:cut]:
        lines += [(sentence, False), ("", False)]
    for p in site.promo:
        lines.append((ind * 2 + vary(rng, p), True))
    lines.append(("", True))
    for sentence in body[cut:]:
        lines += [(sentence, False), ("", False)]
    lines.append((f"{rng.randint(2, 300)} comments", True))
    for f in site.footer:
        lines.append((ind + vary(rng, f), True))
    text_lines = [t for t, _ in lines]
    gold = [g for _, g in lines]
    return text_lines, gold


def build_synthetic(
    seed: int = 7, n_sites: int = 8, pages_per_site: tuple[int, int] = (6, 14), n_syndicated: int = 6
) -> tuple[list[list[str]], list[list[bool]], list[str], list[int], set[int]]:
    """Pages (as lines), gold flags, site names, cluster labels, and the syndicated page indices."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    sites = [make_site(rng, k) for k in range(n_sites)]
    pages: list[list[str]] = []
    golds: list[list[bool]] = []
    names: list[str] = []
    labels: list[int] = []
    syndicated: set[int] = set()
    seen: set[str] = set()
    label = 0
    for site in sites:
        for _ in range(rng.randint(*pages_per_site)):
            body = make_body(rng, sentences, seen)
            lines, gold = make_page(rng, site, body)
            pages.append(lines)
            golds.append(gold)
            names.append(site.name)
            labels.append(label)
            label += 1
    # Syndicated articles: the same body on several sites (and twice on one), one cluster each.
    for _ in range(n_syndicated):
        body = make_body(rng, sentences, seen)
        hosts = rng.sample(sites, rng.randint(3, 6)) + [sites[0]] * rng.randint(0, 1)
        for site in hosts:
            lines, gold = make_page(rng, site, body)
            syndicated.add(len(pages))
            pages.append(lines)
            golds.append(gold)
            names.append(site.name)
            labels.append(label)
        label += 1
    return pages, golds, names, labels, syndicated


def run_synthetic(options: dict[str, Any]) -> dict[str, Any]:
    print(f"    options: {options or 'defaults (exact path)'}")
    pages, golds, names, labels, syndicated = build_synthetic()
    texts = ["\n".join(lines) for lines in pages]
    n_lines = sum(len(p) for p in pages)
    print(
        f"(a) synthetic: {len(pages)} pages of {len(set(names))} sites, {n_lines:,} lines, "
        f"{len(syndicated)} syndicated copies"
    )
    t0 = time.perf_counter()
    spans = find_boilerplate(texts, groups=names, labels=labels, **options)
    took = time.perf_counter() - t0
    score, lost = Score(), 0
    for i, (lines, gold, page_spans) in enumerate(zip(pages, golds, spans, strict=True)):
        keep = [bool(line.strip()) for line in lines]  # blank lines are not scored
        pred = flagged_lines(lines, page_spans)
        score.add([p for p, k in zip(pred, keep, strict=True) if k], [g for g, k in zip(gold, keep, strict=True) if k])
        if i in syndicated:
            lost += sum(p and not g and k for p, g, k in zip(pred, gold, keep, strict=True))
    print(f"    dedupe with labels     {score.line()}  syndicated body lines removed: {lost}  ({took:.2f} s)")
    no_labels = find_boilerplate(texts, groups=names, **options)
    lost_nl = sum(
        p and not g and bool(line.strip())
        for i in syndicated
        for line, p, g in zip(pages[i], flagged_lines(pages[i], no_labels[i]), golds[i], strict=True)
    )
    print(f"    (without labels, syndicated body lines removed: {lost_nl})")
    return {"synthetic": (score.precision, score.recall, score.f1), "syndicated_lost": lost}


def check(run: str, synthetic: dict[str, Any] | None, real: dict[str, Any] | None) -> list[str]:
    """The floors that ``run``'s results miss, as lines to print (empty when every floor holds)."""
    measured: dict[str, float] = {}
    misses: list[str] = []
    if synthetic is not None:
        measured["synthetic precision"], _, measured["synthetic F1"] = synthetic["synthetic"]
        if synthetic["syndicated_lost"] != 0:
            misses.append(f"{run}: {synthetic['syndicated_lost']} syndicated body lines removed (floor: 0)")
    if real is not None:
        measured["real precision"], _, measured["real F1"], _ = real["corpus"]
    for (floor_run, measure), floor in FLOORS.items():
        if floor_run == run and measure in measured and measured[measure] < floor:
            misses.append(f"{run}: {measure} {measured[measure]:.3f} < floor {floor}")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="only the real pages")
    parser.add_argument("--synthetic", action="store_true", help="only the synthetic benchmark")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--near", type=float, default=None, help="near_threshold (default: both the exact path and 0.7)"
    )
    parser.add_argument("--option", action="append", default=[], help="NAME=VALUE config override")
    args = parser.parse_args(argv)
    options: dict[str, Any] = {}
    if args.near is not None:
        options["near_threshold"] = args.near
    for item in args.option:
        name, _, value = item.partition("=")
        options[name] = json.loads(value)
    both = not args.real and not args.synthetic
    runs = [options] if options else [{}, {"near_threshold": 0.7}]
    misses: list[str] = []
    for run_options in runs:
        run = ", ".join(f"{k}={v}" for k, v in run_options.items()) or "defaults"
        synthetic = run_synthetic(run_options) if args.synthetic or both else None
        real = run_real(args.data, run_options) if args.real or both else None
        if args.real and real is None:
            misses.append(f"{run}: real pages not measured ({args.data} not found)")
        misses += check(run, synthetic, real)
    if misses:
        print("FLOORS MISSED:", *misses, sep="\n  ")
        return 1
    print("floors: every floor that applies to these runs holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
