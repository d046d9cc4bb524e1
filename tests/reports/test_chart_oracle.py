"""The indicator charts drawn with less repeated work (issue 16) are the charts drawn before.

tests/reports/charts_before.py is reports/charts.py's indicator chart and table as they were;
every indicator of the demo plans is drawn by both, with and without its forecast, in Japanese
and English, twice (the second time from the drawings kept), and the SVG and the tables are
compared byte for byte — with values the demo lacks:
negative figures, decimals, texts that are not figures, markup in names and units.
"""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation

from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.reports import charts
from shinchoku.reports.templatetags.charts import indicator_chart
from shinchoku.rounds.forecasts import forecast_of
from shinchoku.rounds.progress import plan_progress

from . import charts_before
from .approved_rounds import approve_round
from .conftest import ACTION, CITY

pytestmark = pytest.mark.django_db


def drawn(module, ip, forecast, first_id: int = 7) -> tuple[str, str]:
    module._ids = itertools.count(first_id)
    return str(module.indicator_chart_svg(ip, forecast)), str(
        module.indicator_chart_table(ip, forecast)
    )


def assert_same_charts(plan: Plan, fy: int) -> int:
    """Compare every chart of the plan's FY; the number compared, after checking that some drew
    a forecast line."""
    progress = plan_progress(plan, fy)
    n = forecasts = 0
    for language in ("ja", "en"):
        with translation.override(language):
            for ip in progress.indicators:
                forecast = forecast_of(
                    ip.indicator, progress.thresholds, last_fy=plan.last_fy, up_to_fy=fy
                )
                # Drawn again (a kept drawing, with another id), each is the chart drawn before.
                for f, first_id in ((None, 7), (forecast, 7), (None, 30), (forecast, 31)):
                    svg, table = drawn(charts, ip, f, first_id)
                    old = drawn(charts_before, ip, f, first_id)
                    assert (svg, table) == old, ip.indicator.name
                    forecasts += 'class="forecast-line"' in svg
                    n += 1
                charts._ids = itertools.count(7)
                svg, table = drawn(charts_before, ip, None)
                charts._ids = itertools.count(7)
                tag = indicator_chart(ip)
                assert svg in tag and table in tag
    assert forecasts
    return n


def test_the_city_plans_charts_are_drawn_as_before():
    assert assert_same_charts(Plan.objects.get(slug=CITY), 2019) == 2 * 4 * 15


def test_the_action_plans_charts_are_drawn_as_before():
    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    approve_round(plan, 2021)
    assert assert_same_charts(plan, 2021) > 40


def test_odd_values_are_drawn_as_before():
    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    approve_round(plan, 2021)
    values = IndicatorValue.objects.filter(indicator__plan=plan, role="actual", fy=2021)
    texts = ["-12.5", "△3", "0.25", "1,234,567", "次期計画による", "<b>&", "0", "12.345"]
    for v, text in zip(values.order_by("pk"), itertools.cycle(texts)):
        v.text = text
        v.save()
    first = Indicator.objects.filter(plan=plan).order_by("pk").first()
    first.name = '<script>"名前"</script> & 指標'
    first.unit = "<u>"
    first.save()
    IndicatorValue.objects.filter(indicator__plan=plan, role="baseline").update(estimate=True)
    IndicatorValue.objects.filter(indicator=first).update(text="未定")  # no figure to draw
    assert assert_same_charts(plan, 2021) > 40


def test_a_chart_whose_text_holds_the_id_slot_is_drawn_as_before():
    ip = plan_progress(Plan.objects.get(slug=CITY), 2019).indicators[0]
    ip.indicator.name = f"指標{charts.UID}名"  # not kept: its id could not be put back
    for first_id in (7, 8):
        assert drawn(charts, ip, None, first_id) == drawn(charts_before, ip, None, first_id)
