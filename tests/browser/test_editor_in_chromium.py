"""Click through the product in headless Chromium as a 管理者 would: log in, edit, see history.

Runs a real server (`shinchoku runserver`) on a fresh SQLite file with the demo data, so it does
not share the test database. Skips with a message when Chromium or Playwright is not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    script = Path(sys.executable).with_name("shinchoku")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHINCHOKU_DATA_DIR"] = str(tmp_path_factory.mktemp("browser-data"))
    for args in (["migrate", "--noinput"], ["load-demo", "--if-empty"]):
        subprocess.run([str(script), *args], env=env, cwd=REPO, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [str(script), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urlopen(base + "/accounts/login/", timeout=1)  # noqa: S310 - our own local server
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_administrator_edits_a_schedule_cell_inline_and_sees_it_in_the_history(
    server: str, tmp_path: Path
) -> None:
    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
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
        browser.close()
    assert outside == []  # every asset is served by the product itself
