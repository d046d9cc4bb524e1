"""The rotation's progress (evaluated so far / all, per department) and its hint on the plan's
indicator 評価事務事業数 (item 15 of the action plan, target 総事務事業数の3分の1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.businesses.models import BusinessEvaluation, EvaluationRound, Rotation, Stage
from shinchoku.businesses.report_progress import INDICATOR_NAME, rotation_progress
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Indicator
from tests.businesses.test_report import council_round, evaluate, make_business
from tests.conftest import COUNCIL, login_client

pytestmark = pytest.mark.django_db
ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def round_2020():
    return council_round()


def test_progress_counts_done_evaluations_of_the_rotation_per_department(round_2020):
    p = rotation_progress(round_2020.organization, 2020)
    by_name = {
        d.name: (d.done, d.total, d.this_year_done, d.this_year_total) for d in p.departments
    }
    assert by_name == {"福祉支援課": (2, 2, 2, 2), "総務課": (1, 3, 1, 2)}
    assert (p.done, p.total, p.this_year_done, p.this_year_total) == (3, 5, 3, 4)


def test_next_years_round_adds_to_the_rotation_so_far(round_2020):
    org = round_2020.organization
    later = round_2020.organization.businesses.get(code="5")
    next_round = EvaluationRound.objects.create(organization=org, fiscal_year=2021)
    evaluate(next_round, later, Stage.DONE, "継続")
    p = rotation_progress(org, 2021)
    assert (p.done, p.total, p.this_year_done, p.this_year_total) == (4, 5, 1, 1)
    assert (rotation_progress(org, 2020).done) == 3  # as of FY2020 the later one is not counted


def test_an_evaluation_outside_the_rotation_is_not_counted(round_2020):
    org = round_2020.organization
    other = make_business(org, "9", "回転外の事業", "総務課")
    evaluate(round_2020, other, Stage.DONE, "継続")
    assert rotation_progress(org, 2020).done == 3


def test_no_rotation_no_progress(round_2020):
    assert rotation_progress(round_2020.organization, 2024) is None
    city = Organization.objects.get(slug="nishitokyo-city")
    assert rotation_progress(city, 2020) is None


def indicator_page(client, key):
    return client.get(reverse("rounds:indicator", args=[ACTION, key])).content.decode()


def test_the_indicator_page_shows_the_rotations_progress_as_a_hint(round_2020):
    indicator = Indicator.objects.get(node__plan__slug=ACTION, name__contains=INDICATOR_NAME)
    assert indicator.node.key == "item-15"
    page = indicator_page(login_client("hint-viewer", role="viewer"), indicator.key)
    assert "事務事業評価より: 評価済 3件 / 全5件（令和2年度(2020年度)）" in page
    assert reverse("businesses:report", args=[COUNCIL, 2020]) in page


def test_the_hint_is_only_a_hint_nothing_is_written(round_2020):
    indicator = Indicator.objects.get(node__plan__slug=ACTION, name__contains=INDICATOR_NAME)
    before = list(indicator.values.values_list("role", "fy", "text"))
    indicator_page(login_client("hint-admin", role="admin"), indicator.key)
    assert list(indicator.values.values_list("role", "fy", "text")) == before


def test_other_indicators_have_no_hint(round_2020):
    other = Indicator.objects.filter(node__plan__slug=ACTION).exclude(name__contains=INDICATOR_NAME)
    page = indicator_page(login_client("hint-admin", role="admin"), other.first().key)
    assert "事務事業評価より" not in page


def test_without_a_round_there_is_no_hint():
    org = Organization.objects.get(slug=COUNCIL)
    Rotation.objects.create(organization=org, first_fy=2020)
    indicator = Indicator.objects.get(node__plan__slug=ACTION, name__contains=INDICATOR_NAME)
    page = indicator_page(login_client("hint-admin", role="admin"), indicator.key)
    assert "事務事業評価より" not in page
    assert not BusinessEvaluation.objects.exists()


def test_the_department_sheet_of_the_same_fy_shows_the_figure_beside_the_actual(round_2020):
    from datetime import date

    from shinchoku.plans.models import Plan
    from shinchoku.rounds import services

    admin = login_client("hint-sheet-admin", role="admin")
    plan = Plan.objects.get(slug=ACTION)
    plan_round = services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    sheet = plan_round.reports.get(department__name="総務課")
    staff = login_client("hint-sheet-staff", role="staff", departments=("総務課",))
    url = reverse("rounds:sheet", args=[ACTION, 2020, sheet.department_id])
    page = staff.get(url).content.decode()
    assert "事務事業評価より: 評価済 3件 / 全5件（令和2年度(2020年度)）" in page
    assert 'name="n|I-15-1|actual" value=""' in page  # only shown: the field stays empty
    other = services.open_round(plan, 2021, date(2022, 5, 31), admin.user)
    sheet_2021 = other.reports.get(department__name="総務課")
    page = staff.get(reverse("rounds:sheet", args=[ACTION, 2021, sheet_2021.department_id]))
    assert "事務事業評価より" not in page.content.decode()  # no evaluation round in FY2021
