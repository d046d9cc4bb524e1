"""Issue 16: a public goal page reads in a fixed number of queries (no login)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.query_counts import ACTION, SIZES, rounds_rolled_back, sized

PUBLIC_GOAL = 13  # with the plan's cache version (public/cache.py)


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round published (rolled back after the module)."""
    with rounds_rolled_back(django_db_blocker, "public-runner"):
        yield


@pytest.fixture(params=SIZES)
def plan(request, published, db):
    return sized(request.param)


def test_a_public_goal_page_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    goal = plan.nodes.filter(parent=None).order_by("seq").first()
    url = reverse("public:node", args=[ACTION, goal.key])
    client = Client()
    client.get(url)
    cache.clear()  # the page as built (a miss), not as served from the cache (public/cache.py)
    with django_assert_num_queries(PUBLIC_GOAL):
        assert client.get(url).status_code == 200
