"""The item page keeps what every reader sees alike in the cache (plans.item_page), never stale.

Each kind of record the page shows is changed through the product's own code path; the next
request must be exactly what the product builds afresh with an empty cache, and show the change.
Drafts stay the reader's: a department's unsaved texts reach only those who may read them.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.businesses.models import Business, BusinessNode
from shinchoku.plans.models import ContentGoal, Node, Plan, PlanRelation
from shinchoku.rounds import services as rounds
from tests.conftest import login_client
from tests.public.rounds import filled, open_round
from tests.public.test_cache import CHANGES, through_import
from tests.reviews.helpers import ACTION, DEPT, dept, other_dept

pytestmark = pytest.mark.django_db
ACTIVITY = "nishitokyo-katsudo-4"
MARK = "キャッシュ確認"
TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[A-Za-z0-9]+"')


def url(key: str = "item-1", slug: str = ACTION) -> str:
    return reverse("plans:node", args=[slug, key])


def body(client: Client, address: str) -> bytes:
    response = client.get(address)
    assert response.status_code == 200
    return TOKEN.sub(b"TOKEN", response.content)


def warm(client: Client, *addresses: str) -> dict[str, bytes]:
    """Each page built and cached; the second visit of each comes from the cache."""
    for a in addresses:
        client.get(a)
    return {a: body(client, a) for a in addresses}


def assert_fresh(client: Client, before: dict[str, bytes], mark: str = MARK) -> None:
    """Served as the cache has it equals built afresh, and shows the change."""
    served = {a: body(client, a) for a in before}
    cache.clear()
    for a, page in served.items():
        assert page == body(client, a), f"stale: {a}"
    assert served != before
    assert any(mark.encode() in page for page in served.values())


@pytest.fixture
def admin():
    return login_client("item-cache-admin", role="admin")


# Every change of the public pages' test but the plan's own sections (not on the item page).
ITEM_CHANGES = [k for k in CHANGES if k != "section of the plan"]


@pytest.mark.parametrize("kind", ITEM_CHANGES)
def test_a_change_loaded_into_the_plan_shows_on_the_item_page(admin, kind):
    # item-1 and its goal (the level above shows item-1 among its children).
    goal = Node.objects.get(plan__slug=ACTION, key="item-1").parent.key
    before = warm(admin, url(), url(goal))
    change, mark = CHANGES[kind]
    through_import(admin, change)
    assert_fresh(admin, before, mark)


def test_a_goal_of_the_linked_plan_renamed_shows_on_the_contents_that_serve_it(admin):
    before = warm(admin, url(), url("G1", ACTIVITY))
    goal = Node.objects.get(plan__slug=ACTIVITY, key="G1")
    goal.title += MARK
    goal.save()
    assert_fresh(admin, before)


def test_a_content_that_serves_another_plans_goal_shows_its_change_there(admin):
    before = warm(admin, url("G1", ACTIVITY))
    served = ContentGoal.objects.filter(node__plan__slug=ACTIVITY, node__key="G1").first()
    content = served.content
    content.text += MARK
    content.save()
    assert_fresh(admin, before)


def test_a_content_newly_linked_to_a_goal_of_another_plan_shows_there(admin):
    before = warm(admin, url("G2", ACTIVITY))
    content = Node.objects.get(plan__slug=ACTION, key="item-1").contents.first()
    goal = Node.objects.get(plan__slug=ACTIVITY, key="G2")
    ContentGoal.objects.create(
        content=content, node=goal, plan_slug=ACTIVITY, node_key="G2", order=99
    )
    content.text += MARK
    content.save()
    assert_fresh(admin, before)


def test_a_next_plan_that_continues_the_item_shows_and_its_draft_only_to_the_admin(admin):
    plan = Plan.objects.get(slug=ACTION)
    reader = login_client("item-cache-reader", role="staff", departments=(DEPT,))
    before = warm(admin, url())
    reader_before = warm(reader, url())
    nxt = Plan.objects.create(
        organization=plan.organization,
        slug="next-action",
        title=MARK + "次期計画",
        first_fy=plan.last_fy + 1,
        last_fy=plan.last_fy + 5,
        status=Plan.Status.DRAFT,
    )
    PlanRelation.objects.create(plan=nxt, other=plan, type=PlanRelation.Type.PREVIOUS)
    Node.objects.create(plan=nxt, key="n-1", level=1, title="続き", continues_key="item-1")
    assert_fresh(admin, before)
    assert body(reader, url()) == reader_before[url()]  # a draft plan: not for staff
    nxt.status = Plan.Status.ACTIVE
    nxt.save()
    assert MARK.encode() in body(reader, url())


def test_a_draft_sheet_shows_only_to_its_department_and_the_admin(admin):
    round_ = open_round(ACTION, 2020, admin.user)
    report = round_.reports.get(department=dept(DEPT))
    item = rounds.sheet(report)[0].node.key
    staff = login_client("item-cache-staff", role="staff", departments=(DEPT,))
    other = login_client("item-cache-other", role="staff", departments=(other_dept().name,))
    pages = {c: warm(c, url(item)) for c in (admin, staff, other)}
    rounds.save(report, filled(report, done=MARK), version=report.version, user=admin.user)
    assert_fresh(admin, pages[admin])
    assert_fresh(staff, pages[staff])
    assert MARK.encode() not in body(other, url(item))


def test_a_business_linked_to_the_item_shows(admin):
    before = warm(admin, url())
    node = Node.objects.get(plan__slug=ACTION, key="item-1")
    business = Business.objects.create(
        organization=node.plan.organization, code="B-1", name=MARK, department=dept(DEPT)
    )
    BusinessNode.objects.create(business=business, node=node)
    assert_fresh(admin, before)


def test_a_hit_reads_the_plan_and_nothing_of_its_rows(admin):
    warm(admin, url())
    with CaptureQueriesContext(connection) as hit:
        admin.get(url())
    read = [q["sql"] for q in hit.captured_queries]
    # The session, the user, and one read of the plan with its version, its neighbours'
    # versions and the item's businesses (plans.item_page.item_plan): no row the page shows.
    assert len(read) == 3
    assert 'FROM "plans_plan"' in read[2]
    for table in ("plans_section", "plans_schedulespan", "plans_indicatorvalue", "rounds_"):
        assert f'"{table}' not in read[2].replace('"rounds_plansettings"', ""), table
