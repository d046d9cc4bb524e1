"""Issue 16: an uploaded plan workbook is checked and previewed in a fixed number of queries,
however large the stored plan and however many other plans there are."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shinchoku.plans.interchange import export_plan
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook import write_workbook
from tests.conftest import CITY_ORG, login_client
from tests.query_counts import ACTION, SIZES, sized

# Session and user (2); the upload's audit record (1, with its savepoint and release in a test's
# transaction: 3); the organization's plans with their node keys, and the plans it may name
# (4, interchange.known_plans); the plan of that ID (1); the stored plan, read once for the
# comparison and its fingerprint (export_plan: PREVIEW_EXPORT); the expired uploads removed and
# the new one stored (2).
PREVIEW = 29
# The same without the comparison: the plan belongs to another organization.
REFUSED = 10


@pytest.fixture(params=SIZES)
def plan(request, db):
    return sized(request.param)


def upload(client, data: bytes):
    file = SimpleUploadedFile("plan.xlsx", data)
    return client.post(reverse("plans:workbook_upload"), {"file": file})


def test_a_workbook_preview_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("wb-admin", role="admin")
    doc = export_plan(plan)
    doc["plan"]["title"] = "アップロードの題名"
    data = write_workbook(doc)
    upload(client, data)  # per-process caches filled once
    with django_assert_num_queries(PREVIEW):
        assert upload(client, data).status_code == 200


def test_a_refused_workbook_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("wb-city-admin", role="admin", org_slug=CITY_ORG)
    doc = export_plan(Plan.objects.get(slug=ACTION))
    data = write_workbook(doc)
    upload(client, data)
    with django_assert_num_queries(REFUSED):
        response = upload(client, data)
    assert response.status_code == 400
    assert "組織ID" in response.content.decode()
