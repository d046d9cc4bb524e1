"""Click through the product in headless Chromium as a 管理者 would: log in, edit, see history.

Runs a real server (`shinchoku runserver`) on a fresh SQLite file with the demo data, so it does
not share the test database. Skips with a message when Chromium or Playwright is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]


def test_administrator_edits_a_schedule_cell_inline_and_sees_it_in_the_history(
    server: str,
    tmp_path: Path,
    browser,
) -> None:
    outside: list[str] = []
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    page.on(
        "request",
        lambda r: None if r.url.startswith(server) else outside.append(r.url),
    )
    page.goto(server + "/")
    # Japanese even though the browser asks for English; anonymous users log in first.
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "nishitokyo-shakyo-admin")
    page.fill("#id_password", "wrong")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "正しくありません" in page.content()
    page.fill("#id_password", "shinchoku-demo")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == server + "/"
    # The council's two plans, not the city's; and the editor link.
    assert "第4期西東京市地域福祉計画" not in page.content()
    page.goto(server + "/plans/nishitokyo-action-plan-2019/edit/nodes/item-16/")
    page.click("td.editable a >> nth=2")  # content 1, FY2021: opens the form in place (htmx)
    page.wait_for_selector("#edit-form input[name=text]")
    assert page.url.endswith("/edit/nodes/item-16/")  # no page change: an inline form
    page.fill("#edit-form input[name=text]", "見直し(ブラウザ)")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("ul.messages")
    assert "保存しました" in page.inner_text("ul.messages")
    assert "見直し(ブラウザ)" in page.inner_text("table.data >> nth=0")
    page.screenshot(path=str(tmp_path / "editor.png"), full_page=True)
    page.goto(server + "/plans/nishitokyo-action-plan-2019/nodes/item-16/history/")
    history = page.inner_text("main")
    assert "見直し(ブラウザ)" in history and "令和3年度(2021年度)" in history
    assert outside == []  # every asset is served by the product itself
