"""A whole FY round of another council's plan (事業 rows, no indicators), in headless Chromium.

The fixture council (tests/fixtures/other_shape_plan.xlsx: 基本目標 → 基本施策 → 取組 → 20 事業
with 担当係, no indicators) is loaded with `shinchoku import` and given demo users. Its 管理者
opens the FY2024 round; one 係 fills its sheet in Excel, the others in the browser; a sheet is
returned and fixed; every sheet is approved; the round is closed; the committee report lists
every 事業; the round is published and the public page shows every 事業 with its evaluation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import (
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_server,
    log_in,
)
from tests.browser.test_round_in_chromium import fill_in_excel, through_libreoffice

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
ORG = "midori-shakyo"
PLAN = "midori-katsudo-3"
FY = 2024


def businesses() -> dict[str, str]:
    """The fixture's 事業 (the leaves of its 体系 sheet): key → title."""
    wb = load_workbook(FIXTURE, read_only=True)
    rows = [r for r in wb["体系"].iter_rows(min_row=2, values_only=True) if r[0]]
    parents = {r[1] for r in rows if r[1]}
    return {str(r[0]): str(r[4]) for r in rows if r[0] not in parents}


def departments() -> list[str]:
    """The departments in the order of the 部署 sheet (the demo users' numbering)."""
    wb = load_workbook(FIXTURE, read_only=True)
    return [r[0] for r in wb["部署"].iter_rows(min_row=2, values_only=True) if r[0]]


def user_of(role: str, department: str) -> str:
    n = departments().index(department) + 1
    return f"{ORG}-{role}" if n == 1 else f"{ORG}-{role}-{n}"


COPY = "midori-katsudo-3-nocontents"


def copy_without_contents(path: Path) -> Path:
    """The fixture as a council would type it with no 実施内容 row at all, as another plan."""
    wb = load_workbook(FIXTURE)
    ws = wb["実施内容"]
    ws.delete_rows(2, ws.max_row)
    for row in wb["計画"].iter_rows(min_row=2):
        if row[0].value == "計画ID*":
            row[1].value = COPY
        elif row[0].value == "計画名*":
            row[1].value = "第3次みどり市地域福祉活動計画（実施内容なし）"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def council_server(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("council-data")
    copy = copy_without_contents(data / "nocontents.xlsx")
    extra = (["import", str(FIXTURE)], ["import", str(copy)], ["create-demo-users", "--org", ORG])
    with demo_server(data, *extra) as base:
        yield base


def fill_in_browser(page) -> None:
    """Every item: evaluation B, both texts; every content with a planned phase: 予定どおり."""
    for radio in page.locator("input[type=radio][name$='|evaluation'][value=B]").all():
        radio.check()
    for area in page.locator("textarea[name^='i|'][name$='|done']").all():
        area.fill("ブラウザで報告した取組")
    for area in page.locator("textarea[name^='i|'][name$='|next']").all():
        area.fill("引き続き実施する")
    for select in page.locator("select[name$='|status']").all():
        select.select_option("予定どおり")


def test_the_council_runs_its_year_from_opening_to_the_public_page(
    council_server: str,
    tmp_path: Path,
    browser,
) -> None:
    server = council_server
    outside: list[str] = []
    expected = businesses()
    assert len(expected) == 20

    def new_page(user: str, width: int = 1366):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
        log_in(page, server, user)
        return page

    admin = new_page(f"{ORG}-admin")
    admin.goto(f"{server}/plans/{PLAN}/")
    admin.click("nav.plan-nav >> text=進捗調査")
    admin.select_option("#id_fy", str(FY))
    admin.fill("#id_deadline", "2027-01-31")
    with admin.expect_navigation():
        admin.click("text=開始する")
    assert "令和6年度(2024年度) 進捗調査" in admin.inner_text("h1")
    rows = admin.locator("table.board tbody tr")
    names = [rows.nth(i).locator("a").first.inner_text() for i in range(rows.count())]
    assert names, "every 係 with a 事業 has a sheet"
    board_url = admin.url

    covered: set[str] = set()
    for n, name in enumerate(names):
        staff = new_page(user_of("staff", name), width=390 if n == 1 else 1366)
        staff.goto(board_url)
        with staff.expect_navigation():
            staff.click(f'table.board a:has-text("{name}")')
        text = staff.inner_text("main")
        covered |= {key for key, title in expected.items() if title in text}
        if n == 0:
            with staff.expect_download() as download:
                staff.click("section.sheet-xlsx a.button")
            filled = tmp_path / download.value.suggested_filename
            filled.write_bytes(
                fill_in_excel(
                    Path(download.value.path()).read_bytes(),
                    evaluation="A",
                    done="Excelで報告した取組",
                )
            )
            filled = through_libreoffice(filled)
            staff.set_input_files("section.sheet-xlsx input[type=file]", str(filled))
            with staff.expect_navigation():
                staff.click("section.sheet-xlsx button[type=submit]")
            assert staff.input_value("textarea[name$='|done'] >> nth=0") == "Excelで報告した取組"
        else:
            fill_in_browser(staff)
        if n == 1:
            staff.screenshot(path=str(tmp_path / "sheet-390.png"), full_page=True)
        with staff.expect_navigation():
            staff.click("text=提出する")
        assert "提出済" in staff.inner_text("dl.facts"), staff.inner_text("main")[:2000]
        staff.context.close()
    assert covered == set(expected), sorted(set(expected) - covered)

    # The first sheet is returned, fixed in the browser, and every sheet approved.
    for n, name in enumerate(names):
        approver = new_page(user_of("approver", name))
        approver.goto(board_url)
        with approver.expect_navigation():
            approver.click(f'table.board a:has-text("{name}")')
        if n == 0:
            approver.fill("#return-comment", "評価の理由を取組状況に書いてください。")
            with approver.expect_navigation():
                approver.click("text=差し戻す")
            staff = new_page(user_of("staff", name))
            staff.goto(approver.url)
            assert "評価の理由を取組状況に書いてください。" in staff.inner_text("main")
            staff.locator("textarea[name^='i|'][name$='|done']").first.fill(
                "評価の理由: 予定した回数をすべて開いた"
            )
            with staff.expect_navigation():
                staff.click("text=提出する")
            assert "提出済" in staff.inner_text("dl.facts")
            staff.context.close()
            approver.reload()
        with approver.expect_navigation():
            approver.click("text=承認する")
        assert "承認済" in approver.inner_text("dl.facts"), approver.inner_text("main")[:2000]
        approver.context.close()

    # Closed, reported to the committee, published.
    admin.goto(board_url)
    with admin.expect_navigation():
        admin.click("a:has-text('終了する')")  # the confirmation page, then its button
    with admin.expect_navigation():
        admin.click("main button.primary:has-text('終了する')")
    assert "終了" in admin.inner_text("main")
    admin.goto(f"{server}/plans/{PLAN}/report/{FY}/")
    report = admin.inner_text("main")
    missing = [title for title in expected.values() if title not in report]
    assert missing == [], missing
    assert "評価の理由: 予定した回数をすべて開いた" in report
    admin.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    admin.goto(board_url)
    with admin.expect_navigation():
        admin.click("a:has-text('公開する')")
    with admin.expect_navigation():
        admin.click("main button.primary:has-text('公開する')")

    public = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    public.goto(f"{server}/public/")
    with public.expect_navigation():
        public.click("text=第3次みどり市地域福祉活動計画 >> nth=0")
    shown = public.inner_text("main")
    missing = [title for title in expected.values() if title not in shown]
    assert missing == [], missing
    assert "B 概ね実施" in shown and "評価の理由: 予定した回数をすべて開いた" in shown
    public.screenshot(path=str(tmp_path / "public-390.png"), full_page=True)
    assert outside == []


def test_a_copy_without_any_content_row_opens_its_round_with_every_project_on_a_sheet(
    council_server: str,
    browser,
) -> None:
    server = council_server
    expected = businesses()
    admin = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(admin, server, f"{ORG}-admin")
    admin.goto(f"{server}/plans/{COPY}/")
    admin.click("nav.plan-nav >> text=進捗調査")
    admin.select_option("#id_fy", str(FY))
    admin.fill("#id_deadline", "2027-01-31")
    with admin.expect_navigation():
        admin.click("text=開始する")
    assert "進捗調査" in admin.inner_text("h1"), admin.inner_text("main")[:1000]
    links = admin.locator("table.board tbody tr a")
    urls = [links.nth(i).get_attribute("href") for i in range(links.count())]
    covered: set[str] = set()
    for url in urls:
        admin.goto(server + url)
        text = admin.inner_text("main")
        assert "この項目には実施内容も指標もありません。" in text
        covered |= {key for key, title in expected.items() if title in text}
    assert covered == set(expected), sorted(set(expected) - covered)
