"""The to-do page lists the evaluation sheets waiting for the user's stage, in one query."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.businesses.models import EvaluationRound, Stage
from tests.businesses.sheet_helpers import make_sheet, other_department, sheet_url, users
from tests.todo.helpers import queries

pytestmark = pytest.mark.django_db
PAGE = reverse("todo:page")


@pytest.fixture
def who():
    return users()


@pytest.fixture
def sheets():
    """One sheet of the department at each stage, and one of another department at self."""
    made = {
        stage: make_sheet(code=f"TD-{n}", stage=stage)
        for n, stage in enumerate((Stage.SELF, Stage.CHIEF, Stage.DIRECTOR, Stage.DONE))
    }
    made["other"] = make_sheet(code="TD-9", dept=other_department())
    return made


def listed(client, sheets) -> set[str]:
    page = client.get(PAGE).content.decode()
    return {name for name, sheet in sheets.items() if f'href="{sheet_url(sheet)}"' in page}


def test_each_role_sees_the_sheets_at_its_stage(who, sheets):
    assert listed(who["staff"], sheets) == {Stage.SELF}
    assert listed(who["approver"], sheets) == {Stage.CHIEF}
    assert listed(who["admin"], sheets) == {Stage.DIRECTOR}
    assert listed(who["other_staff"], sheets) == {"other"}
    assert listed(who["viewer"], sheets) == set()
    assert listed(who["outsider"], sheets) == set()
    assert "あなたの評価を待っている事務事業" in who["staff"].get(PAGE).content.decode()


def test_a_closed_round_waits_for_nobody(who, sheets):
    EvaluationRound.objects.update(status=EvaluationRound.Status.CLOSED)
    assert listed(who["staff"], sheets) == set() and listed(who["admin"], sheets) == set()


@pytest.mark.parametrize("role", ["staff", "approver", "admin"])
def test_the_list_costs_the_same_queries_however_many_sheets(who, role):
    client = who[role]
    make_sheet(
        code="Q-0", stage={"staff": Stage.SELF, "approver": Stage.CHIEF}.get(role, "director")
    )
    client.get(PAGE)
    few = queries(client, PAGE)
    for n in range(1, 6):
        make_sheet(code=f"Q-{n}", stage=Stage.SELF if n % 2 else Stage.DIRECTOR)
    assert queries(client, PAGE) == few
