"""Every public page type passes axe-core's WCAG 2.0/2.1 A and AA rules in headless Chromium.

axe-core is vendored in tests/vendor/axe-core (see its README for version and licence).
Screenshots of the plan and item pages go to /tmp/public-preview/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM
from tests.public.rounds import ACTION, CITY

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
PREVIEW = Path("/tmp/public-preview")  # noqa: S108 - screenshots for a person to look at
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = {
    "index": "/public/",
    "plan": f"/public/{CITY}/",
    "plan-fy": f"/public/{CITY}/?fy=2019",
    "goal": f"/public/{CITY}/nodes/C1/",
    "city-policy": f"/public/{CITY}/nodes/C1-1/",
    "indicator": f"/public/{CITY}/indicators/I-1-2/",
    "action-plan": f"/public/{ACTION}/",
    "action-goal": f"/public/{ACTION}/nodes/P1/",
    "item": f"/public/{ACTION}/nodes/item-16/",
    "action-indicator": f"/public/{ACTION}/indicators/{{indicator}}/",
    "summary": f"/public/{ACTION}/2019/summary/",
}
SCREENSHOTS = {"plan", "goal", "item", "indicator", "action-plan"}


def readable(violations: list[dict]) -> str:
    """One paragraph per violation: rule, impact, help, and the first offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def first_indicator_key(page, server: str) -> str:
    page.goto(f"{server}/public/{ACTION}/nodes/item-16/")
    href = page.locator("table.indicators tbody th a").first.get_attribute("href")
    return href.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_axe_violations(browser, public_server, name):
    # axe-core is injected as a script of the test, which the product's CSP rightly refuses.
    page = browser.new_page(
        viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True
    )
    path = PAGES[name]
    if "{indicator}" in path:
        path = path.format(indicator=first_indicator_key(page, public_server))
    response = page.goto(public_server + path)
    assert response is not None and response.status == 200, path
    assert page.get_attribute("html", "lang") == "ja"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (rules) => await axe.run(document, {runOnly: {type: 'tag', values: rules}})",
        RULES,
    )
    if name in SCREENSHOTS:
        PREVIEW.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(PREVIEW / f"{name}.png"), full_page=True)
    page.close()
    assert result["passes"], "axe-core ran no rule"
    violations = result["violations"]
    assert not violations, f"{path}:\n{readable(violations)}"


def test_the_skip_link_is_first_and_moves_focus_to_main(browser, public_server):
    page = browser.new_page()
    page.goto(f"{public_server}/public/{CITY}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip" in focused
    assert page.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # visible
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.close()


def test_the_fy_picker_works_with_the_keyboard(browser, public_server):
    page = browser.new_page()
    page.goto(f"{public_server}/public/{CITY}/")
    page.focus("#fy-select")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "fy=2019" in page.url
    page.close()
