"""Progress pages of a plan without indicators: the fixture council's plan, FY2024.

Every 事業 is listed with its self-evaluation (code and name on the plan's A–D scale), 取組状況,
今後の展開 and content statuses; the summary counts evaluations per 基本目標 and department
instead of achievement bands, and nothing speaks of indicators.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.rounds.models import ContentEntry, ItemEntry
from shinchoku.rounds.progress import plan_progress
from tests.conftest import login_client
from tests.rounds.no_figures import (
    FY,
    ORG,
    SCALE,
    SLUG,
    done_text,
    evaluation_of,
    leaves,
    load_plan,
    make_round,
    next_text,
)
from tests.rounds.test_progress_views import html_of, text_of

OVERVIEW = reverse("rounds:overview", args=[SLUG, FY])
NAMES = {s["code"]: f"{s['code']} {s['name']}" for s in SCALE}


@pytest.fixture
def plan(db):
    return load_plan()


@pytest.fixture
def admin(plan):
    return login_client("midori-admin", role="admin", org_slug=ORG)


def test_plan_progress_counts_evaluations_per_goal_department_and_plan(plan):
    make_round(plan)
    pp = plan_progress(plan, FY)
    assert not pp.has_figures
    assert len(pp.projects) == 20
    assert [(k, n) for k, _label, n in pp.evaluations.rows()] == [
        ("A", 5),
        ("B", 5),
        ("C", 5),
        ("D", 5),
    ]
    # Each goal counts the 事業 below it; the goals add up to the plan.
    projects = leaves(plan)
    for g in pp.goals:
        under = {p.node.key for p in g.projects}
        expected = {c: 0 for c in "ABCD"}
        for i, node in enumerate(projects):
            if node.key in under:
                expected[evaluation_of(i)] += 1
        assert {k: n for k, _l, n in g.evaluations.rows()} == expected, g.node.title
    assert sum(c.total for c in pp.evaluations_by_department.values()) == 20
    assert pp.evaluations_by_department["総務係"].total == 6
    assert {k: n for k, _l, n in pp.statuses.rows() if n} == {"遅れ": 1, "予定どおり": 3}
    assert [it.evaluation for it in pp.items][:2] == [NAMES["A"], NAMES["B"]]
    assert {it.entry.evaluation for it in pp.low_evaluations} == {"C", "D"}


def test_an_unknown_code_and_an_empty_evaluation_are_counted_apart(plan):
    make_round(plan)
    ItemEntry.objects.filter(node_key="j01").update(evaluation="")
    ItemEntry.objects.filter(node_key="j02").update(evaluation="S")
    pp = plan_progress(plan, FY)
    assert [k for k, _l, _n in pp.evaluations.rows()] == ["A", "B", "C", "D", "S", "未評価"]


def test_the_overview_lists_every_project_with_its_evaluation_and_texts(admin, plan):
    make_round(plan)
    html = html_of(admin.get(OVERVIEW))
    text = text_of(html)
    for node in leaves(plan):
        assert node.title in html
        assert done_text(node) in html and next_text(node) in html
    for name in NAMES.values():
        assert name in text
    assert "基本目標ごとの自己評価" in text
    assert "すべての事業: A 計画どおり実施 5 B 概ね実施 5 C 一部実施 5 D 未実施 5" in text
    assert "遅れ" in text  # the content behind is still flagged
    # No indicator noise on a plan that has none.
    for noise in ("目標に届いていない指標", "全指標の判定", "基本目標ごとの判定", "判定不可"):
        assert noise not in text, noise


def test_unapproved_sheets_texts_are_withheld_from_a_reader_outside_them(plan):
    make_round(plan, unapproved=("総務係",))
    reader = login_client("midori-viewer", role="viewer", org_slug=ORG, departments=("相談係",))
    text = text_of(html_of(reader.get(OVERVIEW)))
    hidden = [n for n in leaves(plan) if n.departments.all()[0].name == "総務係"]
    for node in hidden:
        assert node.title in text  # every 事業 is listed …
        assert done_text(node) not in text  # … but not the texts of an unapproved sheet
    assert "総務係・提出済み" in text or "総務係・" in text
    # The 管理者 sees them, marked, and they are not counted.
    admin = login_client("midori-admin", role="admin", org_slug=ORG)
    response = admin.get(OVERVIEW)
    assert done_text(hidden[0]) in text_of(html_of(response))
    assert "未承認" in text_of(response.content.decode())
    assert response.context["pp"].evaluations.total == 14


def test_the_dashboard_summarises_evaluations_without_indicators(admin, plan):
    make_round(plan, closed=False, published=False)
    text = text_of(html_of(admin.get(reverse("rounds:dashboard"))))
    assert "第3次みどり市地域福祉活動計画" in text
    assert "基本目標ごとの自己評価" in text
    assert "自己評価の低い項目" in text and "D 未実施" in text
    assert "目標に届いていない指標" not in text and "基本目標ごとの判定" not in text


def test_the_action_plan_keeps_its_bands(db):
    from shinchoku.rounds.demo import load_demo_round

    load_demo_round()
    city = login_client("city-admin", role="admin", org_slug="nishitokyo-city")
    text = text_of(
        html_of(city.get(reverse("rounds:overview", args=["nishitokyo-chiiki-fukushi-4", 2019])))
    )
    assert "全指標の判定" in text and "自己評価ごと" not in text


@pytest.mark.parametrize("role", ("admin", "staff", "approver", "viewer"))
def test_every_role_of_the_council_may_read(plan, role):
    make_round(plan)
    client = login_client(f"m-{role}", role=role, org_slug=ORG, departments=("相談係",))
    assert client.get(OVERVIEW).status_code == 200
    assert "第3次みどり市地域福祉活動計画" in html_of(client.get(reverse("rounds:dashboard")))


def test_another_organization_gets_404(plan):
    make_round(plan)
    outsider = login_client("outsider", role="admin", org_slug="nishitokyo-shakyo")
    assert outsider.get(OVERVIEW).status_code == 404
    assert "第3次みどり市" not in html_of(outsider.get(reverse("rounds:dashboard")))


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [OVERVIEW, reverse("rounds:dashboard")])
def test_query_counts_do_not_grow_with_the_projects(admin, plan, url):
    make_round(plan)
    few = [n.key for n in leaves(plan)][:3]
    full = count(admin, url)
    ItemEntry.objects.exclude(node_key__in=few).delete()
    ContentEntry.objects.exclude(node_key__in=few).delete()
    assert count(admin, url) == full


def test_the_project_page_shows_its_year_without_an_indicator_table(admin, plan):
    make_round(plan)
    node = leaves(plan)[0]
    text = text_of(html_of(admin.get(reverse("plans:node", args=[SLUG, node.key]))))
    assert "A 計画どおり実施" in text and done_text(node) in text and "遅れ" in text
    assert "達成率" not in text and "判定不可" not in text
