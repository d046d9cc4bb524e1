"""Issue 16: a public goal page reads in a fixed number of queries (no login)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from shinchoku.plans.models import Plan
from tests.public.rounds import published_round
from tests.query_counts import ACTION, grow

PUBLIC_GOAL = 20  # with the plan's cache version (public/cache.py)


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round published (rolled back after the module)."""
    with django_db_blocker.unblock(), transaction.atomic():
        user = get_user_model().objects.create_user("public-runner", last_name="担当")
        published_round(ACTION, 2020, user)
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(params=["small", "large"])
def plan(request, published, db):
    plan = Plan.objects.get(slug=ACTION)
    if request.param == "large":
        grow(plan)
    return plan


def test_a_public_goal_page_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    goal = plan.nodes.filter(parent=None).order_by("seq").first()
    url = reverse("public:node", args=[ACTION, goal.key])
    client = Client()
    client.get(url)
    cache.clear()  # the page as built (a miss), not as served from the cache (public/cache.py)
    with django_assert_num_queries(PUBLIC_GOAL):
        assert client.get(url).status_code == 200
