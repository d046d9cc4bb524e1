"""The indicator charts drawn with less repeated work (issue 16): a kept drawing is the drawing.

reports/charts.py keeps each chart drawn (per name, unit, values, FY, forecast and language) with
its id left as a slot, and puts the id back on use. Every indicator of the demo plans is drawn
fresh (the kept drawings cleared) and again from what was kept, with and without its forecast,
in Japanese and English, with other ids: the two are the same, byte for byte; with values the
demo lacks (negative figures, decimals, texts that are not figures, markup in names and units).
When this was written the drawings were also compared with the drawing code as it was before,
byte for byte (issue 16's note of 2026-12-06).
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.utils import translation

from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.reports import charts
from shinchoku.reports.templatetags.charts import indicator_chart
from shinchoku.rounds.forecasts import forecast_of
from shinchoku.rounds.progress import plan_progress

from .approved_rounds import approve_round
from .conftest import ACTION, CITY

pytestmark = pytest.mark.django_db


def drawn(ip, forecast, first_id: int = 7, *, fresh: bool = False) -> tuple[str, str]:
    if fresh:
        charts._kept_svg.cache_clear()
        charts._kept_table.cache_clear()
    charts._ids = itertools.count(first_id)
    return str(charts.indicator_chart_svg(ip, forecast)), str(
        charts.indicator_chart_table(ip, forecast)
    )


def assert_same_charts(plan: Plan, fy: int) -> int:
    """Compare every chart of the plan's FY, fresh and kept; the number compared, after
    checking that some drew a forecast line."""
    progress = plan_progress(plan, fy)
    n = forecasts = 0
    for language in ("ja", "en"):
        with translation.override(language):
            for ip in progress.indicators:
                forecast = forecast_of(
                    ip.indicator, progress.thresholds, last_fy=plan.last_fy, up_to_fy=fy
                )
                for f, first_id in ((None, 7), (forecast, 7), (None, 30), (forecast, 31)):
                    fresh = drawn(ip, f, first_id, fresh=True)
                    drawn(ip, f, first_id + 100)  # kept with another id
                    kept = drawn(ip, f, first_id)
                    assert kept == fresh, ip.indicator.name
                    assert set(re.findall(r'id="([^"]+)"', fresh[0])) == set(
                        re.findall(r'id="([^"]+)"', kept[0])
                    )
                    forecasts += 'class="forecast-line"' in fresh[0]
                    n += 1
                svg, table = drawn(ip, None)
                charts._ids = itertools.count(7)
                tag = indicator_chart(ip)
                assert svg in tag and table in tag
    assert forecasts
    return n


def test_the_city_plans_charts_are_drawn_as_kept():
    assert assert_same_charts(Plan.objects.get(slug=CITY), 2019) == 2 * 4 * 15


def test_the_action_plans_charts_are_drawn_as_kept():
    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    approve_round(plan, 2021)
    assert assert_same_charts(plan, 2021) > 40


def test_odd_values_are_drawn_as_kept_and_escaped():
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
    ip = next(i for i in plan_progress(plan, 2021).indicators if i.indicator.pk == first.pk)
    svg, table = drawn(ip, None, fresh=True)
    assert "<script>" not in svg + table and "<u>" not in svg + table


def test_a_chart_whose_text_holds_the_id_slot_is_not_kept():
    ip = plan_progress(Plan.objects.get(slug=CITY), 2019).indicators[0]
    ip.indicator.name = f"指標{charts.UID}名"  # not kept: its id could not be put back
    first = drawn(ip, None, 7, fresh=True)
    assert drawn(ip, None, 8) != first  # drawn anew with its own id
    assert drawn(ip, None, 7) == first
    assert charts.UID in first[0]
