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
