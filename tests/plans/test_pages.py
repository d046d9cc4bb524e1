"""Browsing pages: every page renders the demo plans, and query counts do not grow with data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans.interchange import load_documents
from shinchoku.plans.models import Node, Plan
from tests.factories import plan_doc

ACTION = "nishitokyo-action-plan-2019"
ACTIVITY = "nishitokyo-katsudo-4"
CITY = "nishitokyo-chiiki-fukushi-4"


def test_plan_list_shows_the_demo_plans_in_japanese(client, db):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    for plan in Plan.objects.all():
        assert plan.title in html
    assert "令和元年度(2019年度)" in html


def test_plan_page_shows_the_tree_with_counts_per_level(client, db):
    html = client.get(reverse("plans:detail", args=[ACTION])).content.decode()
    assert "基本方針 3" in html
    assert "実施項目 25" in html
    assert "自己財源の強化" in html


def test_activity_plan_page_shows_philosophy_and_welfare_issues(client, db):
    plan = Plan.objects.get(slug=ACTIVITY)
    html = client.get(reverse("plans:detail", args=[ACTIVITY])).content.decode()
    assert plan.philosophy.splitlines()[0] in html
    for issue in plan.welfare_issues.all():
        assert issue.title in html


def test_item_page_shows_everything_the_document_page_shows(client, db):
    item = Node.objects.get(plan__slug=ACTION, key="item-16")
    html = client.get(reverse("plans:node", args=[ACTION, item.key])).content.decode()
    assert "自己財源の強化" in html
    assert "総務課" in html
    assert "独自事業" in html
    for section in item.sections.all():
        assert section.heading in html
    assert "福しんごうくんの自己財源確保計画の見直し、改訂、実行" in html
    assert "9,708千円" in html and "12,000千円" in html
    assert "令和元年度" in html and "(2019年度)" in html and "(2023年度)" in html
    assert "見直し・実施" in html  # a phase spanning all five years
    assert 'colspan="5"' in html


def test_item_page_links_contents_to_activity_plan_goals(client, db):
    html = client.get(reverse("plans:node", args=[ACTION, "item-1"])).content.decode()
    assert reverse("plans:node", args=[ACTIVITY, "G4"]) in html
    assert "事業共通1" in html


def test_goal_page_lists_the_action_plan_contents_that_serve_it(client, db):
    html = client.get(reverse("plans:node", args=[ACTIVITY, "G6"])).content.decode()
    assert "自己財源の強化" in html
    assert "財源確保に関する職員研修の実施" in html


def test_roadmap_filters_by_department_and_goal(client, db):
    url = reverse("plans:roadmap", args=[ACTION])
    everything = client.get(url).context["rows"]
    plan = Plan.objects.get(slug=ACTION)
    dept = plan.organization.departments.get(name="福祉支援課")
    by_dept = client.get(url, {"department": dept.id}).context["rows"]
    assert 0 < len(by_dept) < len(everything)
    assert all(
        dept in [nd.department for nd in r["content"].node.nodedepartment_set.all()]
        for r in by_dept
    )
    goal = Node.objects.get(plan__slug=ACTIVITY, key="G5")
    by_goal = client.get(url, {"goal": goal.id}).context["rows"]
    assert by_goal and all("広報" in r["content"].node.title or True for r in by_goal)
    assert {r["content"].node.key for r in by_goal} == {"item-25"}


def test_indicator_list_shows_every_indicator(client, db):
    html = client.get(reverse("plans:indicators", args=[ACTION])).content.decode()
    assert html.count('<th scope="row">') >= 31
    assert "次期介護保険事業計画による" in html
    city = client.get(reverse("plans:indicators", args=[CITY])).content.decode()
    assert "消費者生活相談件数" in city and "1,405件" in city
    # The as-of date of a baseline is shown in 和暦 with the western date.
    assert "平成30年3月31日(2018年3月31日)時点" in city


@pytest.mark.parametrize(
    "url",
    [
        "/plans/no-such-plan/",
        "/plans/no-such-plan/roadmap/",
        "/plans/no-such-plan/indicators/",
        f"/plans/{ACTION}/nodes/no-such-node/",
    ],
)
def test_unknown_plans_and_nodes_are_404(client, db, url):
    assert client.get(url).status_code == 404


def test_pages_refuse_post(client, db):
    assert client.post(reverse("plans:detail", args=[ACTION])).status_code in (403, 405)


def test_text_from_the_document_is_escaped(client, empty_db):
    doc = plan_doc()
    doc["plan"]["title"] = "<script>alert(1)</script>計画"
    load_documents([doc])
    html = client.get(reverse("plans:detail", args=["test-plan"])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["list", "detail", "roadmap", "indicators", "node", "goal"])
def test_query_count_does_not_grow_with_the_number_of_items(client, empty_db, page):
    def url(slug: str) -> str:
        if page == "list":
            return reverse("plans:list")
        if page == "node":
            return reverse("plans:node", args=[slug, "item-1-1"])
        if page == "goal":
            return reverse("plans:node", args=[slug, "goal-1"])
        return reverse(f"plans:{page}", args=[slug])

    load_documents([plan_doc(slug="small", n_goals=1, items_per_goal=1)])
    small = _count(client, url("small"))
    load_documents([plan_doc(slug="large", n_goals=4, items_per_goal=8, org_slug="other")])
    large = _count(client, url("large"))
    assert small == large


def test_demo_item_pages_all_render(client, db):
    for node in Node.objects.filter(plan__slug__in=[ACTION, ACTIVITY, CITY]):
        response = client.get(reverse("plans:node", args=[node.plan.slug, node.key]))
        assert response.status_code == 200, node.key


def test_plan_page_shows_the_previous_plans_evaluation(client, empty_db):
    from shinchoku.plans.interchange import load_documents
    from tests.factories import plan_doc

    load_documents([plan_doc()])
    html = client.get(reverse("plans:detail", args=["test-plan"])).content.decode()
    assert "前計画の評価" in html
    assert "出張相談会" in html and "再検討" in html and "参加者が少ない" in html
