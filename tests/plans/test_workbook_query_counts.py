"""Issue 16: an uploaded plan workbook is checked and previewed in a fixed number of queries,
however large the stored plan and however many other plans there are."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shinchoku.plans.interchange import export_plan, known_plans
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.workbook import read_workbook, write_workbook
from tests.conftest import CITY_ORG, login_client
from tests.query_counts import ACTION, SIZES, sized

# Session and user (2); the upload's audit record (1, with its savepoint and release in a test's
# transaction: 3); the organization's plans with their node keys (1, interchange.known_plans), and
# the plans it may name (2, outside.referable_plans); the plan of that ID with its cache version
# (1); the expired uploads removed and the new one stored (2). The stored plan's document is kept
# in the cache under the plan's version (services.stored_document): the first upload after a
# change reads it (export_plan, one query: rows.read_compiled), the next ones and the
# confirmation do not, nor an upload of a workbook downloaded since the change.
PREVIEW = 11
PREVIEW_FIRST = PREVIEW + 1
# The same without the comparison: the plan belongs to another organization.
REFUSED = 9


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
    with django_assert_num_queries(PREVIEW_FIRST):
        assert upload(client, data).status_code == 200
    with django_assert_num_queries(PREVIEW):
        assert upload(client, data).status_code == 200


def test_an_upload_of_a_downloaded_workbook_reads_the_plan_once(plan, django_assert_num_queries):
    client = login_client("wb-admin", role="admin")
    response = client.get(reverse("plans:plan_workbook", args=[ACTION]))
    result = read_workbook(response.content, known_plans(plan.organization))
    result.doc["plan"]["title"] = "アップロードの題名"
    with django_assert_num_queries(PREVIEW):
        assert upload(client, write_workbook(result.doc)).status_code == 200


def test_the_preview_compares_with_the_plan_as_it_is_now(plan):
    """The kept document is never the plan as it was: a change shows in the next preview."""
    client = login_client("wb-admin", role="admin")
    doc = export_plan(plan)
    doc["plan"]["title"] = "アップロードの題名"
    data = write_workbook(doc)
    assert plan.title in upload(client, data).content.decode()
    Plan.objects.filter(pk=plan.pk).update(title="別の人が変えた題名")
    page = upload(client, data).content.decode()
    assert "別の人が変えた題名" in page and "アップロードの題名" in page
    node = Node.objects.filter(plan=plan, children__isnull=True).order_by("seq").first()
    node.title = "別の人が変えた項目名"
    node.save()
    assert "別の人が変えた項目名" in upload(client, data).content.decode()


def test_a_refused_workbook_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("wb-city-admin", role="admin", org_slug=CITY_ORG)
    doc = export_plan(Plan.objects.get(slug=ACTION))
    data = write_workbook(doc)
    upload(client, data)
    with django_assert_num_queries(REFUSED):
        response = upload(client, data)
    assert response.status_code == 400
    assert "組織ID" in response.content.decode()
