"""The chart API other pages call: escaped text, a text alternative and the data beside it."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from django.template import Context, Template

from shinchoku.plans.models import Indicator, Plan
from shinchoku.reports.charts import (
    bands_chart_svg,
    goals_bands_chart_svg,
    indicator_chart_svg,
    indicator_chart_table,
)
from shinchoku.rounds.progress import plan_progress

from .conftest import CITY

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & =SUM(A1)'


@pytest.fixture
def city():
    return plan_progress(Plan.objects.get(slug=CITY), 2019)


def parse(svg: str) -> Element:
    return fromstring(svg)  # well-formed XML, or this raises


def test_the_indicator_chart_has_a_title_a_description_and_every_figure(city):
    ip = city.goals[0].indicators[0]  # ボランティア・市民活動センターの登録者数 504 → 513, 目標 700
    svg = indicator_chart_svg(ip)
    root = parse(svg)
    assert root.get("role") == "img"
    assert "ボランティア・市民活動センターの登録者数" in root.get("aria-label")
    assert root.get("aria-labelledby") == " ".join(
        f"{root.find(SVG + tag).get('id')}" for tag in ("title", "desc")
    )
    desc = root.find(SVG + "desc").text
    assert "現状値: 平成29年度 504人" in desc
    assert "実績: 平成30年度 515人、令和元年度 513人" in desc
    assert "目標: 令和5年度 700人" in desc
    texts = [t.text for t in root.iter(SVG + "text")]
    for figure in ("504", "515", "513", "700", "令和元", "(2023)", "現状値", "実績", "目標"):
        assert figure in texts


def test_the_chart_table_holds_the_same_values(city):
    ip = city.goals[0].indicators[1]
    table = str(indicator_chart_table(ip))
    for text in ("19,177世帯", "19,181世帯", "20,135世帯", "20,186世帯", "令和5年度"):
        assert text in table


def test_names_from_uploaded_data_are_escaped(city):
    ip = city.goals[0].indicators[0]
    ip.indicator = Indicator(name=HOSTILE, unit="人", node=ip.indicator.node)
    svg = indicator_chart_svg(ip)
    parse(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<script>" not in str(indicator_chart_table(ip))
    bands = bands_chart_svg([("達成", 1), ("判定不可", 2)], ["達成", "判定不可"], HOSTILE)
    parse(bands)
    assert "<script>" not in bands and "&lt;script&gt;" in bands
    rows = goals_bands_chart_svg([(HOSTILE, [("達成", 1)])], ["達成", "判定不可"], "t")
    assert "<script>" not in rows


def test_the_band_chart_says_each_band_in_words_not_only_in_colour():
    names = ["達成", "概ね達成", "未達成", "判定不可"]
    svg = bands_chart_svg(
        [("達成", 3), ("概ね達成", 2), ("未達成", 1), ("判定不可", 4)], names, "基本目標１"
    )
    root = parse(svg)
    assert root.find(SVG + "title").text == "基本目標１"
    assert (
        "達成 3件、概ね達成 2件、未達成 1件、判定不可 4件(計10件)" in root.find(SVG + "desc").text
    )
    legend = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    for words in ("達成 3件", "概ね達成 2件", "未達成 1件", "判定不可 4件"):
        assert words in legend
    # Each band is drawn with its own pattern, so it differs by more than hue.
    fills = {r.get("fill") for r in root.iter(SVG + "rect") if "url(#" in (r.get("fill") or "")}
    assert len({re.sub(r"#sc\d+-", "#", f) for f in fills}) >= 4


def test_an_empty_goal_says_so():
    svg = bands_chart_svg([("達成", 0), ("判定不可", 0)], ["達成", "判定不可"], "空")
    assert "指標なし" in svg and "対象がありません" not in svg


def test_a_plan_without_numbers_still_draws_a_chart_that_says_why(city):
    ip = city.goals[0].indicators[0]
    for v in [ip.baseline, *ip.actuals.values(), *ip.targets.values()]:
        v.text = "実施"
    svg = indicator_chart_svg(ip)
    parse(svg)
    assert "数値の値がないため" in svg


def test_the_template_tags_render_a_figure_with_chart_and_table(city):
    out = Template(
        "{% load charts %}{% indicator_chart ip %}{% bands_chart goal.tally.rows names 'T' %}"
        "{% indicator_chart ip False %}"
    ).render(
        Context(
            {"ip": city.goals[0].indicators[0], "goal": city.goals[0], "names": city.band_names}
        )
    )
    assert out.count("<figure") == 3 and out.count("<svg") == 3
    assert out.count('<table class="chart-data">') == 2  # the False one has no table
    assert "判定不可 2件" in out
