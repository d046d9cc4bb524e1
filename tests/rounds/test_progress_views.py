"""Progress pages on the demo data: the FY overview, the indicator page, the item page's yearly
progress and the dashboard; who may see them; query counts that do not grow with data.

The city plan (nishitokyo-chiiki-fukushi-4) comes with its approved FY2019 round; the action
plan's FY2020 round is opened and filled here through the service layer, with chosen actuals
so that each band can be checked by hand.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.core.achievement import NOT_BY_NUMBER
from shinchoku.core.values import Reason
from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.rounds import services
from shinchoku.rounds.demo import load_demo_round
from shinchoku.rounds.models import IndicatorEntry, Report, Round
from shinchoku.rounds.progress import plan_progress
from shinchoku.rounds.services import SheetInput
from tests.conftest import CITY_ORG, COUNCIL, login_client

CITY = "nishitokyo-chiiki-fukushi-4"
ACTION = "nishitokyo-action-plan-2019"
ROLES = ("admin", "staff", "approver", "viewer")

# The 総務課 sheet of FY2020, chosen against the FY2020 targets.
CHOSEN = {
    "I-16-1": "10,376千円",  # 自己財源額: exactly the target 10,376千円 → 達成 100.0%
    "I-17-1": "3,400件",  # 会員件数: 80% of 4,250件 → 概ね達成
    "I-17-2": "2,000千円",  # 会員収入額: 58.8% of 3,400千円 → 未達成
    "I-18-1": "450万円",  # 寄附金額: the target → 達成
    "I-18-2": "300万円",  # 歳末募金額: 120% of 250万円 → 達成
}


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed, for phrases that span elements."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def city_round(db):
    """The city's approved, closed FY2019 round, as `shinchoku load-demo` makes it."""
    return load_demo_round()


@pytest.fixture
def city_admin(city_round):
    return login_client("city-admin", role="admin", org_slug=CITY_ORG)


@pytest.fixture
def council_admin(db):
    return login_client("council-admin", role="admin", org_slug=COUNCIL)


def fill(report: Report, actuals: dict[str, str], statuses: dict | None = None) -> Report:
    """Fill every field of the sheet: chosen actuals, else 1 in the indicator's unit."""
    statuses = statuses or {}
    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {
            "done": f"{item.node.title}を実施した",
            "next": "続ける",
            "evaluation": "B",
        }
        for c in item.contents:
            status = statuses.get((item.node.key, c.position), "予定どおり")
            data.contents[(item.node.key, c.position)] = {
                "status": status,
                "note": f"{status}の理由",
            }
        for line in item.indicators:
            actual = actuals.get(line.indicator.key, f"1{line.indicator.unit}")
            data.indicators[line.indicator.key] = {"actual": actual, "note": ""}
    return services.save(report, data, version=report.version, user=None)


@pytest.fixture
def action_round(db):
    """FY2020: 総務課 approved (chosen actuals, one content 遅れ), 福祉支援課 submitted only
    (one content 未実施, 寄附金額 430万円), 福祉活動推進課 not started."""
    user = get_user_model().objects.create_user("総務", last_name="総務")
    round_ = services.open_round(Plan.objects.get(slug=ACTION), 2020, date(2021, 5, 31), user)
    somu = round_.reports.get(department__name="総務課")
    somu = fill(somu, CHOSEN, {("item-16", 2): "遅れ"})
    services.approve(services.submit(somu, user), user)
    shien = round_.reports.get(department__name="福祉支援課")
    shien = fill(shien, {}, {("item-2", 1): "未実施"})
    # 総務課 reports 寄附金額 (item-18's first 担当課); 福祉支援課's figure is an entry made before
    # one department reported each indicator, kept as it was (rounds/ownership.py).
    IndicatorEntry.objects.create(report=shien, indicator_key="I-18-1", actual="430万円")
    services.submit(shien, user)
    return round_


# --------------------------------------------------------------------------- the city's FY2019


def test_latest_overview_redirects_to_the_latest_year_with_values(city_admin):
    response = city_admin.get(reverse("rounds:overview_latest", args=[CITY]))
    assert response.status_code == 302
    assert response.url == reverse("rounds:overview", args=[CITY, 2019])


def test_latest_overview_without_values_is_a_friendly_empty_page(council_admin):
    response = council_admin.get(reverse("rounds:overview_latest", args=[ACTION]))
    html = html_of(response)
    assert "rounds/progress/empty.html" in [t.name for t in response.templates]
    assert reverse("rounds:list", args=[ACTION]) in html


def test_city_overview_shows_bands_per_goal_as_plan_progress_computes(city_admin):
    response = city_admin.get(reverse("rounds:overview", args=[CITY, 2019]))
    html = html_of(response)
    expected = plan_progress(Plan.objects.get(slug=CITY), 2019)
    shown = response.context["pp"]
    assert [g.tally.rows() for g in shown.goals] == [g.tally.rows() for g in expected.goals]
    # The city sets only FY2023 targets and compares earlier years with them (its settings).
    assert len(expected.goals) == 6 and expected.total.rows()[-1] == ("判定不可", 0)
    assert all(ip.judgement.against_final for ip in expected.indicators)
    for g in expected.goals:
        assert g.node.title in html
    assert "基本目標" in html  # the plan's own level name heads the table
    # 20,135世帯 against the final 20,186世帯: 99.7% 概ね達成, said to be against the final target;
    # the progress from the baseline toward it is shown too.
    assert "最終目標と比較" in html and "99.7%" in html
    assert "20,135世帯" in html and "94.9%" in html
    # Every level of the tree gets its counts; the departments too.
    assert len(response.context["tree"]) >= 6
    assert "地域共生課" in html and "協働コミュニティ課" in html
    assert "令和元年度" in html and "(2019年度)" in html  # FY picker: 和暦 and western year
    assert reverse("rounds:board", args=[CITY, 2019]) in html


def test_lower_is_better_is_marked_and_judged_toward_a_lower_target(city_admin):
    html = html_of(city_admin.get(reverse("rounds:indicator", args=[CITY, "I-5-2"])))
    assert "消費者生活相談件数" in html and "1,405件" in html and "1,100件" in html
    assert "tag-down" in html
    # 1,161件 → 1,405件 against a final 1,100件: moved away from the target, negative progress.
    assert "△400.0%" in html


def test_city_indicator_page_shows_every_year_with_baseline_and_texts(city_admin):
    indicator = Indicator.objects.get(node__plan__slug=CITY, name="自治会・町内会等の加入世帯数")
    response = city_admin.get(reverse("rounds:indicator", args=[CITY, indicator.key]))
    html = html_of(response)
    assert "19,177世帯" in html and "平成29年度(現状値)" in html  # baseline with its label
    assert "平成30年3月31日(2018年3月31日)" in html  # as of
    assert "19,181世帯" in html and "平成30年度" in html and "(2018年度)" in html
    assert "20,135世帯" in html and "令和元年度" in html and "(2019年度)" in html
    assert "20,186世帯" in html and "令和5年度" in html and "(2023年度)" in html
    note = indicator.reports.get(fy=2019)
    assert note.done.splitlines()[0] in html and note.next.splitlines()[0] in html
    assert "最終目標と比較" in html and "概ね達成" in html and "94.9%" in html
    assert reverse("plans:node", args=[CITY, indicator.node.key]) in html


def test_unknown_indicator_is_404(city_admin):
    assert city_admin.get(reverse("rounds:indicator", args=[CITY, "no-such"])).status_code == 404
    # An indicator key of another plan is not this plan's.
    assert city_admin.get(reverse("rounds:overview", args=[CITY, 2040])).status_code == 404


def test_city_item_page_shows_the_years_actuals_and_texts(city_admin):
    indicator = Indicator.objects.get(node__plan__slug=CITY, name="自治会・町内会等の加入世帯数")
    html = html_of(city_admin.get(reverse("plans:node", args=[CITY, indicator.node.key])))
    section = html[html.index('id="progress"') :]
    assert "令和元年度(2019年度)" in section
    assert "20,135世帯" in section and "概ね達成" in section and "94.9%" in section
    assert indicator.reports.get(fy=2019).done.splitlines()[0] in section
    assert reverse("rounds:indicator", args=[CITY, indicator.key]) in section
    assert "unapproved" not in section  # the demo round is approved


# ------------------------------------------------------------------ the action plan's FY2020


def test_bands_checked_by_hand_after_approving_a_department(council_admin, action_round):
    response = council_admin.get(reverse("rounds:overview", args=[ACTION, 2020]))
    html = html_of(response)
    pp = response.context["pp"]
    by_key = {i.indicator.key: i.judgement for i in pp.indicators}
    assert (by_key["I-16-1"].band, by_key["I-16-1"].rate) == ("達成", 1)
    assert (by_key["I-17-1"].band, by_key["I-17-1"].rate) == ("概ね達成", Decimal("0.8"))
    assert by_key["I-17-2"].band == "未達成"
    assert by_key["I-18-1"].band == "達成"  # 福祉支援課's 430万円 is not approved: not judged
    assert by_key["I-15-1"].reason == Reason(NOT_BY_NUMBER)
    # (2) 財源の確保: 自己財源額 達成, 会員件数 概ね達成, 会員収入額 未達成,
    # 寄附金額・歳末募金額 達成.
    row = next(r for r in response.context["tree"] if r.node.key == "P2-2")
    assert row.rows == [("達成", 3), ("概ね達成", 1), ("未達成", 1), ("判定不可", 0)]
    goal = next(g for g in pp.goals if g.node.key == "P2")  # Ⅱ 各種基盤の強化
    assert goal.tally.rows() == [("達成", 3), ("概ね達成", 1), ("未達成", 1), ("判定不可", 4)]
    expected = plan_progress(Plan.objects.get(slug=ACTION), 2020)
    assert [g.tally.rows() for g in pp.goals] == [g.tally.rows() for g in expected.goals]
    assert "基本方針" in html  # the action plan's top level, not 基本目標
    assert "100.0%" in html and "80.0%" in html and "58.8%" in html
    # Off track: 概ね達成 and 未達成 ones, linked to their indicator pages.
    off = html[html.index('id="off-track"') : html.index('id="behind"')]
    assert "会員件数" in off and "会員収入額" in off and "自己財源額" not in off


def test_contents_behind_are_flagged_in_words_and_unapproved_marked(council_admin, action_round):
    html = html_of(council_admin.get(reverse("rounds:overview", args=[ACTION, 2020])))
    behind = html[html.index('id="behind"') : html.index('id="indicators"')]
    assert "遅れ" in behind and "未実施" in behind
    assert behind.count("⚠") == 2 and behind.count('class="status flagged"') == 2
    assert "総務課" in behind and "福祉支援課" in behind
    assert behind.count('class="unapproved"') == 1  # 福祉支援課 is submitted, not approved


def test_item_page_shows_statuses_texts_and_marks_unapproved_values(council_admin, action_round):
    html = html_of(council_admin.get(reverse("plans:node", args=[ACTION, "item-16"])))
    section = html[html.index('id="progress"') :]
    assert "令和2年度(2020年度)" in section
    assert "10,376千円" in section and "達成" in section and "100.0%" in section
    assert 'class="status flagged"' in section and "遅れの理由" in section
    assert "自己財源の強化を実施した" in section and "B 概ね達成" in section
    assert "unapproved" not in section  # 総務課 alone reports item-16, and it is approved
    html = html_of(council_admin.get(reverse("plans:node", args=[ACTION, "item-18"])))
    section = html[html.index('id="progress"') :]
    assert "450万円" in section  # 総務課, approved and judged
    assert "430万円" in section and 'class="unapproved"' in section  # 福祉支援課, submitted


def test_indicator_page_marks_an_unapproved_actual(council_admin, action_round):
    html = html_of(council_admin.get(reverse("rounds:indicator", args=[ACTION, "I-18-1"])))
    assert "450万円" in html and "430万円" in html and 'class="unapproved"' in html
    assert "令和2年度" in html and "(2020年度)" in html


def test_lower_is_better_checked_by_hand(council_admin, db):
    indicator = Indicator.objects.get(node__plan__slug=ACTION, key="I-3-1")  # target 180件
    Indicator.objects.filter(pk=indicator.pk).update(direction="down")
    IndicatorValue(indicator=indicator, role="actual", fy=2020, text="225件").save()
    html = html_of(council_admin.get(reverse("rounds:indicator", args=[ACTION, "I-3-1"])))
    assert "tag-down" in html
    row = text_of(html)
    assert "180件 225件 80.0% 概ね達成" in row  # 180 ÷ 225
    IndicatorValue.objects.filter(indicator=indicator, fy=2020, role="actual").update(text="150件")
    IndicatorValue.objects.get(indicator=indicator, fy=2020, role="actual").save()
    row = text_of(html_of(council_admin.get(reverse("rounds:indicator", args=[ACTION, "I-3-1"]))))
    assert "180件 150件 120.0% 達成" in row


def test_dashboard_shows_each_plan_with_a_round(council_admin, action_round):
    html = html_of(council_admin.get(reverse("rounds:dashboard")))
    assert "第四次西東京市地域福祉活動計画を具現化するためのアクションプラン" in html
    assert "第4期西東京市地域福祉計画" not in html  # another organization's plan
    assert reverse("rounds:board", args=[ACTION, 2020]) in html
    assert "総務課" in html and "福祉支援課" in html and "福祉活動推進課" in html
    assert "会員件数" in html and "遅れ" in html and "未実施" in html
    board = html_of(council_admin.get(reverse("rounds:dashboard")))
    assert board.count('class="status flagged"') >= 2


def test_dashboard_counts_days_left_and_overdue_sheets(council_admin, action_round):
    Round.objects.filter(pk=action_round.pk).update(deadline=date(2000, 1, 1))
    response = council_admin.get(reverse("rounds:dashboard"))
    board = response.context["boards"][0]
    assert board.days_left < 0
    late = {d.report.department.name for d in board.departments if d.late}
    assert late == {"福祉活動推進課"}  # 総務課 approved, 福祉支援課 submitted
    next_year = date.today().replace(year=date.today().year + 1)
    Round.objects.filter(pk=action_round.pk).update(deadline=next_year)
    board = council_admin.get(reverse("rounds:dashboard")).context["boards"][0]
    assert board.days_left > 0 and not any(d.late for d in board.departments)


def test_superuser_dashboard_shows_every_organizations_plans(federation_client, city_round):
    html = html_of(federation_client.get(reverse("rounds:dashboard")))
    assert "第4期西東京市地域福祉計画" in html
    assert reverse("rounds:board", args=[CITY, 2019]) in html


# --------------------------------------------------------------------------- who may see


def urls(slug: str = CITY) -> list[str]:
    return [
        reverse("rounds:overview_latest", args=[slug]),
        reverse("rounds:overview", args=[slug, 2019]),
        reverse("rounds:indicator", args=[slug, "I-1-2"]),
    ]


@pytest.mark.parametrize("url", [*urls(), reverse("rounds:dashboard")])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize("url", urls())
def test_another_organization_is_refused(council_admin, url):
    assert council_admin.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_of_the_organization_may_read(city_round, role):
    client = login_client(f"city-{role}", role=role, org_slug=CITY_ORG, departments=("地域共生課",))
    for url in urls():
        assert client.get(url).status_code in (200, 302), url
    assert client.get(reverse("rounds:overview", args=[CITY, 2019])).status_code == 200
    html = html_of(client.get(reverse("rounds:dashboard")))
    assert "第4期西東京市地域福祉計画" in html


def test_pages_refuse_post(city_admin):
    for url in [*urls(), reverse("rounds:dashboard")]:
        assert city_admin.post(url).status_code == 405


# --------------------------------------------------------------------------- query counts


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("rounds:overview", args=[ACTION, 2020]),
        reverse("rounds:indicator", args=[ACTION, "I-18-1"]),
        reverse("plans:node", args=[ACTION, "item-18"]),
        reverse("rounds:dashboard"),
    ],
)
def test_query_counts_do_not_grow_with_the_round(council_admin, url):
    user = get_user_model().objects.create_user("総務")
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, 2020, date(2021, 5, 31), user)
    before = count(council_admin, url)
    for report in round_.reports.all():
        report = fill(report, {}, {("item-18", 1): "遅れ"})
        services.approve(services.submit(report, user), user)
    services.open_round(plan, 2019, date(2020, 5, 31), None)  # another year on the item page
    after = count(council_admin, url)
    assert after == before, (before, after)


def test_without_the_final_target_setting_years_without_a_target_are_not_judged(city_admin):
    from shinchoku.rounds.models import PlanSettings

    PlanSettings.objects.filter(plan__slug=CITY).update(final_when_no_target=False)
    response = city_admin.get(reverse("rounds:overview", args=[CITY, 2019]))
    html = html_of(response)
    assert response.context["pp"].total.rows()[-1] == ("判定不可", 15)
    # 判定不可 with its reason, and still the progress toward the final target.
    assert "目標がありません。" in html and "94.9%" in html and "最終目標と比較" not in html
