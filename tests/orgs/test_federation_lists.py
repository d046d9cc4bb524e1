"""The federation's lists at national scale: the plan list, the organization list (staff index),
the dashboard and /public/ are paged (50 a page), filtered by prefecture, kind of organization
and round state, and read in the same number of queries for 3 councils as for 60."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.orgs.filters import PER_PAGE
from shinchoku.plans.models import Plan
from shinchoku.rounds.models import Round
from tests.conftest import COUNCIL, login_client
from tests.orgs.bulk import bulk_councils

PLANS = reverse("plans:list")
ORGS = reverse("staff:index")
DASHBOARD = reverse("rounds:dashboard")
PUBLIC = reverse("public:index")
# Queries per page: for the operator session and user (whose row brings the unread count and
# tells that an operator has no membership), then the count and the page (+ node
# counts on the plan list; + rounds and grouped sheets on the dashboard); for a visitor of
# /public/ the plans' cache version (public/cache.py: a miss, the cache is emptied before each
# test), the count and the page. The same for 3 councils and for 70, with or without filters.
EXPECTED = {PLANS: 5, ORGS: 4, DASHBOARD: 6, PUBLIC: 3}


def queries(client: Client, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, data or {}).status_code == 200
    return len(ctx.captured_queries)


def client_for(url: str, operator: Client) -> Client:
    return Client() if url == PUBLIC else operator


def councils(n: int, start: int = 0) -> None:
    """`n` councils whose rounds are all closed and published (so /public/ lists them too)."""
    bulk_councils(n, start=start)
    Round.objects.filter(plan__slug__startswith="fed-").update(
        status=Round.Status.CLOSED, published=True
    )


@pytest.mark.parametrize("url", [PLANS, ORGS, DASHBOARD, PUBLIC])
def test_the_query_count_does_not_grow_with_the_councils(federation_client, url):
    client = client_for(url, federation_client)
    councils(3)
    small = queries(client, url)
    filtered = queries(client, url, {"prefecture": "13", "kind": "council"})
    councils(67, start=3)
    assert small == EXPECTED[url]
    assert queries(client, url) == small
    assert queries(client, url, {"prefecture": "13", "kind": "council"}) == filtered
    assert queries(client, url, {"page": "2"}) == small


@pytest.mark.parametrize("url", [PLANS, ORGS, DASHBOARD, PUBLIC])
def test_pages_hold_fifty_rows_and_link_to_the_others(federation_client, url):
    client = client_for(url, federation_client)
    councils(70)
    first = client.get(url)
    page = first.context["page"]
    assert len(page.object_list) == PER_PAGE and page.paginator.num_pages == 2
    html = first.content.decode()
    assert 'aria-label="ページ送り"' in html and 'aria-label="次のページ"' in html
    assert "?page=2" in html
    second = client.get(url, {"page": "2"}).context["page"]
    assert second.number == 2 and len(second.object_list) == page.paginator.count - PER_PAGE
    assert client.get(url, {"page": "999"}).context["page"].number == 2  # past the end: last
    assert client.get(url, {"page": "x"}).context["page"].number == 1


def test_the_plan_list_filters_by_prefecture_kind_and_round(federation_client):
    bulk_councils(21)  # councils 0-20

    def listed(**query) -> set[str]:
        return {p.slug for p in federation_client.get(PLANS, query).context["page"]}

    osaka = listed(prefecture="27")
    assert osaka == {f"fed-plan-{i:04d}" for i in range(21) if i % 3 == 1}
    municipalities = listed(kind="municipality")
    assert {f"fed-plan-{i:04d}" for i in range(21) if i % 4 == 3} <= municipalities
    assert not any(s.startswith("fed-plan-") and int(s[-4:]) % 4 != 3 for s in municipalities)
    assert listed(round="none") >= {"fed-plan-0004", "fed-plan-0009"}
    assert "fed-plan-0006" in listed(round="closed") and "fed-plan-0006" not in listed(round="open")
    assert "fed-plan-0000" in listed(round="open")
    assert listed(prefecture="13", kind="council", round="open") == {
        f"fed-plan-{i:04d}"
        for i in range(21)
        if i % 3 == 0 and i % 4 != 3 and i % 5 != 4 and i % 7 != 6
    }
    assert listed(prefecture="99") == listed()  # an unknown choice shows everything


def test_the_organization_list_filters_and_counts_in_the_database(federation_client):
    bulk_councils(21)
    response = federation_client.get(ORGS, {"prefecture": "01", "round": "open"})
    orgs = {o.slug: o for o in response.context["page"]}
    expected = {i for i in range(21) if i % 3 == 2 and i % 5 != 4 and i % 7 != 6}
    assert set(orgs) == {f"fed-{i:04d}" for i in expected}
    org = orgs["fed-0002"]
    assert (org.n_plans, org.open_rounds, org.people, org.active) == (1, 1, 0, 0)
    html = response.content.decode()
    assert "北海道" in html and "連合テスト0002社会福祉協議会" in html
    assert "連合テスト0000社会福祉協議会" not in html


def test_the_dashboard_counts_each_plans_sheets(federation_client):
    bulk_councils(7, deadline=date(2000, 5, 31))  # long past: open rounds are overdue
    response = federation_client.get(DASHBOARD, {"prefecture": "13"})
    rows = {r.plan.slug: r for r in response.context["rows"] if r.plan.slug.startswith("fed-")}
    assert set(rows) == {"fed-plan-0000", "fed-plan-0003", "fed-plan-0006"}
    open_ = rows["fed-plan-0000"]
    assert (open_.total, open_.approved, open_.submitted, open_.not_done) == (3, 1, 1, 1)
    assert open_.overdue == 1 and open_.days_left < 0
    assert rows["fed-plan-0006"].overdue == 0  # closed round: nothing is overdue any more
    html = response.content.decode()
    assert reverse("rounds:board", args=["fed-plan-0000", 2024]) in html
    assert f"{DASHBOARD}?org=fed-0000" in html
    assert "第1次連合テスト0000地域福祉活動計画" in html


def test_the_operator_opens_one_councils_boards(federation_client):
    bulk_councils(3)
    response = federation_client.get(DASHBOARD, {"org": COUNCIL})
    assert response.status_code == 200
    assert {b.plan.organization.slug for b in response.context["boards"]} <= {COUNCIL}
    assert federation_client.get(DASHBOARD, {"org": "no-such-org"}).status_code == 404


def test_a_council_admin_sees_only_its_organization(db):
    bulk_councils(60)
    admin = login_client("fed-council-admin", role="admin")
    listed = {p.organization.slug for p in admin.get(PLANS).context["page"]}
    assert listed == {COUNCIL}
    assert "fed-plan-" not in admin.get(DASHBOARD).content.decode()
    assert admin.get(ORGS)["Location"] == reverse("staff:list", args=[COUNCIL])
    # Filters do not widen a council's view.
    assert {
        p.organization.slug for p in admin.get(PLANS, {"prefecture": "27"}).context["page"]
    } <= {COUNCIL}
    assert "fed-plan-" not in admin.get(DASHBOARD, {"org": "fed-0001"}).content.decode()


def test_a_council_admins_plan_list_does_not_grow_with_other_councils(db):
    admin = login_client("fed-council-admin-2", role="admin")
    before = queries(admin, PLANS)
    dashboard = queries(admin, DASHBOARD)
    bulk_councils(30)
    assert queries(admin, PLANS) == before
    assert queries(admin, DASHBOARD) == dashboard


def test_a_viewer_does_not_list_draft_plans(db):
    Plan.objects.filter(slug="nishitokyo-katsudo-4").update(status=Plan.Status.DRAFT)
    viewer = login_client("fed-viewer", role="viewer")
    admin = login_client("fed-admin-3", role="admin")
    assert "nishitokyo-katsudo-4" not in {p.slug for p in viewer.get(PLANS).context["page"]}
    assert "nishitokyo-katsudo-4" in {p.slug for p in admin.get(PLANS).context["page"]}


def test_outsiders_are_refused_as_before(db):
    assert Client().get(PLANS).status_code == 302
    assert Client().get(DASHBOARD).status_code == 302
    staff = login_client("fed-staff", role="staff")
    assert staff.get(ORGS).status_code == 403


def test_public_lists_only_published_plans_by_prefecture(db):
    bulk_councils(21)
    listed = {p.slug for p in Client().get(PUBLIC, {"prefecture": "13"}).context["page"]}
    assert {s for s in listed if s.startswith("fed-")} == {"fed-plan-0006"}  # 20: unpublished
    assert "fed-plan-0013" in {p.slug for p in Client().get(PUBLIC).context["page"]}
    html = Client().get(PUBLIC, {"prefecture": "47"}).content.decode()
    assert "条件に合う計画はありません。" in html
