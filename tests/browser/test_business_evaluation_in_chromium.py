"""One 事務事業評価 sheet completed in headless Chromium, as the demo council would: the staff
member in charge fills it in and submits it, the 課長 sends it back once and then signs it, the
事務局長 signs it off from the to-do page; a committee member then reads the completed sheet and
the 方向性 carried into the next year."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_server,
    log_in,
)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

ORG = "nishitokyo-shakyo"
# When the demo register has no businesses yet, a few from the action plan's items (each with
# its first 担当課), then the demo evaluation year again: the FY2019 round with its sheets.
SEED = """
from shinchoku.businesses import demo_evaluation
from shinchoku.businesses.models import Business
from shinchoku.plans.models import Node, Plan
plan = Plan.objects.get(slug="nishitokyo-action-plan-2019")
if not Business.objects.filter(organization=plan.organization).exists():
    nodes = Node.objects.filter(plan=plan, departments__isnull=False).order_by("seq").distinct()
    for n, node in enumerate(nodes[:9], start=1):
        Business.objects.create(organization=plan.organization, code=f"B{n:02}", order=n,
                                name=node.title[:100], department=node.departments.first())
demo_evaluation.load()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("evaluation-data"), ["shell", "-c", SEED]) as base:
        yield base


def sheet_links(page, server: str) -> list[str]:
    page.goto(server + "/todo/")
    hrefs = page.eval_on_selector_all(
        "#todo-evaluations ~ ul a", "links => links.map(a => a.getAttribute('href'))"
    )
    return [h for h in hrefs if re.search(rf"/businesses/{ORG}/evaluations/\d+/\d+/$", h)]


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def message(page) -> str:
    return page.locator("ul.messages").inner_text()


def test_staff_chief_and_director_complete_one_sheet(server, chromium):
    context = chromium.get().new_context(locale="ja-JP")
    page = context.new_page()
    try:
        # the first demo 部署担当 with a sheet waiting, and the 承認者 of the same department
        for suffix in ("", "-2", "-3"):
            context.clear_cookies()
            log_in(page, server, f"{ORG}-staff{suffix}")
            links = sheet_links(page, server)
            if links:
                break
        assert links, "no demo evaluation sheet waits for a staff member"
        sheet = server + links[0]

        page.goto(sheet)
        page.fill("#self-purpose_target", "ひとり暮らし高齢者の孤立を防ぐ")
        page.fill("#self-activity", "見守り訪問 250件")
        page.fill("#self-outcome", "協力員が10人増えた")
        page.fill("#self-issues", "協力員の高齢化")
        submit(page, "button[value=save]")
        assert "下書きとして保存しました" in message(page)
        page.select_option("#self-judgement", "継続")
        page.fill("#self-reason", "地域の需要が高い")
        submit(page, "button[value=sign]")
        assert "自己評価を課長へ提出しました" in message(page)
        assert page.locator("#self-outcome").count() == 0  # locked once the chief's started

        context.clear_cookies()
        log_in(page, server, f"{ORG}-approver{suffix}")
        assert links[0] in sheet_links(page, server)
        page.goto(sheet)
        page.click("details.sheet-return summary")
        page.fill("#chief-return-returned_reason", "訪問件数の内訳を書いてください")
        submit(page, "details.sheet-return button")
        assert "差し戻しました" in message(page)

        context.clear_cookies()
        log_in(page, server, f"{ORG}-staff{suffix}")
        page.goto(sheet)
        assert "訪問件数の内訳を書いてください" in page.inner_text("main")
        page.fill("#self-activity", "見守り訪問 250件（定期 200件、臨時 50件）")
        submit(page, "button[value=sign]")
        assert "自己評価を課長へ提出しました" in message(page)

        context.clear_cookies()
        log_in(page, server, f"{ORG}-approver{suffix}")
        page.goto(sheet)
        page.select_option("#chief-judgement", "改善・見直し")
        page.fill("#chief-reason", "協力員の確保策を見直す")
        submit(page, "button[value=sign]")
        assert "事務局長へ送りました" in message(page)

        context.clear_cookies()
        log_in(page, server, f"{ORG}-director")
        assert links[0] in sheet_links(page, server)
        page.goto(sheet)
        page.select_option("#director-judgement", "継続")
        page.fill("#director-reason", "見直しを条件に継続する")
        submit(page, "button[value=sign]")
        assert "評価が完了しました" in message(page)

        context.clear_cookies()
        log_in(page, server, f"{ORG}-viewer")
        page.goto(sheet)
        text = page.inner_text("main")
        assert (
            "評価完了" in text and "方向性「継続」" in text and "令和2年度(2020年度)" in text
        )  # carried to FY+1 of the demo FY2019 round
        assert "定期 200件" in text and "見直しを条件に継続する" in text
        assert re.search(r"署名\s*事務局長\s*·", text)  # who signed the 総合評価
    finally:
        context.close()
