"""core.digest: texts cut cleanly and the few items a one-page summary shows."""

from shinchoku.core.digest import Candidate, pick, shorten


def test_a_short_text_is_kept_with_its_spaces_collapsed():
    assert shorten("  見守り活動を\n 実施した。 ", 40) == "見守り活動を 実施した。"


def test_an_early_sentence_end_is_not_a_cut():
    text = "サロンを12か所で開いた。参加者は延べ300人となり、新たに2か所の立ち上げを支援した。"
    cut = shorten(text, 30)
    assert cut == text[:29] + "…"
    assert len(cut) == 30


def test_a_cut_falls_at_the_sentence_end_in_the_second_half():
    text = "一二三四五六七八九十一二三四五。次の文がここから長く続いていきます"
    assert shorten(text, 20) == "一二三四五六七八九十一二三四五。"


def test_without_a_late_sentence_end_the_cut_gets_an_ellipsis():
    text = "一。" + "あ" * 50
    out = shorten(text, 20)
    assert out.endswith("…") and len(out) == 20


def test_nothing_for_a_zero_limit():
    assert shorten("何か", 0) == ""


def test_pick_takes_the_best_grade_first_and_spreads_over_groups():
    cands = [
        Candidate("B", 1, "1-b"),
        Candidate("A", 1, "1-a1"),
        Candidate("A", 1, "1-a2"),
        Candidate("A", 2, "2-a"),
        Candidate("C", 3, "3-c"),
        Candidate("B", 3, "3-b"),
    ]
    assert pick(cands, "ABCD", 3) == ["1-a1", "2-a", "1-a2"]
    assert pick(cands, "ABCD", 10) == ["1-a1", "2-a", "1-a2", "1-b", "3-b"]


def test_pick_never_shows_the_lower_half_of_the_scale():
    assert pick([Candidate("C", 1, "c"), Candidate("D", 1, "d")], "ABCD", 5) == []
    assert pick([Candidate("A", 1, "a")], "ABCD", 0) == []
