"""Every page type, signed in as the person who uses it, passes axe-core at 1366 px and 390 px.

The page types are those of the screenshots (scripts/page_types.py): one demo server, one
Chromium, each page checked against WCAG 2.0/2.1 A and AA (JIS X 8341-3) with the vendored
axe-core (tests/vendor/axe-core). A failure lists every rule broken, where, at which width.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scripts.page_types import PAGE_TYPES, PASSWORD, WIDTHS, setup_commands
from tests.browser.conftest import (
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_env,
    start_runserver,
    stop,
)
from tests.public.test_public_a11y import AXE, RULES

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]


@pytest.fixture(scope="module")
def a11y_server(tmp_path_factory) -> Iterator[str]:
    env = demo_env(tmp_path_factory.mktemp("a11y-data"), *setup_commands())
    process, base = start_runserver(env)
    try:
        yield base
    finally:
        stop(process)


def where(width: int, name: str, url: str, violations: list[dict]) -> list[str]:
    """One line per broken rule and node: width, page type, rule, element, what to fix."""
    lines = []
    for v in violations:
        for node in v["nodes"][:3]:
            summary = " ".join(node["failureSummary"].split())[:160]
            lines.append(
                f"{width}px {name} {url}: {v['id']} ({v['impact']}) "
                f"{', '.join(node['target'])}: {summary}"
            )
        if len(v["nodes"]) > 3:
            lines.append(f"{width}px {name}: {v['id']} … and {len(v['nodes']) - 3} more")
    return lines


def test_every_page_type_has_no_axe_violations(a11y_server: str, browser) -> None:
    base = a11y_server
    found: list[str] = []
    checked = 0
    pages: dict[str | None, object] = {}  # one tab per user, signed in once
    for pt in PAGE_TYPES:
        if pt.user not in pages:
            # axe-core is a script of the test, which the product's CSP rightly refuses.
            context = browser.new_context(locale="ja-JP", bypass_csp=True)
            context.add_init_script(path=str(AXE))  # in every page the tab opens
            pages[pt.user] = page = context.new_page()
            if pt.user:
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", pt.user)
                page.fill("#id_password", PASSWORD)
                with page.expect_navigation():
                    page.click("main button[type=submit]")
        page = pages[pt.user]
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(base + pt.path)
        if pt.follow:
            response = page.goto(base + page.locator(pt.follow).first.get_attribute("href"))
        if pt.click:
            page.click(pt.click)
            page.wait_for_selector(pt.wait_for)
        assert response is not None and response.status == pt.status, (pt.name, page.url)
        # Each width on the same page: the layout (and app.js) follow the resize.
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(150)  # app.js re-checks the table frames on resize
            result = page.evaluate(
                "async (rules) => await axe.run(document, "
                "{runOnly: {type: 'tag', values: rules}, resultTypes: ['violations']})",
                RULES,
            )
            url = page.url.removeprefix(base)
            found += where(width, pt.name, url, result["violations"])
            checked += 1
    assert checked == len(PAGE_TYPES) * len(WIDTHS)
    print(f"axe-core: {checked} pages checked, {len(found)} problems")
    assert not found, "axe-core violations:\n" + "\n".join(found)
