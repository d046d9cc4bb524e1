"""The department's sheet in Excel: download pre-filled, fill with openpyxl, upload back.

Real database (the demo action plan, a FY2020 round), real files, the test client; nothing of
ours is mocked. Conflicts are made the way they happen: someone saves through services.save
after the sheet was downloaded.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from shinchoku.plans.interchange import export_plan
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import write_workbook
from shinchoku.rounds import services
from shinchoku.rounds.models import ContentEntry, IndicatorEntry, ItemEntry, Report
from shinchoku.rounds.sheet_xlsx import (
    S_CONTENTS,
    S_GUIDE,
    S_IDS,
    S_INDICATORS,
    S_ITEMS,
    S_LISTS,
    InputCell,
    read_sheet,
    write_sheet,
)
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
DEPT = "総務課"
OTHER_DEPT = "福祉支援課"
REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def someone(db):
    return get_user_model().objects.create_user("同僚", last_name="同僚")


@pytest.fixture
def round_(db, someone):
    plan = Plan.objects.get(slug=ACTION)
    return services.open_round(plan, 2020, date(2021, 5, 31), someone)


@pytest.fixture
def report(round_) -> Report:
    return round_.reports.select_related("department", "round__plan").get(department__name=DEPT)


@pytest.fixture
def staff(db):
    return login_client("担当者", role="staff", departments=(DEPT,))


def url(name: str, report: Report) -> str:
    return reverse(
        f"rounds:{name}", args=[report.round.plan.slug, report.round.fy, report.department_id]
    )


def download(client: Client, report: Report) -> bytes:
    response = client.get(url("sheet_xlsx", report))
    assert response.status_code == 200, response.status_code
    return response.content


def upload(client: Client, report: Report, data: bytes, name: str = "調査票.xlsx"):
    return client.post(url("sheet_upload", report), {"file": SimpleUploadedFile(name, data)})


def cells_of(data: bytes) -> dict[tuple[str, str, str], InputCell]:
    """Input cells by (kind, key, field), as the hidden identifiers sheet lists them."""
    result = read_sheet(data)
    assert result.problems == []
    return {(c.kind, c.key, c.field): c for c in result.cells}


def fill(data: bytes, values: dict[tuple[str, str], str | None]) -> bytes:
    """Type values into cells (sheet, A1) with openpyxl, like a person in Excel, and save."""
    wb = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in values.items():
        wb[sheet][cell].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def at(cell: InputCell) -> tuple[str, str]:
    return (cell.sheet, cell.cell)


def first(cells: dict, kind: str, field: str) -> InputCell:
    """The first input cell of a kind and field, in sheet order."""
    return next(c for (k, _key, f), c in cells.items() if k == kind and f == field)


def indicator_named(report: Report, name: str):
    return next(
        ln for item in services.sheet(report) for ln in item.indicators if ln.indicator.name == name
    )


def problems_of(response) -> list:
    return response.context["problems"]


def redirected_to_sheet(response, report: Report) -> bool:
    return response.status_code == 302 and response["Location"] == url("sheet", report)


# --------------------------------------------------------------------------- the file


def test_the_download_holds_the_departments_items_contents_and_indicators(staff, report):
    data = download(staff, report)
    lines = services.sheet(report)
    cells = cells_of(data)
    contents = {k for (kind, k, _f) in cells if kind == "content"}
    indicators = {k for (kind, k, _f) in cells if kind == "indicator"}
    items = {k for (kind, k, _f) in cells if kind == "item"}
    assert items == {i.node.key for i in lines}
    assert contents == {f"{i.node.key}#{c.position}" for i in lines for c in i.contents}
    assert indicators == {ln.indicator.key for i in lines for ln in i.indicators}
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [S_GUIDE, S_LISTS, S_CONTENTS, S_INDICATORS, S_ITEMS, S_IDS]
    ws = wb[S_INDICATORS]
    assert "令和2年度(2020年度) 進捗状況調査票" in ws["B1"].value
    assert DEPT in ws["B2"].value
    headers = [c.value for c in ws[3]]
    assert "現状値" in headers and "最終目標" in headers
    assert "実績\n令和元年度(2019年度)" in headers  # an earlier FY, as its own column
    assert "実績\n令和2年度(2020年度)" in headers
    line = indicator_named(report, "自己財源額")
    row = next(
        r for r in ws.iter_rows(min_row=4) if r[0].value == f"indicator:{line.indicator.key}"
    )
    texts = [c.value for c in row]
    assert line.baseline in texts and line.target in texts and line.final in texts
    planned = [
        r[6].value
        for r in wb[S_CONTENTS].iter_rows(min_row=4)
        if r[0].value.startswith("content:item-16#")
    ]
    assert planned and all(planned)  # the phase planned for FY2020
    meta = read_sheet(data).meta
    assert meta["plan"] == ACTION and meta["fy"] == "2020"
    assert meta["department_id"] == str(report.department_id) and meta["department"] == DEPT
    assert meta["report_id"] == str(report.pk) and meta["version"] == str(report.version)


def test_input_cells_are_unlocked_and_everything_else_is_locked(staff, report):
    data = download(staff, report)
    wb = load_workbook(io.BytesIO(data))
    assert wb.security.lockStructure
    for name in wb.sheetnames:
        assert wb[name].protection.sheet, name
    assert wb[S_IDS].sheet_state == "hidden" and wb[S_LISTS].sheet_state == "hidden"
    inputs = set()
    for c in cells_of(data).values():
        cell = wb[c.sheet][c.cell]
        assert cell.protection.locked is False
        assert cell.fill.fgColor.rgb.endswith("FFF2CC")
        inputs.add((c.sheet, c.cell))
    for name in (S_CONTENTS, S_INDICATORS, S_ITEMS):
        ws = wb[name]
        assert ws.column_dimensions["A"].hidden  # the row keys
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
            for cell in row:
                if (name, cell.coordinate) not in inputs and cell.value is not None:
                    assert cell.protection.locked, (name, cell.coordinate)


def test_status_and_evaluation_cells_have_drop_downs_and_the_scale_is_explained(staff, report):
    data = download(staff, report)
    wb = load_workbook(io.BytesIO(data))
    cells = cells_of(data)
    status_cells = {c.cell for c in cells.values() if c.field == "status"}
    eval_cells = {c.cell for c in cells.values() if c.field == "evaluation"}
    (status_dv,) = wb[S_CONTENTS].data_validations.dataValidation
    assert status_dv.type == "list" and S_LISTS in status_dv.formula1
    assert {str(r) for r in status_dv.sqref.ranges} == status_cells
    (eval_dv,) = wb[S_ITEMS].data_validations.dataValidation
    assert {str(r) for r in eval_dv.sqref.ranges} == eval_cells
    assert "目標を概ね達成した（8割以上）" in eval_dv.prompt
    lists = [[c.value for c in col] for col in wb[S_LISTS].iter_cols()]
    assert lists[0][1:] == ["予定どおり", "前倒し", "遅れ", "未実施", "中止"]
    assert [v for v in lists[1][1:] if v] == ["A", "B", "C", "D"]
    guide = [c.value for row in wb[S_GUIDE].iter_rows() for c in row if c.value]
    assert "取り組みを始めていない" in guide and "令和2年度(2020年度)" in guide


# --------------------------------------------------------------------------- upload


def test_a_filled_sheet_is_stored(staff, report):
    data = download(staff, report)
    cells = cells_of(data)
    line = indicator_named(report, "自己財源額")
    ikey = line.indicator.key
    status = first(cells, "content", "status")
    evaluation = first(cells, "item", "evaluation")
    filled = fill(
        data,
        {
            at(status): "遅れ",
            at(cells[("indicator", ikey, "actual")]): "1,250万円",  # 千円 indicator: converts
            at(cells[("indicator", ikey, "done")]): "寄付の呼びかけを行った",
            at(evaluation): "B",
            at(first(cells, "item", "done")): "1行目\n2行目",
        },
    )
    version = report.version
    response = upload(staff, report, filled)
    assert redirected_to_sheet(response, report)
    report.refresh_from_db()
    assert report.status == "draft" and report.version == version + 1
    assert report.updated_by == "担当者"
    node_key, position = status.key.split("#")
    assert (
        ContentEntry.objects.get(report=report, node_key=node_key, position=position).status
        == "遅れ"
    )
    entry = IndicatorEntry.objects.get(report=report, indicator_key=ikey)
    assert entry.actual == "1,250万円" and entry.done == "寄付の呼びかけを行った"
    item = ItemEntry.objects.get(report=report, node_key=evaluation.key)
    assert item.evaluation == "B"
    assert (
        ItemEntry.objects.get(report=report, node_key=first(cells, "item", "done").key).done
        == "1行目\n2行目"
    )


def test_numbers_typed_as_numbers_and_evaluation_names_are_read(staff, report):
    data = download(staff, report)
    cells = cells_of(data)
    actual = first(cells, "indicator", "actual")
    evaluation = first(cells, "item", "evaluation")
    upload(staff, report, fill(data, {at(actual): 1200, at(evaluation): "概ね達成"}))
    assert IndicatorEntry.objects.get(report=report, indicator_key=actual.key).actual == "1200"
    assert ItemEntry.objects.get(report=report, node_key=evaluation.key).evaluation == "B"


def test_a_sheet_uploaded_unchanged_changes_nothing(staff, report):
    data = download(staff, report)
    version = report.version
    response = upload(staff, report, data)
    assert redirected_to_sheet(response, report)
    report.refresh_from_db()
    assert report.version == version and report.status == "not_started"
    assert not IndicatorEntry.objects.filter(report=report).exists()
    assert not ContentEntry.objects.filter(report=report).exists()


def test_uploading_the_same_file_twice_changes_nothing_the_second_time(staff, report):
    data = download(staff, report)
    cells = cells_of(data)
    filled = fill(data, {at(first(cells, "content", "status")): "予定どおり"})
    assert redirected_to_sheet(upload(staff, report, filled), report)
    report.refresh_from_db()
    version = report.version
    response = upload(staff, report, filled)
    assert redirected_to_sheet(response, report)
    report.refresh_from_db()
    assert report.version == version
    levels = [m.level for m in response.wsgi_request._messages]
    assert levels == [messages.SUCCESS, messages.INFO]  # the first upload's, then "no changes"


def test_the_downloaded_sheet_holds_what_is_stored(staff, report, someone):
    data = services.SheetInput()
    line = indicator_named(report, "自己財源額")
    data.indicators[line.indicator.key] = {"actual": "9,999千円", "note": "見込み"}
    services.save(report, data, version=report.version, user=someone)
    cells = cells_of(download(staff, report))
    assert cells[("indicator", line.indicator.key, "actual")].downloaded == "9,999千円"
    assert cells[("indicator", line.indicator.key, "note")].downloaded == "見込み"


def test_stored_text_is_written_as_text_never_as_a_formula(staff, report, someone):
    """A 備考 "=1+1" stays text (Excel would evaluate a formula and read back "2"); a vertical
    tab pasted from PowerPoint, which XML cannot hold, is written as a line break."""
    line = indicator_named(report, "自己財源額")
    ikey = line.indicator.key
    data = services.SheetInput()
    data.indicators[ikey] = {"note": "=1+1", "done": '=HYPERLINK("http://example.com")'}
    item = services.sheet(report)[0].node.key
    data.items[item] = {"done": "前半\v後半\x01"}
    services.save(report, data, version=report.version, user=someone)
    report.refresh_from_db()
    version = report.version
    sheet = download(staff, report)
    cells = cells_of(sheet)
    note = cells[("indicator", ikey, "note")]
    assert note.downloaded == note.value == "=1+1"
    assert cells[("item", item, "done")].value == "前半\n後半"
    wb = load_workbook(io.BytesIO(sheet))
    formulas = [
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    assert wb[note.sheet][note.cell].value == "=1+1"
    response = upload(staff, report, sheet)  # nothing changed, the odd characters included
    assert redirected_to_sheet(response, report)
    report.refresh_from_db()
    assert report.version == version
    filled = fill(sheet, {at(cells[("item", item, "done")]): "前半\n後半\n追記"})
    assert redirected_to_sheet(upload(staff, report, filled), report)
    assert ItemEntry.objects.get(report=report, node_key=item).done == "前半\n後半\n追記"


# --------------------------------------------------------------------------- conflicts


def test_a_cell_changed_in_the_file_and_since_the_download_is_a_conflict(staff, report, someone):
    data = download(staff, report)
    cells = cells_of(data)
    line = indicator_named(report, "自己財源額")
    ikey = line.indicator.key
    status = first(cells, "content", "status")
    theirs = services.SheetInput()
    theirs.indicators[ikey] = {"actual": "10,000千円"}
    services.save(report, theirs, version=report.version, user=someone)
    report.refresh_from_db()
    version = report.version
    filled = fill(
        data, {at(cells[("indicator", ikey, "actual")]): "12,000千円", at(status): "遅れ"}
    )
    response = upload(staff, report, filled)
    assert response.status_code == 409
    (conflict,) = response.context["conflicts"]
    assert (
        conflict.sheet == S_INDICATORS
        and conflict.cell == cells[("indicator", ikey, "actual")].cell
    )
    assert (conflict.yours, conflict.stored, conflict.by) == ("12,000千円", "10,000千円", "同僚")
    assert "自己財源額" in conflict.label
    content = response.content.decode()
    assert "12,000千円" in content and "10,000千円" in content and "同僚" in content
    report.refresh_from_db()
    assert report.version == version  # nothing written, not even the status
    assert IndicatorEntry.objects.get(report=report, indicator_key=ikey).actual == "10,000千円"
    assert not ContentEntry.objects.filter(report=report).exists()


def test_changes_in_different_cells_are_merged(staff, report, someone):
    data = download(staff, report)
    cells = cells_of(data)
    line = indicator_named(report, "自己財源額")
    ikey = line.indicator.key
    theirs = services.SheetInput()
    theirs.indicators[ikey] = {"actual": "10,000千円", "note": "同僚のメモ"}
    services.save(report, theirs, version=report.version, user=someone)
    # Mine: the 取組状況 of the same indicator and the note (changed to what they wrote too).
    filled = fill(
        data,
        {
            at(cells[("indicator", ikey, "done")]): "会員募集を行った",
            at(cells[("indicator", ikey, "note")]): "同僚のメモ",
        },
    )
    response = upload(staff, report, filled)
    assert redirected_to_sheet(response, report)
    entry = IndicatorEntry.objects.get(report=report, indicator_key=ikey)
    assert entry.actual == "10,000千円"  # theirs, not changed in my file: kept
    assert entry.done == "会員募集を行った"  # mine
    assert entry.note == "同僚のメモ"  # both the same: no conflict


# --------------------------------------------------------------------------- problems


def test_units_that_do_not_convert_are_refused_with_the_cell(staff, report):
    data = download(staff, report)
    cells = cells_of(data)
    ikey = indicator_named(report, "自己財源額").indicator.key
    actual = cells[("indicator", ikey, "actual")]
    response = upload(staff, report, fill(data, {at(actual): "30人"}))
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert (problem.sheet, problem.cell) == (S_INDICATORS, actual.cell)
    assert "単位「人」" in problem.message and "千円" in problem.message
    assert f"{actual.cell}" in response.content.decode()
    assert not IndicatorEntry.objects.filter(report=report).exists()


def test_unknown_status_and_evaluation_are_refused_and_nothing_is_stored(staff, report):
    data = download(staff, report)
    cells = cells_of(data)
    status = first(cells, "content", "status")
    evaluation = first(cells, "item", "evaluation")
    done = first(cells, "item", "done")
    bad = fill(data, {at(status): "たぶん", at(evaluation): "Z", at(done): "書いた"})
    response = upload(staff, report, bad)
    assert response.status_code == 400
    found = {(p.sheet, p.cell): p.message for p in problems_of(response)}
    assert "状況「たぶん」は使えません" in found[(S_CONTENTS, status.cell)]
    assert "予定どおり" in found[(S_CONTENTS, status.cell)]
    assert "自己評価「Z」は使えません" in found[(S_ITEMS, evaluation.cell)]
    assert not ItemEntry.objects.filter(report=report).exists()  # all or nothing


def test_edited_locked_cells_and_moved_rows_are_detected(staff, report):
    data = download(staff, report)
    cells = cells_of(data)
    status = first(cells, "content", "status")
    row = int(status.cell[1:])
    response = upload(staff, report, fill(data, {(S_CONTENTS, f"E{row}"): "書き換えた実施内容"}))
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert (problem.sheet, problem.cell) == (S_CONTENTS, f"E{row}")
    assert "保護された欄" in problem.message
    moved = fill(data, {(S_CONTENTS, f"A{row}"): "content:item-99#1"})
    (problem,) = problems_of(upload(staff, report, moved))
    assert (problem.sheet, problem.cell) == (S_CONTENTS, f"{row}行目")
    assert "行の並び" in problem.message


def test_a_row_whose_key_is_unknown_is_refused(staff, report):
    data = download(staff, report)
    wb = load_workbook(io.BytesIO(data))
    ids = wb[S_IDS]
    # A content that is no longer in the plan: its key in the row and in the identifiers.
    status = first(cells_of(data), "content", "status")
    for row in ids.iter_rows(min_row=2):
        for cell in row:
            if cell.value == status.key:
                cell.value = "item-99#1"
            elif cell.value == f"content:{status.key}":
                cell.value = "content:item-99#1"
    wb[S_CONTENTS][f"A{status.cell[1:]}"].value = "content:item-99#1"
    out = io.BytesIO()
    wb.save(out)
    response = upload(staff, report, out.getvalue())
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert (problem.sheet, problem.cell) == (S_CONTENTS, status.cell)
    assert "item-99#1" in problem.message and "ダウンロードし直して" in problem.message


def test_another_departments_sheet_is_refused(round_, report, staff):
    admin = login_client("管理者", role="admin")
    other = round_.reports.get(department__name=OTHER_DEPT)
    response = upload(admin, report, download(admin, other))
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert f"「{OTHER_DEPT}」の調査票" in problem.message and DEPT in problem.message
    assert report.version == Report.objects.get(pk=report.pk).version


def test_another_rounds_sheet_is_refused(round_, report, someone):
    admin = login_client("管理者", role="admin")
    later = services.open_round(round_.plan, 2021, date(2022, 5, 31), someone)
    later_report = later.reports.get(department__name=DEPT)
    response = upload(admin, report, download(admin, later_report))
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert "令和3年度(2021年度)の調査票" in problem.message


def test_another_plans_sheet_is_refused(report):
    from shinchoku.rounds.demo import load_demo_round

    city_round = load_demo_round()
    city_report = city_round.reports.select_related("department", "round__plan").first()
    federation = login_client("連合会", superuser=True)
    response = upload(federation, report, download(federation, city_report))
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert "別の計画" in problem.message


def test_a_submitted_sheet_is_not_changed_by_an_upload(staff, report, someone):
    data = download(staff, report)
    cells = cells_of(data)
    full = services.SheetInput()
    for item in services.sheet(report):
        full.items[item.node.key] = {"done": "", "next": "", "evaluation": "A"}
        for c in item.contents:
            full.contents[(item.node.key, c.position)] = {"status": "予定どおり"}
        for ln in item.indicators:
            full.indicators[ln.indicator.key] = {"actual": f"1{ln.indicator.unit}"}
    report = services.save(report, full, version=report.version, user=someone)
    report = services.submit(report, someone)
    version = report.version
    response = upload(staff, report, fill(data, {at(first(cells, "item", "done")): "後から"}))
    assert response.status_code == 409
    (problem,) = problems_of(response)
    assert "変更できません" in problem.message
    report.refresh_from_db()
    assert report.version == version and report.status == "submitted"


# --------------------------------------------------------------------------- malformed files


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"this is not a workbook", "調査票.xlsx", "読めません"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "調査票.xlsx", "古い形式"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "調査票.xls", ".xlsx"),
        (
            _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"\0" * (3 * 1024 * 1024)}),
            "調査票.xlsx",
            "圧縮率",
        ),
        (_zip({"a.txt": b"x"}), "調査票.xlsx", "ワークブック"),
    ],
    ids=["not-a-zip", "ole", "xls-name", "zip-bomb", "zip-not-xlsx"],
)
def test_malformed_files_are_refused_before_parsing(staff, report, content, name, words):
    response = upload(staff, report, content, name)
    assert response.status_code == 400
    (problem,) = problems_of(response)
    assert words in problem.message
    report.refresh_from_db()
    assert report.version == 1


def test_an_oversized_file_is_refused(staff, report):
    from shinchoku.plans.xlsx_safety import MAX_BYTES

    response = upload(staff, report, b"\0" * (MAX_BYTES + 1))
    assert response.status_code == 400
    assert "大きすぎます" in problems_of(response)[0].message


def test_a_plan_workbook_is_not_a_sheet(staff, report):
    plan_book = write_workbook(export_plan(report.round.plan))
    (problem,) = problems_of(upload(staff, report, plan_book))
    assert "進捗状況調査票のファイルではありません" in problem.message


def test_an_upload_without_a_file_is_refused(staff, report):
    response = staff.post(url("sheet_upload", report), {})
    assert response.status_code == 400
    assert "ファイルを選んで" in problems_of(response)[0].message


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    ("role", "departments", "status"),
    [
        ("admin", (), 200),
        ("staff", (DEPT,), 200),
        ("approver", (DEPT,), 200),
        ("staff", (OTHER_DEPT,), 403),
        ("viewer", (DEPT,), 403),
        (None, (), 404),  # no organization: the plan is not there for them
    ],
)
def test_who_may_download_and_upload(report, role, departments, status):
    client = login_client(f"user-{role}-{len(departments)}", role=role, departments=departments)
    assert client.get(url("sheet_xlsx", report)).status_code == status
    data = write_sheet(report)
    response = upload(client, report, data)
    assert response.status_code == (302 if status == 200 else status)


def test_an_outsider_of_another_organization_gets_404(report):
    outsider = login_client("市の職員", role="admin", org_slug=CITY_ORG)
    assert outsider.get(url("sheet_xlsx", report)).status_code == 404
    assert upload(outsider, report, write_sheet(report)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, report):
    for response in (client.get(url("sheet_xlsx", report)), upload(client, report, b"x")):
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_upload_needs_post_and_csrf(staff, report):
    assert staff.get(url("sheet_upload", report)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff.user)
    response = strict.post(
        url("sheet_upload", report), {"file": SimpleUploadedFile("a.xlsx", b"x")}
    )
    assert response.status_code == 403


def test_the_download_is_an_xlsx_named_for_the_department(staff, report):
    response = staff.get(url("sheet_xlsx", report))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "%E7%B7%8F%E5%8B%99%E8%AA%B2" in response["Content-Disposition"]  # 総務課


def test_a_closed_rounds_sheet_still_downloads(report):
    from shinchoku.rounds.demo import load_demo_round

    city_round = load_demo_round()
    city_report = city_round.reports.select_related("department", "round__plan").first()
    federation = login_client("連合会", superuser=True)
    cells = cells_of(download(federation, city_report))
    assert any(c.downloaded for c in cells.values())  # the approved actuals


# --------------------------------------------------------------------------- the partial


def test_the_partial_offers_download_and_upload_only_to_editors(staff, report):
    request = RequestFactory().get("/")
    request.user = staff.user
    context = {"report": report, "plan": report.round.plan, "round": report.round}
    html = render_to_string("rounds/_sheet_xlsx.html", {**context, "may_edit": True}, request)
    assert url("sheet_xlsx", report) in html and url("sheet_upload", report) in html
    assert 'name="csrfmiddlewaretoken"' in html and 'type="file"' in html
    assert f'<label for="sheet-file-{report.pk}"' in html
    html = render_to_string("rounds/_sheet_xlsx.html", {**context, "may_edit": False}, request)
    assert url("sheet_xlsx", report) in html and url("sheet_upload", report) not in html


# --------------------------------------------------------------------------- other programs, docs


SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (soffice not on PATH); "
    "apt-get install --no-install-recommends libreoffice-calc-nogui to run this test",
)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    """Save a workbook through LibreOffice Calc the way a user's LibreOffice does: it opens the
    file and writes it anew (styles, validations, protection, sheets), in a profile of its own."""
    home = tmp_path_factory.mktemp("libreoffice")
    profile = (home / "profile").as_uri()

    def resave(data: bytes, name: str = "sheet.xlsx") -> bytes:
        work = Path(tempfile.mkdtemp(dir=home))
        (work / "in").mkdir()
        (work / "in" / name).write_bytes(data)
        done = subprocess.run(
            [
                str(SOFFICE),
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile}",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(work / "out"),
                str(work / "in" / name),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        saved = work / "out" / name
        assert done.returncode == 0 and saved.exists(), (done.stdout, done.stderr)
        out = saved.read_bytes()
        with zipfile.ZipFile(io.BytesIO(out)) as zf:  # written by LibreOffice, not copied
            assert b"<Application>LibreOffice" in zf.read("docProps/app.xml")
        return out

    return resave


@needs_libreoffice
def test_a_sheet_saved_by_libreoffice_still_reads(staff, report, libreoffice):
    data = download(staff, report)
    cells = cells_of(data)
    status = first(cells, "content", "status")
    saved = libreoffice(fill(data, {at(status): "前倒し"}))
    response = upload(staff, report, saved)
    assert redirected_to_sheet(response, report)
    node_key, position = status.key.split("#")
    assert (
        ContentEntry.objects.get(report=report, node_key=node_key, position=position).status
        == "前倒し"
    )


@needs_libreoffice
def test_cells_filled_and_saved_by_libreoffice_are_stored(staff, report, someone, libreoffice):
    """Text, numbers typed as numbers, line breaks, a cleared cell and text that looks like a
    formula or a date all come back as what was typed after LibreOffice rewrote the file."""
    before = services.SheetInput()
    line = indicator_named(report, "自己財源額")
    ikey = line.indicator.key
    before.indicators[ikey] = {"actual": "9,999千円", "note": "見込み", "done": "=1+1"}
    services.save(report, before, version=report.version, user=someone)
    report.refresh_from_db()
    data = download(staff, report)
    cells = cells_of(data)
    assert cells[("indicator", ikey, "done")].downloaded == "=1+1"
    actuals = [c for (kind, key, f), c in cells.items() if kind == "indicator" and f == "actual"]
    others = [c for c in actuals if c.key != ikey]
    typed = {
        others[0]: ("1234", "1234"),  # typed as text in a text cell
        others[1]: (1200, "1200"),  # a number (pasted, or typed into a General cell)
        others[2]: (12.5, "12.5"),
        others[3]: ("007", "007"),
    }
    status = first(cells, "content", "status")
    evaluation = first(cells, "item", "evaluation")
    done = first(cells, "item", "done")
    content_note = first(cells, "content", "note")
    values = {at(c): value for c, (value, _stored) in typed.items()}
    values |= {
        at(cells[("indicator", ikey, "actual")]): "1,250万円",
        at(cells[("indicator", ikey, "note")]): None,  # cleared
        at(status): "遅れ",
        at(evaluation): "概ね達成",
        at(done): "1行目\n2行目",
        at(content_note): "1-1",
    }
    saved = libreoffice(fill(data, values))
    version = report.version
    response = upload(staff, report, saved)
    assert redirected_to_sheet(response, report)
    report.refresh_from_db()
    assert report.version == version + 1
    for cell, (_value, stored) in typed.items():
        assert IndicatorEntry.objects.get(report=report, indicator_key=cell.key).actual == stored
    entry = IndicatorEntry.objects.get(report=report, indicator_key=ikey)
    assert (entry.actual, entry.note, entry.done) == ("1,250万円", "", "=1+1")
    node_key, position = status.key.split("#")
    content = ContentEntry.objects.get(report=report, node_key=node_key, position=position)
    assert content.status == "遅れ"
    node_key, position = content_note.key.split("#")
    assert (
        ContentEntry.objects.get(report=report, node_key=node_key, position=position).note == "1-1"
    )
    assert ItemEntry.objects.get(report=report, node_key=evaluation.key).evaluation == "B"
    assert ItemEntry.objects.get(report=report, node_key=done.key).done == "1行目\n2行目"
    # The same LibreOffice file again: nothing left to change.
    assert upload(staff, report, saved).status_code == 302
    report.refresh_from_db()
    assert report.version == version + 1


def covered(validation) -> set[str]:
    """The cells a data validation applies to (LibreOffice merges them into ranges: H4:H50)."""
    ranges = validation.sqref.ranges
    return {f"{get_column_letter(col)}{row}" for rng in ranges for row, col in rng.cells}


@needs_libreoffice
def test_protection_validations_and_hidden_sheets_survive_libreoffice(staff, report, libreoffice):
    data = download(staff, report)
    cells = cells_of(data)
    saved = libreoffice(data)
    assert cells_of(saved) == cells  # the identifiers and every input cell read the same
    wb = load_workbook(io.BytesIO(saved))
    assert wb.sheetnames == [S_GUIDE, S_LISTS, S_CONTENTS, S_INDICATORS, S_ITEMS, S_IDS]
    states = {name: wb[name].sheet_state for name in wb.sheetnames}
    assert states[S_IDS] == "hidden" and states[S_LISTS] == "hidden"
    assert {states[n] for n in (S_GUIDE, S_CONTENTS, S_INDICATORS, S_ITEMS)} == {"visible"}
    # LibreOffice 7.4 writes the structure lock as an empty <workbookProtection/>: not checked.
    inputs = {(c.sheet, c.cell) for c in cells.values()}
    for name in wb.sheetnames:
        assert wb[name].protection.sheet, name
    for name in (S_CONTENTS, S_INDICATORS, S_ITEMS):
        ws = wb[name]
        assert ws.column_dimensions["A"].hidden
        assert ws.protection.formatColumns is False and ws.protection.formatRows is False
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
            for cell in row:
                if (name, cell.coordinate) in inputs:
                    assert cell.protection.locked is False, (name, cell.coordinate)
                    assert cell.number_format == "@", (name, cell.coordinate)
                    assert cell.fill.fgColor.rgb.endswith("FFF2CC")
                elif cell.value is not None:
                    assert cell.protection.locked, (name, cell.coordinate)
    (status_dv,) = wb[S_CONTENTS].data_validations.dataValidation
    assert status_dv.type == "list" and S_LISTS in status_dv.formula1
    assert covered(status_dv) == {c.cell for c in cells.values() if c.field == "status"}
    (eval_dv,) = wb[S_ITEMS].data_validations.dataValidation
    assert eval_dv.showErrorMessage and "目標を概ね達成した（8割以上）" in eval_dv.prompt
    assert covered(eval_dv) == {c.cell for c in cells.values() if c.field == "evaluation"}
    assert upload(staff, report, saved).status_code == 302  # unchanged: nothing to store
    assert not ContentEntry.objects.filter(report=report).exists()


def test_the_format_is_documented():
    doc = (REPO / "docs" / "sheet.md").read_text(encoding="utf-8")
    from shinchoku.rounds.sheet_xlsx import FORMAT, INPUT_HEADERS, META, ROW_HEADERS

    for name in (S_GUIDE, S_CONTENTS, S_INDICATORS, S_ITEMS, S_LISTS, S_IDS, FORMAT):
        assert name in doc, name
    for label, _key in META:
        assert label in doc, label
    for header in INPUT_HEADERS + ROW_HEADERS:
        assert header in doc, header


def test_the_write_rechecks_the_state_under_the_lock(staff, report, someone):
    """A sheet submitted between the view's check and the write is still refused."""
    from shinchoku.rounds.sheet_xlsx import apply_upload

    data = download(staff, report)
    cells = cells_of(data)
    filled = fill(data, {at(first(cells, "item", "done")): "間に合わなかった"})
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    assert report.editable  # the object the view loaded still says so
    result = apply_upload(report, filled, staff.user)
    assert result.status == "problems"
    assert "変更できません" in result.problems[0].message
    assert not ItemEntry.objects.filter(report=report).exists()
