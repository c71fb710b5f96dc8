"""egov.core.search.fold: one folding function for indexed text and queries (ARCHITECTURE.md §3)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from egov.core.search import fold, fts5_all_words, fts5_phrase, highlight, like_escape, words

TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]  # huyền sắc ngã hỏi nặng
VOWELS = {"a": "a", "ă": "a", "â": "a", "e": "e", "ê": "e", "i": "i", "o": "o", "ô": "o",
          "ơ": "o", "u": "u", "ư": "u", "y": "y"}


def vietnamese_letters() -> dict[str, str]:
    """Every precomposed non-ASCII Vietnamese letter, lower and upper case → its base letter."""
    letters = {}
    for vowel, base in VOWELS.items():
        for tone in TONES:
            ch = unicodedata.normalize("NFC", vowel + tone)
            if not ch.isascii():
                letters[ch] = base
    letters["đ"] = "d"
    for ch, base in list(letters.items()):
        letters[ch.upper()] = base
    return letters


LETTERS = vietnamese_letters()


def test_all_134_precomposed_letters_fold_to_ascii():
    assert len(LETTERS) == 134
    assert all(len(ch) == 1 for ch in LETTERS)  # precomposed: one code point each
    for ch, base in LETTERS.items():
        assert fold(ch) == base, ch
        assert fold(ch).isascii()
        # decomposed input (e.g. typed on macOS) folds the same way
        assert fold(unicodedata.normalize("NFD", ch)) == base


def test_examples():
    assert fold("123/QĐ-UBND") == "123/qd-ubnd"
    assert fold("15/2024/QĐ-UBND") == "15/2024/qd-ubnd"
    assert fold("  Quyết   định\tvề\nviệc  ĐỒNG ý ") == "quyet dinh ve viec dong y"
    assert fold("Đơn thư") == fold("don thu") == fold("ĐƠN THƯ") == "don thu"
    assert fold("") == "" and fold(None) == ""
    # Ð (U+00D0, Icelandic eth) appears in text converted from old Vietnamese encodings
    assert fold("ÐỒNG") == "dong"


def test_words_and_fts5_quoting():
    assert words('đơn thư "NEAR( * -x: ok_y') == ["don", "thu", "near", "x", "ok", "y"]
    assert words("") == []
    assert len(words("a " * 100)) == 16
    assert fts5_phrase('a"b') == '"a""b"'
    assert fts5_all_words(["quyet", "dinh"]) == '"quyet" "dinh"'
    assert like_escape("50%_a\\b") == "50\\%\\_a\\\\b"


def test_highlight_marks_whole_words_only():
    parts = highlight("Đơn thư về đồng ruộng", ["don", "dong"])
    assert parts == [("Đơn", True), (" thư về ", False), ("đồng", True), (" ruộng", False)]
    assert "".join(p for p, _ in parts) == "Đơn thư về đồng ruộng"
    assert highlight("đồng", ["don"]) == [("đồng", False)]


@given(st.text())
def test_fold_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@given(st.text(alphabet=st.sampled_from(sorted(LETTERS) + list(" abcdđĐ0123456789/-"))))
def test_vietnamese_text_folds_to_ascii(text):
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert "  " not in folded and folded == folded.strip()


@given(st.text())
def test_highlight_keeps_the_text(text):
    parts = highlight(text, words(text)[:3])
    assert "".join(p for p, _ in parts) == text
