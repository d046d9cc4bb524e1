"""The yearly round as its users live it, in headless Chromium on a fresh demo server.

The 管理者 opens the FY2019 round of the action plan; the 部署担当 of 福祉支援課
downloads the sheet, fills it in Excel (openpyxl here; saved once more by LibreOffice
when it is installed), uploads it and submits; the 承認者 returns it with a comment;
it is fixed in the browser and approved; the 管理者 sees every department's status
and the achievement bands per top-level goal.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

PLAN = "nishitokyo-action-plan-2019"
ADMIN = "nishitokyo-shakyo-admin"
STAFF = "nishitokyo-shakyo-staff-2"  # 福祉支援課, the second department of the council
APPROVER = "nishitokyo-shakyo-approver-2"


def fill_in_excel(
    data: bytes,
    *,
    evaluation: str = "B",
    done: str = "地域の居場所づくり講座を開いた",
    next_: str = "来年度も続ける",
) -> bytes:
    """Fill every input cell as a department would: statuses, actuals in the unit, texts, B."""
    wb = load_workbook(io.BytesIO(data))
    ids = wb["識別情報"]
    for row in ids.iter_rows(min_row=2, min_col=4, max_col=9, values_only=True):
        sheet, cell, _kind, _key, field, _value = row
        if not sheet or not cell:
            continue
        ws = wb[sheet]
        if field == "status":
            ws[cell] = "予定どおり"
        elif field == "evaluation":
            ws[cell] = evaluation
        elif field == "actual":
            header = {c.value: c.column for c in ws[3] if c.value}
            unit = ws.cell(row=ws[cell].row, column=header["単位"]).value or ""
            ws[cell] = f"3{unit}"
        elif field in ("done", "next"):
            ws[cell] = done if field == "done" else next_
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def through_libreoffice(path: Path) -> Path:
    """Save the file once through LibreOffice Calc, as a user of LibreOffice would."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return path
    outdir = path.parent / "lo"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{path.parent / 'lo-profile'}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / path.name


def open_sheet(page, server: str, department: str) -> None:
    page.goto(f"{server}/plans/{PLAN}/rounds/2019/")
    with page.expect_navigation():
        page.click(f'table.board a:has-text("{department}")')


def test_a_department_reports_in_excel_is_returned_fixed_and_approved(
    server: str,
    tmp_path: Path,
    browser,
) -> None:
    outside: list[str] = []

    def new_page(user: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
        log_in(page, server, user)
        return page

    # The 管理者 opens the round from the plan's pages.
    admin = new_page(ADMIN)
    admin.goto(f"{server}/plans/{PLAN}/")
    admin.click("nav.plan-nav >> text=進捗調査")
    admin.select_option("#id_fy", "2019")
    admin.fill("#id_deadline", "2027-01-31")
    with admin.expect_navigation():
        admin.click("text=開始する")
    assert "令和元年度(2019年度) 進捗調査" in admin.inner_text("h1")
    assert admin.locator("table.board tbody tr").count() == 3

    # The department downloads its sheet, fills it in Excel and uploads it.
    staff = new_page(STAFF)
    open_sheet(staff, server, "福祉支援課")
    assert "福祉支援課" in staff.inner_text("h1")
    with staff.expect_download() as download:
        staff.click("section.sheet-xlsx a.button")
    assert download.value.suggested_filename.endswith("福祉支援課.xlsx")
    filled = tmp_path / download.value.suggested_filename
    filled.write_bytes(fill_in_excel(Path(download.value.path()).read_bytes()))
    filled = through_libreoffice(filled)
    staff.set_input_files("section.sheet-xlsx input[type=file]", str(filled))
    with staff.expect_navigation():
        staff.click("section.sheet-xlsx button[type=submit]")
    assert "Excel" in staff.inner_text("ul.messages") or "読み込" in staff.inner_text("ul.messages")
    assert staff.input_value("textarea >> nth=0") != ""
    # The same file again changes nothing.
    staff.set_input_files("section.sheet-xlsx input[type=file]", str(filled))
    with staff.expect_navigation():
        staff.click("section.sheet-xlsx button[type=submit]")
    assert "保存" in staff.inner_text("ul.messages")
    with staff.expect_navigation():
        staff.click("text=提出する")
    assert "提出済" in staff.inner_text("dl.facts")
    staff.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)

    # The 承認者 returns it with a comment.
    approver = new_page(APPROVER)
    open_sheet(approver, server, "福祉支援課")
    approver.fill("#return-comment", "長期滞納者への対応の実績を確認してください。")
    with approver.expect_navigation():
        approver.click("text=差し戻す")
    assert "差戻し" in approver.inner_text("dl.facts")

    # The department sees the comment, fixes a figure in the browser and submits again.
    open_sheet(staff, server, "福祉支援課")
    assert "長期滞納者への対応の実績を確認してください。" in staff.inner_text("main")
    actual = staff.locator("input[name$='|actual']").first
    actual.fill("5名")
    with staff.expect_navigation():
        staff.click("text=提出する")
    assert "提出済" in staff.inner_text("dl.facts")

    # Approved: the actuals become the plan's.
    open_sheet(approver, server, "福祉支援課")
    assert "5名" in approver.inner_text("main")
    with approver.expect_navigation():
        approver.click("text=承認する")
    assert "承認済" in approver.inner_text("dl.facts")

    # The 管理者 sees every department's status and the bands per top-level goal.
    admin.goto(f"{server}/plans/{PLAN}/rounds/2019/")
    board = admin.inner_text("table.board")
    assert "福祉支援課" in board and "承認済" in board and "未着手" in board
    admin.screenshot(path=str(tmp_path / "board.png"), full_page=True)
    admin.goto(f"{server}/plans/{PLAN}/progress/2019/")
    overview = admin.inner_text("main")
    assert "基本方針" in overview and "達成" in overview
    admin.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert outside == []
