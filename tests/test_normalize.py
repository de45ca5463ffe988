from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe._reference import reference_normalize
from dedupe.normalize import normalize_text
from strategies import texts


@given(texts(), st.booleans())
def test_idempotent(text: str, mask: bool) -> None:
    once = normalize_text(text, mask_digits=mask)
    assert normalize_text(once, mask_digits=mask) == once


@given(st.one_of(texts(), st.text(st.characters(codec=None))), st.booleans())
def test_matches_reference(text: str, mask: bool) -> None:
    assert normalize_text(text, mask_digits=mask) == reference_normalize(text, mask_digits=mask)


@pytest.mark.parametrize(
    "text",
    ["Meta\u2019s \u201cAI\u201d", "a\u200bb\u00adc", "x\ud800y", "\u2033 \u301d", "A\u2014B\u2028C", "\x7f\x01"],
)
def test_matches_reference_on_each_mapping_rule(text: str) -> None:
    assert normalize_text(text) == reference_normalize(text)


@given(st.text(st.characters(codec=None)))
def test_result_is_encodable_and_collapsed(text: str) -> None:
    out = normalize_text(text)
    out.encode("utf-8")  # lone surrogates are replaced, never passed through
    assert out == out.strip()
    assert "  " not in out and "\n" not in out and "\t" not in out


def test_examples() -> None:
    assert normalize_text("  Meta\u2019s  AI\u00a0\u2014 Posted 3 HOURS ago ", mask_digits=True) == (
        "meta's ai - posted 0 hours ago"
    )
    assert normalize_text("Meta\u2019s") == normalize_text("Meta's")
    assert normalize_text("STRASSE") == normalize_text("Straße")
    assert normalize_text("ﬁle") == "file"
    assert normalize_text("co\u00adop") == "coop"
    assert normalize_text("Posted ٣ hours", mask_digits=True) == "posted 0 hours"
    assert normalize_text("") == ""
    assert normalize_text(" \n\t ") == ""
    assert normalize_text("a\x00b") == "a b"


@pytest.mark.parametrize("bad", [None, b"bytes", 3, ["x"]])
def test_wrong_type(bad: object) -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        normalize_text(bad)  # type: ignore[arg-type]
