"""The design system as Chromium draws it: the tokens reach app.css, the phone menu starts folded
(nothing flashes open before a script runs), the wide header shows its links without a click, and
the focus ring is the design system's black outline."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

ADMIN = "nishitokyo-shakyo-admin"


def test_the_header_menu_is_folded_on_a_phone_and_open_on_a_wide_screen_without_script(
    server, browser
):
    # Script off: what a user sees before app.js runs.
    for width, links_shown in ((390, False), (1366, True)):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, java_script_enabled=False
        )
        page = context.new_page()
        log_in(page, server, ADMIN)
        page.goto(server + "/todo/")
        assert page.locator("header .site-links a").first.is_visible() is links_shown, width
        assert page.locator("header details.site-menu > summary").is_visible() is not links_shown
        if not links_shown:
            page.click("header details.site-menu > summary")
            assert page.locator("header .site-links a").first.is_visible()
        context.close()


def test_the_tokens_colour_the_page_and_the_focus_ring_is_the_design_systems(server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.goto(server + "/accounts/login/")
    header = "() => getComputedStyle(document.querySelector('header.site')).backgroundColor"
    assert page.evaluate(header) == "rgb(0, 23, 193)"  # --color-primitive-blue-900
    page.focus("#id_password")
    page.keyboard.press("Shift+Tab")  # keyboard focus: :focus-visible
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert outline == ["solid", "4px", "rgb(0, 0, 0)"]
