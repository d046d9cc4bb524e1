"""Search in the fixture council's plan (tests/fixtures/other_shape_plan.xlsx), loaded as a
council loads it: uploaded as a workbook and confirmed. Four levels, 事業 rows with 施策内容."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shinchoku.orgs.models import Organization
from shinchoku.plans.models import PendingUpload
from tests.conftest import login_client
from tests.search.test_search_page import plans_listed, search

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
SLUG = "midori-katsudo-3"
ORG = "midori-shakyo"


@pytest.fixture
def midori_admin(db):
    Organization.objects.create(slug=ORG, name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-admin", role="admin", org_slug=ORG)
    response = admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    assert response.status_code == 200
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    return admin


@pytest.mark.parametrize("role", ["admin", "staff", "approver", "viewer"])
def test_kaihi_is_found_in_the_councils_project(midori_admin, role):
    client = midori_admin if role == "admin" else login_client(f"m-{role}", role=role, org_slug=ORG)
    page = search(client, "会費")
    assert plans_listed(page) == {SLUG}
    assert "会員<mark>会費</mark>の増強" in page
    assert reverse("plans:node", args=[SLUG, "j15"]) in page


def test_a_word_in_a_projects_text_is_found(midori_admin):
    page = search(midori_admin, "災害")  # 施策内容 of j05: 入門講座と専門講座（傾聴・災害）
    assert "ボランティア講座の開催" in page
    assert "傾聴・<mark>災害</mark>" in page
    assert "<mark>見守り</mark>協定の締結" in search(midori_admin, "見守り")  # a 実施内容


def test_the_two_councils_never_see_each_other(midori_admin):
    assert plans_listed(search(midori_admin, "会費")) == {SLUG}
    nishitokyo = login_client("nt-admin", role="admin")
    assert SLUG not in plans_listed(search(nishitokyo, "会費"))
    assert "会員会費の増強" not in search(nishitokyo, "会費")
