"""After the round: the committee's PDF, publishing, and what a citizen then sees.

On the demo's city plan (FY2019 approved, closed and published): the 管理者 withdraws the round
from the public pages (a citizen gets nothing), publishes it again (the citizen reads the figures
without logging in), and downloads the committee report as PDF from the progress pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

CITY = "nishitokyo-chiiki-fukushi-4"


def test_admin_publishes_the_round_a_citizen_reads_it_and_the_committee_gets_a_pdf(
    server: str,
    tmp_path: Path,
    browser,
) -> None:
    outside: list[str] = []
    admin = browser.new_page(viewport={"width": 1280, "height": 900})
    admin.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    log_in(admin, server, "nishitokyo-city-admin")
    citizen = browser.new_context().new_page()
    citizen.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))

    # Withdrawn from the public pages: a citizen finds nothing.
    admin.goto(f"{server}/plans/{CITY}/rounds/2019/")
    with admin.expect_navigation():
        admin.click("text=公開を取り下げる")  # the confirmation page says what will happen
    assert "公開ページとそのダウンロードから取り下げ" in admin.inner_text("main")
    with admin.expect_navigation():
        admin.click("main button.primary:has-text('公開を取り下げる')")
    assert citizen.goto(f"{server}/public/{CITY}/").status == 404

    # Published again: the citizen reads the approved figures without logging in.
    with admin.expect_navigation():
        admin.click("text=承認済みの内容を公開する")
    assert "ログインせずに誰でも閲覧できる公開ページ" in admin.inner_text("main")
    with admin.expect_navigation():
        admin.click("main button.primary:has-text('承認済みの内容を公開する')")
    assert "公開ページに掲載しました" in admin.inner_text("ul.messages")
    response = citizen.goto(f"{server}/public/")
    assert response.status == 200
    with citizen.expect_navigation():
        citizen.click("text=第4期西東京市地域福祉計画")
    assert "令和元年度(2019年度)" in citizen.inner_text("main")
    with citizen.expect_navigation():
        citizen.click("main a:has-text('一人一人が活躍する地域づくり')")
    page_text = citizen.inner_text("main")
    assert "20,135世帯" in page_text and "ボランティア" in page_text
    assert "ログアウト" not in citizen.content()
    citizen.screenshot(path=str(tmp_path / "public-goal.png"), full_page=True)
    citizen.goto(f"{server}/public/{CITY}/")
    with citizen.expect_download() as download:
        citizen.click("a[href$='data.csv'] >> nth=0")
    assert download.value.suggested_filename.endswith(".csv")
    assert Path(download.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")

    # The committee report: from the progress page to the PDF, with its progress shown.
    admin.goto(f"{server}/plans/{CITY}/progress/2019/")
    with admin.expect_navigation():
        admin.click("text=委員会資料")
    assert "基本目標１" in admin.inner_text("main")
    with admin.expect_navigation():
        admin.click("text=PDFをダウンロード")
    admin.wait_for_selector("#pdf-status a.button", timeout=60_000)
    with admin.expect_download() as download:
        admin.click("#pdf-status a.button")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    assert outside == []
