"""Issue 16: the item page reads in the same small number of queries, however large the data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, item_of, sized

# Session and user (2: the user's row brings the membership and the header's unread count, see
# shinchoku.accounts.backends), the page's own reads; the item's 事務事業 (1, businesses'
# {% item_businesses %}).
ITEM_PAGE = 21


@pytest.fixture(params=SIZES)
def plan(request, db):
    return sized(request.param)


def test_the_item_page_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("reader", superuser=True)
    url = reverse("plans:node", args=[ACTION, item_of(plan).key])
    client.get(url)  # per-process caches filled once
    with django_assert_num_queries(ITEM_PAGE):
        assert client.get(url).status_code == 200
