"""Issue 16: the item page reads in the same small number of queries, however large the data."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from shinchoku.plans.cache_version import bump
from shinchoku.plans.models import Node
from tests.conftest import login_client
from tests.plans.test_other_shape import SLUG, loaded, midori_admin  # noqa: F401 (fixtures)
from tests.query_counts import ACTION, SIZES, item_of, sized

# Session and user (2, with the layout's notification count); the plan with its cache version,
# the versions of the plans its contents link to and the item's 事務事業 (1: plans.item_page
# item_plan): what every reader sees alike, the lineage and the progress come from the cache
# under them (plans.item_page, tests/plans/test_item_page_cache.py).
ITEM_PAGE = 3


@pytest.fixture(params=SIZES)
def plan(request, db):
    return sized(request.param)


def test_the_item_page_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("reader", superuser=True)
    url = reverse("plans:node", args=[ACTION, item_of(plan).key])
    client.get(url)  # per-process caches filled once
    with django_assert_num_queries(ITEM_PAGE):
        assert client.get(url).status_code == 200


# Session and user (2); the plan with the item, its ancestors and its children (1), its 担当課
# (1); its contents, their schedules and linked goals (3); its indicators and their values (2);
# its kinds of business, SDGs and sections (3). Its parent, a heading with children and
# neither contents nor indicators, reads no schedules, goals or values (9).
NODE_EDITOR = {"item": 12, "its parent": 9}


@pytest.mark.parametrize("which", ["item", "its parent"])
def test_the_node_editor_reads_a_fixed_number_of_queries(plan, which, django_assert_num_queries):
    client = login_client("editor", role="admin")
    node = item_of(plan)
    if which == "its parent":
        node = node.parent
    url = reverse("plans:edit_node", args=[ACTION, node.key])
    client.get(url)  # per-process caches filled once
    with django_assert_num_queries(NODE_EDITOR[which]):
        response = client.get(url)
    assert response.status_code == 200
    assert node.title in response.content.decode()


# A first request after any change to the plan (its cache version raised: every autosave on
# deadline day): the three reads above; every row the page shows of the plan, the item and its
# neighbours in one query (plans.item_page.read_item, with the lineage); the yearly progress
# (rounds' item_progress: the FYs with actuals or rounds, and in one query the content entries,
# the item entries and the indicators' unapproved entries (rounds.item_rows): 2).
ITEM_PAGE_MISS = 6


def test_the_item_page_after_a_change_reads_a_fixed_number_of_queries(
    plan, django_assert_num_queries
):
    client = login_client("reader", superuser=True)
    url = reverse("plans:node", args=[ACTION, item_of(plan).key])
    client.get(url)  # per-process caches filled once
    bump([plan.pk])
    with django_assert_num_queries(ITEM_PAGE_MISS):
        assert client.get(url).status_code == 200
    cache.clear()
    with django_assert_num_queries(ITEM_PAGE_MISS):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("level", [2, 4])
def test_a_plan_of_the_other_shape_reads_as_few(request, level, django_assert_num_queries):
    """事業 rows and no indicators (tests/plans/test_other_shape.py): as many queries as the
    action plan's items (the indicator entries are read with the others), the same on a hit."""
    client = request.getfixturevalue("loaded")  # its workbook uploaded by its 管理者
    node = Node.objects.filter(plan__slug=SLUG, level=level).order_by("seq").first()
    url = reverse("plans:node", args=[SLUG, node.key])
    client.get(url)
    bump([node.plan_id])
    with django_assert_num_queries(ITEM_PAGE_MISS):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(ITEM_PAGE):
        assert client.get(url).status_code == 200
