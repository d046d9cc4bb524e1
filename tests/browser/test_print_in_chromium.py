"""Printing from Chromium (issue 15 part 4): every page people print comes out as a clean A4.

One server (the demo with the action plan's FY2019 round open) and one browser print the
department's sheet (with a long text typed into a textarea and a status chosen), an item page,
the plan tree, the indicators, the roadmap, the progress view and the public plan page. Each
PDF is A4; in print media no navigation, button, search, menu or skip link is visible; every page
names the plan in its top margin and carries "page / pages"; the sheet fits in a few pages.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.browser.conftest import (
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_server,
    log_in,
)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

ACTION = "nishitokyo-action-plan-2019"
ACTION_TITLE = "第四次西東京市地域福祉活動計画を具現化するためのアクションプラン"
CITY = "nishitokyo-chiiki-fukushi-4"
CITY_TITLE = "第4期西東京市地域福祉計画"
OPEN_ROUND = [
    "round",
    "open",
    ACTION,
    "2019",
    "--deadline",
    "2020-05-31",
    "--user",
    "nishitokyo-shakyo-admin",
]
# (name, path, plan title, FY or period in the header, orientation)
PAGES = [
    ("sheet", f"/plans/{ACTION}/rounds/2019/sheets/6/", ACTION_TITLE, "令和元年度", "portrait"),
    ("item", f"/plans/{ACTION}/nodes/item-3/", ACTION_TITLE, "令和5年度", "portrait"),
    ("tree", f"/plans/{ACTION}/", ACTION_TITLE, "令和5年度", "portrait"),
    ("indicators", f"/plans/{ACTION}/indicators/", ACTION_TITLE, "令和5年度", "landscape"),
    ("roadmap", f"/plans/{ACTION}/roadmap/", ACTION_TITLE, "令和5年度", "landscape"),
    ("progress", f"/plans/{ACTION}/progress/2019/", ACTION_TITLE, "令和元年度", "landscape"),
    ("public", f"/public/{CITY}/", CITY_TITLE, "令和元年度", "portrait"),
]
A4 = (595, 842)  # points, portrait
# Nothing of these may show on paper: navigation, buttons, forms' chrome, search, menus, skip links.
CHROME = (
    "nav, header.site, footer.site, .skip, button, a.button, [role=search], form.filters, "
    "form.lang, input[type=file], details.site-menu, .sheet-actions, .toolbar"
)
VISIBLE = """(selector) => [...document.querySelectorAll(selector)].filter((e) => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden";
}).map((e) => e.outerHTML.slice(0, 80))"""
LONG_TEXT = "地域の関係機関と連携して相談会を開いた。" * 12 + "\n最後の行まで印刷される。"
SHEET_MAX_PAGES = 12
RADICALS = str.maketrans({"⻄": "西", "⻑": "長", "⻘": "青", "⻝": "食", "⻤": "鬼"})


@pytest.fixture(scope="module")
def printed(tmp_path_factory, chromium) -> dict[str, tuple[bytes, list[str]]]:
    """Each page's PDF and the elements of CHROME still visible in print media."""
    out: dict[str, tuple[bytes, list[str]]] = {}
    with demo_server(tmp_path_factory.mktemp("print-data"), OPEN_ROUND) as server:
        context = chromium.get().new_context(viewport={"width": 1366, "height": 900})
        try:
            page = context.new_page()
            log_in(page, server, "nishitokyo-shakyo-staff")
            for name, path, *_ in PAGES:
                assert page.goto(server + path).status == 200, path
                if name == "sheet":
                    page.locator("#sheet-form textarea").first.fill(LONG_TEXT)
                    page.locator("#sheet-form select").first.select_option("前倒し")
                page.emulate_media(media="print")
                visible = page.evaluate(VISIBLE, CHROME)
                pdf = page.pdf(prefer_css_page_size=True)
                page.emulate_media(media="screen")
                out[name] = (pdf, visible)
        finally:
            context.close()
    return out


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text without spaces; the radicals some CJK fonts' glyphs map to read as the
    ideographs they stand for (⼿ → 手 by NFKC, ⻄ → 西, which NFKC leaves as it is)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    texts = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in pages]
    return [re.sub(r"\s+", "", t).translate(RADICALS) for t in texts]


@pytest.mark.parametrize(("name", "path", "title", "when", "orientation"), PAGES)
def test_each_page_prints_on_a4_with_the_plan_and_page_numbers_and_no_chrome(
    printed, name, path, title, when, orientation
) -> None:
    pdf, visible = printed[name]
    assert visible == [], f"{name}: chrome visible in print: {visible}"
    reader = PdfReader(io.BytesIO(pdf))
    size = tuple(round(float(v)) for v in reader.pages[0].mediabox[2:])
    assert size == (A4 if orientation == "portrait" else A4[::-1]), (name, size)
    texts = page_texts(pdf)
    for number, text in enumerate(texts, start=1):
        assert title in text and when in text, f"{name}: page {number} has no header"
        assert f"{number}/{len(texts)}" in text, f"{name}: page {number} has no page number"
    print(f"{name}: {len(texts)} pages")


def test_the_sheet_prints_as_a_filled_in_form_in_a_few_pages(printed) -> None:
    pdf, _visible = printed["sheet"]
    texts = page_texts(pdf)
    whole = "".join(texts)
    assert "最後の行まで印刷される。" in whole  # the textarea printed in full
    assert "前倒し" in whole  # the select prints its chosen value
    assert "(選択)" not in whole and "（選択）" not in whole  # unchosen ones print blank
    assert "Excelで入力" not in whole  # the upload and download section is not printed
    print(f"sheet of the action plan, 福祉活動推進課: {len(texts)} pages")
    assert len(texts) <= SHEET_MAX_PAGES


def test_the_plan_tree_starts_each_goal_on_a_page(printed) -> None:
    texts = page_texts(printed["tree"][0])
    goals = [
        unicodedata.normalize("NFKC", g)
        for g in ("Ⅰ事業活動の再構築", "Ⅱ各種基盤の強化", "Ⅲ法人運営の適正化")
    ]
    pages = [next(n for n, t in enumerate(texts) if goal in t) for goal in goals]
    assert pages == sorted(set(pages)), pages  # three goals, three pages
    for n, goal in zip(pages[1:], goals[1:], strict=True):
        assert texts[n].index(goal) < 200, f"{goal} does not start page {n + 1}"
