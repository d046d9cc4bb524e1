"""The consistency matrix (整合表): another plan's goals × this plan's items, and SDGs per goal.

On the demo: the council's action plan against its activity plan (every content's linked goal
is marked in the content's item column), and the activity plan against the city's plan (整合,
accepted by the city). Goals served by none and items serving none are listed; both tables
download as xlsx; the pages read a fixed number of queries.
"""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.plans import consistency
from shinchoku.plans.models import Content, ContentGoal, Node, Plan, SdgGoal
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
KATSUDO = "nishitokyo-katsudo-4"
CITY = "nishitokyo-chiiki-fukushi-4"


def url(name: str, *args: str) -> str:
    return reverse(f"plans:{name}", args=args)


@pytest.fixture
def viewer(db):
    """A committee member (閲覧) of the council: may read the plans, change nothing."""
    return login_client("council-viewer", role="viewer")


def link(content: Content, goal: Node, order: int = 50) -> ContentGoal:
    return ContentGoal.objects.create(
        content=content, node=goal, plan_slug=goal.plan.slug, node_key=goal.key, order=order
    )


# --------------------------------------------------------------------------- the action plan


def test_every_contents_linked_goal_is_marked_in_its_items_column(db):
    plan, other = Plan.objects.get(slug=ACTION), Plan.objects.get(slug=KATSUDO)
    m = consistency.matrix(plan, other)
    column = {item.id: i for i, item in enumerate(m.items)}
    row = {r.goal.id: r for r in m.rows}
    links = ContentGoal.objects.filter(content__node__plan=plan, node__plan=other)
    assert links.count() > 50
    for cg in links.select_related("content"):
        assert row[cg.node_id].cells[column[cg.content.node_id]] == consistency.DIRECT
        assert cg.content in row[cg.node_id].contents
    assert m.n_links == links.count()
    # The action plan names the activity plan's 基本目標 only: the rows are those goals.
    assert [r.goal.level for r in m.rows] == [1] * Node.objects.filter(plan=other, level=1).count()
    assert len(m.items) == 25  # the action plan's 実施項目
    # A goal marked only through a lower goal is served (○), never left as served by none.
    for r in m.rows:
        assert r.served == any(r.cells)


def test_the_matrix_page_shows_goals_items_and_the_unserved(viewer):
    response = viewer.get(url("matrix", ACTION, KATSUDO))
    assert response.status_code == 200
    html = response.content.decode()
    m = consistency.matrix(Plan.objects.get(slug=ACTION), Plan.objects.get(slug=KATSUDO))
    for r in m.rows:
        assert r.goal.title in html
    for item in m.items:
        assert item.title in html
    assert html.count('class="mark">●</td>') == sum(r.cells.count("●") for r in m.rows)
    unserved = html.split('id="unserved"')[1].split('id="idle"')[0]
    assert [r.goal.title in unserved for r in m.unserved] == [True] * len(m.unserved)
    index = viewer.get(url("matrix_index", ACTION)).content.decode()
    assert "第四次西東京市地域福祉活動計画" in index
    assert url("matrix", ACTION, KATSUDO) in index


def test_the_matrix_downloads_as_xlsx_with_the_same_marks(viewer):
    response = viewer.get(url("matrix_xlsx", ACTION, KATSUDO))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["整合表"]
    m = consistency.matrix(Plan.objects.get(slug=ACTION), Plan.objects.get(slug=KATSUDO))
    assert ws.cell(4, 2).value == "目標"
    assert ws.cell(4, 3).value == f"{m.items[0].label} {m.items[0].title}".strip()
    for r, row in enumerate(m.rows, start=5):
        assert ws.cell(r, 2).value.strip("　") == row.goal.title
        marks = [ws.cell(r, c).value or "" for c in range(3, 3 + len(m.items))]
        assert marks == row.cells
        filled = ws.cell(r, 2).fill.fgColor.rgb
        assert (filled == "00FFF2CC") == (not row.served)
    assert ws.page_setup.orientation == "landscape"
    idle = [c.value for c in wb["結び付かない項目"]["B"][3:]]
    assert idle == [i.title for i in m.idle_items]


# --------------------------------------------------------------------------- the activity plan


def test_the_activity_plan_against_the_citys_plan(viewer):
    katsudo, city = Plan.objects.get(slug=KATSUDO), Plan.objects.get(slug=CITY)
    index = viewer.get(url("matrix_index", KATSUDO)).content.decode()
    assert city.title in index  # 整合, and the city accepted the link
    m = consistency.matrix(katsudo, city)
    assert not any(r.served for r in m.rows)  # the demo names no city goal from a content
    assert len(m.idle_items) == len(m.items)
    content = Content.objects.filter(node__plan=katsudo, node__level=2).order_by("id").first()
    goal = Node.objects.get(plan=city, key="C1-1")
    link(content, goal)
    m = consistency.matrix(katsudo, city)
    row = {r.goal.key: r for r in m.rows}
    col = [i.id for i in m.items].index(content.node_id)
    assert row["C1-1"].cells[col] == consistency.DIRECT
    assert row["C1"].cells[col] == consistency.THROUGH  # its goal above, through it
    assert row["C1"].served and not row["C2"].served
    assert content.node not in m.idle_items
    html = viewer.get(url("matrix", KATSUDO, CITY)).content.decode()
    assert goal.title in html and "結び付く項目なし" in html


def test_a_plan_not_related_or_not_accepted_is_a_404(viewer, db):
    assert viewer.get(url("matrix", KATSUDO, "no-such-plan")).status_code == 404
    assert viewer.get(url("matrix", ACTION, CITY)).status_code == 404  # not named, not served
    # The city withdraws its acceptance: its goals are no longer named on the council's pages.
    from shinchoku.plans.models import LinkAcceptance

    LinkAcceptance.objects.filter(plan__slug=CITY).update(decision="declined")
    assert viewer.get(url("matrix", KATSUDO, CITY)).status_code == 404
    assert (
        Plan.objects.get(slug=CITY).title
        not in viewer.get(url("matrix_index", KATSUDO)).content.decode()
    )


@pytest.mark.parametrize("role", ["admin", "staff", "approver", "viewer"])
def test_every_member_reads_the_matrix_and_outsiders_get_404(db, role):
    client = login_client(f"council-{role}", role=role, departments=("地域福祉推進係",))
    pages = [
        url("matrix_index", ACTION),
        url("matrix", ACTION, KATSUDO),
        url("matrix_xlsx", ACTION, KATSUDO),
        url("sdgs", ACTION),
        url("sdgs_xlsx", ACTION),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    city = login_client(f"city-{role}", role=role, org_slug=CITY_ORG)
    for page in pages:
        assert city.get(page).status_code == 404, page
    response = Client().get(pages[1])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_matrix_reads_a_fixed_number_of_queries(viewer):
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer.get(path).status_code == 200
        return len(ctx.captured_queries)

    pages = [url("matrix", ACTION, KATSUDO), url("matrix_index", ACTION), url("sdgs", ACTION)]
    before = [count(p) for p in pages]
    assert max(before) <= 16
    # More links and more SDGs: the same number of queries.
    goals = list(Node.objects.filter(plan__slug=KATSUDO))
    for i, content in enumerate(Content.objects.filter(node__plan__slug=ACTION)[:30]):
        ContentGoal.objects.get_or_create(
            content=content,
            plan_slug=KATSUDO,
            node_key=goals[i % len(goals)].key,
            defaults={"node": goals[i % len(goals)], "order": 90},
        )
    for node in Node.objects.filter(plan__slug=ACTION)[:20]:
        node.sdgs.add(*SdgGoal.objects.all()[:5])
    assert [count(p) for p in pages] == before


# --------------------------------------------------------------------------- SDGs


def test_the_sdg_table_counts_the_sdgs_each_goals_items_name(viewer):
    plan = Plan.objects.get(slug=ACTION)
    goals = list(Node.objects.filter(plan=plan, level=1).order_by("seq"))
    items = list(Node.objects.filter(plan=plan, parent__parent=goals[0]).order_by("seq"))
    items[0].sdgs.add(3, 11)
    items[1].sdgs.add(11)
    goals[1].sdgs.add(17)
    t = consistency.sdg_table(plan)
    assert [r.goal for r in t.rows] == goals
    first, second = t.rows[0], t.rows[1]
    assert first.counts[10] == 2 and first.counts[2] == 1 and first.total == 2
    assert first.items[11] == [items[0], items[1]]
    assert second.counts[16] == 1 and second.total == 1
    assert 1 in [s.number for s in t.uncovered] and 11 not in [s.number for s in t.uncovered]
    html = viewer.get(url("sdgs", ACTION)).content.decode()
    assert goals[0].title in html and "目標ごとのSDGs" in html
    wb = load_workbook(io.BytesIO(viewer.get(url("sdgs_xlsx", ACTION)).content))
    ws = wb["SDGs"]
    assert ws.cell(4, 1).value == f"{goals[0].label} {goals[0].title}".strip()
    assert ws.cell(4, 1 + 11).value == 2 and ws.cell(4, 1 + 3).value == 1
    assert ws.cell(4, 1 + 1).value is None
    assert ws.cell(5, 1 + 17).value == 1
