"""The report page and the 施策評価 view read a fixed number of queries (issue 16 style):
counted on the FY2020 round as built in test_report ("small"), then with many more businesses,
evaluations and links, and the action plan grown by tests/query_counts.py ("large")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shinchoku.businesses.models import BusinessYear, RotationSlot, Stage
from shinchoku.plans.models import Node
from tests.businesses.test_report import council_round, evaluate, make_business
from tests.conftest import COUNCIL, login_client
from tests.query_counts import ACTION, SIZES, sized

pytestmark = pytest.mark.django_db
# The frame (session, user, membership with its departments, the header's notifications and
# menu: 6); the round with the cost of a person-year, the evaluations with their FY's figures,
# the rotation's slots with what is done.
REPORT_PAGE = 5
# The frame and the plan; the picker's years; plan_progress (rounds.progress: one query, every
# table it reads in one UNION ALL); the businesses linked with their figures, latest evaluations
# and the person-year cost.
POLICY_PAGE = 6


def more_businesses(round_, n: int = 12) -> None:
    org = round_.organization
    rotation = org.rotations.get()
    items = list(Node.objects.filter(plan__slug=ACTION, level=3).order_by("seq"))
    stages = [Stage.DONE, Stage.SELF, Stage.CHIEF, Stage.DIRECTOR]
    departments = ["福祉活動推進課", "福祉支援課", "総務課"]
    for i in range(n):
        b = make_business(
            org,
            str(100 + i),
            f"増えた事業{i}",
            departments[i % 3],
            settlement=str(100 * i),
            staff="0.3",
            node=items[i % len(items)].key,
        )
        BusinessYear.objects.create(business=b, fiscal_year=2019, settlement=Decimal(1))
        RotationSlot.objects.create(rotation=rotation, business=b, fiscal_year=2020 + i % 3)
        if i % 3 == 0:
            evaluate(round_, b, stages[i % 4], "改善・見直し")


@pytest.fixture(params=SIZES)
def size(request, db):
    round_ = council_round()
    sized(request.param)
    if request.param == "large":
        more_businesses(round_)
    return request.param


def test_the_report_page_reads_a_fixed_number_of_queries(size, django_assert_num_queries):
    client = login_client("q-viewer", role="viewer")
    url = reverse("businesses:report", args=[COUNCIL, 2020])
    client.get(url)
    with django_assert_num_queries(REPORT_PAGE):
        assert client.get(url).status_code == 200


def test_the_policy_view_reads_a_fixed_number_of_queries(size, django_assert_num_queries):
    client = login_client("q-viewer", role="viewer")
    url = reverse("businesses:policies", args=[ACTION]) + "?fy=2020"
    client.get(url)
    with django_assert_num_queries(POLICY_PAGE):
        assert client.get(url).status_code == 200
