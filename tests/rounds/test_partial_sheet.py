"""A partial draft save reads only the kinds of rows it posts (issue 16), yet finds the same items
on the sheet as the whole sheet does: for every department of the demo action plan, with an
indicator reported by a department that is not its item's 担当課."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from shinchoku.orgs.models import Department
from shinchoku.plans.models import Indicator, Node, Plan
from shinchoku.rounds import services
from shinchoku.rounds.services import SheetKeys

ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def round_(db):
    plan = Plan.objects.get(slug=ACTION)
    # An indicator reported by a department that is not its item's 担当課.
    ind = Indicator.objects.filter(node__plan=plan).select_related("node").first()
    responsible = set(ind.node.departments.values_list("pk", flat=True))
    other = Department.objects.filter(organization=plan.organization).exclude(pk__in=responsible)
    Indicator.objects.filter(pk=ind.pk).update(department=other.first())
    user = get_user_model().objects.create_user("総務", last_name="総務")
    return services.open_round(plan, 2020, date(2021, 5, 31), user)


def test_a_partial_sheet_has_the_items_of_the_whole_sheet(round_):
    keys = frozenset(Node.objects.filter(plan=round_.plan).values_list("key", flat=True))
    none: frozenset[str] = frozenset()
    checked = 0
    for report in round_.reports.select_related("department", "round__plan"):
        whole = services.sheet(report)
        items = [i.node.key for i in whole]
        for only in (
            SheetKeys(keys, none, items=keys, contents=none),  # item fields
            SheetKeys(keys, none, items=none, contents=keys),  # content fields
            SheetKeys(keys, none),
        ):
            part = services.sheet(report, only=only)
            assert [i.node.key for i in part] == items, (report.department.name, only)
            if only.contents:
                assert [[c.position for c in i.contents] for i in part] == [
                    [c.position for c in i.contents] for i in whole
                ]
        checked += len(items)
    assert checked
