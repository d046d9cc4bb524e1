"""The rotation page and a round's page read in a fixed number of queries, however many
businesses, departments, evaluations and other councils there are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.businesses import rounds
from shinchoku.businesses.models import BusinessEvaluation, Rotation, RotationSlot, Stage
from shinchoku.orgs.models import Organization
from tests.businesses.rotation_data import council_businesses, evaluated_in, make_businesses
from tests.conftest import COUNCIL, login_client
from tests.query_counts import SIZES, sized

# The frame (session, user, membership with its departments, the header's notifications and
# menu: 6); the cycles with the plans' span, the businesses with their slot and last evaluation,
# the cycle's rounds.
ROTATION_PAGE = 5
# The frame; the round, its evaluations, the rotation's slots with what is done.
ROUND_PAGE = 5


def register(size: str):
    """The council's register in a saved FY2020 cycle with its FY2020 round started; "large"
    adds other councils (query_counts.grow), more departments and businesses, earlier
    evaluations and completed sheets."""
    sized(size)
    businesses = council_businesses()
    if size == "large":
        businesses += make_businesses(
            COUNCIL, {f"増えた課{n}": 7 for n in range(5)} | {"総務課": 6}, prefix="L"
        )
        for b in businesses[::4]:
            evaluated_in(b, 2016)
    org = Organization.objects.get(slug=COUNCIL)
    rotation = Rotation.objects.create(organization=org, first_fy=2020)
    for i, b in enumerate(businesses):
        RotationSlot.objects.create(rotation=rotation, business=b, fiscal_year=2020 + i % 3)
    if size == "large":
        make_businesses(COUNCIL, {"総務課": 3}, prefix="U")  # not assigned yet
    admin = login_client("count-admin", role="admin")
    round_ = rounds.start_round(org, 2020, admin.user)
    if size == "large":
        done = list(round_.evaluations.values_list("pk", flat=True))[::2]
        BusinessEvaluation.objects.filter(pk__in=done).update(
            stage=Stage.DONE, director_judgement="継続"
        )
    return admin


@pytest.fixture(params=SIZES)
def admin(request, db):
    return register(request.param)


def test_the_rotation_page_reads_a_fixed_number_of_queries(admin, django_assert_num_queries):
    url = reverse("businesses:rotation", args=[COUNCIL])
    admin.get(url)
    with django_assert_num_queries(ROTATION_PAGE):
        assert admin.get(url).status_code == 200


def test_the_round_page_reads_a_fixed_number_of_queries(admin, django_assert_num_queries):
    url = reverse("businesses:round", args=[COUNCIL, 2020])
    admin.get(url)
    with django_assert_num_queries(ROUND_PAGE):
        assert admin.get(url).status_code == 200
