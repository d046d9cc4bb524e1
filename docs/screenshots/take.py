"""Take the README's screenshots from a running demo server (make run), in Debian's Chromium.

    .venv/bin/python docs/screenshots/take.py [http://127.0.0.1:8000]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
HERE = Path(__file__).parent
CITY = "nishitokyo-chiiki-fukushi-4"

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium")
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page.goto(BASE + "/accounts/login/")
    page.fill("#id_username", "nishitokyo-city-admin")
    page.fill("#id_password", "shinchoku-demo")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(f"{BASE}/plans/{CITY}/nodes/C1/")
    page.screenshot(path=str(HERE / "item-page.png"), full_page=True)
    page.goto(f"{BASE}/plans/{CITY}/progress/2019/")
    page.screenshot(path=str(HERE / "progress-overview.png"))
    public = browser.new_page(viewport={"width": 1280, "height": 1100})
    public.goto(f"{BASE}/public/{CITY}/")
    public.screenshot(path=str(HERE / "public-plan.png"))
    browser.close()
