"""Hypothesis strategies shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

#: Words with ASCII, accented, curly-quoted, CJK and digit characters.
_WORDS = st.sampled_from(
    [
        "the", "The", "THE", "fox", "Meta’s", "Meta's", "café", "CAFÉ", "cafe\u0301", "straße",
        "STRASSE", "ﬁle", "file", "naïve", "日本語", "Привет", "١٢٣", "2024", "3", "co\u00adop",
        "x\u200by", "—", "–", "\u00a0", "a_b", "!!!", "😀", "e\u0301", "İstanbul", "ǅ", "ﬀ",
    ]
)
_SEPS = st.sampled_from([" ", "  ", "\n", "\t", "\r\n", "\u00a0", ", ", ". ", "\u2028", "\x00", "\x0b"])


@st.composite
def texts(draw: st.DrawFn, max_words: int = 40) -> str:
    """Realistic-ish multilingual text, or arbitrary unicode (lone surrogates included)."""
    if draw(st.booleans()):
        words = draw(st.lists(_WORDS, max_size=max_words))
        seps = draw(st.lists(_SEPS, min_size=len(words), max_size=len(words)))
        return "".join(w + s for w, s in zip(words, seps, strict=True))
    return draw(st.text(st.characters(codec=None), max_size=80))


def corpora(min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[list[str]]:
    """Lists of texts."""
    return st.lists(texts(), min_size=min_size, max_size=max_size)
