"""core's reasons (codes and parameters) worded in the reader's language by rounds.reasons."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils.translation import override

from shinchoku.core.achievement import Bands, judge
from shinchoku.core.values import ACTUAL, TARGET, incompatible, unit_problem
from shinchoku.core.values import parse_value as v
from shinchoku.rounds.reasons import in_japanese, reason_text

CASES = [
    # (judgement, Japanese, English)
    (
        judge("none", v("5回"), v("5回")),
        "数値で判定しない指標です。",
        "This indicator is not judged by number.",
    ),
    (judge("up", v(""), v("100件")), "実績がありません。", "There is no actual."),
    (judge("up", v("50件"), None), "目標がありません。", "There is no target."),
    (
        judge("up", v("実施"), v("100件")),
        "実績「実施」が数値ではありません。",
        "The actual “実施” is not a number.",
    ),
    (
        judge("up", v("5人"), v("4件"), unit="件"),
        "実績の単位「人」は指標の単位「件」に換算できません。",
        "The unit “人” of the actual cannot be converted into the unit “件” of the indicator.",
    ),
    (
        judge("up", v("5人"), v("4件")),
        "実績の単位「人」は目標の単位「件」に換算できません。",
        "The unit “人” of the actual cannot be converted into the unit “件” of the target.",
    ),
    (
        judge("up", v("5"), v("4件"), final=v("8回"), unit="回"),
        "目標の単位「件」は指標の単位「回」に換算できません。",
        "The unit “件” of the target cannot be converted into the unit “回” of the indicator.",
    ),
    (
        judge("up", v("513人"), None, final=v("700人"), bands=Bands(final_when_no_target=True)),
        "最終目標と比較",
        "Compared with the final target",
    ),
]


@pytest.mark.parametrize(("judgement", "ja", "en"), CASES)
def test_a_judgement_note_reads_in_japanese_and_in_english(judgement, ja, en) -> None:
    with override("ja"):
        assert reason_text(judgement.note) == ja
    with override("en"):
        assert reason_text(judgement.note) == en
    assert in_japanese(judgement.note) == ja  # the open data, whatever the page's language


def test_a_judged_year_has_no_note() -> None:
    assert reason_text(judge("up", v("5件"), v("4件")).note) == ""


def test_an_actual_in_a_unit_its_indicator_cannot_take_says_what_to_write() -> None:
    named = unit_problem(v("5万円"), "回", indicator="研修の回数")
    yen = unit_problem(v("5人"), "千円")
    with override("ja"):
        assert reason_text(named) == (
            "実績の単位「万円」は指標「研修の回数」の単位「回」に換算できません。"
            "「回」で書くか、単位を付けずに数字だけを書いてください。"
        )
        assert reason_text(yen).endswith(
            "「千円」で書くか、単位を付けずに数字だけを書いてください"
            "（金額は円・千円・万円・百万円・億円のどれでも換算します）。"
        )
    with override("en"):
        assert reason_text(named) == (
            "The unit “万円” of the actual cannot be converted into the unit “回” of the "
            "indicator “研修の回数”. Write it in “回”, or write only the number without a unit."
        )
        assert "amounts in 円, 千円, 万円, 百万円 or 億円 are all converted" in reason_text(yen)


def test_units_missing_on_one_side_are_never_an_empty_bracket() -> None:
    for reason in (incompatible(ACTUAL, "", TARGET, "件"), incompatible(ACTUAL, "円", TARGET, "")):
        for language in ("ja", "en"):
            with override(language):
                text = reason_text(reason)
            assert "「」" not in text and "“”" not in text, text
    with override("ja"):
        assert reason_text(incompatible(ACTUAL, "", TARGET, "件")) == (
            "実績に単位がなく、目標の単位「件」と比べられません。"
        )
        assert reason_text(incompatible(ACTUAL, "円", TARGET, "")) == (
            "実績の単位「円」は、単位のない目標と比べられません。"
        )


def test_the_reason_filter_words_the_note_in_the_active_language() -> None:
    template = Template("{% load reasons %}{{ j.note|reason }}")
    judgement = judge("none", v("5回"), v("5回"))
    with override("en"):
        assert (
            template.render(Context({"j": judgement})) == "This indicator is not judged by number."
        )
    with override("ja"):
        assert template.render(Context({"j": judgement})) == "数値で判定しない指標です。"
