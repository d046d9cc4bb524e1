"""The years page's sparkline: only numbers are drawn, every figure is in its text alternative,
names are escaped, and a row without numbers says so."""

from __future__ import annotations

import re

from shinchoku.plans.models import Indicator, IndicatorValue
from shinchoku.plans.sparkline import sparkline_svg
from shinchoku.plans.views import IndicatorRow


def value(role: str, fy: int, text: str) -> IndicatorValue:
    v = IndicatorValue(role=role, fy=fy, text=text)
    v.apply_parse()
    return v


def row(baseline=None, targets=None, actuals=None, years=(2019, 2020, 2021), unit="人"):
    targets, actuals = targets or {}, actuals or {}
    t = {fy: value("target", fy, x) for fy, x in targets.items()}
    a = {fy: value("actual", fy, x) for fy, x in actuals.items()}
    cells = [(fy, t.get(fy), a.get(fy)) for fy in years]
    base = value("baseline", 2018, baseline) if baseline else None
    final = t[max(t)] if t else None
    return IndicatorRow(Indicator(name="x", unit=unit), base, cells, final)


def title_of(svg: str) -> str:
    return re.search(r"<title[^>]*>(.*?)</title>", svg).group(1)


def test_actuals_targets_and_baseline_are_drawn_and_told():
    svg = str(sparkline_svg(row("10人", {2021: "30人"}, {2019: "12人", 2020: "-5人"}), "会員数"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert svg.count("<circle") == 2 and svg.count("<path") == 1 and "<line" in svg
    title = title_of(svg)
    assert "会員数" in title and "現状値 10人" in title
    assert "実績 令和元年度 12人、令和2年度 △5人" in title
    assert "目標 令和3年度 30人" in title


def test_text_values_are_not_drawn():
    svg = str(sparkline_svg(row(None, {2021: "充実"}, {2020: "実施"}), "事業"))
    assert "<svg" not in svg and "グラフにできる数値がありません" in svg


def test_one_year_and_one_value_is_drawn_in_the_middle():
    svg = str(sparkline_svg(row(None, {}, {2020: "3人"}, years=(2020,)), "x"))
    assert 'cx="66"' in svg and "承認済みの実績" not in svg


def test_no_actual_yet_is_said():
    svg = str(sparkline_svg(row("1人", {2021: "3人"}), "x"))
    assert "承認済みの実績はまだありません" in title_of(svg)


def test_names_and_figures_are_escaped():
    svg = str(sparkline_svg(row(None, {}, {2020: "3人"}), '<script>alert("x")</script>'))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
