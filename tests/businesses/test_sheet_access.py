"""Who sees and who changes an evaluation sheet, per role; what the page shows of the business
(figures with full cost, plan items); and its fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.businesses.models import BusinessNode, BusinessYear, Judgement, Stage
from shinchoku.plans.models import Node
from tests.businesses.sheet_helpers import (
    FY,
    department,
    make_sheet,
    other_department,
    sheet_url,
    stage_url,
    users,
)

pytestmark = pytest.mark.django_db

TEXTS = {
    "purpose_target": "目的の下書き",
    "activity": "活動の下書き",
    "outcome": "成果の下書き",
    "issues": "課題の下書き",
}


@pytest.fixture
def who():
    return users()


@pytest.fixture
def draft():
    """A sheet at the chief's stage, its texts and self judgement filled in."""
    return make_sheet(
        stage=Stage.CHIEF, self_judgement="継続", self_reason="自己評価の理由", **TEXTS
    )


def test_the_page_shows_the_business_its_items_and_full_cost(who, draft):
    page = who["staff"].get(sheet_url(draft)).content.decode()
    node = BusinessNode.objects.get(business=draft.business).node
    assert node.title in page and f"/plans/{node.plan.slug}/" in page
    assert "福祉支援課" in page and "T-1" in page and "訪問件数" in page
    # FY2020: 1,500 + 0.5 人工 × 8,000 = 5,500 千円; per 250 件 = 22
    assert ">4,000<" in page and "<strong>5,500</strong>" in page and ">22<" in page
    assert "令和2年度(2020年度)" in page and "令和元年度(2019年度)" in page


@pytest.mark.parametrize("role", ["staff", "approver", "admin"])
def test_the_department_and_the_admin_read_an_unfinished_sheet(who, draft, role):
    page = who[role].get(sheet_url(draft)).content.decode()
    assert "成果の下書き" in page and "自己評価の理由" in page


@pytest.mark.parametrize("role", ["viewer", "other_staff", "other_approver"])
def test_others_see_only_the_stage_of_an_unfinished_sheet(who, draft, role):
    r = who[role].get(sheet_url(draft))
    page = r.content.decode()
    assert r.status_code == 200 and "課長評価" in page
    assert "成果の下書き" not in page and "自己評価の理由" not in page
    assert 'name="judgement"' not in page


@pytest.mark.parametrize("role", ["viewer", "other_staff"])
def test_every_member_reads_a_completed_sheet(who, role):
    done = make_sheet(
        stage=Stage.DONE, director_judgement="縮小", director_reason="利用が減った", **TEXTS
    )
    page = who[role].get(sheet_url(done)).content.decode()
    assert "成果の下書き" in page and "利用が減った" in page and "縮小" in page


def test_only_the_departments_staff_and_approvers_and_the_admin_fill_in_the_self_stage(who):
    sheet = make_sheet()
    for role in ("viewer", "other_staff", "other_approver"):
        r = who[role].post(stage_url(sheet, "self"), {**TEXTS, "version": 1, "action": "save"})
        assert r.status_code == 403, role
        assert 'name="outcome"' not in who[role].get(sheet_url(sheet)).content.decode()
    for role in ("staff", "approver", "admin"):
        assert 'name="outcome"' in who[role].get(sheet_url(sheet)).content.decode(), role
    sheet.refresh_from_db()
    assert sheet.outcome == "" and sheet.version == 1


def test_only_an_approver_of_the_department_or_the_admin_signs_the_chief_stage(who, draft):
    data = {"judgement": Judgement.CONTINUE, "reason": "理由", "action": "sign", "version": 1}
    for role in ("staff", "viewer", "other_staff", "other_approver"):
        assert who[role].post(stage_url(draft, "chief"), data).status_code == 403, role
        back = {"returned_reason": "戻す", "version": 1}
        assert who[role].post(stage_url(draft, "chief", back=True), back).status_code == 403
    assert "決裁して事務局長へ送る" in who["approver"].get(sheet_url(draft)).content.decode()
    draft.refresh_from_db()
    assert draft.stage == Stage.CHIEF and draft.version == 1


def test_only_the_admin_signs_the_directors_stage(who):
    sheet = make_sheet(stage=Stage.DIRECTOR, chief_judgement="継続")
    data = {"judgement": Judgement.CONTINUE, "reason": "理由", "action": "sign", "version": 1}
    for role in ("staff", "approver", "viewer"):
        assert who[role].post(stage_url(sheet, "director"), data).status_code == 403, role
        assert "総合評価を決裁する" not in who[role].get(sheet_url(sheet)).content.decode()
    assert who["admin"].post(stage_url(sheet, "director"), data).status_code == 302


def test_another_organization_gets_404_on_every_url(who, draft):
    outsider = who["outsider"]
    assert outsider.get(sheet_url(draft)).status_code == 404
    assert outsider.post(stage_url(draft, "chief"), {"version": 1}).status_code == 404
    assert outsider.post(stage_url(draft, "chief", back=True), {"version": 1}).status_code == 404
    # the sheet under another organization's slug or FY is not found either
    wrong = sheet_url(draft).replace("nishitokyo-shakyo", "nishitokyo-city")
    assert who["admin"].get(wrong).status_code == 404
    assert who["admin"].get(sheet_url(draft).replace(f"/{FY}/", "/2019/")).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(draft):
    for r in (
        Client().get(sheet_url(draft)),
        Client().post(stage_url(draft, "chief"), {"version": 1}),
    ):
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_gets_only(who, draft):
    assert who["admin"].get(stage_url(draft, "chief")).status_code == 405


def test_the_page_reads_a_fixed_number_of_queries(who, draft):
    client = who["staff"]
    client.get(sheet_url(draft))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(sheet_url(draft)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    # session, user (with the membership and the ids of its departments), the sheet with the
    # staff rate, figures, items
    assert small == 5, small
    # more plan items, more years, more sheets and businesses: the same count
    for node in Node.objects.filter(departments=department()).order_by("seq")[1:6]:
        BusinessNode.objects.create(business=draft.business, node=node)
    for fy in (FY - 2, FY + 1, FY + 2):
        BusinessYear.objects.create(business=draft.business, fiscal_year=fy, settlement=10)
    for n in range(2, 6):
        make_sheet(code=f"T-{n}", dept=other_department())
    assert count() == small
