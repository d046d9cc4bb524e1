"""Issue 16: the committee report page reads in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, rounds_rolled_back, sized

# The page keeps the report's body in the cache under the plan's version (rounds/page_cache.py):
# a second request reads the plan with its version; the first after a change reads the report:
# plan_progress's one query, the previous FY's opinions and the FYs with a report.
COMMITTEE_REPORT = 3
COMMITTEE_REPORT_MADE = 6


@pytest.fixture(scope="module")
def approved(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round, every sheet approved (rolled back after the module)."""
    with rounds_rolled_back(django_db_blocker, "report-runner"):
        yield


@pytest.fixture(params=SIZES)
def plan(request, approved, db):
    return sized(request.param)


def test_the_committee_report_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("reader", superuser=True)
    url = reverse("reports:committee", args=[ACTION, 2020])
    client.get(url)
    with django_assert_num_queries(COMMITTEE_REPORT):
        assert client.get(url).status_code == 200
    cache.clear()
    with django_assert_num_queries(COMMITTEE_REPORT_MADE):
        assert client.get(url).status_code == 200
