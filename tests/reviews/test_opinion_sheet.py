"""Open opinions on the assigned department's next sheet: beside the item or indicator they
concern (plan-wide ones at the top), read-only with a link to answer, and in the Excel sheet as a
read-only sheet 「委員会の意見」 that the upload ignores. The demo action plan and the fixture
council's plan (no indicators)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.reviews import services
from shinchoku.reviews.sheet import SHEET_NAME
from shinchoku.rounds import services as round_services
from shinchoku.rounds.models import ContentEntry, IndicatorEntry, ItemEntry, Report
from shinchoku.rounds.sheet_xlsx import read_sheet
from tests.conftest import login_client
from tests.reviews.helpers import DEPT, action_plan, dept, item_of, other_dept
from tests.rounds import no_figures

pytestmark = pytest.mark.django_db


def sheet_url(report: Report, name: str = "sheet") -> str:
    return reverse(
        f"rounds:{name}", args=[report.round.plan.slug, report.round.fy, report.department_id]
    )


def opinion(plan, admin_user, text, department, *, fy, node_key="", indicator_key="", answer=""):
    o = services.create_opinion(
        plan,
        fy,
        text,
        user=admin_user,
        node_key=node_key,
        indicator_key=indicator_key,
        department=department,
    )
    if answer:
        o = services.answer(o, user=admin_user, version=o.version, policy=answer)
    return o


def section_of(page: str, title: str) -> str:
    """The HTML of the sheet's section (one item) whose heading holds the title."""
    start = page.index(title, page.index('<section class="sheet-item"'))
    end = page.find('<section class="sheet-item"', start)
    return page[start : end if end > 0 else len(page)]


@pytest.fixture
def admin():
    return login_client("sh-admin", role="admin")


def test_the_action_plans_next_sheet_shows_open_opinions_beside_their_items(admin):
    plan = action_plan()
    mine = dept(DEPT)
    item = item_of(plan, mine)
    beside = opinion(
        plan,
        admin.user,
        "この事業の周知を強めてほしい",
        mine,
        fy=2019,
        node_key=item.key,
        answer="広報で周知",
    )
    top = opinion(plan, admin.user, "計画全体を分かりやすく", mine, fy=2019)
    done = opinion(
        plan, admin.user, "もう対応済みの意見", mine, fy=2019, node_key=item.key, answer="済"
    )
    services.set_status(done, "done", user=admin.user, version=done.version)
    opinion(plan, admin.user, "ほかの部署への意見", other_dept(), fy=2019, node_key=item.key)
    opinion(plan, admin.user, "同じ年度の意見は次の調査票に出る", mine, fy=2020, node_key=item.key)
    round_ = round_services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    report = round_.reports.get(department=mine)
    staff = login_client("sh-staff", role="staff", departments=(DEPT,))
    page = staff.get(sheet_url(report)).content.decode()
    section = section_of(page, item.title)
    assert beside.text in section and "広報で周知" in section and "対応中" in section
    assert reverse("reviews:detail", args=[plan.slug, 2019, beside.number]) in section
    first_item = page.index('<section class="sheet-item"')
    assert page.index(top.text) < first_item  # plan-wide: at the top
    assert top.text not in section
    for hidden in ("もう対応済みの意見", "ほかの部署への意見", "同じ年度の意見は次の調査票に出る"):
        assert hidden not in page
    # Read-only: the notes hold no form field.
    aside = section[section.index('<aside class="sheet-opinions"') :]
    aside = aside[: aside.index("</aside>")]
    assert "<input" not in aside and "<textarea" not in aside and "<select" not in aside


def test_an_opinion_on_an_indicator_is_beside_the_indicator(admin):
    plan = action_plan()
    mine = dept(DEPT)
    round_ = round_services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    report = round_.reports.get(department=mine)
    line = next(ln for item in round_services.sheet(report) for ln in item.indicators)
    ind = line.indicator
    o = opinion(plan, admin.user, "指標の目標が低すぎる", mine, fy=2019, indicator_key=ind.key)
    page = admin.get(sheet_url(report)).content.decode()
    fieldset = page[page.index(f"<legend>{ind.name}") :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert o.text in fieldset


def test_the_excel_sheet_has_a_read_only_opinions_sheet_and_still_round_trips(admin):
    plan = action_plan()
    mine = dept(DEPT)
    item = item_of(plan, mine)
    o = opinion(plan, admin.user, '=HYPERLINK("x") 事業の周知', mine, fy=2019, node_key=item.key)
    round_ = round_services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    report = round_.reports.get(department=mine)
    staff = login_client("sh-staff2", role="staff", departments=(DEPT,))
    data = staff.get(sheet_url(report, "sheet_xlsx")).content
    wb = load_workbook(io.BytesIO(data))
    ws = wb[SHEET_NAME]
    assert ws.protection.sheet
    assert [c.value for c in ws[3]][:7] == [
        "年度",
        "番号",
        "対象",
        "意見・助言",
        "状況",
        "対応方針",
        "対応内容",
    ]
    assert ws["A4"].value == "令和元年度" and ws["B4"].value == o.number
    assert item.title in ws["C4"].value
    assert ws["D4"].value == o.text and ws["D4"].data_type == "s"
    assert ws["E4"].value == "未対応"
    # The reader ignores it: the file reads without problems and uploads unchanged.
    assert read_sheet(data).problems == []
    ws["D4"].value = "書き換えた"
    out = io.BytesIO()
    wb.save(out)
    version = report.version
    response = staff.post(
        sheet_url(report, "sheet_upload"), {"file": SimpleUploadedFile("s.xlsx", out.getvalue())}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.version == version
    assert not ItemEntry.objects.filter(report=report).exists()
    assert not IndicatorEntry.objects.filter(report=report).exists()
    assert not ContentEntry.objects.filter(report=report).exists()
    o.refresh_from_db()
    assert o.text.startswith("=HYPERLINK")


def test_a_sheet_without_open_opinions_has_no_opinions_sheet(admin):
    plan = action_plan()
    round_ = round_services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    report = round_.reports.get(department=dept(DEPT))
    data = admin.get(sheet_url(report, "sheet_xlsx")).content
    assert SHEET_NAME not in load_workbook(io.BytesIO(data)).sheetnames


def test_the_council_plan_without_indicators_shows_the_opinion_beside_its_project(db):
    plan = no_figures.load_plan()
    admin = login_client("midori-op-admin", role="admin", org_slug=no_figures.ORG)
    project = no_figures.leaves(plan)[1]
    team = project.departments.all()[0]
    o = opinion(
        plan, admin.user, "見守り活動の担い手を増やしてほしい", team, fy=2024, node_key=project.key
    )
    round_ = round_services.open_round(plan, 2025, date(2026, 5, 31), admin.user)
    report = round_.reports.get(department=team)
    staff = login_client(
        "midori-op-staff", role="staff", org_slug=no_figures.ORG, departments=(team.name,)
    )
    page = staff.get(sheet_url(report)).content.decode()
    assert o.text in section_of(page, project.title)
    data = staff.get(sheet_url(report, "sheet_xlsx")).content
    assert load_workbook(io.BytesIO(data))[SHEET_NAME]["D4"].value == o.text
    assert read_sheet(data).problems == []


def test_the_sheets_queries_do_not_grow_with_opinions(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = action_plan()
    mine = dept(DEPT)
    item = item_of(plan, mine)
    opinion(plan, admin.user, "一つ目", mine, fy=2019, node_key=item.key)
    round_ = round_services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    report = round_.reports.get(department=mine)
    admin.get(sheet_url(report))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(sheet_url(report)).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        opinion(plan, admin.user, f"追加{i}", mine, fy=2019, node_key=item.key if i % 2 else "")
    assert count() == before
