"""Last year beside this year, in headless Chromium on a fresh demo server.

The demo's city plan has its FY2019 round approved; the 管理者 opens FY2020, and a department's
sheet shows FY2019's 取組状況 / 今後の展開 beside each indicator. 「前年度の内容を写す」 fills the
empty field, asks before replacing typed text, and the draft save stores the copy.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

CITY = "nishitokyo-chiiki-fukushi-4"
ADMIN = "nishitokyo-city-admin"


def test_a_department_copies_last_years_texts_and_the_draft_keeps_them(
    server: str,
    tmp_path: Path,
    browser,
) -> None:
    shots = Path(os.environ.get("SHINCHOKU_SHOTS", tmp_path))  # set it to look at them
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    log_in(page, server, ADMIN)
    page.goto(f"{server}/plans/{CITY}/rounds/")
    page.select_option("#id_fy", "2020")
    page.fill("#id_deadline", "2021-05-31")
    with page.expect_navigation():
        page.click("text=開始する")
    assert "令和2年度(2020年度)" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("table.board tbody tr >> nth=0 >> a")

    block = page.locator(".last-year").first
    assert "前年度（令和元年度）の内容" in block.inner_text()
    button = block.locator("button[data-copy-last]")
    assert button.is_visible() and button.inner_text() == "前年度の内容を写す"
    prefix = button.get_attribute("data-copy-last")
    last_done = button.get_attribute("data-done")
    last_next = button.get_attribute("data-next")
    assert last_done or last_next
    page.screenshot(path=str(shots / "last-year-1366.png"), full_page=False)
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "last-year-1366-block.png"))

    done = page.locator(f'[id="{prefix}|done"]')
    nxt = page.locator(f'[id="{prefix}|next"]')

    def saved(r) -> bool:
        return r.request.method == "POST" and r.status == 200

    with page.expect_response(saved, timeout=15000):
        done.fill("今年、自分で書いた")
        done.blur()
    # Typed text is replaced only when the user says so: dismissed, it stays.
    page.once("dialog", lambda d: d.dismiss())
    with page.expect_response(saved, timeout=15000):  # saved as a draft like typing
        button.click()
    assert done.input_value() == "今年、自分で書いた"
    assert nxt.input_value() == (last_next or "")
    page.wait_for_timeout(2500)  # the typing trigger's own delayed save, if any
    page.reload()
    assert page.locator(f'[id="{prefix}|next"]').input_value() == (last_next or "")
    assert page.locator(f'[id="{prefix}|done"]').input_value() == "今年、自分で書いた"
    # Accepted, it replaces.
    page.once("dialog", lambda d: d.accept())
    page.locator(f'button[data-copy-last="{prefix}"]').click()
    assert page.locator(f'[id="{prefix}|done"]').input_value() == (last_done or "")

    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".last-year").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "last-year-390.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    assert not errors, errors
