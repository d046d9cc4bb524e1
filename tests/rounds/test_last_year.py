"""Last year beside this year: the previous FY's approved 取組状況 / 今後の展開 on the sheet.

The demo action plan with an approved FY2020 round and an open FY2021 round; the fixture
council's plan (no indicators) with FY2024 approved and FY2025 open. Real database, real files,
the test client; nothing of ours is mocked.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.orgs.models import Organization
from shinchoku.plans.models import PendingUpload, Plan, ProgressNote
from shinchoku.rounds import lastyear, services
from shinchoku.rounds.models import IndicatorEntry, ItemEntry, Report, Round
from shinchoku.rounds.services import SheetInput
from shinchoku.rounds.sheet_xlsx import S_INDICATORS, S_ITEMS, read_sheet
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
DEPT = "福祉支援課"
OTHER = "総務課"
LAST, THIS = 2020, 2021
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
MIDORI = "midori-katsudo-3"


def done_of(dept: str, key: str) -> str:
    return f"{dept}の取組（{key}）"


def next_of(dept: str, key: str) -> str:
    return f"{dept}の展開（{key}）"


def approve_with_texts(report: Report, user) -> None:
    """Fill the sheet with texts that say whose and which row they are, submit and approve."""
    data = SheetInput()
    dept = report.department.name
    for item in services.sheet(report):
        key = item.node.key
        data.items[key] = {
            "done": done_of(dept, key),
            "next": next_of(dept, key),
            "evaluation": "B",
        }
        for c in item.contents:
            data.contents[(key, c.position)] = {"status": "予定どおり", "note": ""}
        for ln in item.indicators:
            k = ln.indicator.key
            data.indicators[k] = {
                "actual": f"1{ln.indicator.unit}",
                "note": "",
                "done": done_of(dept, k),
                "next": next_of(dept, k),
            }
    report = services.save(report, data, version=report.version, user=user)
    services.approve(services.submit(report, user), user)


@pytest.fixture
def admin(db):
    return login_client("ly-admin", role="admin")


@pytest.fixture
def staff(db):
    return login_client("ly-staff", role="staff", departments=(DEPT,))


@pytest.fixture
def this_round(admin) -> Round:
    """FY2020 approved by every department, FY2021 open."""
    plan = Plan.objects.get(slug=ACTION)
    last = services.open_round(plan, LAST, date(LAST + 1, 5, 31), admin.user)
    for report in last.reports.select_related("department"):
        approve_with_texts(report, admin.user)
    return services.open_round(plan, THIS, date(THIS + 1, 5, 31), admin.user)


@pytest.fixture
def report(this_round) -> Report:
    return this_round.reports.select_related("department", "round__plan").get(department__name=DEPT)


def url(name: str, report: Report) -> str:
    args = [report.round.plan.slug, report.round.fy, report.department_id]
    return reverse(f"rounds:{name}", args=args)


# --------------------------------------------------------------------------- what is attached


def test_each_item_and_indicator_carries_last_years_approved_texts(report):
    lines = services.sheet(report)
    assert lines and all(item.last_fy == LAST for item in lines)
    item = lines[0]
    assert item.last_done == done_of(DEPT, item.node.key)
    assert item.last_next == next_of(DEPT, item.node.key)
    indicators = [ln for i in lines for ln in i.indicators]
    assert indicators
    for ln in indicators:
        assert ln.last_fy == LAST
        # A line another department reports (read-only here) shows what that department said.
        reporter = ln.reporter.name if ln.readonly else DEPT
        assert done_of(reporter, ln.indicator.key) in [t.done for t in ln.last_year]
        if not ln.readonly:
            assert ln.last_done == done_of(DEPT, ln.indicator.key)


def test_a_shared_item_shows_every_departments_text_with_its_name(report):
    shared = [i for i in services.sheet(report) if len(i.last_year) > 1]
    assert shared, "the action plan has items with several 担当課"
    item = shared[0]
    names = [t.department for t in item.last_year]
    assert DEPT in names and len(set(names)) == len(names)
    # The copy offers the department's own text, not the others'.
    assert item.last_done == done_of(DEPT, item.node.key)


def test_an_unapproved_sheet_of_last_year_is_not_shown(this_round, admin):
    last = Round.objects.get(plan=this_round.plan, fy=LAST)
    Report.objects.filter(round=last, department__name=OTHER).update(status=Report.Status.RETURNED)
    found = lastyear.last_year(this_round)
    texts = [t for ts in found.items.values() for t in ts]
    assert texts and all(t.department != OTHER for t in texts)


def test_the_texts_are_loaded_in_a_fixed_number_of_queries(report, this_round, admin):
    lines = services.sheet(report)
    # The previous round, item entries, indicator entries, progress notes: four, however many.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        lastyear.attach(report, lines)
    assert len(small) == 4
    other = this_round.reports.select_related("department", "round").get(department__name=OTHER)
    more = services.sheet(other)
    assert sum(len(i.indicators) for i in more) != sum(len(i.indicators) for i in lines)
    with CaptureQueriesContext(connection) as large:
        lastyear.attach(other, more)
    assert len(large) == 4


def test_without_a_previous_round_nothing_is_attached_and_one_query_is_run(admin, staff):
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, LAST, date(LAST + 1, 5, 31), admin.user)
    report = round_.reports.select_related("department", "round").get(department__name=DEPT)
    lines = services.sheet(report)
    assert all(i.last_fy is None and not i.last_year for i in lines)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        lastyear.attach(report, lines)
    assert len(queries) == 1
    page = staff.get(url("sheet", report)).text
    assert "前年度" not in page and 'class="last-year"' not in page
    assert "copy-last-year" not in page and "copy=last-year" not in page
    wb = load_workbook(io.BytesIO(staff.get(url("sheet_xlsx", report)).content))
    for name in (S_ITEMS, S_INDICATORS):
        headings = [c.value or "" for c in wb[name][3]]
        assert not any("前年度" in h for h in headings), name


# --------------------------------------------------------------------------- the browser sheet


def test_the_sheet_shows_last_year_beside_this_year_with_a_copy_button(report, staff):
    page = staff.get(url("sheet", report))
    assert page.status_code == 200
    html = page.text
    item = services.sheet(report)[0]
    assert "前年度（令和2年度）の内容" in html
    assert done_of(DEPT, item.node.key) in html and next_of(DEPT, item.node.key) in html
    assert f'data-copy-last="i|{item.node.key}"' in html
    assert "前年度の内容を写す" in html and "前年度の内容を空欄に写す" in html
    assert url("copy_last_year", report) in html
    assert "前年度の内容を写して作成" in html and "?copy=last-year" in html
    assert "空欄の取組状況・今後の展開だけに前年度の内容を入れます" in html
    for english in ("Last year", "last year", "Copy ", "This field already"):
        assert english not in html, english
    # Each department's name appears beside its text on a shared item.
    shared = next(i for i in services.sheet(report) if len(i.last_year) > 1)
    for t in shared.last_year:
        assert f'<p class="last-year-dept">{t.department}</p>' in html
        assert done_of(t.department, shared.node.key) in html


def test_a_sheet_that_cannot_be_changed_shows_last_year_without_buttons(report, admin, staff):
    lines = services.sheet(report)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    html = staff.get(url("sheet", report)).text
    assert done_of(DEPT, lines[0].node.key) in html
    assert "data-copy-last" not in html and "前年度の内容を空欄に写す" not in html


def test_copy_fills_only_the_empty_fields_and_keeps_what_was_typed(report, staff):
    lines = services.sheet(report)
    first, second = lines[0], lines[1]
    typed = {
        "version": str(report.version),
        f"i|{first.node.key}|done": "今年、自分で書いた",
        f"i|{first.node.key}|evaluation": "A",
    }
    response = staff.post(url("copy_last_year", report), typed)
    assert response.status_code == 302 and response["Location"] == url("sheet", report)
    one = ItemEntry.objects.get(report=report, node_key=first.node.key)
    assert one.done == "今年、自分で書いた" and one.evaluation == "A"
    assert one.next == next_of(DEPT, first.node.key)
    two = ItemEntry.objects.get(report=report, node_key=second.node.key)
    assert (two.done, two.next) == (done_of(DEPT, second.node.key), next_of(DEPT, second.node.key))
    ln = next(ln for i in lines for ln in i.indicators)
    entry = IndicatorEntry.objects.get(report=report, indicator_key=ln.indicator.key)
    assert entry.done == done_of(DEPT, ln.indicator.key) and entry.actual == ""
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    page = staff.get(url("sheet", report)).text
    assert "か所に写し、下書きとして保存しました" in page  # the message says what was done
    # Again: nothing is empty any more, nothing changes.
    before = list(ItemEntry.objects.filter(report=report).values_list("node_key", "done", "next"))
    again = staff.post(url("copy_last_year", report), {"version": str(report.version)})
    assert again.status_code == 302
    after = list(ItemEntry.objects.filter(report=report).values_list("node_key", "done", "next"))
    assert sorted(after) == sorted(before)


def test_copy_needs_the_version_and_refuses_a_stale_one(report, staff, admin):
    key = services.sheet(report)[0].node.key
    response = staff.post(url("copy_last_year", report), {})
    assert response.status_code == 400
    assert not ItemEntry.objects.filter(report=report).exists()
    old = report.version
    services.save(report, SheetInput(items={key: {"done": "別の人"}}), version=old, user=admin.user)
    stale = staff.post(url("copy_last_year", report), {"version": str(old)})
    assert stale.status_code == 409
    assert ItemEntry.objects.get(report=report, node_key=key).next == ""


def test_only_the_departments_people_may_copy(report, this_round):
    other_staff = login_client("ly-other", role="staff", departments=(OTHER,))
    viewer = login_client("ly-viewer", role="viewer")
    outsider = login_client("ly-city", role="admin", org_slug=CITY_ORG)
    post = {"version": str(report.version)}
    assert other_staff.post(url("copy_last_year", report), post).status_code == 403
    assert viewer.post(url("copy_last_year", report), post).status_code == 403
    assert outsider.post(url("copy_last_year", report), post).status_code == 404
    assert outsider.get(url("sheet_xlsx", report) + "?copy=last-year").status_code == 404
    assert not ItemEntry.objects.filter(report=report).exists()
    # GET is not a copy.
    staff = login_client("ly-staff-2", role="staff", departments=(DEPT,))
    assert staff.get(url("copy_last_year", report)).status_code == 405


def test_a_submitted_sheet_is_not_copied_into(report, staff):
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    response = staff.post(url("copy_last_year", report), {"version": str(report.version)})
    assert response.status_code == 422
    assert not ItemEntry.objects.filter(report=report).exists()


# --------------------------------------------------------------------------- the Excel sheet


def _headings(ws) -> list[str]:
    return [c.value or "" for c in ws[3]]


def test_the_excel_sheet_has_last_years_texts_in_read_only_columns(report, staff):
    data = staff.get(url("sheet_xlsx", report)).content
    wb = load_workbook(io.BytesIO(data))
    lines = services.sheet(report)
    ws = wb[S_ITEMS]
    heads = _headings(ws)
    col = heads.index("前年度（令和2年度）の取組状況") + 1
    assert heads[col] == "前年度（令和2年度）の今後の展開"
    assert ws.cell(row=4, column=col).value == done_of(DEPT, lines[0].node.key)
    assert ws.cell(row=4, column=col + 1).value == next_of(DEPT, lines[0].node.key)
    assert ws.cell(row=4, column=col).protection.locked and ws.protection.sheet
    assert ws.cell(row=4, column=col).fill.fgColor.rgb.endswith("EDEDED")
    # A shared item: every department's text, each headed by its name.
    shared = next(i for i in lines if len(i.last_year) > 1)
    row = next(
        r for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value == f"item:{shared.node.key}"
    )
    cell = ws.cell(row=row, column=col).value
    for t in shared.last_year:
        assert f"【{t.department}】{done_of(t.department, shared.node.key)}" in cell
    # This year's input cells stay empty without the copy.
    assert ws["E4"].value is None and ws["F4"].value is None
    ind = wb[S_INDICATORS]
    heads = _headings(ind)
    col = heads.index("前年度（令和2年度）の取組状況") + 1
    first = next(ln for i in lines for ln in i.indicators)
    assert ind.cell(row=4, column=col).value == done_of(DEPT, first.indicator.key)
    # The read side sees no input in the new columns.
    parsed = read_sheet(data)
    assert parsed.problems == []
    assert {c.field for c in parsed.cells} <= {
        "done",
        "next",
        "evaluation",
        "status",
        "note",
        "actual",
    }
    assert not any(c.value for c in parsed.cells)


def test_a_changed_last_year_cell_is_ignored_on_upload(report, staff):
    data = staff.get(url("sheet_xlsx", report)).content
    wb = load_workbook(io.BytesIO(data))
    ws = wb[S_ITEMS]
    col = _headings(ws).index("前年度（令和2年度）の取組状況") + 1
    ws.cell(row=4, column=col).value = "書き換えた前年度"
    out = io.BytesIO()
    wb.save(out)
    response = staff.post(
        url("sheet_upload", report), {"file": SimpleUploadedFile("調査票.xlsx", out.getvalue())}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not ItemEntry.objects.filter(report=report).exists()
    assert not ItemEntry.objects.filter(done="書き換えた前年度").exists()


def test_the_copy_download_pre_fills_empty_cells_and_uploads_back(report, staff, admin):
    key = services.sheet(report)[0].node.key
    report = services.save(
        report,
        SheetInput(items={key: {"done": "今年の文", "next": "", "evaluation": ""}}),
        version=report.version,
        user=admin.user,
    )
    data = staff.get(url("sheet_xlsx", report) + "?copy=last-year").content
    wb = load_workbook(io.BytesIO(data))
    ws = wb[S_ITEMS]
    assert ws["E4"].value == "今年の文"  # typed this year: kept
    assert ws["F4"].value == next_of(DEPT, key)  # empty: last year's
    assert ws["E5"].value == done_of(DEPT, ws["A5"].value.split(":", 1)[1])
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=")
        for sheet in wb.worksheets
        for row in sheet.iter_rows()
        for c in row
    )
    # The identifiers keep the value as stored: the pre-filled text counts as the user's input.
    cells = {(c.kind, c.key, c.field): c for c in read_sheet(data).cells}
    assert cells[("item", key, "next")].downloaded == ""
    response = staff.post(
        url("sheet_upload", report), {"file": SimpleUploadedFile("調査票.xlsx", data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ItemEntry.objects.get(report=report, node_key=key)
    assert (entry.done, entry.next) == ("今年の文", next_of(DEPT, key))
    ln = next(ln for i in services.sheet(report) for ln in i.indicators)
    stored = IndicatorEntry.objects.get(report=report, indicator_key=ln.indicator.key)
    assert stored.done == done_of(DEPT, ln.indicator.key)
    # The plain download of the same sheet now uploads back unchanged.
    plain = staff.get(url("sheet_xlsx", report)).content
    again = staff.post(
        url("sheet_upload", report), {"file": SimpleUploadedFile("調査票.xlsx", plain)}
    )
    assert again.status_code == 302
    assert ItemEntry.objects.get(report=report, node_key=key).next == next_of(DEPT, key)


# --------------------------------------------------------------------------- another council's plan


@pytest.fixture
def midori(db):
    """The fixture council's plan (no indicators): FY2024 approved by every 係, FY2025 open."""
    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    admin = login_client("ly-midori-admin", role="admin", org_slug="midori-shakyo")
    upload = SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())
    assert admin.post(reverse("plans:workbook_upload"), {"file": upload}).status_code == 200
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    plan = Plan.objects.get(slug=MIDORI)
    last = services.open_round(plan, 2024, date(2025, 5, 31), admin.user)
    for r in last.reports.select_related("department"):
        approve_with_texts(r, admin.user)
    this = services.open_round(plan, 2025, date(2026, 5, 31), admin.user)
    return admin, this


def test_the_council_plan_shows_and_copies_last_year_per_jigyo(midori):
    admin, this = midori
    report = this.reports.select_related("department", "round__plan").first()
    dept = report.department.name
    lines = services.sheet(report)
    assert lines and not any(i.indicators for i in lines)
    html = admin.get(url("sheet", report)).text
    assert "前年度（令和6年度）の内容" in html
    for item in lines:
        assert done_of(dept, item.node.key) in html
    wb = load_workbook(io.BytesIO(admin.get(url("sheet_xlsx", report)).content))
    assert "前年度（令和6年度）の取組状況" in _headings(wb[S_ITEMS])
    data = admin.get(url("sheet_xlsx", report) + "?copy=last-year").content
    response = admin.post(
        url("sheet_upload", report), {"file": SimpleUploadedFile("調査票.xlsx", data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = dict(ItemEntry.objects.filter(report=report).values_list("node_key", "done"))
    assert stored == {i.node.key: done_of(dept, i.node.key) for i in lines}


def test_an_indicator_without_an_approved_entry_falls_back_on_the_plans_progress_note(report):
    ln = next(ln for i in services.sheet(report) for ln in i.indicators)
    key = ln.indicator.key
    IndicatorEntry.objects.filter(report__round__fy=LAST, indicator_key=key).delete()
    ProgressNote.objects.filter(indicator=ln.indicator, fy=LAST).update(
        done="計画に残った取組", next="計画に残った展開"
    )
    again = next(x for i in services.sheet(report) for x in i.indicators if x.indicator.key == key)
    assert [(t.department, t.done) for t in again.last_year] == [("", "計画に残った取組")]
    assert again.last_next == "計画に残った展開"
