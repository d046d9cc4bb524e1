"""The dashboard lists, for each plan, the indicators whose final target is at risk (issue 17).

As of the board's FY (the latest with data unless another is chosen), worst first, each with a
link to its indicator page, the forecast value, the final target and the judgement; from what
the board's `plan_progress` already read. A plan without indicators shows no such list.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shinchoku.plans.models import Plan
from shinchoku.rounds.demo import load_demo_round
from shinchoku.rounds.forecasts import at_risk, at_risk_in
from shinchoku.rounds.progress import plan_progress
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.rounds import no_figures

CITY = "nishitokyo-chiiki-fukushi-4"
DASHBOARD = reverse("rounds:dashboard")
TITLE = "最終目標の達成が危ぶまれる指標"

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_round():
    return load_demo_round()


def _board(html: str, slug: str) -> str:
    """The board of one plan on the dashboard."""
    start = html.index(f'href="{reverse("plans:detail", args=[slug])}"')
    end = html.find('<section class="plan-board">', start)
    return html[start : end if end > 0 else len(html)]


def _warnings(board: str, slug: str) -> str:
    start = board.index(f'id="at-risk-{slug}"')
    return board[start : board.index("</ul>", start)]


def test_at_risk_in_a_plans_progress_is_at_risk_as_of_its_fy(city_round):
    plan = Plan.objects.get(slug=CITY)
    from_progress = at_risk_in(plan_progress(plan, 2019))
    direct = at_risk(plan, up_to_fy=2019)
    assert [(f.indicator.pk, f.forecast) for f in from_progress] == [
        (f.indicator.pk, f.forecast) for f in direct
    ]


@pytest.mark.parametrize("role", ["admin", "staff", "approver", "viewer"])
def test_every_role_sees_the_city_plans_indicators_at_risk(city_round, role):
    client = login_client(f"city-{role}", role=role, org_slug=CITY_ORG, departments=("地域共生課",))
    html = client.get(DASHBOARD).content.decode()
    board = _board(html, CITY)
    assert TITLE in board
    warned = at_risk(Plan.objects.get(slug=CITY), up_to_fy=2019)
    assert warned, "the city's demo has indicators whose final target is at risk"
    section = _warnings(board, CITY)
    assert section.count("<li>") == len(warned)
    positions = []
    for f in warned:
        url = reverse("rounds:indicator", args=[CITY, f.indicator.key])
        assert f'href="{url}"' in section and f.indicator.name in section
        assert f"令和5年度の見込み {f.linear_text}（最終目標 {f.target_text}）" in section
        positions.append(section.index(f'href="{url}"'))
    assert positions == sorted(positions)  # worst first, as at_risk orders them
    assert "達成困難" in section and "要注意" in section
    assert "令和元年度(2019年度)までの実績の傾向による見通しです。" in board


def test_the_list_follows_the_chosen_fiscal_year(city_round):
    """Only the FY2019 round has data: the board opens on it and the list is as of FY2019."""
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    html = client.get(DASHBOARD, {f"fy-{CITY}": "2019"}).content.decode()
    section = _warnings(_board(html, CITY), CITY)
    assert section.count("<li>") == len(at_risk(Plan.objects.get(slug=CITY), up_to_fy=2019))


def test_the_english_dashboard_words_it_in_english(city_round, settings):
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    board = _board(client.get(DASHBOARD).content.decode(), CITY)
    assert "Final targets at risk" in board and "Off track" in board
    assert re.search(r"forecast for 令和5年度 [\d,.]+\S* \(final target", board)


def test_another_organizations_dashboard_does_not_show_the_city_plan(city_round):
    outsider = login_client("council-admin", role="admin", org_slug=COUNCIL)
    html = outsider.get(DASHBOARD).content.decode()
    assert reverse("plans:detail", args=[CITY]) not in html
    assert reverse("rounds:indicator", args=[CITY, "I-5-1"]) not in html


def test_anonymous_is_sent_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_plan_without_indicators_shows_no_list_and_no_error():
    plan = no_figures.load_plan()
    no_figures.make_round(plan, closed=False, published=False)
    client = login_client("midori-admin", role="admin", org_slug=no_figures.ORG)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "第3次みどり市地域福祉活動計画" in html
    assert TITLE not in html and "at-risk-" not in html
