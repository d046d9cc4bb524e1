"""One unit per indicator: spellings, exact yen conversion, bare numbers, messages, judging."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core.achievement import UNDETERMINED, judge
from shinchoku.core.figures import figure, indicator_unit
from shinchoku.core.values import (
    ACTUAL,
    INCOMPATIBLE_UNITS,
    INDICATOR,
    TARGET,
    UNIT_PROBLEM,
    YEN_UNITS,
    Reason,
    Value,
    canonical_unit,
    format_number,
    incompatible,
    parse_value,
    same_unit,
    to_unit,
    unit_problem,
)

SPELLINGS = {
    "か所": ["箇所", "ヶ所", "ヵ所", "カ所", "ケ所", "個所"],
    "%": ["％"],
    "km": ["㎞", "ｋｍ"],
    "人/km": ["人／ｋｍ", "人/㎞"],
    "か月": ["ヶ月", "ヵ月", "カ月", "ケ月"],
    "件": ["件"],
    "人": ["名"],
}


@pytest.mark.parametrize(
    ("canonical", "spelling"), [(c, s) for c, spellings in SPELLINGS.items() for s in spellings]
)
def test_other_spellings_are_the_same_unit(canonical: str, spelling: str) -> None:
    assert canonical_unit(spelling) == canonical
    assert same_unit(spelling, canonical)


def test_yen_units_are_not_the_same_unit_but_convert_exactly() -> None:
    assert not same_unit("千円", "円")
    value = to_unit(parse_value("3,310,000円"), "千円")
    assert value is not None
    assert value.number == Decimal(3310) and value.unit == "千円" and value.text == "3,310千円"
    donation = to_unit(parse_value("4,500千円"), "万円")
    assert donation is not None and donation.number == 450 and donation.text == "450万円"
    cents = to_unit(parse_value("3,305,500円"), "千円")
    assert cents is not None and cents.text == "3,305.5千円"
    assert to_unit(parse_value("1円"), "億円").text == "0.00000001億円"  # type: ignore[union-attr]


def test_a_bare_number_takes_the_indicator_unit() -> None:
    value = to_unit(parse_value("4210"), "件")
    assert value is not None and value.number == 4210 and value.unit == "件"
    assert value.text == "4,210件"


def test_what_cannot_be_converted_gives_none() -> None:
    assert to_unit(parse_value("5人"), "件") is None
    assert to_unit(parse_value("5万円"), "回") is None
    assert to_unit(parse_value("参加"), "人") is None
    assert to_unit(parse_value("－"), "人") is None


def test_reasons_name_both_units_and_both_figures() -> None:
    """A code and its parameters, no wording: tests/rounds/test_reasons.py words them."""
    both = incompatible(ACTUAL, "人", INDICATOR, "件")
    assert both == Reason.of(
        INCOMPATIBLE_UNITS, what=ACTUAL, unit="人", against=INDICATOR, against_unit="件"
    )
    no_unit = incompatible(ACTUAL, "", TARGET, " 件 ")
    assert no_unit.args == {"what": ACTUAL, "unit": "", "against": TARGET, "against_unit": "件"}
    assert incompatible(ACTUAL, "円", TARGET, "").args["against_unit"] == ""


def test_unit_problem_accepts_bare_numbers_and_other_yen_units() -> None:
    assert unit_problem(parse_value("4210"), "件") is None
    assert unit_problem(parse_value("3,310,000円"), "千円") is None
    assert unit_problem(parse_value("3箇所"), "か所") is None
    assert unit_problem(parse_value("順調"), "件") is None
    reason = unit_problem(parse_value("5万円"), "回", indicator="研修の回数")
    assert reason == Reason.of(UNIT_PROBLEM, unit="万円", against_unit="回", name="研修の回数")
    yen = unit_problem(parse_value("5人"), "千円")
    assert yen == Reason.of(UNIT_PROBLEM, unit="人", against_unit="千円", yen="yes")


def test_judge_a_bare_actual_in_the_indicator_unit() -> None:
    """4210 typed for 会員件数 (件) against a 4,200件 target: judged, not 判定不可."""
    result = judge("up", parse_value("4210"), parse_value("4,200件"), unit="件")
    assert result.determined and result.band == "達成"
    assert result.rate == Decimal(4210) / Decimal(4200)


def test_judge_converts_yen_into_the_indicator_unit() -> None:
    result = judge(
        "up",
        parse_value("3,310,000円"),
        parse_value("3,300千円"),
        baseline=parse_value("3,265千円"),
        final=parse_value("3,700千円"),
        unit="千円",
    )
    assert result.determined and result.rate == Decimal(3310) / Decimal(3300)
    assert result.progress == Decimal(3310 - 3265) / Decimal(3700 - 3265)
    donation = judge("up", parse_value("4,500千円"), parse_value("400万円"), unit="万円")
    assert donation.rate == Decimal(450) / Decimal(400)


def test_judge_bare_target_and_baseline_take_the_indicator_unit() -> None:
    result = judge(
        "up",
        parse_value("120人"),
        parse_value("100"),
        baseline=parse_value("50"),
        final=parse_value("150人"),
        unit="人",
    )
    assert result.rate == Decimal("1.2") and result.progress == Decimal("0.7")


def test_judge_incompatible_names_both_units() -> None:
    result = judge("up", parse_value("5人"), parse_value("4件"), unit="件")
    assert result.band == UNDETERMINED
    assert result.reason == incompatible(ACTUAL, "人", INDICATOR, "件")
    # Without an indicator unit, the target's unit is the reference and named as such.
    result = judge("up", parse_value("5人"), parse_value("4件"))
    assert result.reason == incompatible(ACTUAL, "人", TARGET, "件")


def test_figure_shows_the_converted_figure_and_the_figure_as_reported() -> None:
    f = figure("3,310,000円", "千円")
    assert f.shown == "3,310千円" and f.differs and f.number == 3310
    assert f.label == "3,310千円（報告: 3,310,000円）"
    same = figure("3310千円", "千円")
    assert same.shown == "3310千円" and not same.differs and same.number == 3310
    bare = figure("4210", "件")
    assert bare.shown == "4,210件" and not bare.differs and bare.plain
    spelled = figure("3箇所", "か所")
    assert spelled.shown == "3箇所" and not spelled.differs and spelled.number == 3
    wrong = figure("5人", "件")
    assert wrong.shown == "5人" and wrong.number is None and wrong.mismatched
    words = figure("年4回受講", "回")
    assert words.shown == "年4回受講" and not words.plain and words.number == 4


def test_indicator_unit_falls_back_to_its_figures() -> None:
    assert indicator_unit("千円", ["3円"]) == "千円"
    assert indicator_unit("", ["参加", "24法人"]) == "法人"
    assert indicator_unit("", ["参加"]) == ""


# --------------------------------------------------------------------------- properties

amounts = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=3, allow_nan=False
)
yen = st.sampled_from(sorted(YEN_UNITS))
same_spellings = st.sampled_from(
    [(c, s) for c, spellings in SPELLINGS.items() for s in [c, *spellings]]
)


@given(amounts, yen, yen)
def test_yen_to_the_indicator_unit_and_back_keeps_the_value(
    number: Decimal, typed: str, unit: str
) -> None:
    value = parse_value(format_number(number, typed))
    there = to_unit(value, unit)
    assert there is not None and there.unit == unit
    back = to_unit(there, typed)
    assert back is not None and back.number == value.number and back.unit == typed
    # Exact: the converted figure is the value times the ratio of the units, nothing lost.
    assert there.number * YEN_UNITS[unit] == value.number * YEN_UNITS[typed]  # type: ignore[operator]
    # And the text written for the converted value reads back as the same figure.
    assert parse_value(there.text).number == there.number


@given(amounts, same_spellings)
def test_same_unit_spellings_round_trip(number: Decimal, spelling: tuple[str, str]) -> None:
    canonical, typed = spelling
    value = parse_value(f"{number}{typed}")
    if not value.is_numeric():  # a spelling the parser does not see as a unit after a number
        return
    there = to_unit(value, canonical)
    assert there is not None and there.number == value.number
    back = to_unit(there, value.unit)
    assert back is not None and back.number == value.number


@given(amounts, yen)
def test_a_bare_number_round_trips_in_any_unit(number: Decimal, unit: str) -> None:
    value = parse_value(format_number(number))
    there = to_unit(value, unit)
    assert there is not None and there.unit == unit and there.number == value.number


def test_value_with_high_end_converts_both_ends() -> None:
    value = to_unit(parse_value("4~6千円"), "円")
    assert isinstance(value, Value) and value.number == 4000 and value.high == 6000
