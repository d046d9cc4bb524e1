"""Issue 16: the item page reads in the same small number of queries, however large the data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, item_of, sized

# Session and user (2); the plan with its cache version (1) and the versions of the plans its
# contents link to (1): what every reader sees alike, the lineage and the progress come from the
# cache under them (plans.item_page, tests/plans/test_item_page_cache.py); the layout's
# notification count (1: it also tells a federation operator's header that there is no
# membership to read); the item's 事務事業 (1, businesses' {% item_businesses %}).
ITEM_PAGE = 5


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
