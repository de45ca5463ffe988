from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.blocks import line_key, split_lines
from dedupe.boilerplate import (
    REASONS,
    BoilerplateModel,
    BoilerplateSpan,
    find_boilerplate,
    strip_boilerplate,
)
from dedupe.config import BoilerplateConfig
from dedupe.errors import ConfigError, CorruptFileError, IncompatibleSignaturesError
from strategies import texts

# ---------------------------------------------------------------------------------------------
# Helpers

#: A content line: more than eight words, so the run rule never takes it.
STORY = "The story goes on with more than eight words in this line."


def flagged_lines(text: str, spans: list[BoilerplateSpan]) -> list[str]:
    """Stripped non-blank lines covered by the spans."""
    out = []
    for span in spans:
        out += [line.strip() for line in re.split(r"\r\n?|\n", text[span.start : span.end]) if line.strip()]
    return out


def check_spans(text: str, spans: list[BoilerplateSpan]) -> None:
    """In bounds, sorted, disjoint, whole lines; removing and re-inserting gives the text back."""
    table = split_lines([text])
    line_starts = set(table.starts.tolist())
    line_ends = set(table.next_starts.tolist())
    pos = 0
    kept, removed = [], []
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= pos, "spans overlap or are unsorted"
        assert span.start in line_starts and span.end in line_ends
        assert span.reason in REASONS and span.count >= 1
        kept.append(text[pos : span.start])
        removed.append(text[span.start : span.end])
        pos = span.end
    kept.append(text[pos:])
    rebuilt = kept[0] + "".join(r + k for r, k in zip(removed, kept[1:], strict=True))
    assert rebuilt == text


def check_strip(text: str, spans: list[BoilerplateSpan], stripped: str) -> None:
    """The stripped text is the text without the spans and, at most, some blank lines next to them."""
    pieces, pos = [], 0
    for span in spans:
        pieces.append(text[pos : span.start])
        pos = span.end
    pieces.append(text[pos:])
    # Every kept piece survives in order; only whitespace may disappear between them.
    cursor = 0
    for piece in pieces:
        core = piece.strip()
        if not core:
            continue
        found = stripped.find(core, cursor)
        assert found >= 0, (piece, stripped)
        assert stripped[cursor:found].strip() == ""
        cursor = found + len(core)
    assert stripped[cursor:].strip() == ""


# ---------------------------------------------------------------------------------------------
# Seeds: one corpus of five pages

ARTICLE_SENTENCES = {
    0: [
        "Meta Does A U-turn on AI model sharing",
        "The court redacts the names of the AI model hosts in question with whom the company might have",
        "Apart from revenue-sharing agreements for Llama, an AI model allegedly trained through pirated",
    ],
    1: [
        "Meta finds itself in the AI spotlight again, with revelations of revenue-sharing agreements",
        "The court document revelation about Meta's revenue-sharing deals has sparked a flurry",
        "Meta's revenue-sharing agreements provide a comprehensive look at the intricate ways",
        "Contradictions in Zuckerberg's Statements",
    ],
    2: [
        "In a striking contradiction, Mark Zuckerberg, the CEO of Meta, has conveyed",
        "The Complexities of Monetization Strategies",
        "Despite these serious allegations, Meta continues to position itself as a leader",
    ],
    3: [
        "Meta Allegedly Used Unlicensed Books to Train AI Models, According to Email Evidence",
        "Emails show that Meta downloaded and shared at least 81.7 terabytes of data",
    ],
    4: [
        "Meta internal chats reveal discussions on using copyrighted works for AI training",
        "Senior manager Melanie Kambadur and colleagues also discussed potential data sources",
        "The case, pending in the U.S. District Court for the Northern District of California",
    ],
}

LOGOS = ["Canva", "Claude AI", "Google Gemini", "HeyGen", "Hugging Face", "Microsoft", "OpenAI", "Zapier"]


@pytest.mark.parametrize("options", [{}, {"near_threshold": 0.8}], ids=["exact", "near"])
def test_seed_promos_and_logos_are_flagged(seed_texts: list[str], options: dict[str, object]) -> None:
    spans = find_boilerplate(seed_texts, **options)
    text = seed_texts[1]
    lines = [line.strip() for line in text.splitlines()]
    promo = [
        line
        for line in lines
        if line.startswith(("Learn to use AI like a Pro", "Get the latest AI workflows")) or line.endswith(" Logo")
    ]
    assert len([line for line in promo if line == "Learn to use AI like a Pro"]) == 9
    assert "Learn to use AI like a Pro. Learn More" in promo
    flagged = flagged_lines(text, spans[1])
    missing = [line for line in promo if line not in flagged]
    assert missing == []
    assert {f"{logo} Logo" for logo in LOGOS} <= set(flagged)
    # The promo (title, text, sixteen logos) is one span, the same group each time.
    blocks = [s for s in spans[1] if s.text.startswith("Learn to use AI like a Pro") and s.end - s.start > 500]
    assert len(blocks) >= 7
    assert len({s.group for s in blocks if "Logo" in text[s.start : s.end]}) <= 2
    assert all(s.reason == "repeated_in_document" and s.count >= 9 for s in blocks)


@pytest.mark.parametrize("options", [{}, {"near_threshold": 0.8}], ids=["exact", "near"])
def test_seed_article_sentences_survive(seed_texts: list[str], options: dict[str, object]) -> None:
    spans = find_boilerplate(seed_texts, **options)
    stripped = strip_boilerplate(seed_texts, **options)
    for i, sentences in ARTICLE_SENTENCES.items():
        for sentence in sentences:
            assert sentence in seed_texts[i]
            assert sentence in stripped[i], (i, sentence)
            assert not any(sentence in line for line in flagged_lines(seed_texts[i], spans[i]))
    for text, page_spans, out in zip(seed_texts, spans, stripped, strict=True):
        check_spans(text, page_spans)
        check_strip(text, page_spans, out)
    # No long article line of any seed is removed.
    for text, out in zip(seed_texts, stripped, strict=True):
        for line in text.splitlines():
            if len(line.split()) >= 30 and "AI workflows" not in line:
                assert line.strip() in out


def test_seed_furniture_found_by_a_stoplist_learned_elsewhere(seed_texts: list[str]) -> None:
    others = [f"Story number {i} about something else entirely.\nLeave a Reply\nScroll to Top" for i in range(5)]
    groups = [f"seed{i}" for i in range(len(seed_texts))] + [f"other{i}" for i in range(5)]
    spans = find_boilerplate(seed_texts + others, groups=groups)
    assert "Leave a Reply" in flagged_lines(seed_texts[2], spans[2])
    assert "Scroll to Top" in flagged_lines(seed_texts[3], spans[3])
    reasons = {s.reason for s in spans[2] if "Leave a Reply" in s.text}
    assert reasons == {"stoplist"}


# ---------------------------------------------------------------------------------------------
# Rules


def test_repeats_within_a_document() -> None:
    page = "Subscribe now\nThe first paragraph of the story, long enough to stay.\n\n  SUBSCRIBE   NOW \n"
    spans = find_boilerplate([page])[0]
    assert [(s.reason, s.count) for s in spans] == [("repeated_in_document", 2)] * 2
    assert spans[0].group == spans[1].group
    assert find_boilerplate([page], min_repeats=3) == [[]]


def test_guard_long_lines_need_three_copies() -> None:
    long_line = " ".join(f"word{i}" for i in range(32))
    body = "A different paragraph of the article text, long enough to never be a run."
    twice = f"{long_line}\n{body}\n{long_line}\n"
    assert find_boilerplate([twice]) == [[]]
    thrice = f"{long_line}\n{body}\n{long_line}\n{body} again\n{long_line}\n"
    spans = find_boilerplate([thrice])[0]
    assert [s.count for s in spans] == [3, 3, 3]


def test_guard_heading_before_its_paragraph_is_kept() -> None:
    paragraph = "This paragraph explains the heading above it with more than fifteen words in one line of text."
    second = paragraph.replace("explains", "shows")
    page = f"Contents\nMethods\nResults\n\nMethods\n{paragraph}\n\nResults\n{second}\n"
    spans = find_boilerplate([page])[0]
    flagged = flagged_lines(page, spans)
    assert flagged.count("Methods") == 1  # the table-of-contents copy
    assert find_boilerplate([page], heading_words=0)[0] != spans


def test_faq_heading_used_twice_among_content_stays_in_both_places() -> None:
    """Decision: a heading seen twice, each copy alone between content lines, is the article's."""
    answer = "You can reset it from the account page, where a link sends you a new one by email."
    question = "How do I reset my password?"
    page = f"Questions people ask\n{question}\n{answer}\n\n{question}\n{answer[:40]}.\n"
    assert find_boilerplate([page]) == [[]]


def test_runs_fill_short_gaps_between_flagged_lines() -> None:
    nav = "Home\nNews\nUnique link one\nSport\n"
    names = ["alpha", "beta", "gamma"]
    pages = [nav.replace("one", name) + f"Story {name} " + "words " * 20 for name in names]
    spans = find_boilerplate(pages)
    for page, page_spans in zip(pages, spans, strict=True):
        assert any(s.reason == "run" for s in page_spans)
        assert len(flagged_lines(page, page_spans)) == 4
    assert all(s.reason != "run" for s in find_boilerplate(pages, run_max_gap=0)[0])


def test_frequent_across_documents_counts_per_group() -> None:
    names = ["alpha", "beta", "gamma", "delta"]
    pages = [f"Site menu\nAbout us\nArticle {name}: unique words for this page only." for name in names]
    groups = ["a.com", "a.com", "b.com", "c.com"]
    spans = find_boilerplate(pages, groups=groups, stoplist_min_groups=0)
    assert [len(s) for s in spans] == [1, 1, 0, 0]
    assert spans[0][0].reason == "frequent_across_documents" and spans[0][0].count == 2
    assert spans[0][0].group == spans[1][0].group
    assert pages[0][spans[0][0].start : spans[0][0].end] == "Site menu\nAbout us\n"
    assert find_boilerplate(pages, groups=groups, min_docs=3, stoplist_min_groups=0) == [[]] * 4
    # Without groups the corpus is one group.
    assert all(len(s) == 1 for s in find_boilerplate(pages))
    # A fraction of the group's documents: the menu is on 2 of 4 pages.
    half = pages[:2] + [f"Other text {name}, a different page." for name in names[2:]]
    assert all(find_boilerplate(half, min_doc_fraction=0.5)[:2])
    assert find_boilerplate(half, min_doc_fraction=0.75) == [[]] * 4


def test_labels_keep_syndicated_articles() -> None:
    def article(name: str) -> str:
        words = ["first", "second", "third", "fourth", "fifth"]
        return "\n".join(f"Syndicated {w} paragraph of the {name} story, copied by every site." for w in words)

    pages, groups, labels = [], [], []
    for site in ("north", "south", "east"):
        for name, label in (("alpha", 0), ("alpha", 0), ("beta", 1)):  # alpha twice: two URLs, one cluster
            pages.append(f"Header of the {site} site\n{article(name)}\nFooter of the {site} site")
            groups.append(site)
            labels.append(label)
    # Without labels the copies look like two pages sharing paragraphs; only the guard that keeps
    # a page's content-like units (every unit of these pages is shared) saves the article.
    unguarded = find_boilerplate(pages, groups=groups, content_words=0)
    assert any("Syndicated" in line for line in flagged_lines(pages[0], unguarded[0]))
    unlabelled = find_boilerplate(pages, groups=groups)
    assert all("Syndicated" not in line for line in flagged_lines(pages[0], unlabelled[0]))
    spans = find_boilerplate(pages, groups=groups, labels=labels)
    for page, page_spans in zip(pages, spans, strict=True):
        flagged = flagged_lines(page, page_spans)
        assert all("Syndicated" not in line for line in flagged)
        assert any(line.startswith("Header") for line in flagged) and any(line.startswith("Footer") for line in flagged)
    # One cluster for everything: nothing is seen on two independent pages.
    assert find_boilerplate(pages, groups=groups, labels=[0] * len(pages)) == [[]] * len(pages)


def test_stoplist_needs_other_groups() -> None:
    pages = [f"Contact us\nStory {i} on its own site, with enough words to be content." for i in range(5)]
    groups = [f"site{i}" for i in range(5)]
    spans = find_boilerplate(pages, groups=groups)
    assert all(s[0].reason == "stoplist" and s[0].count == 4 for s in spans)
    assert find_boilerplate(pages[:3], groups=groups[:3]) == [[]] * 3
    assert find_boilerplate(pages, groups=groups, stoplist_min_groups=0) == [[]] * 5


def test_near_repeats_with_edited_words() -> None:
    promo = "Get our weekly newsletter with the {} stories, analysis and opinion from the editors"
    page = "\n\n".join(
        [
            promo.format("best"),
            "First paragraph of the article, written once and never repeated in this page.",
            promo.format("latest"),
            "Second paragraph of the article, also written once and never repeated here.",
            promo.format("top"),
        ]
    )
    assert find_boilerplate([page]) == [[]]
    spans = find_boilerplate([page], near_threshold=0.7)[0]
    assert [s.reason for s in spans] == ["near_repeat"] * 3
    assert len({s.group for s in spans}) == 1 and spans[0].count == 3
    # Digits never need the near path across documents: they are masked there ...
    dated = ["Updated 3 hours ago\n" + STORY, "Updated 12 hours ago\nAnother story, with more than eight words in it."]
    assert [[s.reason for s in spans] for spans in find_boilerplate(dated)] == [["frequent_across_documents"]] * 2
    # ... but within a document the numbers are compared: rows that differ only in them are data.
    in_page = "Updated 3 hours ago\n" + STORY + "\n\nUpdated 12 hours ago\n"
    assert find_boilerplate([in_page]) == [[]]
    assert [s.reason for s in find_boilerplate([in_page.replace("12", "3")])[0]] == ["repeated_in_document"] * 2


def test_near_repeats_across_documents_through_a_model() -> None:
    footer = "Copyright {} Example Media Group, all rights reserved, reproduction without permission prohibited"
    names = ["alpha", "beta", "gamma"]
    pages = [
        f"Story {n}, a page with its own text and nothing else.\n{footer.format(2020 + i)}" for i, n in enumerate(names)
    ]
    edited = [p.replace("reproduction", "copying") for p in pages]
    model = BoilerplateModel.fit(pages, groups=["x"] * 3, near_threshold=0.7)
    spans = model.find(edited[:1], groups=["x"])[0]
    assert [s.reason for s in spans] == ["near_repeat"]
    exact = BoilerplateModel.fit(pages, groups=["x"] * 3)
    assert exact.find(edited[:1], groups=["x"]) == [[]]


def test_keep_first() -> None:
    page = "Promo line here\nStory part one is long enough to be content text.\n\nPromo line here\nMore story text.\n"
    assert strip_boilerplate([page]) == ["Story part one is long enough to be content text.\n\nMore story text.\n"]
    kept = strip_boilerplate([page], keep="first")[0]
    assert kept == "Promo line here\nStory part one is long enough to be content text.\n\nMore story text.\n"
    with pytest.raises(ConfigError, match="keep"):
        strip_boilerplate([page], keep="last")  # type: ignore[arg-type]


def test_strip_removes_the_blank_lines_a_block_leaves() -> None:
    pages = ["Menu\n\nStory A, the only text of page one.\n\nFooter\n", "Menu\n\nStory B.\n\nFooter"]
    assert strip_boilerplate(pages, run_max_gap=0) == ["Story A, the only text of page one.\n", "Story B.\n"]
    crlf = ["Menu\r\n\r\nStory A.\r\n\r\nFooter\r\n", "Menu\r\n\r\nStory B.\r\n\r\nFooter\r\n"]
    assert strip_boilerplate(crlf, run_max_gap=0) == ["Story A.\r\n", "Story B.\r\n"]
    middle = ["Intro\nMenu\nStory A.\n", "Intro B\nMenu\nStory B.\n"]
    assert strip_boilerplate(middle, run_max_gap=0) == ["Intro\nStory A.\n", "Intro B\nStory B.\n"]
    # With runs, a short line between two flagged lines goes too ...
    bylines = [
        "Menu\nBy Ann Smith\nFooter\nThe actual story text runs on for well over eight words here.",
        "Menu\nBy Bob Jones\nFooter\nA second story whose text also runs on for more than eight words.",
    ]
    assert strip_boilerplate(bylines) == [b.split("\n")[3] for b in bylines]
    # ... unless it is all the content its page has.
    assert strip_boilerplate(pages) == ["Story A, the only text of page one.\n", "Story B.\n"]


# ---------------------------------------------------------------------------------------------
# Properties

_LINES = st.sampled_from(
    ["Home", "  Home", "News\t", "Subscribe to our newsletter today", "© 2024 Example Inc.", "© 2025 Example Inc.",
     "", " ", "A unique sentence about the story.", "Another unique line of text here", "Read more »",
     "caf\u00e9\u00a0menu", "CAFÉ MENU", "x" * 40]
)  # fmt: skip
_TERMS = st.sampled_from(["\n", "\r\n", "\r", "\n\n"])


@st.composite
def pages(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(_LINES, texts(max_words=8)), max_size=12))
    terms = draw(st.lists(_TERMS, min_size=len(lines), max_size=len(lines)))
    return "".join(line + term for line, term in zip(lines, terms, strict=True)) + draw(st.sampled_from(["", "end"]))


@given(st.lists(pages(), min_size=1, max_size=6), st.booleans())
def test_spans_are_exact_and_removal_is_reversible(docs: list[str], near: bool) -> None:
    options = {"near_threshold": 0.6, "near_min_words": 3} if near else {}
    groups = [i % 2 for i in range(len(docs))]
    spans = find_boilerplate(docs, groups=groups, **options)
    stripped = strip_boilerplate(docs, groups=groups, **options)
    first = strip_boilerplate(docs, groups=groups, keep="first", **options)
    assert len(spans) == len(stripped) == len(docs)
    for text, page_spans, out, out_first in zip(docs, spans, stripped, first, strict=True):
        check_spans(text, page_spans)
        check_strip(text, page_spans, out)
        assert len(out) <= len(out_first) <= len(text)
        if not page_spans:
            assert out == text


@given(st.lists(pages(), min_size=2, max_size=6))
def test_model_update_equals_fit_on_everything(docs: list[str]) -> None:
    half = len(docs) // 2
    whole = BoilerplateModel.fit(docs)
    parts = BoilerplateModel().update(docs[:half]).update(docs[half:])
    assert parts.find(docs) == whole.find(docs) == find_boilerplate(docs)
    assert parts.n_docs == whole.n_docs == len(docs)


# ---------------------------------------------------------------------------------------------
# Bad input


def test_empty_and_degenerate_documents() -> None:
    assert find_boilerplate([]) == []
    assert strip_boilerplate([]) == []
    docs = ["", "   ", "\n\n\n", "no newline at all", "\r", "\t\u00a0\t"]
    assert find_boilerplate(docs) == [[]] * len(docs)
    assert strip_boilerplate(docs) == docs


def test_lone_cr_tabs_and_nbsp() -> None:
    docs = ["Menu\rStory one, unique text.\r\tMenu\u00a0\r", "MENU\r\nStory two.\r\n"]
    spans = find_boilerplate(docs, run_max_gap=0)
    assert [(s.start, s.end) for s in spans[0]] == [(0, 5), (29, 36)]
    assert docs[0][29:36] == "\tMenu\u00a0\r"
    assert [(s.start, s.end) for s in spans[1]] == [(0, 6)]


def test_type_errors_name_the_index() -> None:
    with pytest.raises(TypeError, match=r"texts\[2\] must be a str"):
        find_boilerplate(["a", "b", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"texts\[0\] must be a str"):
        BoilerplateModel().update([b"bytes"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="single str"):
        find_boilerplate("one text")
    with pytest.raises(TypeError, match=r"groups\[1\] must be a str or an int"):
        find_boilerplate(["a", "b"], groups=["x", 1.5])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="one entry per text"):
        find_boilerplate(["a", "b"], groups=["x"])
    with pytest.raises(ConfigError, match="one int per text"):
        find_boilerplate(["a", "b"], labels=[1])
    with pytest.raises(TypeError, match=r"labels\[1\] must be an int"):
        find_boilerplate(["a", "b"], labels=[1, "x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="unknown boilerplate option"):
        find_boilerplate(["a"], min_repeat=2)
    with pytest.raises(ConfigError, match="min_repeats"):
        find_boilerplate(["a"], min_repeats=1)
    with pytest.raises(TypeError, match="config must be a BoilerplateConfig"):
        BoilerplateModel(config={"min_repeats": 2})  # type: ignore[arg-type]


def test_a_50_mb_single_line_document() -> None:
    huge = ("lorem ipsum dolor sit amet \u00a0caf\u00e9 " * 1_400_000)[:50_000_000]
    small = "Menu\nStory.\nMenu\n"
    spans = find_boilerplate([huge, small], run_max_gap=0)
    assert spans[0] == []
    assert [(s.start, s.end) for s in spans[1]] == [(0, 5), (12, 17)]
    assert strip_boilerplate([huge, small], run_max_gap=0) == [huge, "Story.\n"]


# ---------------------------------------------------------------------------------------------
# The model: fit, find, update, save, load


@pytest.fixture
def site_pages() -> tuple[list[str], list[str]]:
    pages, groups = [], []
    for site in ("a.com", "b.org"):
        for i in range(4):
            pages.append(
                f"{site} home\nLatest news\nContact us\n\nArticle {i} on {site}: text that appears once.\n\n"
                f"Copyright {2020 + i} {site}"
            )
            groups.append(site)
    return pages, groups


def test_model_find_matches_find_boilerplate(site_pages: tuple[list[str], list[str]]) -> None:
    pages, groups = site_pages
    model = BoilerplateModel.fit(pages, groups=groups)
    assert model.find(pages, groups=groups) == find_boilerplate(pages, groups=groups)
    assert model.strip(pages, groups=groups) == strip_boilerplate(pages, groups=groups)
    assert model.n_docs == 8 and model.n_blocks > 0 and model.nbytes > 0
    assert "BoilerplateModel(n_docs=8" in repr(model)
    # A new page of a known site: its furniture is found from the fitted counts.
    new = f"a.com home\nLatest news\nContact us\n\n{STORY}\n\nCopyright 2031 a.com"
    assert model.strip([new], groups=["a.com"]) == [f"{STORY}\n"]
    # An unknown site keeps everything that is not repeated within the page.
    assert model.strip([new], groups=["c.net"]) == [new]


def test_save_and_load_round_trip(tmp_path: Path, site_pages: tuple[list[str], list[str]]) -> None:
    pages, groups = site_pages
    for options in ({}, {"near_threshold": 0.8, "near_min_words": 2}):
        model = BoilerplateModel.fit(pages, groups=groups, **options)
        path = tmp_path / f"model{len(options)}"
        model.save(path)
        manifest = json.loads((path / "manifest.json").read_text())
        assert manifest["format_version"] == 1 and manifest["n_docs"] == 8
        assert manifest["counts"]["groups"] == 2 and manifest["counts"]["blocks"] == model.n_blocks
        assert manifest["dedupe_version"]
        assert manifest["config_fingerprint"] == model.config.fingerprint()
        loaded = BoilerplateModel.load(path)
        assert loaded.config == model.config
        assert loaded.find(pages, groups=groups) == model.find(pages, groups=groups)
        assert loaded.n_docs == model.n_docs and loaded.nbytes == model.nbytes
        assert not list(path.glob("*.pkl"))


def test_load_rejects_damaged_models(tmp_path: Path, site_pages: tuple[list[str], list[str]]) -> None:
    pages, groups = site_pages
    path = tmp_path / "model"
    BoilerplateModel.fit(pages, groups=groups).save(path)

    with pytest.raises(FileNotFoundError):
        BoilerplateModel.load(tmp_path / "nowhere")
    with pytest.raises(IncompatibleSignaturesError, match="saved with"):
        BoilerplateModel.load(path, config=BoilerplateConfig(min_docs=3))

    array = path / "site_keys.npy"
    data = array.read_bytes()
    array.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match=r"site_keys\.npy"):
        BoilerplateModel.load(path)
    array.write_bytes(data)

    with open(array, "wb") as fh:
        np.savez(fh, keys=np.zeros(3, dtype=np.uint64))
    with pytest.raises(CorruptFileError, match=r"site_keys\.npy: not a single \.npy array"):
        BoilerplateModel.load(path)
    array.write_bytes(data)

    counts = path / "site_counts.npy"
    np.save(counts, np.zeros(3, dtype=np.uint32), allow_pickle=False)
    with pytest.raises(CorruptFileError, match=r"site_counts\.npy"):
        BoilerplateModel.load(path)

    manifest_path = path / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 99
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CorruptFileError, match=r"manifest\.json.*format_version 99"):
        BoilerplateModel.load(path)
    manifest_path.write_text("{not json")
    with pytest.raises(CorruptFileError, match=r"manifest\.json"):
        BoilerplateModel.load(path)
    manifest_path.unlink()
    with pytest.raises(CorruptFileError, match=r"manifest\.json: missing"):
        BoilerplateModel.load(path)


def test_memory_is_bounded_by_pruning() -> None:
    pages = [f"Menu\n{STORY} {chr(0x4E00 + i)}" for i in range(200)]
    model = BoilerplateModel.fit(pages, max_distinct_blocks=10)
    assert model.n_blocks <= 10
    # The frequent block survives pruning; the count-1 lines are gone.
    assert model.strip(pages[:1]) == [f"{STORY} {chr(0x4E00)}"]


def test_config_fingerprint_and_options() -> None:
    config = BoilerplateConfig(min_docs=3)
    assert config.fingerprint() != BoilerplateConfig().fingerprint()
    assert BoilerplateModel(config, min_repeats=4).config == BoilerplateConfig(min_docs=3, min_repeats=4)
    with pytest.raises(ConfigError, match="near_num_perm"):
        BoilerplateConfig(near_num_perm=60, near_num_bands=16)


def test_line_keys_ignore_indentation_case_and_digits() -> None:
    assert line_key("\t  Posted 3 HOURS ago") == line_key("posted 12 hours ago")


@given(st.lists(pages(), min_size=1, max_size=6), st.booleans())
def test_kept_removal_ranges_strip_like_the_model(docs: list[str], near: bool) -> None:
    from dedupe.boilerplate import remove_ranges

    options = {"near_threshold": 0.6, "near_min_words": 3} if near else {}
    model = BoilerplateModel.fit(docs, **options)
    spans, ranges = model.find_removals(docs)
    assert spans == model.find(docs)
    assert remove_ranges(docs, *ranges) == model.strip(docs)


_BLANKS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u3000"  # every kind str.strip removes


@given(
    st.lists(st.text(alphabet=_BLANKS + "ab\u200b", max_size=12), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 12), st.integers(0, 6)), max_size=10),
)
def test_left_blank_is_what_stripping_the_cleaned_text_says(texts: list[str], raw: list[tuple[int, int, int]]) -> None:
    """Blank after removal, found without building the texts, against building them (``\\u200b`` is not blank)."""
    from dedupe.boilerplate import remove_ranges
    from dedupe.boilerplate.spans import left_blank

    ranges = sorted((d, min(s, len(texts[d])), min(s + n, len(texts[d]))) for d, s, n in raw if d < len(texts))
    doc, start, end = (np.array([r[i] for r in ranges], dtype=np.int64) for i in range(3))
    with_ranges = sorted(set(doc.tolist()))
    cleaned = remove_ranges(texts, doc, start, end)
    expected = [d for d, left in enumerate(cleaned) if d in with_ranges and not left.strip()]
    assert left_blank(texts, doc, start, end) == expected
