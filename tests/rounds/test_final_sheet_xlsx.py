"""The final evaluation sheet in Excel: downloaded with the history locked and the three inputs
unlocked (状況 as a dropdown), uploaded back with the same checks as the yearly sheet."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.plans.models import Plan
from shinchoku.rounds import final_services
from shinchoku.rounds.models import ItemEntry, Report
from shinchoku.rounds.sheet_xlsx_final import FIRST_ROW, INPUT_COL, S_FINAL
from tests.conftest import login_client

ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def report(db) -> Report:
    admin = login_client("xf-admin", role="admin")
    plan = Plan.objects.get(slug=ACTION)
    round_ = final_services.open_final_round(plan, date(2024, 5, 31), admin.user)
    return round_.reports.get(department__name="福祉支援課")


@pytest.fixture
def staff(db):
    return login_client("xf-staff", role="staff", departments=("福祉支援課",))


def url(name: str, report: Report) -> str:
    return reverse(f"rounds:{name}", args=[ACTION, report.department_id])


def download(client, report: Report):
    response = client.get(url("final_sheet_xlsx", report))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def upload(client, report: Report, wb, name: str = "最終評価.xlsx"):
    out = io.BytesIO()
    wb.save(out)
    return client.post(
        url("final_sheet_upload", report), {"file": SimpleUploadedFile(name, out.getvalue())}
    )


def fill(ws, status: str = "実施済") -> int:
    rows = 0
    for r in range(FIRST_ROW, ws.max_row + 1):
        if not ws.cell(row=r, column=1).value:
            continue
        ws.cell(row=r, column=INPUT_COL, value=f"{r}行目の事業を継続した")
        ws.cell(row=r, column=INPUT_COL + 1, value="利用者の増加に対応する体制が課題")
        ws.cell(row=r, column=INPUT_COL + 2, value=status)
        rows += 1
    return rows


def test_the_download_locks_the_history_and_offers_the_statuses(report, staff):
    wb = download(staff, report)
    ws = wb[S_FINAL]
    assert ws.protection.sheet
    header = [ws.cell(row=3, column=c).value for c in range(2, INPUT_COL + 3)]
    assert header[-3:] == ["その後の取組", "評価・課題", "状況"]
    assert not ws.cell(row=FIRST_ROW, column=INPUT_COL).protection.locked
    assert ws.cell(row=FIRST_ROW, column=INPUT_COL - 1).protection.locked
    assert "【指標】" in ws.cell(row=FIRST_ROW, column=INPUT_COL - 1).value
    validations = ws.data_validations.dataValidation
    assert validations and validations[0].type == "list"
    statuses = [c.value for c in wb["リスト"]["A"][1:]]
    assert statuses == ["実施済", "一部実施", "未実施", "再検討"]


def test_round_trip_stores_every_filled_cell(report, staff):
    wb = download(staff, report)
    n = fill(wb[S_FINAL])
    response = upload(staff, report, wb)
    assert response.status_code == 302, response.content.decode()[:2000]
    entries = ItemEntry.objects.filter(report=report)
    assert entries.count() == n == len(final_services.final_sheet(report))
    assert {e.final_status for e in entries} == {"実施済"}
    report.refresh_from_db()
    assert final_services.missing(report) == []
    # The same file again changes nothing.
    response = upload(staff, report, wb)
    assert response.status_code == 302


def test_a_status_not_on_the_list_is_refused_with_its_cell(report, staff):
    wb = download(staff, report)
    fill(wb[S_FINAL], status="完了")
    response = upload(staff, report, wb)
    assert response.status_code == 400
    page = response.content.decode()
    assert "状況「完了」は使えません" in page and S_FINAL in page
    assert f"{chr(64 + INPUT_COL + 2)}{FIRST_ROW}" in page
    assert not ItemEntry.objects.filter(report=report).exists()


def test_a_formula_is_refused(report, staff):
    wb = download(staff, report)
    fill(wb[S_FINAL])
    wb[S_FINAL].cell(row=FIRST_ROW, column=INPUT_COL + 1, value="=1+1")
    response = upload(staff, report, wb)
    assert response.status_code == 400
    assert "数式" in response.content.decode()
    assert not ItemEntry.objects.filter(report=report).exists()


def test_a_yearly_sheet_or_another_file_is_refused(report, staff):
    response = staff.post(
        url("final_sheet_upload", report),
        {"file": SimpleUploadedFile("memo.txt", b"hello")},
    )
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    response = staff.post(
        url("final_sheet_upload", report),
        {"file": SimpleUploadedFile("broken.xlsx", b"PK\x03\x04 not really")},
    )
    assert response.status_code == 400
    assert not ItemEntry.objects.filter(report=report).exists()


def test_a_change_made_since_the_download_is_a_conflict(report, staff):
    wb = download(staff, report)
    lines = final_services.final_sheet(report)
    key = lines[0].node.key
    data = {key: {"followup": "画面で入力", "issues": "", "final_status": ""}}
    final_services.save(report, data, version=report.version, user=staff.user, lines=lines)
    fill(wb[S_FINAL])
    response = upload(staff, report, wb)
    assert response.status_code == 409
    assert "画面で入力" in response.content.decode()
    assert ItemEntry.objects.get(report=report, node_key=key).followup == "画面で入力"


def test_only_the_departments_staff_may_upload(report):
    other = login_client("xf-other", role="staff", departments=("総務課",))
    assert other.get(url("final_sheet_xlsx", report)).status_code == 403
    response = other.post(
        url("final_sheet_upload", report), {"file": SimpleUploadedFile("x.xlsx", b"x")}
    )
    assert response.status_code == 403
