"""The dashboard and the progress overview open on the latest round with data (a sheet
submitted or approved, an approved actual), not on a newer round nobody has reported in; the
user can pick another FY."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.latest import fys_with_data, picker_years
from shinchoku.rounds.progress import years_with_values
from tests.conftest import COUNCIL, login_client
from tests.rounds.test_progress_views import CHOSEN, fill

ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def council_admin(db):
    return login_client("council-admin", role="admin", org_slug=COUNCIL)


@pytest.fixture
def two_rounds(db):
    """FY2020 with 総務課's sheet submitted; FY2021 opened, nothing reported yet."""
    plan = Plan.objects.get(slug=ACTION)
    user = get_user_model().objects.create_user("総務", last_name="総務")
    r2020 = services.open_round(plan, 2020, date(2021, 5, 31), user)
    services.submit(fill(r2020.reports.get(department__name="総務課"), CHOSEN), user)
    r2021 = services.open_round(plan, 2021, date(2022, 5, 31), user)
    return plan, r2020, r2021


def board_of(response, slug=ACTION):
    assert response.status_code == 200
    return next(b for b in response.context["boards"] if b.plan.slug == slug)


def test_years_with_data_count_submitted_sheets_and_approved_actuals(two_rounds):
    plan, _r2020, _r2021 = two_rounds
    assert 2020 in fys_with_data([plan])[plan.pk]
    assert 2021 not in fys_with_data([plan])[plan.pk]


@pytest.mark.parametrize("slug", [ACTION, "nishitokyo-chiiki-fukushi-4"])
def test_the_picker_years_are_read_in_one_query(two_rounds, slug, django_assert_num_queries):
    plan = Plan.objects.get(slug=slug)
    with django_assert_num_queries(1):
        with_values, with_data = picker_years(plan)
    assert with_values == years_with_values(plan)
    assert with_data == fys_with_data([plan])[plan.pk]
    assert with_values and with_data


def test_dashboard_opens_on_the_latest_round_with_data(council_admin, two_rounds):
    response = council_admin.get(reverse("rounds:dashboard"))
    board = board_of(response)
    assert board.round.fy == 2020
    assert [r.fy for r in board.rounds] == [2021, 2020]
    html = response.content.decode()
    assert f'name="fy-{ACTION}"' in html and '<option value="2020" selected>' in html
    assert "令和3年度" in html  # the other FY is offered


def test_dashboard_respects_the_chosen_year(council_admin, two_rounds):
    response = council_admin.get(reverse("rounds:dashboard"), {f"fy-{ACTION}": "2021"})
    board = board_of(response)
    assert board.round.fy == 2021
    assert '<option value="2021" selected>' in response.content.decode()
    assert response.context["chosen"] == {ACTION: 2021}


def test_dashboard_ignores_an_unknown_or_bad_choice(council_admin, two_rounds):
    for bad in ("2030", "abc", "-1"):
        response = council_admin.get(reverse("rounds:dashboard"), {f"fy-{ACTION}": bad})
        assert board_of(response).round.fy == 2020


def test_dashboard_without_any_data_opens_on_the_newest_round(council_admin, db):
    plan = Plan.objects.get(slug=ACTION)
    services.open_round(plan, 2020, date(2021, 5, 31), None)
    services.open_round(plan, 2021, date(2022, 5, 31), None)
    assert board_of(council_admin.get(reverse("rounds:dashboard"))).round.fy == 2021


def test_progress_opens_on_the_latest_round_with_data(council_admin, two_rounds):
    response = council_admin.get(reverse("rounds:overview_latest", args=[ACTION]))
    assert response.status_code == 302
    assert response.url == reverse("rounds:overview", args=[ACTION, 2020])


def test_progress_respects_the_chosen_year_and_lists_the_others(council_admin, two_rounds):
    response = council_admin.get(reverse("rounds:overview", args=[ACTION, 2021]))
    assert response.status_code == 200 and response.context["fy"] == 2021
    html = response.content.decode()
    assert reverse("rounds:overview", args=[ACTION, 2020]) in html


def test_dashboard_query_count_does_not_grow_with_rounds(council_admin, two_rounds):
    plan = two_rounds[0]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert council_admin.get(reverse("rounds:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    services.open_round(plan, 2022, date(2023, 5, 31), None)
    services.open_round(plan, 2023, date(2024, 5, 31), None)
    assert count() == before


def test_the_progress_picker_marks_years_without_reports(council_admin, two_rounds):
    response = council_admin.get(reverse("rounds:overview", args=[ACTION, 2020]))
    picker = dict(response.context["picker"])
    assert picker[2020] is True and picker[2021] is False
    html = response.content.decode()
    link = reverse("rounds:overview", args=[ACTION, 2021])
    assert re.search(rf'href="{link}"[^>]*class="no-values"', html)
