"""The to-do page reads a fixed number of queries, whatever the number of plans, rounds,
departments and opinions (counted with little data, then with much more)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from shinchoku.accounts.models import Membership
from shinchoku.plans.models import Plan
from shinchoku.rounds import final_services, services
from shinchoku.rounds.models import Report, Round
from tests.conftest import login_client
from tests.rounds.no_figures import ORG as MIDORI
from tests.rounds.no_figures import load_plan, make_round
from tests.todo.helpers import ACTION, MINE, SLOW, SUBMITTER, dept, opinions, queries, today

PAGE = reverse("todo:page")
MAX_QUERIES = 12


def close_approved(round_: Round) -> None:
    round_.reports.update(status=Report.Status.APPROVED)
    round_.status = Round.Status.CLOSED
    round_.save()


def little(user) -> None:
    """One late open round, one closed and approved, one opinion without an answer."""
    plan = Plan.objects.get(slug=ACTION)
    r20 = services.open_round(plan, 2020, today() - timedelta(days=2), user)
    r20.reports.filter(department=dept(MINE)).update(status=Report.Status.SUBMITTED)
    close_approved(services.open_round(plan, 2019, today() - timedelta(days=400), user))
    opinions(plan, 2019, ["open"], dept(MINE))


def much_more(user) -> None:
    """More open rounds (late or not, yearly and final), closed ones, another council's plan,
    opinions on two plans."""
    plan = Plan.objects.get(slug=ACTION)
    for fy, days in ((2021, -5), (2022, 9)):
        r = services.open_round(plan, fy, today() + timedelta(days=days), user)
        r.reports.filter(department=dept(SUBMITTER)).update(status=Report.Status.RETURNED)
        r.reports.filter(department=dept(MINE)).update(status=Report.Status.SUBMITTED)
    final_services.open_final_round(plan, today() + timedelta(days=30), user)
    close_approved(services.open_round(plan, 2023, today() - timedelta(days=30), user))
    opinions(plan, 2020, ["open", "in_progress", "open", "done"], dept(SLOW))
    midori = load_plan()
    make_round(midori)
    services.open_round(midori, 2025, today() + timedelta(days=3), user)
    opinions(midori, 2024, ["open", "open"])


@pytest.mark.parametrize(
    ("role", "departments", "superuser"),
    [
        ("staff", (MINE,), False),
        ("approver", (MINE,), False),
        ("admin", (MINE,), False),
        ("viewer", (), False),
        (None, (), True),  # the federation operator
    ],
)
def test_the_query_count_does_not_grow_with_the_data(db, role, departments, superuser):
    client = login_client(f"q-{role}", role=role, departments=departments, superuser=superuser)
    admin = login_client("q-opener", role="admin").user
    little(admin)
    client.get(PAGE)  # the session's first stamp is written once
    few = queries(client, PAGE)
    much_more(admin)
    if role in ("staff", "approver"):  # more departments for the same user
        member = Membership.objects.get(user=client.user)
        member.departments.add(dept(SUBMITTER), dept(SLOW))
    page = client.get(PAGE)
    assert page.status_code == 200
    many = queries(client, PAGE)
    assert many == few, (few, many)
    assert many <= MAX_QUERIES


def test_much_more_data_is_shown(db):
    """The second data set is really on the page (the count above compares like with like)."""
    admin = login_client("q-admin", role="admin")
    little(admin.user)
    much_more(admin.user)
    html = admin.get(PAGE).content.decode()
    assert html.count('class="bar todo-bar"') == 4  # FY2020, 2021, 2022 and the final
    operator = login_client("q-operator", superuser=True)
    html = operator.get(PAGE).content.decode()
    assert html.count('class="bar todo-bar"') == 5 and "第3次みどり市" in html
    assert MIDORI  # the fixture council
