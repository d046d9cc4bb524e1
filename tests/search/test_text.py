"""The search's text logic (shinchoku/core/search.py): normalise, split, match, cut excerpts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.search import (
    ELLIPSIS,
    MAX_TERMS,
    excerpt,
    find_spans,
    matches_all,
    normalize,
    normalize_with_map,
    split_terms,
    window,
)

# Text as councils write it: kanji, kana (half-width too), Latin and digits in both widths,
# punctuation, spaces and line breaks.
LETTERS = "防災会費地域福祉計画のをにはがPRprＰＲｐｒ0123４５６ｶﾞｷﾞﾊﾟﾎﾟｳｻｲﾞ・、。（）() 　\nーｰ㍻①Ａß"
JAPANESE = st.text(
    alphabet=st.sampled_from(list(LETTERS)),
    max_size=120,
)


def test_it_folds_width_and_case():
    assert normalize("ＰＲ") == normalize("pr") == normalize("Pr") == "pr"
    assert normalize("ﾎﾞｳｻｲ") == normalize("ボウサイ")
    assert normalize("２０２４年") == "2024年"
    assert normalize("防災") == "防災"


def test_a_two_character_word_is_found_inside_a_sentence():
    assert matches_all(normalize("既存の防災市民組織"), ("防災",))
    assert matches_all(normalize("会員会費制度の啓発"), ("会費",))
    assert not matches_all(normalize("会員制度の啓発"), ("会費",))


def test_several_words_must_all_occur():
    text = normalize("“会費とは何か”PR方法の検討")
    assert matches_all(text, split_terms("会費 ＰＲ").terms)
    assert not matches_all(text, split_terms("会費 防災").terms)


def test_terms_are_split_on_any_space_and_deduplicated():
    query = split_terms(" 防災　会費  防災 ")
    assert query.terms == ("防災", "会費")
    assert query.dropped == ()


def test_words_of_one_character_are_left_out():
    assert split_terms("の").empty
    assert split_terms("の").dropped == ("の",)
    query = split_terms("防災 の")
    assert query.terms == ("防災",)
    assert query.dropped == ("の",)
    assert split_terms("").empty and split_terms("   ").empty


def test_a_term_inside_another_is_kept_once():
    assert split_terms("防災 防災組織").terms == ("防災組織",)


def test_too_many_words_are_cut_and_said_so():
    query = split_terms(" ".join(f"語{i:02d}" for i in range(MAX_TERMS + 3)))
    assert len(query.terms) == MAX_TERMS
    assert query.too_long


def test_spans_are_merged_and_sorted():
    assert find_spans("aaaa", ("aa",)) == [(0, 4)]
    assert find_spans("防災と会費と防災", ("防災", "会費")) == [(0, 2), (3, 5), (6, 8)]


def test_the_excerpt_highlights_the_match_as_written():
    pieces = excerpt("“会費とは何か”ＰＲ方法の検討", ("会費", "pr"))
    assert [(p.text, p.hit) for p in pieces] == [
        ("“", False),
        ("会費", True),
        ("とは何か”", False),
        ("ＰＲ", True),
        ("方法の検討", False),
    ]


def test_a_half_width_kana_match_covers_its_voiced_mark():
    pieces = excerpt("地域のﾎﾞｳｻｲ訓練", split_terms("ボウサイ").terms)
    assert [p.text for p in pieces if p.hit] == ["ﾎﾞｳｻｲ"]


def test_a_long_text_is_cut_around_the_match():
    text = "あ" * 200 + "防災" + "い" * 200
    pieces = excerpt(text, ("防災",), width=40)
    assert pieces[0].text == ELLIPSIS and pieces[-1].text == ELLIPSIS
    assert [p.text for p in pieces if p.hit] == ["防災"]
    assert sum(len(p.text) for p in pieces[1:-1]) == 40


def test_without_a_match_the_excerpt_is_the_start():
    pieces = excerpt("見守り活動の推進" * 20, ("防災",), width=10)
    assert pieces[0].text == "見守り活動の推進見守" and not pieces[0].hit
    assert pieces[-1].text == ELLIPSIS


@given(JAPANESE)
def test_the_map_gives_the_same_text_as_normalize(text):
    norm, origin = normalize_with_map(text)
    assert norm == normalize(text)
    assert len(origin) == len(norm)
    assert all(0 <= a < b <= len(text) for a, b in origin)
    assert [a for a, _ in origin] == sorted(a for a, _ in origin)


@given(JAPANESE)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@given(JAPANESE, st.text(alphabet=st.sampled_from(list("防災会費PRｐｒ福祉ｶﾞ")), max_size=4))
def test_every_term_found_is_highlighted_and_nothing_else(text, raw):
    terms = split_terms(raw).terms
    flat = " ".join(text.split())
    pieces = excerpt(text, terms, width=10_000)
    joined = "".join(p.text for p in pieces)
    assert joined == flat  # nothing lost, nothing added when it all fits
    for piece in pieces:
        if piece.hit:
            assert any(t in normalize(piece.text) for t in terms)
    if terms and any(t in normalize(flat) for t in terms):
        assert any(p.hit for p in pieces)


@given(JAPANESE, st.text(alphabet=st.sampled_from(list("防災会費")), min_size=2, max_size=2))
def test_a_cut_excerpt_is_a_piece_of_the_text(text, term):
    flat = " ".join(text.split())
    pieces = excerpt(text, (term,), width=20)
    inner = [p for p in pieces if p.text != ELLIPSIS]
    body = "".join(p.text for p in inner)
    assert body in flat
    assert len(body) <= max(20, len(term) * 4)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 60), st.integers(1, 120))
def test_the_window_holds_the_match_and_fits(length, start, size, width):
    start = min(start, length)
    end = min(length, start + size)
    lo, hi = window(length, (start, end), width)
    assert 0 <= lo <= start <= end <= hi <= length
    assert hi - lo <= max(width, end - start)
