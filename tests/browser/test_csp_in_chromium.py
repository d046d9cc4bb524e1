"""The Content-Security-Policy blocks nothing the product needs: headless Chromium opens the main
pages as a 管理者 and the console reports no CSP violation; htmx and the page scripts still run."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

ADMIN = "nishitokyo-shakyo-admin"
PLAN = "nishitokyo-action-plan-2019"
CITY_ADMIN = "nishitokyo-city-admin"
REPORT = "/plans/nishitokyo-chiiki-fukushi-4/report/2019/"  # the city's demo round of FY2019
PAGES = [
    "/",
    f"/plans/{PLAN}/",
    f"/plans/{PLAN}/edit/",
    f"/plans/{PLAN}/indicators/",
    f"/plans/{PLAN}/progress/",
    f"/plans/{PLAN}/report/",
    "/dashboard/",
    "/todo/",
    "/accounts/password/",
    "/accounts/locked/",
    "/no-such-page/",
    "/public/",
]


def test_no_page_breaks_the_content_security_policy(server, browser):
    violations: list[str] = []

    def new_page():
        page = browser.new_context().new_page()
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    page = new_page()
    log_in(page, server, ADMIN)
    for path in PAGES:
        response = page.goto(server + path)
        assert response is not None and "default-src 'self'" in response.headers.get(
            "content-security-policy", ""
        ), path
        # htmx (on the product's pages) loaded from its file and configured by the meta tag
        config = "() => window.htmx ? htmx.config.includeIndicatorStyles : false"
        assert page.evaluate(config) is False, path
        # the stylesheet applied (not blocked)
        assert page.evaluate("() => document.styleSheets.length") >= 1, path
    # the committee report's print button works through app.js, not an onclick
    page = new_page()
    log_in(page, server, CITY_ADMIN)
    page.goto(server + REPORT)
    page.evaluate("() => { window.printed = 0; window.print = () => window.printed++; }")
    page.click("button[data-print]")
    assert page.evaluate("() => window.printed") == 1
    assert violations == []
