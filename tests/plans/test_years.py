"""Years side by side (plans:indicator_years): every indicator over every FY, approved figures
only, grouped by goal with a table of contents and a sparkline per indicator; who may see it;
a plan without indicators; a query count that does not grow with years and indicators."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan
from shinchoku.rounds import services
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.plans.test_other_shape import SLUG as MIDORI
from tests.plans.test_other_shape import loaded, midori_admin  # noqa: F401 (fixtures)
from tests.rounds.test_progress_views import CHOSEN, fill

ACTION = "nishitokyo-action-plan-2019"
URL = reverse("plans:indicator_years", args=[ACTION])
ROLES = ("admin", "staff", "approver", "viewer")


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def council_admin(db):
    return login_client("council-admin", role="admin", org_slug=COUNCIL)


def somu_sheet(plan: Plan, fy: int = 2020):
    user = get_user_model().objects.create_user(f"総務{fy}", last_name="総務")
    round_ = services.open_round(plan, fy, date(fy + 1, 5, 31), user)
    report = fill(round_.reports.get(department__name="総務課"), CHOSEN)
    return services.submit(report, user), user


def test_every_indicator_and_year_in_one_table_grouped_by_goal(council_admin):
    plan = Plan.objects.get(slug=ACTION)
    response = council_admin.get(URL)
    html = html_of(response)
    n = Indicator.objects.filter(node__plan=plan).count()
    assert n and sum(len(g.rows) for g in response.context["groups"]) == n
    for fy in plan.fiscal_years:  # one column per FY, in 和暦 with the western year
        assert f"({fy}年度)" in html or f"（{fy}年度）" in html or f"{fy}" in html
    assert response.context["years"][: len(plan.fiscal_years)] == plan.fiscal_years
    # Grouped by goal, each group reachable from the table of contents.
    goals = [g.goal for g in response.context["groups"]]
    assert all(g.parent_id is None for g in goals)
    for g in response.context["groups"]:
        assert f'href="#{g.anchor}"' in html and f'id="{g.anchor}"' in html
    # The first columns stay in view; the table scrolls inside its frame.
    assert 'years-frame" tabindex="0" role="region"' in html and 'class="stick item-col"' in html
    assert html.count("<svg") == n or "グラフにできる数値がありません" in html
    assert "年度ごとの指標" in html  # the Japanese caption


def test_only_approved_actuals_are_shown(council_admin):
    plan = Plan.objects.get(slug=ACTION)
    report, user = somu_sheet(plan)
    html = html_of(council_admin.get(URL))
    assert "3,400件" not in html  # submitted, not approved
    services.approve(report, user)
    html = html_of(council_admin.get(URL))
    assert "3,400件" in html
    row = next(
        y.row
        for g in council_admin.get(URL).context["groups"]
        for y in g.rows
        if y.row.indicator.key == "I-17-1"
    )
    assert dict((fy, a.text if a else None) for fy, _t, a in row.cells)[2020] == "3,400件"


def test_the_sparkline_has_a_text_alternative(council_admin):
    plan = Plan.objects.get(slug=ACTION)
    report, user = somu_sheet(plan)
    services.approve(report, user)
    html = html_of(council_admin.get(URL))
    title = re.search(r'<title id="spark\d+-t">([^<]*会員件数[^<]*)</title>', html)
    assert title, "no sparkline for 会員件数"
    assert "実績" in title.group(1) and "3,400件" in title.group(1)
    assert "目標" in title.group(1)


def test_a_plan_without_indicators_says_so_in_japanese(loaded):  # noqa: F811 (the fixture)
    assert not Indicator.objects.filter(node__plan__slug=MIDORI).exists()
    html = html_of(loaded.get(reverse("plans:indicator_years", args=[MIDORI])))
    assert "指標（数値目標）がありません" in html
    assert "<table" not in html


def test_the_plan_navigation_links_to_the_page(council_admin):
    html = html_of(council_admin.get(reverse("plans:indicators", args=[ACTION])))
    assert f'href="{URL}"' in html and "年度比較" in html
    assert 'aria-current="page">年度比較' in html_of(council_admin.get(URL))


@pytest.mark.parametrize("role", ROLES)
def test_every_role_of_the_organization_may_read(db, role):
    client = login_client(f"c-{role}", role=role, org_slug=COUNCIL, departments=("総務課",))
    assert client.get(URL).status_code == 200


def test_the_federation_operator_may_read(federation_client):
    assert federation_client.get(URL).status_code == 200


def test_another_organization_gets_404(db):
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_login(db):
    response = Client().get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_post_is_refused(council_admin):
    assert council_admin.post(URL).status_code == 405


def count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_years_and_indicators(council_admin):
    plan = Plan.objects.get(slug=ACTION)
    before = count(council_admin)
    report, user = somu_sheet(plan, 2020)
    services.approve(report, user)
    node = Node.objects.filter(plan=plan).order_by("-seq").first()
    for i in range(3):
        ind = Indicator.objects.create(node=node, key=f"extra-{i}", name=f"追加{i}", unit="人")
        IndicatorValue.objects.create(indicator=ind, role="baseline", fy=2018, text="10人")
        for fy in (2019, 2020, 2021, 2030):  # 2030: a year outside the plan's period
            IndicatorValue.objects.create(indicator=ind, role="target", fy=fy, text=f"{fy}人")
            IndicatorValue.objects.create(indicator=ind, role="actual", fy=fy, text=f"{i}人")
    after = count(council_admin)
    assert after == before, (before, after)
    assert after <= 12, after  # session, user, membership, plan, indicators, values, nodes
    assert "2030" in html_of(council_admin.get(URL))


def test_negative_figures_are_written_with_a_triangle(council_admin):
    from shinchoku.core.signed import triangle

    assert triangle("-5件") == "△5件" and triangle("前年比-3%") == "前年比△3%"
    assert triangle("1-2回") == "1-2回" and triangle("△5件") == "△5件"
    ind = Indicator.objects.filter(node__plan__slug=ACTION).order_by("id").first()
    IndicatorValue.objects.create(indicator=ind, role="actual", fy=2020, text=f"-5{ind.unit}")
    html = html_of(council_admin.get(URL))
    assert f"△5{ind.unit}" in html and f"-5{ind.unit}" not in html


def test_the_page_reads_in_english_in_the_english_ui(council_admin):
    from django.conf import settings

    council_admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = html_of(council_admin.get(URL))
    assert "Years side by side" in html and "Indicators by fiscal year" in html
    assert "年度比較" not in html and "年度ごとの指標" not in html
