"""A 管理者 loads a plan from a workbook in headless Chromium: errors with cells, preview, load."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shinchoku.plans.workbook import write_workbook
from tests.browser.conftest import SKIP_IN_POSTGRESQL_PASS, SKIP_WITHOUT_CHROMIUM, log_in
from tests.factories import plan_doc

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]


def test_administrator_uploads_a_workbook_fixes_it_and_loads_it(
    server: str,
    tmp_path: Path,
    browser,
) -> None:
    good = tmp_path / "新しい計画.xlsx"
    good.write_bytes(write_workbook(plan_doc(slug="browser-plan", org_slug="nishitokyo-shakyo")))
    wb = load_workbook(io.BytesIO(good.read_bytes()))
    wb["体系"]["E3"] = None
    wb["実施内容"]["D2"] = "新"
    bad = tmp_path / "間違いのある計画.xlsx"
    wb.save(bad)
    outside: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
    log_in(page, server, "nishitokyo-shakyo-admin")
    page.goto(server + "/")  # the plan list (logging in lands on the to-do page)
    page.click("text=計画ワークブック")
    assert page.url.endswith("/workbook/")
    # The blank template downloads as a file.
    with page.expect_download() as download:
        page.click("form.filters button[type=submit]")
    assert download.value.suggested_filename.endswith(".xlsx")
    # A workbook with two mistakes: both listed with sheet and cell, nothing loaded.
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("form[enctype] button.primary")
    problems = page.inner_text("section.problems")
    assert "体系" in problems and "E3" in problems and "タイトルを入力してください。" in problems
    assert "実施内容" in problems and "D2" in problems
    page.screenshot(path=str(tmp_path / "workbook-problems.png"), full_page=True)
    # The corrected workbook: a preview first, then loaded on confirmation.
    page.set_input_files("input[type=file]", str(good))
    with page.expect_navigation():
        page.click("form[enctype] button.primary")
    assert "新しい計画として登録されます。" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "workbook-preview.png"))
    with page.expect_navigation():
        page.click("button.primary")
    assert page.url.endswith("/plans/browser-plan/")
    assert "テスト計画" in page.inner_text("h1")
    with page.expect_download() as download:
        page.click("text=Excelでダウンロード")
    assert download.value.suggested_filename.endswith("_計画ワークブック.xlsx")
    assert outside == []
