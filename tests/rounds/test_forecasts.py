"""Early warning on the demo plans: forecasts of every numeric indicator, read in two queries."""

from __future__ import annotations

import pytest
from django.utils import translation

from shinchoku.core.forecast import (
    AT_RISK,
    DEFAULT_THRESHOLDS,
    OFF_TRACK,
    ON_TRACK,
    TOO_FEW_ACTUALS,
)
from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.rounds.forecasts import at_risk, at_risk_in, forecasts_for, judgement_label
from shinchoku.rounds.progress import plan_progress

CITY = "nishitokyo-chiiki-fukushi-4"
ACTION = "nishitokyo-action-plan-2019"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", [CITY, ACTION])
def test_the_forecasts_of_a_plan_take_two_queries(slug, django_assert_num_queries):
    plan = Plan.objects.get(slug=slug)
    with django_assert_num_queries(2):
        rows = forecasts_for(plan, DEFAULT_THRESHOLDS)
        [(row.label, row.reason, row.unit) for row in rows]
    with django_assert_num_queries(3):  # + the plan's thresholds, read once
        assert len(forecasts_for(plan)) == len(rows)
    judged = Indicator.objects.filter(plan=plan).exclude(direction="none").count()
    assert len(rows) == judged > 0


def test_the_city_plans_indicators_with_two_actuals_get_a_judgement():
    plan = Plan.objects.get(slug=CITY)
    rows = forecasts_for(plan)
    forecast = [r for r in rows if r.forecast.determined]
    assert forecast, "the city's demo has actuals for FY2017–2019"
    for row in forecast:
        numeric = IndicatorValue.objects.filter(
            indicator=row.indicator, role="actual", kind__in=["number", "range"]
        ).count()
        assert numeric >= 2
        assert row.judgement in (ON_TRACK, AT_RISK, OFF_TRACK)
        assert row.forecast.final_fy == 2023
        assert row.forecast.linear is not None
    for row in rows:
        if not row.forecast.determined:
            assert row.reason


def test_at_risk_lists_only_warnings_worst_first():
    plan = Plan.objects.get(slug=CITY)
    warned = at_risk(plan)
    assert {r.judgement for r in warned} <= {AT_RISK, OFF_TRACK}
    judgements = [r.judgement for r in warned]
    assert judgements == sorted(judgements, key=lambda j: j != OFF_TRACK)
    all_warned = [r.indicator.pk for r in forecasts_for(plan) if r.warns]
    assert sorted(r.indicator.pk for r in warned) == sorted(all_warned)


@pytest.mark.parametrize("fy, later", [(2019, False), (2023, False), (2019, True)])
def test_at_risk_in_what_plan_progress_read_is_at_risk_without_a_query(
    fy, later, django_assert_num_queries
):
    plan = Plan.objects.get(slug=CITY)
    if later:  # an actual after the FY, in another unit than the indicator's: left out
        for indicator in Indicator.objects.filter(plan=plan).exclude(direction="none"):
            value = IndicatorValue(indicator=indicator, role="actual", fy=2020, text="3千人")
            value.apply_parse()
            value.save()
    progress = plan_progress(plan, fy)
    with django_assert_num_queries(0):
        among = at_risk_in(progress)
        rows = [(r.indicator.pk, r.unit, r.forecast, r.linear_text, r.target_text) for r in among]
    expected = at_risk(plan, up_to_fy=fy)
    assert expected, "the city's demo has indicators off their final target's track"
    assert rows == [
        (r.indicator.pk, r.unit, r.forecast, r.linear_text, r.target_text) for r in expected
    ]


def test_an_indicator_with_one_actual_says_why_it_has_no_forecast():
    plan = Plan.objects.get(slug=ACTION)
    rows = [r for r in forecasts_for(plan) if r.forecast.reason is not None]
    assert rows
    too_few = [r for r in rows if r.forecast.reason.code == TOO_FEW_ACTUALS]
    with translation.override("ja"):
        assert all("実績" in r.reason for r in too_few)
    with translation.override("en"):
        assert all("actual" in r.reason for r in too_few)


@pytest.mark.parametrize(
    "language, words",
    [("ja", ["達成見込み", "要注意", "達成困難"]), ("en", ["On track", "At risk", "Off track"])],
)
def test_the_judgements_are_worded_in_the_readers_language(language, words):
    with translation.override(language):
        assert [judgement_label(c) for c in (ON_TRACK, AT_RISK, OFF_TRACK)] == words
    assert judgement_label(None) == ""


def test_the_indicator_page_shows_the_forecast_and_its_judgement():
    from django.urls import reverse

    from shinchoku.rounds.demo import load_demo_round
    from tests.conftest import CITY_ORG, login_client

    load_demo_round()
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    indicator = Indicator.objects.get(node__plan__slug=CITY, name="自治会・町内会等の加入世帯数")
    html = client.get(reverse("rounds:indicator", args=[CITY, indicator.key])).content.decode()
    # 19,181 (FY2018) → 20,135 (FY2019): +954 a year, 23,951 in FY2023 against 20,186.
    assert "見通し" in html and "23,951世帯" in html
    assert 'class="status status-forecast-on_track">達成見込み<' in html
    risky = Indicator.objects.get(node__plan__slug=CITY, name="防災市民組織の数")
    html = client.get(reverse("rounds:indicator", args=[CITY, risky.key])).content.decode()
    assert "status-forecast-off_track" in html and "達成困難" in html


def test_a_forecast_as_of_a_year_ignores_later_actuals():
    plan = Plan.objects.get(slug=CITY)
    name = "自治会・町内会等の加入世帯数"  # actuals for FY2018 and FY2019
    now = next(r for r in forecasts_for(plan) if r.indicator.name == name)
    as_of_2019 = next(r for r in forecasts_for(plan, up_to_fy=2019) if r.indicator.name == name)
    assert now.forecast == as_of_2019.forecast and now.forecast.latest_fy == 2019
    as_of_2018 = next(r for r in forecasts_for(plan, up_to_fy=2018) if r.indicator.name == name)
    assert as_of_2018.forecast.reason.code == TOO_FEW_ACTUALS
    assert as_of_2018.forecast.reason.args["count"] == "1"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_progress_overview_lists_the_final_targets_at_risk(language):
    from django.conf import settings
    from django.urls import reverse

    from shinchoku.rounds.demo import load_demo_round
    from tests.conftest import CITY_ORG, login_client

    load_demo_round()
    plan = Plan.objects.get(slug=CITY)
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("rounds:overview", args=[CITY, 2019])).content.decode()
    section = html[html.index('id="at-risk"') : html.index('id="behind"')]
    warned = at_risk(plan, up_to_fy=2019)
    assert warned, "the city's demo has indicators off their final target's track"
    assert section.count("<tr>") == len(warned) + 1  # the header row
    for row in warned:
        url = reverse("rounds:indicator", args=[CITY, row.indicator.key])
        assert f'href="{url}"' in section and row.indicator.name in section
        assert row.linear_text in section and row.target_text in section
    title = "最終目標の達成が危ぶまれる指標" if language == "ja" else "Final targets at risk"
    badge = "達成困難" if language == "ja" else "Off track"
    assert title in section and badge in section
