"""The early warning's thresholds are set per plan on its progress settings page (in percent).

The page is the plan's 管理者's: the thresholds are stored as ratios on `PlanSettings`, checked
with the page's version, refused in Japanese when they make no sense, and every forecast of the
plan (indicator page, progress overview, dashboard, committee report) judges with them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shinchoku.core.forecast import AT_RISK, DEFAULT_THRESHOLDS, OFF_TRACK, Thresholds
from shinchoku.plans.history import loads_snapshot
from shinchoku.plans.models import ChangeRecord, Plan
from shinchoku.rounds.forecasts import at_risk, forecasts_for
from shinchoku.rounds.models import PlanSettings
from tests.conftest import CITY_ORG, COUNCIL, login_client

CITY = "nishitokyo-chiiki-fukushi-4"
URL = reverse("rounds:settings", args=[CITY])
# The other settings as the page shows them by default (the form posts every field).
FORM = {
    "content_statuses": "予定どおり\n前倒し\n遅れ\n未実施\n中止",
    "evaluation_scale": "A 達成 目標を達成した\nB 概ね達成\nC 未達成",
    "band_thresholds": "100 達成\n80 概ね達成",
    "below_band": "未達成",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(slug=CITY)


@pytest.fixture
def admin():
    return login_client("city-admin", role="admin", org_slug=CITY_ORG)


def _post(client, version: int = 1, **thresholds):
    return client.post(URL, {**FORM, **thresholds, "version": version})


def _stored(plan: Plan) -> tuple[Decimal, Decimal, int]:
    s = PlanSettings.of(plan)
    return s.forecast_on_track, s.forecast_at_risk, s.version


def test_the_defaults_are_the_forecasts_constants(plan):
    settings = PlanSettings.of(plan)
    assert settings.forecast_thresholds == DEFAULT_THRESHOLDS
    assert (settings.forecast_on_track, settings.forecast_at_risk) == (
        DEFAULT_THRESHOLDS.on_track,
        DEFAULT_THRESHOLDS.at_risk,
    )


def test_the_page_shows_the_thresholds_in_percent_through_the_components(admin):
    html = admin.get(URL).content.decode()
    assert "見通しを「達成見込み」とする進み具合" in html
    assert "見通しを「要注意」とする進み具合" in html
    assert 'name="forecast_on_track"' in html and 'value="95"' in html
    assert 'name="forecast_at_risk"' in html and 'value="50"' in html
    assert 'class="field' in html  # drawn by components/field.html


def test_the_admin_sets_the_thresholds_and_the_plan_judges_with_them(plan, admin):
    response = _post(admin, forecast_on_track="90", forecast_at_risk="42.5")
    assert response.status_code == 302
    on, risk, version = _stored(plan)
    assert (on, risk, version) == (Decimal("0.9"), Decimal("0.425"), 2)
    assert PlanSettings.of(plan).forecast_thresholds == Thresholds(
        on_track=Decimal("0.9"), at_risk=Decimal("0.425")
    )
    html = admin.get(URL).content.decode()
    assert 'value="90"' in html and 'value="42.5"' in html
    record = ChangeRecord.objects.get(plan_slug=CITY, kind="settings")
    before, after = loads_snapshot(record.before), loads_snapshot(record.after)
    assert before["見通し：達成見込みとする進み具合"] == "95%"
    assert after["見通し：達成見込みとする進み具合"] == "90%"
    assert after["見通し：要注意とする進み具合"] == "42.5%"


def test_stricter_thresholds_warn_of_more_indicators(plan, admin):
    warned = at_risk(plan)
    default = {f.indicator.pk for f in warned}
    assert AT_RISK in {f.judgement for f in warned}
    assert _post(admin, forecast_on_track="1000", forecast_at_risk="999").status_code == 302
    strict = at_risk(plan)
    # Every indicator whose trend does not reach its final target is now 達成困難 (one whose
    # linear forecast reaches it stays 達成見込み, whatever the thresholds).
    judged = [
        f
        for f in forecasts_for(plan)
        if f.forecast.determined and not f.forecast.met and f.forecast.linear_ratio < 1
    ]
    assert {f.indicator.pk for f in strict} == {f.indicator.pk for f in judged}
    assert all(f.judgement == OFF_TRACK for f in strict)
    assert default <= {f.indicator.pk for f in strict}
    assert _post(admin, 2, forecast_on_track="2", forecast_at_risk="1").status_code == 302
    assert {f.indicator.pk for f in at_risk(plan)} < default


def test_blank_thresholds_are_the_defaults(plan, admin):
    assert _post(admin, forecast_on_track="", forecast_at_risk="").status_code == 302
    on, risk, _version = _stored(plan)
    assert (on, risk) == (DEFAULT_THRESHOLDS.on_track, DEFAULT_THRESHOLDS.at_risk)


@pytest.mark.parametrize(
    "on, risk, field, message",
    [
        (
            "50",
            "50",
            "forecast_at_risk",
            "「要注意」とする進み具合は、「達成見込み」とする進み具合（50%）より小さく",
        ),
        ("40", "60", "forecast_at_risk", "「達成見込み」とする進み具合（40%）より小さく"),
        ("九十五", "50", "forecast_on_track", "1から1000までの割合（％）を数字で書いてください"),
        ("0", "50", "forecast_on_track", "1から1000までの割合（％）を数字で書いてください"),
        ("95", "-5", "forecast_at_risk", "1から1000までの割合（％）を数字で書いてください"),
        ("2000", "50", "forecast_on_track", "1から1000までの割合（％）を数字で書いてください"),
        ("92.55", "50", "forecast_on_track", "小数は1桁までにしてください"),
    ],
)
def test_bad_thresholds_are_refused_in_japanese_at_their_field(
    plan, admin, on, risk, field, message
):
    before = _stored(plan)
    response = _post(admin, forecast_on_track=on, forecast_at_risk=risk)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html  # the message sits at its field
    assert _stored(plan) == before  # nothing stored


def test_a_stale_save_is_refused_showing_both_thresholds(plan, admin):
    other = login_client("city-admin-2", role="admin", org_slug=CITY_ORG)
    assert _post(other, forecast_on_track="80", forecast_at_risk="40").status_code == 302
    response = _post(admin, forecast_on_track="99", forecast_at_risk="60")
    assert response.status_code == 409
    html = response.content.decode()
    assert "city-admin-2" in html
    assert "80%" in html and "99%" in html  # theirs and mine, side by side
    assert _stored(plan) == (Decimal("0.8"), Decimal("0.4"), 2)
    # The refused form carries the stored version: saving again overwrites on purpose.
    assert _post(admin, 2, forecast_on_track="99", forecast_at_risk="60").status_code == 302
    assert _stored(plan) == (Decimal("0.99"), Decimal("0.6"), 3)


def test_without_a_version_nothing_is_stored(plan, admin):
    before = _stored(plan)
    response = admin.post(URL, {**FORM, "forecast_on_track": "80", "forecast_at_risk": "40"})
    assert response.status_code == 400
    assert _stored(plan) == before


@pytest.mark.parametrize("role", ["staff", "approver", "viewer"])
def test_only_the_admin_may_change_them(plan, role):
    client = login_client(f"city-{role}", role=role, org_slug=CITY_ORG, departments=("地域共生課",))
    assert client.get(URL).status_code == 403
    before = _stored(plan)
    assert _post(client, forecast_on_track="80", forecast_at_risk="40").status_code == 403
    assert _stored(plan) == before


def test_another_organizations_admin_gets_404(plan):
    outsider = login_client("council-admin", role="admin", org_slug=COUNCIL)
    assert outsider.get(URL).status_code == 404
    assert _post(outsider, forecast_on_track="80", forecast_at_risk="40").status_code == 404
    assert _stored(plan)[:2] == (DEFAULT_THRESHOLDS.on_track, DEFAULT_THRESHOLDS.at_risk)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response.url
