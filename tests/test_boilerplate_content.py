"""Boilerplate removal never eats the article: the failures found on newswire, one test each."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import deduplicate, find_boilerplate, strip_boilerplate

SIGN_OFF = " Reuter"


_titles = iter(f"{name.upper()} CORP SAYS ITS PROFIT ROSE AGAIN" for name in "abcdefghijklmnopqrstuvwxyz" * 2)


def story(body: str) -> str:
    return f"{next(_titles)}\n\n{body}\n{SIGN_OFF}"


WRAPPED = [
    story(
        "    The company said it would raise its dividend and buy back\n"
        "shares over the next year, the chairman told reporters, adding\n"
        "that the board would meet again in June, the company\n"
        "said.\n"
        "    Analysts expected the move, a spokesman for the broker\n"
        "said."
    ),
    story(
        "    Output of the mine fell sharply in the first quarter as the\n"
        "strike went on for most of the period, officials of the union\n"
        "and the company said.\n"
        "    The strike ended in April after both sides agreed to talks,\n"
        "the company said."
    ),
    story(
        "    The central bank left its discount rate unchanged and said\n"
        "it saw no need to move rates while inflation stayed low, a\n"
        "spokesman said.\n"
        "    Dealers had not expected a change in policy this week, he\n"
        "said."
    ),
]


def test_fragments_of_wrapped_sentences_are_not_units() -> None:
    spans = find_boilerplate(WRAPPED)
    for text, page_spans in zip(WRAPPED, spans, strict=True):
        removed = [text[s.start : s.end].strip() for s in page_spans]
        assert removed == ["Reuter"]  # "said." recurs on every story, but only as the end of a sentence


EARNINGS = story(
    "Shr 23 cts vs 18 cts\n"
    "    Net 3,660,273 vs 2,437,914\n"
    "    Revs 45.2 mln vs 40.1 mln\n"
    "    Year\n"
    "    Shr 39 cts vs 50 cts\n"
    "    Net 6,120,000 vs 7,001,000\n"
    "    Revs 90.4 mln vs 81.9 mln"
)


def test_earnings_table_rows_are_data_not_repeats() -> None:
    corpus = [EARNINGS, *WRAPPED]
    spans = find_boilerplate(corpus)
    assert [EARNINGS[s.start : s.end].strip() for s in spans[0]] == ["Reuter"]


def test_two_stories_sharing_a_paragraph_keep_it() -> None:
    quote = "    The minister said the government would not devalue the currency this year.\n"
    first = story(quote + "    Exports rose four pct in January from a year earlier, the ministry said.")
    second = story("    Imports fell for a third month, customs figures showed on Tuesday.\n" + quote.rstrip("\n"))
    corpus = [first, second, *WRAPPED]
    cleaned = strip_boilerplate(corpus)
    # Shared by two of five stories, inside the first one's body: never every copy.
    assert quote.strip() in cleaned[0]
    assert all(SIGN_OFF.strip() not in text for text in cleaned)


def test_distinct_one_line_records_are_all_kept() -> None:
    records = [{"id": i, "text": f"Flight {200 + i} departs from gate {i % 30 + 1}"} for i in range(100)]
    result = deduplicate(records, id_field="id")
    assert result.status.tolist().count("kept") == 100
    assert [r.text for r in result.kept_records()] == [r["text"] for r in records]


def test_a_story_whose_every_line_is_shared_keeps_its_text() -> None:
    lines = [
        "Treasury balances at the Federal Reserve rose on February 25, the Treasury said.",
        "Balances in tax and loan note accounts fell to a lower level, it said.",
    ]
    stories = ["\n".join(lines), "\n".join([*lines[:1], "Total balances were higher than a week ago, it said."])]
    stories.append("\n".join([*lines[1:], "The figures are published every business day, it said."]))
    cleaned = strip_boilerplate(stories)
    assert all(text.strip() for text in cleaned)
    assert cleaned[0] == stories[0]


def test_all_navigation_page_is_still_only_boilerplate() -> None:
    nav = "Home\nNews\nSport\nContact us"
    pages = [f"{nav}\nA story of its own, long enough to be content here.", nav, f"{nav}\nAnother story, told once."]
    spans = find_boilerplate(pages)
    assert strip_boilerplate(pages)[1].strip() == ""
    assert spans[1] and spans[1][0].start == 0


def test_chorus_repeated_in_a_song_goes_in_every_copy() -> None:
    """Decision: a chorus is a block repeated within its document, like a promo; it goes in every copy.

    ``min_repeats`` above the number of choruses keeps them (``min_repeats=4`` for three choruses).
    """
    chorus = "Oh the river runs\nAnd the river sings\nAll the way down home"
    verses = [f"Verse {w} of the song tells its own part of the story here" for w in ("one", "two", "three")]
    song = "\n\n".join(f"{verse}\n\n{chorus}" for verse in verses)
    cleaned = strip_boilerplate([song])[0]
    assert "river" not in cleaned and all(verse in cleaned for verse in verses)
    assert strip_boilerplate([song], min_repeats=4)[0] == song



_PASSAGE = (
    "    All three firms declined to comment, and the broker's\n"
    "spokesman did not name the companies.\n"
    "    Some officials of the firm, including its chairman, have\n"
    "been named in the inquiry, people familiar with it said.\n"
)


def _wire(copies: int) -> str:
    """A hard-wrapped story whose passage of two short paragraphs (34 words) is sent ``copies`` times."""
    lead = (
        "    The broker said some firms had limited their dealings\n"
        "with it in the commodities markets this week, after rumors\n"
        "about its finances circulated in the markets.\n"
    )
    between = "    A spokesman for the broker said it was doing business as\nusual with its clients.\n"
    return story(lead + _PASSAGE + between + (_PASSAGE + between) * (copies - 1))


def test_a_passage_sent_twice_in_wire_copy_stays() -> None:
    """Guard 1 for blocks: short paragraphs repeated twice that make a long passage are the article's."""
    texts = [*WRAPPED, _wire(2)]
    text = texts[-1]
    removed = [text[s.start : s.end].strip() for s in find_boilerplate(texts)[-1]]
    assert removed == ["Reuter"]
    assert strip_boilerplate(texts)[-1].count("All three firms declined") == 2


def test_a_passage_repeated_three_times_or_a_menu_twice_still_goes() -> None:
    texts = [*WRAPPED, _wire(3)]
    assert "All three firms" not in strip_boilerplate(texts)[-1]
    menu = "\n".join(f"Section {name} news" for name in "ABCDEFGHIJ")  # 30 words, no sentence
    page = f"{menu}\nA story of its own, told once on this page and nowhere else.\n{menu}"
    assert strip_boilerplate([page])[0].strip() == "A story of its own, told once on this page and nowhere else."


_VOCABULARY = "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega river market court bank price"
words = st.sampled_from(_VOCABULARY.split())
sentence = st.lists(words, min_size=6, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
furniture = st.sampled_from(["Home", "Menu", "Share this", "Scroll to Top", "Leave a Reply", "Subscribe"])


@settings(deadline=None)
@given(st.lists(st.tuples(st.lists(furniture, max_size=4), st.lists(sentence, min_size=1, max_size=4)), max_size=8))
def test_no_page_loses_a_sentence_found_nowhere_else(pages: list[tuple[list[str], list[str]]]) -> None:
    texts = ["\n".join(head + body + head) for head, body in pages]
    counts: dict[str, int] = {}
    for _, body in pages:
        for s in set(body):
            counts[s] = counts.get(s, 0) + 1
    spans = find_boilerplate(texts)
    for text, (_, body), page_spans in zip(texts, pages, spans, strict=True):
        removed = "".join(text[s.start : s.end] for s in page_spans)
        for s in body:
            if counts[s] == 1 and body.count(s) == 1:
                assert not re.search(rf"(^|\n){re.escape(s)}(\n|$)", removed)


def test_scripts_without_spaces_and_full_width_forms() -> None:
    """Lines of Chinese and Japanese text are units like any other; full-width forms fold (NFKC)."""
    promo = "订阅我们的每周新闻简报，获取最新消息。"
    footer = "版权所有 ２０２４ 示例新闻"
    stories = [
        "央行周二宣布维持基准利率不变，称通胀仍处于低位。",
        "東京の株式市場は、輸出関連株の買いが広がり、三日続伸した。",
        "政府は来年度の予算案を閣議決定し、国会に提出する方針だ。",
    ]
    footers = [footer.replace("２０２４", str(2020 + i)) for i in range(len(stories))]
    pages = [f"{promo}\n{story}\n{promo}\n{end}" for story, end in zip(stories, footers, strict=True)]
    cleaned = strip_boilerplate(pages)
    assert cleaned == [story + "\n" for story in stories]
