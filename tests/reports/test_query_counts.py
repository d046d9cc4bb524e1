"""Issue 16: the committee report page reads in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from shinchoku.plans.models import Plan
from tests.conftest import login_client
from tests.public.rounds import published_round
from tests.query_counts import ACTION, grow

COMMITTEE_REPORT = 19


@pytest.fixture(scope="module")
def approved(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round, every sheet approved (rolled back after the module)."""
    with django_db_blocker.unblock(), transaction.atomic():
        user = get_user_model().objects.create_user("report-runner", last_name="担当")
        published_round(ACTION, 2020, user)
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(params=["small", "large"])
def plan(request, approved, db):
    plan = Plan.objects.get(slug=ACTION)
    if request.param == "large":
        grow(plan)
    return plan


def test_the_committee_report_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("reader", superuser=True)
    url = reverse("reports:committee", args=[ACTION, 2020])
    client.get(url)
    with django_assert_num_queries(COMMITTEE_REPORT):
        assert client.get(url).status_code == 200
