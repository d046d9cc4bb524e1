"""Early warning: the forecast of an indicator's final-year value and its judgement."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shinchoku.core import forecast as forecast_module
from shinchoku.core.achievement import DOWN, KEEP, MISSING, NONE, NOT_A_NUMBER, NOT_BY_NUMBER, UP
from shinchoku.core.forecast import (
    AT_RISK,
    JUDGEMENTS,
    OFF_TRACK,
    ON_TRACK,
    TOO_FEW_ACTUALS,
    Thresholds,
    forecast,
)
from shinchoku.core.values import ACTUAL, FINAL, INCOMPATIBLE_UNITS, Reason
from shinchoku.core.values import parse_value as v

D = Decimal


def test_the_module_does_not_import_django():
    source = Path(forecast_module.__file__).read_text(encoding="utf-8")
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not any(str(name).startswith("django") for name in names)


# --------------------------------------------------------------------------- examples


def test_a_steady_increase_that_reaches_the_target_is_on_track():
    f = forecast({2019: D(100), 2020: D(110), 2021: D(120)}, D(140), 2023, UP)
    assert f.judgement == ON_TRACK
    assert f.linear == D(140)
    assert f.slope == D(10)
    assert f.linear_ratio == D(1)
    assert not f.warns


def test_half_the_needed_pace_is_at_risk():
    # +5 a year, +10 a year needed for two more years; growth 100→110 vs 110→130 is ~0.56.
    f = forecast({2019: D(100), 2020: D(105), 2021: D(110)}, D(130), 2023, UP)
    assert f.linear == D(120)
    assert f.linear_ratio == D("0.5")
    assert f.judgement == AT_RISK
    assert f.warns


def test_a_series_moving_away_from_the_target_is_off_track():
    f = forecast({2019: D(100), 2020: D(90)}, D(130), 2023, UP)
    assert f.judgement == OFF_TRACK
    assert f.actual_cagr == D("-0.1")
    assert f.growth_ratio < 0


def test_the_growth_rates_are_the_compound_annual_rates():
    f = forecast({2019: D(100), 2021: D(121)}, D("146.41"), 2023, UP)
    assert f.actual_cagr == D("0.1")
    assert f.required_cagr == D("0.1")
    assert f.growth_ratio == D(1)
    assert f.judgement == ON_TRACK


def test_compound_growth_can_carry_a_series_the_linear_trend_does_not():
    # +21 a year so far, +30.5 needed: linear 0.69 (at risk); compound 10% so far and needed.
    f = forecast({2019: D(100), 2021: D(121)}, D("146.41"), 2023, UP)
    assert f.linear_ratio < D("0.95")
    assert f.judgement == ON_TRACK


def test_a_decrease_target_reached_by_the_trend_is_on_track():
    # 消費者トラブル相談件数: lower is better.
    f = forecast({2019: D(50), 2020: D(45), 2021: D(40)}, D(30), 2023, DOWN)
    assert f.linear == D(30)
    assert f.judgement == ON_TRACK


def test_a_decrease_target_with_a_rising_series_is_off_track():
    f = forecast({2019: D(50), 2020: D(55)}, D(30), 2023, DOWN)
    assert f.judgement == OFF_TRACK


def test_keep_counts_as_higher_or_equal():
    f = forecast({2019: D(10), 2020: D(10)}, D(10), 2023, KEEP)
    assert f.judgement == ON_TRACK and f.met


def test_a_target_already_met_is_on_track_even_when_falling():
    f = forecast({2019: D(200), 2020: D(150)}, D(140), 2023, UP)
    assert f.met and f.judgement == ON_TRACK


def test_the_final_year_without_the_target_is_off_track():
    f = forecast({2022: D(100), 2023: D(139)}, D(140), 2023, UP)
    assert f.judgement == OFF_TRACK


def test_zero_or_negative_figures_use_the_linear_trend_only():
    f = forecast({2019: D(0), 2020: D(5), 2021: D(10)}, D(20), 2023, UP)
    assert f.actual_cagr is None and f.growth_ratio is None
    assert f.linear == D(20) and f.judgement == ON_TRACK
    f = forecast({2019: D(-10), 2020: D(-5)}, D(0), 2022, UP)
    assert f.growth_ratio is None and f.linear_ratio == D(2)


def test_thresholds_are_set_per_plan():
    series = {2019: D(100), 2020: D(105), 2021: D(110)}
    assert forecast(series, D(130), 2023, UP).judgement == AT_RISK
    strict = Thresholds(on_track=D("1.2"), at_risk=D("0.8"))
    assert forecast(series, D(130), 2023, UP, thresholds=strict).judgement == OFF_TRACK
    lenient = Thresholds(on_track=D("0.5"), at_risk=D("0.2"))
    assert forecast(series, D(130), 2023, UP, thresholds=lenient).judgement == ON_TRACK


@pytest.mark.parametrize("on, risk", [(D("0.5"), D("0.9")), (D("1"), D("0")), (D(1), D(-1))])
def test_thresholds_must_be_ordered_and_positive(on, risk):
    with pytest.raises(ValueError):
        Thresholds(on_track=on, at_risk=risk)


def test_values_as_written_convert_units_and_skip_missing_years():
    actuals = {2019: v("9,708千円"), 2020: v("－"), 2021: v("1,000万円")}
    f = forecast(actuals, v("1,020万円"), 2023, UP, unit="千円")
    assert f.latest == D(10000) and f.target == D(10200)
    assert f.judgement == ON_TRACK


def test_fewer_than_two_actuals_give_no_forecast():
    f = forecast({2019: D(10), 2020: None}, D(20), 2023, UP)
    assert f.judgement is None and not f.warns
    assert f.reason == Reason.of(TOO_FEW_ACTUALS, count="1")


def test_text_figures_give_no_forecast():
    f = forecast({2019: v("実施"), 2020: v("10回")}, v("12回"), 2023, UP)
    assert f.reason == Reason.of(NOT_A_NUMBER, what=ACTUAL, text="実施")
    f = forecast({2019: v("8回"), 2020: v("10回")}, v("総事務事業数の3分の1"), 2023, UP)
    assert f.reason.code == NOT_A_NUMBER and f.reason.args["what"] == FINAL
    assert forecast({2019: D(1), 2020: D(2)}, None, 2023, UP).reason == Reason.of(
        MISSING, what=FINAL
    )


def test_an_indicator_not_judged_by_number_and_units_that_do_not_convert():
    assert forecast({2019: D(1), 2020: D(2)}, D(3), 2023, NONE).reason == Reason(NOT_BY_NUMBER)
    f = forecast({2019: v("10件"), 2020: v("12人")}, v("20件"), 2023, UP)
    assert f.reason.code == INCOMPATIBLE_UNITS


# --------------------------------------------------------------------------- properties

figures = st.integers(min_value=1, max_value=100_000).map(D)
signed_figures = st.integers(min_value=-1000, max_value=1000).map(D)


@st.composite
def series(draw, figure=figures, min_size=2):
    start = draw(st.integers(min_value=2010, max_value=2030))
    gaps = draw(st.lists(st.integers(min_value=1, max_value=3), min_size=min_size - 1, max_size=5))
    years = [start]
    for gap in gaps:
        years.append(years[-1] + gap)
    values = draw(st.lists(figure, min_size=len(years), max_size=len(years)))
    final_fy = years[-1] + draw(st.integers(min_value=0, max_value=6))
    return dict(zip(years, values, strict=True)), final_fy


directions = st.sampled_from([UP, DOWN])


ratios = st.integers(min_value=1, max_value=300).map(lambda n: D(n) / 100)


@st.composite
def thresholds(draw):
    """Any valid pair: 0 < at_risk ≤ on_track."""
    a, b = draw(ratios), draw(ratios)
    return Thresholds(on_track=max(a, b), at_risk=min(a, b))


@given(series(), st.integers(0, 1000), st.sampled_from([UP, DOWN, KEEP]), thresholds())
def test_a_series_already_at_or_past_the_target_is_never_at_risk(drawn, margin, direction, t):
    """Direction-aware: at/above the target when higher is better (and for 維持), at/below it
    when lower is better; whatever the thresholds and the trend."""
    actuals, final_fy = drawn
    latest = actuals[max(actuals)]
    target = latest + margin if direction == DOWN else max(latest - margin, D(1))
    f = forecast(actuals, target, final_fy, direction, thresholds=t)
    assert f.met and f.judgement == ON_TRACK and not f.warns


@given(series(signed_figures), signed_figures, directions, thresholds(), thresholds())
def test_stricter_thresholds_never_give_a_better_judgement(drawn, target, direction, a, b):
    """Monotone in the thresholds: raising both never improves the judgement."""
    actuals, final_fy = drawn
    lenient = Thresholds(on_track=min(a.on_track, b.on_track), at_risk=min(a.at_risk, b.at_risk))
    strict = Thresholds(on_track=max(a.on_track, b.on_track), at_risk=max(a.at_risk, b.at_risk))
    j_lenient = forecast(actuals, target, final_fy, direction, thresholds=lenient).judgement
    j_strict = forecast(actuals, target, final_fy, direction, thresholds=strict).judgement
    assert JUDGEMENTS.index(j_strict) >= JUDGEMENTS.index(j_lenient)


@given(series(signed_figures), signed_figures, thresholds())
def test_the_mirror_of_a_series_is_judged_alike_under_any_thresholds(drawn, target, t):
    """Direction-aware symmetry: -x toward -target (lower is better) is x toward target."""
    actuals, final_fy = drawn
    actuals[min(actuals)] = D(0)  # linear trend only on both sides (no growth rate)
    up = forecast(actuals, target, final_fy, UP, thresholds=t)
    mirrored = {fy: -x for fy, x in actuals.items()}
    down = forecast(mirrored, -target, final_fy, DOWN, thresholds=t)
    assert (down.judgement, down.met) == (up.judgement, up.met)


@given(series(signed_figures), signed_figures, st.integers(1, 500), directions)
def test_a_better_latest_actual_never_gives_a_worse_judgement(drawn, target, step, direction):
    actuals, final_fy = drawn
    latest_fy = max(actuals)
    better = dict(actuals)
    better[latest_fy] += D(step) if direction == UP else -D(step)
    worse_j = forecast(actuals, target, final_fy, direction).judgement
    better_j = forecast(better, target, final_fy, direction).judgement
    assert JUDGEMENTS.index(better_j) <= JUDGEMENTS.index(worse_j)


@given(series(), figures)
def test_a_decrease_mirrors_an_increase_in_growth(drawn, target):
    """1/x mirrors a positive series: the growth ratio of the decrease equals the increase's.

    (The linear trend is not symmetric under 1/x; its mirror is -x, tested below.)
    """
    actuals, final_fy = drawn
    up = forecast(actuals, target, final_fy, UP)
    mirrored = {fy: 1 / x for fy, x in actuals.items()}
    down = forecast(mirrored, 1 / target, final_fy, DOWN)
    assert down.met == up.met
    assert down.growth_ratio == up.growth_ratio


@given(series(signed_figures), signed_figures)
def test_a_decrease_mirrors_an_increase_on_the_linear_trend(drawn, target):
    """-x mirrors a series through zero (linear only): same judgement, mirrored forecast."""
    actuals, final_fy = drawn
    actuals[min(actuals)] = D(0)  # a zero keeps both sides on the linear trend only
    up = forecast(actuals, target, final_fy, UP)
    down = forecast({fy: -x for fy, x in actuals.items()}, -target, final_fy, DOWN)
    assert down.judgement == up.judgement
    assert down.linear == -up.linear
    assert down.linear_ratio == up.linear_ratio


@given(
    st.integers(-1000, 1000),
    st.integers(-100, 100),
    st.lists(st.integers(2000, 2040), min_size=2, max_size=6, unique=True),
    st.integers(0, 10),
)
def test_an_exactly_linear_series_forecasts_exactly(intercept, slope_tenths, years, ahead):
    slope = D(slope_tenths) / 10
    actuals = {fy: D(intercept) + slope * (fy - 2000) for fy in years}
    final_fy = max(years) + ahead
    f = forecast(actuals, D(10**9), final_fy, UP)
    assert f.linear == D(intercept) + slope * (final_fy - 2000)
    assert f.slope == slope
