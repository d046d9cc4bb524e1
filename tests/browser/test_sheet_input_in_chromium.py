"""Typing is never lost (issue 12 part 5), in headless Chromium on a fresh demo server.

The 部署担当 of 福祉活動推進課 types 5万円 into an indicator counted in 回, then text after it:
the draft save keeps the text, refuses the bad value and marks its field; after a reload the
text is there and the bad field is marked again with what was typed. Then, with every field
filled, 提出する pressed while a draft save is still on its way shows that it is waiting and
ends submitted (no conflict with our own autosave).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

PLAN = "nishitokyo-action-plan-2019"
FY = "2021"
ADMIN = "nishitokyo-shakyo-admin"
STAFF = "nishitokyo-shakyo-staff"  # the first department: 福祉活動推進課
SHOTS = os.environ.get("SHINCHOKU_SHOTS")  # a folder to save screenshots in, when set

# Every draft save leaves the browser 1.5 s late, as on a slow connection.
SLOW_SAVES = """
(() => {
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    window.setTimeout(() => send.call(this, body), 1500);
  };
})();
"""

# Fill every field of the sheet as a department would (plain numbers take the indicator's unit).
FILL_ALL = """
() => {
  const form = document.getElementById("sheet-form");
  form.querySelectorAll("select").forEach((s) => { if (!s.value) s.selectedIndex = 1; });
  form.querySelectorAll('input[name$="|actual"]').forEach((i) => { i.value = "3"; });
  form.querySelectorAll('input[type=radio][value="B"]').forEach((r) => { r.checked = true; });
}
"""


def shoot(page, name: str) -> None:
    if SHOTS:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=False)
        page.set_viewport_size({"width": 1366, "height": 900})


def test_typing_is_never_lost_and_submit_waits_for_the_save(server: str, browser) -> None:
    admin = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(admin, server, ADMIN)
    admin.goto(f"{server}/plans/{PLAN}/rounds/")
    admin.select_option("#id_fy", FY)
    admin.fill("#id_deadline", "2027-01-31")
    with admin.expect_navigation():
        admin.click("text=開始する")

    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    log_in(page, server, STAFF)
    page.goto(f"{server}/plans/{PLAN}/rounds/{FY}/")
    with page.expect_navigation():
        page.click('table.board a:has-text("福祉活動推進課")')
    sheet_url = page.url

    # 5万円 into an indicator in 回, then text after it in the item's 取組状況.
    actual = page.locator("fieldset.indicator-entry", has_text="(単位: 回)").first.locator(
        'input[name$="|actual"]'
    )
    name = actual.get_attribute("name")
    actual.fill("5万円")
    actual = page.locator(f'input[name="{name}"]')
    done = page.locator(
        f'section.sheet-item:has(input[name="{name}"]) textarea[name^="i|"][name$="|done"]'
    )
    done.fill("出張相談会を3回開いた")
    page.wait_for_selector(f'#save-status [data-field="{name}"]', timeout=10000)
    assert actual.get_attribute("aria-invalid") == "true"
    error = page.locator(f'[id="{name}|error"]')
    assert "万円" in error.inner_text() and "回" in error.inner_text()
    assert f"{name}|error" in actual.get_attribute("aria-describedby")
    status = page.locator("#save-status").inner_text()
    assert "保存されていません" in status and "万円" in status
    actual.scroll_into_view_if_needed()
    shoot(page, "refused-field")

    # Leaving at once (the text's own save is not due yet) and coming back: the text was
    # saved on the way out, the bad value is back and marked.
    done_name = done.get_attribute("name")
    page.goto(f"{server}/plans/{PLAN}/rounds/{FY}/")
    page.wait_for_timeout(1000)  # a person takes a moment before coming back
    page.goto(sheet_url)
    done = page.locator(f'textarea[name="{done_name}"]')
    assert done.input_value() == "出張相談会を3回開いた"
    actual = page.locator(f'input[name="{name}"]')
    assert actual.input_value() == "5万円"
    page.wait_for_selector(f'input[name="{name}"][aria-invalid="true"]', timeout=10000)
    assert "回" in page.locator(f'[id="{name}|error"]').inner_text()

    # Leaving while a draft save is still on its way (it has reached the server, its answer
    # has not come back): the save sent on the way out carries the same version and is
    # refused, so what was typed after it is kept for the tab, put back when the user comes
    # back, and saved then.
    held = []

    def hold_draft_saves(route):
        if route.request.method == "POST" and route.request.headers.get("hx-request"):
            held.append(route.fetch())  # saved by the server; the answer is held back
        else:
            route.continue_()

    page.goto(sheet_url)
    page.route(sheet_url, hold_draft_saves)
    done = page.locator(f'textarea[name="{done_name}"]')
    done.fill("出張相談会を3回開いた。延べ40人が参加した")
    done.dispatch_event("change")
    page.wait_for_selector("#sheet-form.htmx-request", state="attached")
    next_name = done_name.replace("|done", "|next")
    page.locator(f'textarea[name="{next_name}"]').fill("来年度は5回開く")
    for _ in range(50):  # let the held save reach the server
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the draft save reached the server"
    page.goto(f"{server}/plans/{PLAN}/rounds/{FY}/")
    page.unroute(sheet_url)
    page.goto(sheet_url)
    assert done.input_value() == "出張相談会を3回開いた。延べ40人が参加した"
    assert page.locator(f'textarea[name="{next_name}"]').input_value() == "来年度は5回開く"
    page.wait_for_selector(f'#save-status [data-field="{name}"]', timeout=15000)
    page.goto(sheet_url)  # what the server now holds
    assert done.input_value() == "出張相談会を3回開いた。延べ40人が参加した"
    assert page.locator(f'textarea[name="{next_name}"]').input_value() == "来年度は5回開く"
    # The refused 5万円 is put back and saved again: let that save land before leaving.
    page.wait_for_selector(f'#save-status [data-field="{name}"]', timeout=15000)

    # Everything filled; a draft save is on its way when 提出する is pressed.
    page.add_init_script(SLOW_SAVES)
    page.goto(sheet_url)
    page.evaluate(FILL_ALL)
    page.locator(f'input[name="{name}"]').dispatch_event("change")
    page.wait_for_selector("#sheet-form.htmx-request", state="attached")
    submit = page.locator("button[data-submit-sheet]")
    with page.expect_navigation(timeout=20000):
        submit.click()
        assert submit.inner_text() == "提出しています…"
        assert submit.get_attribute("aria-disabled") == "true"
        assert page.locator("#sheet-form").get_attribute("aria-busy") == "true"
        submit.scroll_into_view_if_needed()
        shoot(page, "submitting")
    assert page.url == sheet_url, page.locator("main").inner_text()[:1500]
    page.wait_for_selector("span.status-submitted", timeout=15000)
    text = page.locator("main").inner_text()
    assert "別の人" not in text and "変更しています" not in text
    assert "提出しました" in text or "提出済" in text
    shoot(page, "submitted")
