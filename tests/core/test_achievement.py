"""Achievement: rates, progress, bands, roll-ups — the edge cases the committee will meet."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core import achievement
from shinchoku.core.achievement import (
    AGAINST_FINAL,
    DEFAULT_BANDS,
    MISSING,
    NOT_A_NUMBER,
    NOT_BY_NUMBER,
    Bands,
    by_group,
    flagged,
    judge,
    roll_up,
)
from shinchoku.core.values import ACTUAL, INCOMPATIBLE_UNITS, TARGET, Reason
from shinchoku.core.values import parse_value as v


def test_the_module_does_not_import_django():
    source = Path(achievement.__file__).read_text(encoding="utf-8")
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any(str(name).startswith("django") for name in names)


@pytest.mark.parametrize(
    ("actual", "target", "rate", "band"),
    [
        ("120件", "100件", Decimal("1.2"), "達成"),
        ("100件", "100件", Decimal("1"), "達成"),
        ("80件", "100件", Decimal("0.8"), "概ね達成"),
        ("79件", "100件", Decimal("0.79"), "未達成"),
        ("1,500人", "2,000人", Decimal("0.75"), "未達成"),
    ],
)
def test_higher_is_better(actual, target, rate, band):
    result = judge("up", v(actual), v(target))
    assert (result.rate, result.band) == (rate, band)


def test_lower_is_better_inverts_the_rate():
    assert judge("down", v("80件"), v("100件")).band == "達成"  # fewer than the target
    result = judge("down", v("125件"), v("100件"))
    assert result.rate == Decimal("0.8") and result.band == "概ね達成"
    assert judge("down", v("200件"), v("100件")).band == "未達成"


def test_zero_and_negative_figures_are_compared_not_divided():
    assert judge("down", v("0件"), v("0件")) == achievement.Judgement("達成")
    assert judge("down", v("3件"), v("0件")).band == "未達成"
    assert judge("down", v("0件"), v("5件")).band == "達成"
    assert judge("up", v("0件"), v("0件")).band == "達成"
    result = judge("up", v("△50千円"), v("△100千円"))  # a smaller deficit: better
    assert (result.band, result.rate) == ("達成", None)
    assert judge("up", v("△150千円"), v("△100千円")).band == "未達成"


def test_yen_units_convert_exactly_and_other_units_do_not():
    result = judge("up", v("1,200万円"), v("12,000千円"))
    assert (result.rate, result.band) == (Decimal("1"), "達成")
    result = judge("up", v("10人"), v("10件"))
    assert result.band == "判定不可" and result.rate is None
    assert result.reason is not None and result.reason.code == INCOMPATIBLE_UNITS
    assert (result.reason.args["unit"], result.reason.args["against_unit"]) == ("人", "件")


@pytest.mark.parametrize(
    ("actual", "target", "reason"),
    [
        (
            "120件",
            "次期介護保険事業計画による",
            Reason.of(NOT_A_NUMBER, what=TARGET, text="次期介護保険事業計画による"),
        ),
        ("実施", "100件", Reason.of(NOT_A_NUMBER, what=ACTUAL, text="実施")),
        ("", "100件", Reason.of(MISSING, what=ACTUAL)),
        ("－", "100件", Reason.of(MISSING, what=ACTUAL)),
        ("50件", "", Reason.of(MISSING, what=TARGET)),
    ],
)
def test_text_or_missing_values_are_never_computed(actual, target, reason):
    result = judge("up", v(actual), v(target))
    assert result == achievement.Judgement("判定不可", reason=reason)
    assert not result.determined


def test_missing_year_has_no_target():
    assert judge("up", v("5回"), None).reason == Reason.of(MISSING, what=TARGET)
    assert judge("up", None, v("5回")).reason == Reason.of(MISSING, what=ACTUAL)


def test_indicators_not_judged_by_number():
    result = judge("none", v("5回"), v("5回"))
    assert result.band == "判定不可" and result.reason == Reason(NOT_BY_NUMBER)


def test_range_targets_count_at_their_near_end():
    assert judge("up", v("4回"), v("4~6回")).band == "達成"
    assert judge("down", v("6回"), v("4~6回")).band == "達成"
    assert judge("down", v("7回"), v("4~6回")).band == "概ね達成"


def test_progress_toward_the_final_target_in_both_directions():
    up = judge("up", v("150件"), v("200件"), baseline=v("100件"), final=v("300件"))
    assert up.progress == Decimal("0.25")
    down = judge("down", v("80件"), v("70件"), baseline=v("100件"), final=v("60件"))
    assert down.progress == Decimal("0.5")
    zero_baseline = judge("up", v("3団体"), v("5団体"), baseline=v("0団体"), final=v("10団体"))
    assert zero_baseline.progress == Decimal("0.3")
    flat = judge("keep", v("10回"), v("10回"), baseline=v("10回"), final=v("10回"))
    assert flat.progress is None and flat.band == "達成"
    yen = judge(
        "up", v("9,800千円"), v("10,000千円"), baseline=v("970.8万円"), final=v("1,200万円")
    )
    assert yen.progress == (Decimal(9800) - Decimal(9708)) / (Decimal(12000) - Decimal(9708))


def test_bands_are_configurable_per_plan():
    bands = Bands(((Decimal("1"), "A"), (Decimal("0.9"), "B"), (Decimal("0.5"), "C")), "D", "－")
    assert [judge("up", v(f"{n}件"), v("100件"), bands=bands).band for n in (100, 95, 60, 10)] == [
        "A",
        "B",
        "C",
        "D",
    ]
    assert judge("up", v("x"), v("1件"), bands=bands).band == "－"
    with pytest.raises(ValueError, match="大きい順"):
        Bands(((Decimal("0.8"), "B"), (Decimal("1"), "A")))


@given(
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=1, max_value=10**6),
)
def test_more_is_never_worse_when_higher_is_better(target, a, b):
    low, high = sorted((a, b))
    order = DEFAULT_BANDS.names
    band_low = judge("up", v(f"{low}件"), v(f"{target}件")).band
    band_high = judge("up", v(f"{high}件"), v(f"{target}件")).band
    assert order.index(band_high) <= order.index(band_low)
    band_low_down = judge("down", v(f"{low}件"), v(f"{target}件")).band
    band_high_down = judge("down", v(f"{high}件"), v(f"{target}件")).band
    assert order.index(band_low_down) <= order.index(band_high_down)


def test_roll_up_counts_every_level_and_department():
    # goal 1 → policy 2 → items 3, 4; goal 5 with nothing below
    parents = {1: None, 2: 1, 3: 2, 4: 2, 5: None}
    tallies = roll_up(parents, [(3, "達成"), (3, "未達成"), (4, "達成"), (2, "判定不可")])
    assert dict(tallies[1].rows()) == {"達成": 2, "概ね達成": 0, "未達成": 1, "判定不可": 1}
    assert tallies[3].total == 2 and tallies[4].total == 1 and tallies[2].total == 4
    assert tallies[5].total == 0
    groups = by_group(
        [("福祉支援課", "達成"), ("福祉支援課", "未達成"), ("協働コミュニティ課", "達成")]
    )
    assert groups["福祉支援課"].counts == {"達成": 1, "未達成": 1}


def test_contents_behind_schedule_are_flagged():
    assert flagged("遅れ") and flagged("未実施")
    assert not flagged("予定どおり") and not flagged("前倒し") and not flagged("中止")
    assert flagged("中止", {"中止"})


def test_a_year_without_target_still_measures_progress_toward_the_final_target():
    # The city sets only its last target: no band for FY2019, but how far the figure has come.
    result = judge("up", v("513人"), None, baseline=v("504人"), final=v("700人"))
    assert result.band == "判定不可" and result.rate is None
    assert result.reason == Reason.of(MISSING, what=TARGET)
    assert result.progress == (Decimal(513) - 504) / (700 - 504)


def test_a_plan_may_compare_years_without_target_with_the_final_target():
    by_final = Bands(final_when_no_target=True)
    result = judge("up", v("513人"), None, baseline=v("504人"), final=v("700人"), bands=by_final)
    assert result.against_final and result.band == "未達成"
    assert result.determined and result.note == Reason(AGAINST_FINAL)
    assert result.rate == Decimal(513) / 700
    close = judge("up", v("20,135世帯"), None, final=v("20,186世帯"), bands=by_final)
    assert close.band == "概ね達成" and close.against_final
    # A year with its own target is judged against it, whatever the setting.
    own = judge("up", v("9件"), v("10件"), final=v("20件"), bands=by_final)
    assert own.rate == Decimal("0.9") and not own.against_final and own.note is None
    # Without a final target there is still nothing to compare with.
    assert judge("up", v("9件"), None, bands=by_final).band == "判定不可"
