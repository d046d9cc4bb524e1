"""Issue 16: a department's final evaluation sheet (最終評価) reads in a fixed number of queries,
however many items, years of approved sheets, indicators and councils there are."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from shinchoku.rounds import final_services
from shinchoku.rounds.models import ItemEntry, Report
from shinchoku.rounds.services import field_name
from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, item_of, rounds_rolled_back, sized

# Session and user (2, with the ids of the user's departments: accounts.backends); the plan,
# the final round and the sheet (3, rounds.access); the plan's nodes, each with whether the
# department is its 担当課 (1); the sheet's entries with the items' entries on approved yearly
# sheets (1); the plan's settings (1: its 状況 list and bands); the items' indicators, their
# values and the opinions (3).
FINAL_SHEET = 11
# A save of the whole sheet, every item changed: the plan, round, sheet, the items and the
# sheet's entries, the settings (for the 状況 list) as the page reads them (8: no history, a
# save shows no page); the savepoint and release of the save's transaction in a test (2, BEGIN
# and COMMIT when served); the version checked and raised in one statement (1) and the changed
# entries written by one (1), whatever their number (it was four per entry).
# The plan's cache version is raised once per save (plans.cache_version), here already raised
# in the test's transaction by the first save.
FINAL_SAVE = 12


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


def test_a_final_sheet_save_writes_in_a_fixed_number_of_queries(sheet, django_assert_num_queries):
    client = login_client("final-staff", role="staff", departments=(sheet.department.name,))
    url = reverse("rounds:final_sheet", args=[ACTION, sheet.department_id])
    client.get(url)
    lines = final_services.final_sheet(sheet)

    def post(text: str, version: int | None = None):
        data = {"version": sheet.version if version is None else version}
        for ln in lines:
            data[field_name("i", ln.node.key, "followup")] = text
            data[field_name("i", ln.node.key, "issues")] = text
        return client.post(url, data)

    assert post("一度目").status_code == 302
    version = Report.objects.get(pk=sheet.pk).version
    with django_assert_num_queries(FINAL_SAVE):
        assert post("二度目", version).status_code == 302
    entries = ItemEntry.objects.filter(report=sheet)
    assert entries.count() == len(lines)
    assert set(entries.values_list("followup", "issues")) == {("二度目", "二度目")}
