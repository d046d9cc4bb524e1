"""Issue 16: a department's final evaluation sheet (最終評価) reads in a fixed number of queries,
however many items, years of approved sheets, indicators and councils there are."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from shinchoku.rounds import final_services
from shinchoku.rounds.models import Report
from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, item_of, rounds_rolled_back, sized

# Session and user (2); the plan, the final round and the sheet (3, rounds.access) and the
# user's departments (1); the plan's nodes, each with whether the department is its 担当課 (1);
# the sheet's entries with the items' entries on approved yearly sheets (1); the plan's settings
# (1: its 状況 list and bands); the items' indicators, their values and the opinions (3).
FINAL_SHEET = 12


@pytest.fixture(scope="module")
def rounds(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round approved and published (the items' history)."""
    with rounds_rolled_back(django_db_blocker, "final-runner"):
        yield


@pytest.fixture(params=SIZES)
def sheet(request, rounds, db) -> Report:
    plan = sized(request.param)
    round_ = final_services.open_final_round(plan, date(2030, 5, 31), None)
    dept = item_of(plan).nodedepartment_set.order_by("order").first().department
    report = round_.reports.get(department=dept)
    if request.param == "large":
        lines = final_services.final_sheet(report)
        data = {ln.node.key: {"followup": "続けた", "issues": "課題"} for ln in lines}
        final_services.save(report, data, version=report.version, user=None, lines=lines)
    return report


def test_a_final_sheet_reads_a_fixed_number_of_queries(sheet, django_assert_num_queries):
    client = login_client("final-staff", role="staff", departments=(sheet.department.name,))
    url = reverse("rounds:final_sheet", args=[ACTION, sheet.department_id])
    client.get(url)  # per-process caches filled once
    with django_assert_num_queries(FINAL_SHEET):
        response = client.get(url)
    assert response.status_code == 200
    lines = final_services.final_sheet(sheet)
    assert lines and any(ln.history.texts for ln in lines)  # the history is on the page
