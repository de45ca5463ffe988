"""Scripts written without spaces: the code point table, tokens, the fast path against the reference."""

from __future__ import annotations

import sys
import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe import MinHasher, find_duplicates
from dedupe._reference import is_unspaced, reference_digest, reference_shingles, reference_tokens
from dedupe.config import MinHashConfig, ShingleConfig
from dedupe.errors import ConfigError
from dedupe.scripts import JOIN, SPLIT, script_classes, unspaced_share
from dedupe.shingles import iter_shingle_batches, shingle_texts
from strategies import corpora

# Pieces of text in many scripts: Chinese, Japanese (kanji, kana, long vowel mark, half-width
# katakana, full-width Latin), Thai and Lao with their marks, Khmer, Burmese, Korean, Arabic,
# Russian, Latin, digits and stray combining marks.
_PIECES = st.sampled_from(
    [
        "中华人民共和国", "的", "我们今天去北京", "東京タワー", "へ行きました", "コンピューター", "ｶﾀｶﾅ",
        "ＡＢＣ１２３",
        "々", "〇", "ภาษาไทย", "กี่โมง", "ไม่มีการเว้นวรรค", "ำ", "ພາສາລາວ", "ភាសាខ្មែរ", "မြန်မာ", "한국어", "문장입니다",
        "العربية", "لاختبار", "Привет", "мир", "Tokyo", "iPhone15", "café", "2024", "\u0301", "\u0e48", "\u3099",
        "か\u3099", "e\u0301", "_", "😀", "〜",
    ]
)  # fmt: skip
_SEPS = st.sampled_from(["", "", "", " ", "。", "、", ", ", "\n", "\u00a0", "\u200b", "・", "-"])


@st.composite
def mixed_texts(draw: st.DrawFn) -> str:
    """Text made of pieces in many scripts, joined with or without separators."""
    pieces = draw(st.lists(_PIECES, max_size=30))
    seps = draw(st.lists(_SEPS, min_size=len(pieces), max_size=len(pieces)))
    return "".join(p + s for p, s in zip(pieces, seps, strict=True))


CONFIGS = st.builds(
    ShingleConfig,
    ngram_size=st.integers(1, 6),
    mask_digits=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    script=st.sampled_from(["auto", "words"]),
)


def test_table_matches_unicode_names_over_the_whole_code_space() -> None:
    """The production ranges and the reference's name prefixes pick exactly the same code points."""
    table = script_classes()
    assert len(table) == sys.maxunicode + 1
    wrong = []
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        expected = (JOIN if unicodedata.category(ch)[0] == "M" else SPLIT) if is_unspaced(ch) else 0
        if table[cp] != expected:
            wrong.append(f"U+{cp:04X} {unicodedata.name(ch, '?')}: table {table[cp]}, names {expected}")
    assert not wrong, wrong[:20]


@given(st.lists(mixed_texts(), max_size=10), CONFIGS)
def test_fast_path_matches_reference_on_mixed_scripts(docs: list[str], config: ShingleConfig) -> None:
    batch = shingle_texts(docs, config)
    assert batch.digests is not None
    for i, doc in enumerate(docs):
        assert batch.document(i).tolist() == reference_shingles(doc, config), doc
        assert batch.digests[i].tobytes() == reference_digest(doc, config), doc


@given(st.lists(mixed_texts(), max_size=12), st.integers(1, 200), CONFIGS)
def test_mixed_scripts_independent_of_chunking(docs: list[str], chunk: int, config: ShingleConfig) -> None:
    whole = shingle_texts(docs, config)
    parts = list(iter_shingle_batches(docs, config, chunk_chars=chunk))
    assert np.array_equal(np.concatenate([p.hashes for p in parts] + [np.empty(0, np.uint64)]), whole.hashes)


@given(corpora(), st.integers(1, 6))
def test_text_without_unspaced_scripts_shingles_alike_in_both_modes(docs: list[str], n: int) -> None:
    docs = ["".join(ch for ch in d if not is_unspaced(ch)) for d in docs]
    auto = shingle_texts(docs, ShingleConfig(ngram_size=n))
    words = shingle_texts(docs, ShingleConfig(ngram_size=n, script="words"))
    assert np.array_equal(auto.hashes, words.hashes) and np.array_equal(auto.offsets, words.offsets)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("東京タワーへ行く", ["東", "京", "タ", "ワ", "ー", "へ", "行", "く"]),
        ("iPhoneを買った", ["iphone", "を", "買", "っ", "た"]),  # Latin terms stay words among kana
        ("ｶﾀｶﾅ ＡＢＣ１２３", ["カ", "タ", "カ", "ナ", "abc123"]),  # NFKC: half- and full-width forms
        ("กี่โมงแล้ว", ["กี่", "โ", "ม", "ง", "แ", "ล้", "ว"]),  # Thai marks stay with their consonant
        ("中文2024年", ["中", "文", "2024", "年"]),
        ("한국어 문장입니다", ["한국어", "문장입니다"]),  # Korean is written with spaces: words
        ("هذا نص تجريبي", ["هذا", "نص", "تجريبي"]),
        ("Привет, мир", ["привет", "мир"]),
        ("\u0e48abc", ["\u0e48", "abc"]),  # a stray Thai mark before Latin is a token of its own
    ],
)
def test_tokens(text: str, tokens: list[str]) -> None:
    assert reference_tokens(text) == tokens
    # The fast path gives one hash per token with 1-grams: compare with the hashed reference tokens.
    config = ShingleConfig(ngram_size=1)
    assert shingle_texts([text], config).hashes.tolist() == reference_shingles(text, config)
    assert len(reference_shingles(text, config)) == len(tokens)


def test_words_mode_keeps_whole_runs() -> None:
    assert reference_tokens("東京タワーへ行く iPhone", script="words") == ["東京タワーへ行く", "iphone"]


#: Signatures (16 slots, default settings) made by the code before the ``script`` option existed.
_TEXTS = [
    "The quick brown fox jumps over the lazy dog, said Meta’s spokesperson in 2024.",
    "Привет, как дела? Это тестовый текст на русском языке для проверки.",
    "안녕하세요 이것은 한국어 테스트 문장입니다 오늘 날씨가 좋네요",
    "هذا نص تجريبي باللغة العربية لاختبار التقطيع إلى كلمات",
    "東京タワーへ行きました。Tokyo Tower は高い。",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ",
]
_BEFORE = [
    [4542177, 287820363, 111605403, 287820363, 111605403, 121427355, 111605403, 4542177,
     121427355, 121427355, 111605403, 3536809504, 111605403, 3536809504, 111605403, 3536809504],
    [4071558391, 4071558391, 4071558391, 970874174, 355643145, 970874174, 970874174, 355643145,
     3232132983, 355643145, 3232132983, 3232132983, 4071558391, 79942351, 3232132983, 355643145],
    [3452455752, 1109606383, 1728736129, 1728736129, 1728736129, 3452455752, 1728736129, 3452455752,
     1667625428, 1667625428, 1728736129, 3452455752, 1728736129, 1109606383, 1667625428, 1667625428],
    [2927333540, 2927333540, 2927333540, 2927333540, 2165413199, 2927333540, 2927333540, 2165413199,
     2927333540, 1610276978, 1610276978, 1122890203, 2927333540, 1122890203, 1610276978, 2165413199],
    [1761509339] * 16,
    [385632720] * 16,
]  # fmt: skip


def test_signatures_of_spaced_scripts_did_not_change() -> None:
    """Latin, Cyrillic, Hangul and Arabic text keeps its signatures; Japanese and Thai get new ones."""
    auto = MinHasher(num_perm=16).signatures(_TEXTS).tolist()
    assert auto[:4] == _BEFORE[:4]
    assert auto[4] != _BEFORE[4] and auto[5] != _BEFORE[5]
    assert len(set(auto[5])) > 1  # the Thai text has many shingles now, not one
    assert MinHasher(num_perm=16, script="words").signatures(_TEXTS).tolist() == _BEFORE


def test_fingerprints() -> None:
    """``script="words"`` keeps the fingerprint of the old tokenizer; ``"auto"`` (default) has its own."""
    assert ShingleConfig(script="words").fingerprint() == "shingle-v1:460127fe5405"
    assert ShingleConfig().fingerprint() != "shingle-v1:460127fe5405"
    assert ShingleConfig().describe().endswith(";unspaced=chars")
    assert MinHashConfig().fingerprint() != MinHashConfig(shingle=ShingleConfig(script="words")).fingerprint()
    config = MinHasher(script="words").config
    assert MinHasher.from_config(config).config == config


def test_bad_script() -> None:
    with pytest.raises(ConfigError, match="script must be 'auto' or 'words'"):
        ShingleConfig(script="chars")  # type: ignore[arg-type]


def test_unspaced_share() -> None:
    assert unspaced_share("中文") == 1.0 and unspaced_share("english words") == 0.0 and unspaced_share("!!") == 0.0
    assert unspaced_share("ab東京") == 0.5


def _vocabulary(rng: np.random.Generator, alphabet: list[str], size: int = 300) -> list[str]:
    return ["".join(rng.choice(alphabet, size=int(rng.integers(2, 5)))) for _ in range(size)]


_ALPHABETS = {
    "chinese": [chr(c) for c in range(0x4E00, 0x4E00 + 3000)],
    "thai": [chr(c) for c in range(0x0E01, 0x0E2F)] + ["่", "า", "ิ", "เ"],
    "japanese": [chr(c) for c in range(0x3041, 0x3094)] + [chr(c) for c in range(0x6000, 0x6400)],
    "english": [chr(c) for c in range(ord("a"), ord("z") + 1)],
}


@pytest.mark.parametrize(("language", "sep", "end"), [("chinese", "", "。"), ("thai", "", " "), ("japanese", "", "。"),
                                                     ("english", " ", ". ")])  # fmt: skip
def test_one_word_edit_in_a_long_article_is_a_near_duplicate(language: str, sep: str, end: str) -> None:
    """The issue's check: a one-word edit in a 40-sentence article, in Chinese, Thai, Japanese, English.

    With ``script="words"`` (the old tokenizer) the edit is missed in the scripts without spaces.
    """
    rng = np.random.default_rng(5)
    words = _vocabulary(rng, _ALPHABETS[language])
    sentences = [sep.join(rng.choice(words, size=12)) + end for _ in range(40)]
    other = [sep.join(rng.choice(words, size=12)) + end for _ in range(40)]
    edited = list(sentences)
    edited[20] = sep.join([words[0], *edited[20].split(sep)[1:]]) if sep else words[0] + edited[20][2:]
    texts = ["".join(sentences), "".join(edited), "".join(other)]
    assert texts[0] != texts[1]
    assert find_duplicates(texts).status.tolist() == ["kept", "near", "kept"]
    old = MinHasher(script="words")
    similarity = old.jaccard(*old.signatures(texts[:2]))
    assert similarity > 0.9 if language == "english" else similarity < 0.8
