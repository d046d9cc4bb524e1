"""Act (issue 13) as a new user does it, in headless Chromium.

On the demo action plan (nishitokyo-action-plan-2019, FY2019–2023): the committee's FY2019
opinions are recorded (by the 管理者 from the minutes and by a committee member), answered by the
departments and closed or declined; the final evaluation (最終評価) is filled by the three
departments and approved; the FY2024–2028 draft plan is made from it with lineage, the carried
baseline and the 前計画の評価 table.

On the fixture council's plan (tests/fixtures/other_shape_plan.xlsx): a workbook naming a plan of
another body (整合) is refused until the 管理者 registers that plan; then it loads and the
consistency matrix shows the two plans side by side.

Screenshots go to SHINCHOKU_SHOTS (a directory) when it is set, else to the test's tmp dir.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import (
    REPO,
    SKIP_IN_POSTGRESQL_PASS,
    SKIP_WITHOUT_CHROMIUM,
    demo_server,
    log_in,
)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [SKIP_WITHOUT_CHROMIUM, SKIP_IN_POSTGRESQL_PASS]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
ORG = "nishitokyo-shakyo"
PLAN = "nishitokyo-action-plan-2019"
NEXT = "nishitokyo-action-plan-2024"
COUNCIL = "midori-shakyo"
COUNCIL_PLAN = "midori-katsudo-3"
OUTSIDE = "midori-city-chiiki-2021"
# The department of each staff / approver user of the demo organization.
DEPARTMENTS = {"福祉活動推進課": "", "福祉支援課": "-2", "総務課": "-3"}


def _cli(data: Path, *args: str) -> None:
    """A `shinchoku` command on the test's data directory (as demo_server runs them)."""
    script = Path(sys.executable).with_name("shinchoku")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SHINCHOKU_DATA_DIR=str(data), PYTHONPATH=str(REPO))
    subprocess.run([str(script), *args], env=env, cwd=REPO, check=True, capture_output=True)


def with_actuals(data: Path) -> Path:
    """The demo action plan's workbook with the actuals of item 1's indicator (FY2022, FY2023).

    The demo has no yearly round on the action plan; these stand for the figures its rounds
    would have approved, so that the next plan has a last actual to carry as its baseline.
    """
    path = data / "action-plan.xlsx"
    _cli(data, "migrate", "--noinput")
    _cli(data, "load-demo", "--if-empty")
    _cli(data, "export", PLAN, "--format", "xlsx", "-o", str(path))
    wb = load_workbook(path)
    wb["実績"].append(["I-1-1", 2022, "10回", None])
    wb["実績"].append(["I-1-1", 2023, "12回", None])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def act_server(tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("act-data")
    extra = (
        ["import", "--replace", str(with_actuals(data))],
        ["import", str(FIXTURE)],
        ["create-demo-users", "--org", COUNCIL],
    )
    with demo_server(data, *extra) as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium) -> Iterator[object]:
    """The shared Chromium; the module's signed-in contexts (_sessions) last for its tests."""
    yield chromium.get()
    for session in _sessions.values():
        session.context.close()
    _sessions.clear()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("SHINCHOKU_SHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        return Path(wanted)
    return tmp_path_factory.mktemp("act-shots")


class Session:
    """A logged-in user's browser context; requests to other hosts are collected."""

    def __init__(self, browser, server: str, user: str | None, width: int = 1366) -> None:
        self.server = server
        self.outside: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on(
            "request", lambda r: None if r.url.startswith(server) else self.outside.append(r.url)
        )
        if user:
            log_in(self.page, server, user)

    def go(self, path: str) -> None:
        response = self.page.goto(self.server + path)
        assert response is not None and response.status == 200, (path, response and response.status)

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)

    def main(self) -> str:
        return self.page.inner_text("main")

    def shoot(self, directory: Path, name: str, at: str = "main h1") -> None:
        """The viewport at 1366 and 390 px, scrolled so that `at` is at the top."""
        for width, height in ((1366, 900), (390, 844)):
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.locator(at).first.evaluate(
                "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 12)"
            )
            self.page.screenshot(path=str(directory / f"act-{name}-{width}.png"))
        self.page.set_viewport_size({"width": 1366, "height": 900})


_sessions: dict[tuple[str, str], Session] = {}


def as_user(browser, server: str, user: str) -> Session:
    """The user's logged-in session, made on first use and kept for the module."""
    if (server, user) not in _sessions:
        _sessions[server, user] = Session(browser, server, user)
    return _sessions[server, user]


def foreign_requests() -> list[str]:
    """Requests any page made to another host (none: no CDN, no network)."""
    return [url for s in _sessions.values() for url in s.outside]


def enter_opinion(s: Session, text: str, target: str, department: str | None, author: str) -> str:
    """From the plan page: 意見・助言 → 意見を登録 → the form; returns the opinion's URL."""
    s.go(f"/plans/{PLAN}/")
    s.click("nav.plan-nav >> text=意見・助言")
    s.click("text=意見を登録")
    page = s.page
    page.select_option("#opinion-fy", "2019")
    page.select_option("#opinion-target", target)
    page.fill("#opinion-text", text)
    if department is not None:
        page.select_option("#opinion-department", label=department)
    if page.locator("#opinion-author").count():  # a committee member enters under own name
        page.fill("#opinion-author", author)
    s.click("form.edit-form button.primary")
    assert "/opinions/2019/" in page.url, s.main()[:1500]
    assert text in s.main()
    return page.url.removeprefix(s.server)


def answer_opinion(s: Session, url: str, policy: str, action: str) -> None:
    s.go(url)
    s.page.fill("#answer-policy", policy)
    s.page.fill("#answer-action", action)
    s.click("text=対応を保存")


def set_status(s: Session, url: str, status: str, reason: str = "") -> None:
    s.go(url)
    s.page.check(f"input[name=status][value={status}]")
    if reason:
        s.page.fill("#status-reason", reason)
    s.click("text=状況を変更する")


def user(role: str, department: str) -> str:
    return f"{ORG}-{role}{DEPARTMENTS[department]}"


def check_opinions(browser, server: str, shots: Path) -> None:
    """FY2019's opinions: entered, assigned, answered, closed or declined; list and history."""
    admin = as_user(browser, server, f"{ORG}-admin")
    on_plan = enter_opinion(
        admin,
        "計画全体の進捗を社協だよりで市民に分かりやすく伝えてほしい。",
        "",
        "総務課",
        "委員長",
    )
    on_item = enter_opinion(
        admin,
        "相談につながっていない世帯への訪問を強めてほしい。",
        "node:item-1",
        "福祉活動推進課",
        "A委員",
    )
    assert "生活困窮者自立相談支援事業" in admin.page.inner_text("h1")
    member = as_user(browser, server, f"{ORG}-viewer")
    by_member = enter_opinion(
        member, "貸付後の相談支援の状況も報告してほしい。", "node:item-2", None, "B委員"
    )
    assert "委員が入力" in member.main()
    # The 管理者 assigns the member's opinion to the department that runs the item.
    admin.go(by_member)
    admin.page.select_option("#assign-department", label="福祉支援課")
    admin.click("text=割り当てる")
    assert "福祉支援課" in admin.page.inner_text("dl.facts")

    # The item's department answers, works on it and closes it.
    staff = as_user(browser, server, user("staff", "福祉活動推進課"))
    answer_opinion(
        staff,
        on_item,
        "地域福祉コーディネーターと連携し、訪問の対象を広げる。",
        "令和2年度から未相談世帯への戸別訪問を始めた。",
    )
    assert "対応中" in staff.page.inner_text("dl.facts")
    set_status(staff, on_item, "done")
    assert "対応済" in staff.page.inner_text("dl.facts")
    history = staff.page.inner_text("ol.history")
    assert "対応中" in history and "対応済" in history, history
    assert "令和2年度から未相談世帯への戸別訪問を始めた。" in history
    staff.shoot(shots, "opinion")

    # 総務課 declines the plan-wide one, with its reason (refused first without it).
    general = as_user(browser, server, user("staff", "総務課"))
    set_status(general, on_plan, "declined")
    assert "見送りの理由" in general.page.inner_text("[role=alert]")
    general.page.check("input[name=status][value=declined]")
    general.page.fill("#status-reason", "社協だよりの紙面が限られるため、ホームページで伝える。")
    general.click("text=状況を変更する")
    assert "見送り" in general.page.inner_text("dl.facts")

    # The list, filtered by status, as the 管理者 uses it.
    admin.go(f"/plans/{PLAN}/opinions/")
    for status, shown, hidden in (
        ("対応済", "相談につながっていない世帯", "社協だより"),
        ("見送り", "社協だより", "相談につながっていない世帯"),
        ("未対応", "貸付後の相談支援", "社協だより"),
    ):
        admin.page.select_option("select[name=status]", label=status)
        admin.click("form.filters button[type=submit]")
        listed = admin.main()
        assert shown in listed and hidden not in listed, (status, listed[:1500])


def fill_final_sheet(s: Session) -> int:
    """Every item of the sheet: その後の取組, 評価・課題, 状況; returns the number of items."""
    page = s.page
    followups = page.locator("textarea[name$='|followup']")
    for n, area in enumerate(followups.all()):
        area.fill(f"計画期間を通じて事業を実施した（{n + 1}）。")
    for area in page.locator("textarea[name$='|issues']").all():
        area.fill("担い手の確保が引き続き課題である。")
    for select in page.locator("select[name$='|final_status']").all():
        select.select_option("一部実施")
    return followups.count()


def check_final_evaluation(browser, server: str, shots: Path) -> None:
    """The 管理者 starts it, each department fills and submits, the approvers approve."""
    admin = as_user(browser, server, f"{ORG}-admin")
    admin.go(f"/plans/{PLAN}/")
    admin.click("nav.plan-nav >> text=進捗調査")
    admin.page.fill("section.final-evaluation input.wareki-date", "2027-03-31")
    admin.click("section.final-evaluation button.primary")
    assert "最終評価" in admin.page.inner_text("h1"), admin.main()[:1500]
    board = admin.page.url.removeprefix(server)
    names = admin.page.locator("table.board tbody th").all_inner_texts()
    assert sorted(names) == sorted(DEPARTMENTS), names

    items = 0
    for name in sorted(DEPARTMENTS):
        staff = as_user(browser, server, user("staff", name))
        staff.go(board)
        staff.click(f'table.board a:has-text("{name}")')
        items += fill_final_sheet(staff)
        if name == "福祉活動推進課":
            # The item's history shows the committee's opinion and its answer.
            assert "相談につながっていない世帯への訪問を強めてほしい。" in staff.main()
            staff.shoot(
                shots, "final-sheet", "section.final-item:has-text('生活困窮者自立相談支援事業')"
            )
        staff.click("button:has-text('提出する')")
        assert "提出済" in staff.page.inner_text("dl.facts"), staff.main()[:2000]
        # The department's approver approves its own sheet; the 管理者 approves the others.
        approver = (
            admin if name != "福祉活動推進課" else as_user(browser, server, user("approver", name))
        )
        approver.go(board)
        approver.click(f'table.board a:has-text("{name}")')
        approver.click("section.review button.primary")
        assert "承認済" in approver.page.inner_text("dl.facts"), approver.main()[:2000]
    assert items >= 25

    admin.go(board)
    assert admin.page.locator("table.board tbody tr:has-text('承認済')").count() == 3
    admin.click("a:has-text('最終評価を終了する')")  # the confirmation page, then its button
    admin.click("main button.primary:has-text('最終評価を終了する')")
    admin.click("text=最終評価報告")
    report = admin.main()
    assert "生活困窮者自立相談支援事業" in report and "情報の提供（発信）" in report
    assert "担い手の確保が引き続き課題である。" in report and "一部実施" in report
    assert "（未承認）" not in report


def check_next_plan(browser, server: str, shots: Path) -> None:
    """「次期計画を作る」 → the FY2024–2028 draft with lineage, baseline and 前計画の評価."""
    admin = as_user(browser, server, f"{ORG}-admin")
    admin.go(f"/plans/{PLAN}/")
    admin.click("text=次期計画を作る")
    page = admin.page
    page.fill("#id_slug", NEXT)
    page.fill("#id_title", "第五次西東京市地域福祉活動計画を具現化するためのアクションプラン")
    page.select_option("#id_first_fy", "2024")
    page.select_option("#id_last_fy", "2028")
    # Item 20 (人事考課制度の充実) ends with this plan; item 1 is expanded (充実・強化).
    # (Unchecking the item alone keeps it while its contents stay checked.)
    page.uncheck("input[name=node][value=item-20]")
    for box in page.locator("input[name=content][value^='item-20|']").all():
        box.uncheck()
    page.check("input[name=expanded][value=item-1]")
    admin.shoot(shots, "next-plan-form", "fieldset.keep-tree")
    admin.click("form.next-plan button.primary")
    assert page.url.endswith(f"/plans/{NEXT}/"), admin.main()[:2000]
    text = admin.main()
    assert "第五次" in page.inner_text("h1")
    assert "第四次西東京市地域福祉活動計画を具現化するためのアクションプラン" in text  # 前計画
    assert "人事考課制度の充実" not in page.inner_text("ul.tree")
    assert "実施項目 24・" in page.inner_text("p.counts")
    admin.shoot(shots, "draft-plan")
    admin.shoot(shots, "previous-evaluation", "#previous-evaluation")

    # The 前計画の評価 table holds the final evaluation's texts.
    assert "前計画の評価" in text, text[:3000]
    assert "担い手の確保が引き続き課題である。" in text and "一部実施" in text

    # An item continues the old one; its page says so and links back.
    page.click("text=生活困窮者自立相談支援事業 >> nth=0")
    page.wait_for_load_state()
    item = admin.main()
    assert "前計画の「" in item and "を充実・強化" in item, item[:2000]
    # An indicator carries the old plan's last actual as its baseline (見込み).
    assert "見込み" in item, item[:3000]
    admin.shoot(shots, "draft-item")
    admin.shoot(shots, "draft-indicator", "table.indicators")
    admin.click("dl.lineage a")
    assert f"/plans/{PLAN}/" in page.url
    # The old plan's page links to its successor.
    admin.go(f"/plans/{PLAN}/")
    assert "次期計画" in admin.page.inner_text("dl.lineage")
    admin.click(f"dl.lineage a[href='/plans/{NEXT}/']")
    assert "第五次" in page.inner_text("h1")


def test_the_committee_opinions_the_final_evaluation_and_the_next_plan(
    act_server: str, browser, shots: Path
) -> None:
    check_opinions(browser, act_server, shots)
    check_final_evaluation(browser, act_server, shots)
    check_next_plan(browser, act_server, shots)
    assert foreign_requests() == []


def workbook_naming(path: Path, outside_id: str) -> Path:
    """The fixture council's workbook with a 整合 relation to a plan of another body."""
    wb = load_workbook(FIXTURE)
    ws = wb["関連計画"]
    ws["A2"] = "整合"
    ws["B2"] = outside_id
    contents = wb["実施内容"]
    header = [c.value for c in contents[1]]
    goal_column = header.index("結び付く目標") + 1
    contents.cell(row=2, column=goal_column, value=f"{outside_id}:g1-1")
    contents.cell(row=3, column=goal_column, value=f"{outside_id}:g2")
    wb.save(path)
    return path


def upload(s: Session, path: Path) -> None:
    s.go("/")
    s.click("text=計画ワークブック")
    s.page.set_input_files("input[type=file]", str(path))
    s.click("form[enctype] button.primary")


def test_a_workbook_naming_an_outside_plan_loads_once_it_is_registered(
    act_server: str, browser, shots: Path, tmp_path: Path
) -> None:
    workbook = workbook_naming(tmp_path / "みどり市活動計画.xlsx", OUTSIDE)
    admin = as_user(browser, act_server, f"{COUNCIL}-admin")
    upload(admin, workbook)
    problems = admin.page.inner_text("section.problems")
    assert "関連計画" in problems and "B2" in problems, problems
    assert f"計画ID「{OUTSIDE}」の計画は" in problems and "他の計画" in problems, problems

    # The 管理者 registers the city's plan with its goals typed as a list.
    admin.go("/")
    admin.click("a:has-text('計画を登録')")
    page = admin.page
    page.fill("input[name=slug]", OUTSIDE)
    page.fill("input[name=title]", "第2次みどり市地域福祉計画")
    page.fill("input[name=owner_name]", "みどり市")
    page.select_option("select[name=kind]", "city_plan")
    page.fill("input[name=first_fy]", "2021")
    page.fill("input[name=last_fy]", "2025")
    page.check("input[name=tree_source][value=goals]")
    page.fill(
        "textarea[name=goals_text]",
        "1 地域でつながり支え合う\n1-1 見守りの輪を広げる\n1-2 居場所をつくる\n"
        "2 安心して暮らせる仕組み\n2-1 権利を守る\n3 担い手を育てる",
    )
    admin.click("form button.primary")
    assert "第2次みどり市地域福祉計画" in admin.main(), admin.main()[:2000]

    upload(admin, workbook)
    assert page.locator("section.problems").count() == 0, admin.main()[:2000]
    admin.click("button.primary")
    assert page.url.endswith(f"/plans/{COUNCIL_PLAN}/"), admin.main()[:2000]
    assert "第2次みどり市地域福祉計画" in admin.main()

    admin.click("nav.plan-nav >> text=整合")
    admin.click(f"a[href$='/matrix/{OUTSIDE}/']")
    matrix = admin.main()
    assert "第2次みどり市地域福祉計画" in matrix and "第3次みどり市地域福祉活動計画" in matrix
    assert "見守りの輪を広げる" in matrix and "担い手を育てる" in matrix
    assert page.locator("table td:has-text('●')").count() >= 2, matrix[:3000]
    admin.shoot(shots, "matrix")
    assert foreign_requests() == []
