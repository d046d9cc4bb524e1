"""Tables that fit (issue 15 part 2), measured in headless Chromium at 1366 and 390 px.

On the demo action plan and on the fixture council's plan (tests/fixtures/other_shape_plan.xlsx,
事業 rows and no indicators), each with an open round: the indicators, roadmap, years, plan tree,
department sheet and board pages, and the city plan's committee report. On every page no table is
cut: a wide table scrolls sideways inside its own frame (a focusable, labelled region), the page
itself never scrolls sideways, the first column keeps a readable width and stays in view when the
frame scrolls. The sheet's sticky bar never covers the row the user goes to; an editor form opens
in view with the focus on its field (labelled 目標値 for a target), and Esc gives the focus back.

Screenshots go to SHINCHOKU_SHOTS (a directory) when it is set, else to the test's tmp dir.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_env,
    log_in,
    start_runserver,
    stop,
)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
ACTION = "nishitokyo-action-plan-2019"
COUNCIL = "midori-katsudo-3"
CITY = "nishitokyo-chiiki-fukushi-4"
MIN_FIRST_COLUMN_EM = 8  # the first column of a framed table: at least 8 characters wide

PAGES = {
    "nishitokyo-shakyo-admin": [
        f"/plans/{ACTION}/indicators/",
        f"/plans/{ACTION}/roadmap/",
        f"/plans/{ACTION}/years/",
        f"/plans/{ACTION}/",
        f"/plans/{ACTION}/rounds/2019/sheets/7/",
        f"/plans/{ACTION}/rounds/2019/",
        "/audit/",
        "/staff/nishitokyo-shakyo/",
    ],
    "midori-shakyo-admin": [
        f"/plans/{COUNCIL}/roadmap/",
        f"/plans/{COUNCIL}/",
        f"/plans/{COUNCIL}/rounds/2024/sheets/15/",
        f"/plans/{COUNCIL}/rounds/2024/",
    ],
    "nishitokyo-city-admin": [
        f"/plans/{CITY}/report/2019/",
        f"/plans/{CITY}/rounds/2019/",
        "/",
        f"/plans/{CITY}/nodes/C1/",
        f"/plans/{CITY}/report/final/",
        f"/plans/{CITY}/opinions/",
        f"/public/{CITY}/nodes/C1/",  # the public goal page (was 425 px wide at 390)
    ],
}

# Every table of the page: where it is, whether it is framed, its first column's width in em.
MEASURE = r"""() => {
  const vw = document.documentElement.clientWidth;
  const tables = [];
  for (const t of document.querySelectorAll('main table')) {
    if (t.closest('.chart-figure')) continue;  // a chart's own small data table
    const frame = t.closest('.table-frame');
    const box = t.getBoundingClientRect();
    const head = t.querySelector('tbody tr > th[scope=row]');
    const fs = parseFloat(getComputedStyle(t).fontSize);
    tables.push({
      cls: t.className, width: Math.round(box.width), right: box.right,
      framed: !!frame,
      region: frame
        ? [frame.getAttribute('role'), frame.tabIndex, frame.getAttribute('aria-label')]
        : null,
      frameWidth: frame ? frame.clientWidth : null, scrollWidth: frame ? frame.scrollWidth : null,
      stick: frame ? /stick-[12]/.test(frame.className) : false,
      firstEm: head && frame && /stick-1/.test(frame.className)
        ? head.getBoundingClientRect().width / fs : null,
    });
  }
  // Filter selects (the roadmap's 結び付く目標, the opinions' 基本目標) stay within the window.
  const selects = [...document.querySelectorAll('main select')]
    .filter(s => !s.closest('.table-frame'))
    .map(s => s.getBoundingClientRect().right).filter(r => r > vw + 1);
  const root = document.documentElement;
  return {docWidth: root.scrollWidth, vw, height: root.scrollHeight, tables, selects};
}"""

# Scroll each frame sideways; how far its first column moved from the frame's edge.
STICKY = r"""() => {
  const out = [];
  for (const f of document.querySelectorAll('.table-frame.stick-1')) {
    if (f.scrollWidth <= f.clientWidth) continue;
    f.scrollLeft = 150;
    const cell = f.querySelector('tbody tr > :first-child');
    out.push(Math.abs(cell.getBoundingClientRect().left - f.getBoundingClientRect().left));
    f.scrollLeft = 0;
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("tables-data")
    deadline = ["--deadline", "2027-06-30"]
    env = demo_env(
        data,
        ["import", str(FIXTURE)],
        ["create-demo-users", "--org", "midori-shakyo"],
        ["round", "open", ACTION, "2019", *deadline, "--user", "nishitokyo-shakyo-admin"],
        ["round", "open", COUNCIL, "2024", *deadline, "--user", "midori-shakyo-admin"],
        ["round", "open", CITY, "2023", "--final", *deadline, "--user", "nishitokyo-city-admin"],
    )
    process, base = start_runserver(env)
    try:
        yield base
    finally:
        stop(process)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("SHINCHOKU_SHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        return Path(wanted)
    return tmp_path_factory.mktemp("tables-shots")


def _page(browser, server: str, user: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, user)
    return context, page


def _name(url: str) -> str:
    return url.strip("/").replace("/", "_")


@pytest.mark.parametrize("width", [1366, 390])
def test_no_table_is_cut_and_first_columns_stay_readable(browser, server, shots, width):
    report = []
    for user, urls in PAGES.items():
        context, page = _page(browser, server, user, width)
        try:
            for url in urls:
                page.goto(server + url)
                m = page.evaluate(MEASURE)
                page.screenshot(path=str(shots / f"tables-{_name(url)}-{width}.png"))
                report.append((url, m["height"], [(t["cls"], t["width"]) for t in m["tables"]]))
                # The page never scrolls sideways: only a table's frame does.
                assert m["docWidth"] <= m["vw"], (url, m)
                assert not m["selects"], (url, m["selects"])
                for t in m["tables"]:
                    if t["framed"]:
                        role, tabindex, label = t["region"]
                        assert role == "region" and tabindex == 0 and label, (url, t)
                    else:
                        assert t["right"] <= m["vw"] + 1, (url, t)  # fits as it is
                    if t["firstEm"] is not None:
                        assert t["firstEm"] >= MIN_FIRST_COLUMN_EM, (url, t)
                # The first column stays at the frame's left edge when the frame scrolls.
                assert all(moved <= 2 for moved in page.evaluate(STICKY)), url
        finally:
            context.close()
    print(f"\nwidth {width}:")
    for url, height, tables in report:
        print(f"  {url} height={height} tables={tables}")


def test_the_indicator_tables_fit_their_columns_at_1366(browser, server):
    context, page = _page(browser, server, "nishitokyo-shakyo-admin", 1366)
    try:
        page.goto(server + f"/plans/{ACTION}/indicators/")
        # Grouped by goal with an in-page contents; every FY column is inside the frame's width.
        goals = page.locator("nav.goal-toc a").count()
        assert goals == page.locator("section.goal-group").count() >= 3
        widths = page.evaluate(
            "() => [...document.querySelectorAll('.table-frame')]"
            ".map(f => [f.scrollWidth, f.clientWidth])"
        )
        assert all(sw <= cw for sw, cw in widths), widths
        assert page.locator("p.to-top a").first.inner_text() == "ページの先頭へ"
        # The contents lead to the goal's table.
        page.locator("nav.goal-toc a").nth(1).click()
        top = page.evaluate(
            "() => document.querySelectorAll('section.goal-group')[1].getBoundingClientRect().top"
        )
        assert 0 <= top < 100
    finally:
        context.close()


def test_the_sheet_bar_never_covers_the_row_the_user_goes_to(browser, server, shots):
    for width in (1366, 390):
        context, page = _page(browser, server, "nishitokyo-shakyo-admin", width)
        try:
            page.goto(server + f"/plans/{ACTION}/rounds/2019/sheets/7/")
            bar = page.locator(".sheet-actions")
            row = page.locator("table.sheet-contents tbody tr").first
            # Going to the first row (an anchor, a search, a scroll to it) leaves it above the bar.
            row.evaluate("r => r.scrollIntoView({block: 'end'})")
            assert row.bounding_box()["y"] + row.bounding_box()["height"] <= bar.bounding_box()["y"]
            # Tabbing to its status field does too, wherever the page was.
            page.evaluate("() => window.scrollTo(0, 0)")
            page.locator("table.sheet-contents select").first.focus()
            field = page.locator("table.sheet-contents select").first.bounding_box()
            assert field["y"] + field["height"] <= bar.bounding_box()["y"], (width, field)
            page.screenshot(path=str(shots / f"tables-sheet-bar-{width}.png"))
        finally:
            context.close()


def test_an_editor_form_opens_in_view_with_the_focus(browser, server, shots):
    context, page = _page(browser, server, "nishitokyo-shakyo-admin", 1366)
    try:
        page.goto(server + f"/plans/{ACTION}/indicators/")
        key = page.locator("table.indicators tbody td a").first.get_attribute("href").split("/")[-2]
        page.goto(server + f"/plans/{ACTION}/edit/nodes/{key}/")
        cell = page.locator("td.editable a[href*='/targets/']").last
        cell.scroll_into_view_if_needed()
        cell.click()
        form = page.locator("#edit-form")
        form.wait_for()
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.id === 'id_text'"
        )
        box = form.bounding_box()
        assert 0 <= box["y"] and box["y"] + 40 <= 900, box  # opened in view, not at y = −750
        label = page.locator("label[for=id_text]").inner_text()
        assert label.startswith("目標値"), label
        page.screenshot(path=str(shots / "tables-editor-form-1366.png"))
        page.keyboard.press("Escape")
        assert page.locator("#edit-form").count() == 0
        assert page.evaluate("() => document.activeElement.closest('td.editable') !== null")
        # A section's 編集 opens its form under it; 取消 gives the focus back to the link.
        edit = page.locator(".edit-block .row-actions a[hx-get]").first
        edit.click()
        page.wait_for_function("() => document.activeElement && document.activeElement.id")
        box = page.locator("#edit-form").bounding_box()
        assert 0 <= box["y"] < 900 and box["y"] >= edit.bounding_box()["y"], box
        page.locator("#edit-form .actions a").click()
        assert page.locator("#edit-form").count() == 0
        assert page.evaluate("() => document.activeElement.matches('.row-actions a[hx-get]')")
    finally:
        context.close()


def test_small_things_at_1366_and_390(browser, server, shots):
    """E-mail addresses whole, the public breadcrumb on the content's edge, the days left beside
    the deadline on a phone."""
    context, page = _page(browser, server, "nishitokyo-shakyo-admin", 1366)
    try:
        page.goto(server + "/staff/nishitokyo-shakyo/")
        lines = page.evaluate(
            "() => [...document.querySelectorAll('td.email')].map(td => {"
            " const r = document.createRange(); r.selectNodeContents(td);"
            " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; })"
        )
        assert lines and max(lines) == 1, lines  # each address on one line
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server + f"/public/{CITY}/")
            crumb = page.locator("nav.crumbs li").first.bounding_box()["x"]
            heading = page.locator("main h1").bounding_box()["x"]
            assert abs(crumb - heading) <= 1, (width, crumb, heading)
    finally:
        context.close()
    context, page = _page(browser, server, "nishitokyo-shakyo-staff-3", 390)
    try:
        page.goto(server + "/todo/")
        date = page.locator(".todo-when .todo-date").first.bounding_box()
        left = page.locator(".todo-when .deadline").first.bounding_box()
        assert abs(date["y"] - left["y"]) <= 2, (date, left)  # あと…日 on the date's line
        page.screenshot(path=str(shots / "tables-todo-390.png"))
    finally:
        context.close()
