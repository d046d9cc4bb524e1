"""The audit log page and its CSV: 管理者 see their organization, operators all, others 404."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shinchoku.audit.models import Action, AuditEvent
from shinchoku.orgs.models import Organization
from tests.conftest import CITY_ORG, COUNCIL, login_client

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:list")
CSV = reverse("audit:csv")


def event(org_slug: str | None, username: str, action: str = Action.DOWNLOAD, **fields):
    org = Organization.objects.get(slug=org_slug) if org_slug else None
    return AuditEvent.objects.create(
        organization=org, username=username, action=action, ip="192.0.2.1", **fields
    )


@pytest.fixture
def events(db):
    """One event of each organization's own, told apart by their usernames."""
    event(COUNCIL, "社協の人", path="/plans/x/workbook/", url_name="plans:plan_workbook")
    event(CITY_ORG, "市の人", action=Action.LOGIN_FAILED)
    event(None, "だれか", action=Action.LOGIN_FAILED)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_an_administrator_sees_only_the_events_of_their_organization(events):
    page = html(login_client("社協管理者", role="admin").get(PAGE))
    assert "監査ログ" in page and "社協の人" in page and "計画ワークブック(Excel)" in page
    assert "市の人" not in page and "だれか" not in page


def test_another_organizations_administrator_does_not_see_our_events(events):
    page = html(login_client("市管理者", role="admin", org_slug=CITY_ORG).get(PAGE))
    assert "市の人" in page and "社協の人" not in page


def test_the_federation_operator_sees_every_organization_and_can_filter_by_one(events):
    operator = login_client("運営者", superuser=True)
    page = html(operator.get(PAGE))
    assert "社協の人" in page and "市の人" in page and "だれか" in page
    page = html(operator.get(PAGE, {"organization": CITY_ORG}))
    assert "市の人" in page and "社協の人" not in page


@pytest.mark.parametrize("role", ["staff", "approver", "viewer"])
def test_other_roles_get_a_404(events, role):
    client = login_client(f"役割{role}", role=role)
    assert client.get(PAGE).status_code == 404
    assert client.get(CSV).status_code == 404


def test_a_user_without_an_organization_gets_a_404_and_a_visitor_the_login_page(events):
    from django.test import Client

    assert login_client("無所属").get(PAGE).status_code == 404
    response = Client().get(PAGE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_header_links_to_the_audit_log_for_administrators_only(events):
    plans = reverse("plans:list")
    assert PAGE in html(login_client("管理", role="admin").get(plans))
    assert PAGE in html(login_client("運営", superuser=True).get(plans))
    assert PAGE not in html(login_client("閲覧", role="viewer").get(plans))


def test_filters_by_action_user_and_dates(db):
    now = timezone.now()
    old = event(COUNCIL, "前の人", action=Action.LOGIN)
    AuditEvent.objects.filter(pk=old.pk).update(created=now - timedelta(days=40))
    event(COUNCIL, "今の人", action=Action.LOGIN)
    event(COUNCIL, "今の人", action=Action.DOWNLOAD, filename="今のファイル.xlsx")
    admin = login_client("管理", role="admin")

    page = html(admin.get(PAGE, {"action": "download"}))
    assert "今のファイル.xlsx" in page and "前の人" not in page
    page = html(admin.get(PAGE, {"user": "前の"}))
    assert "前の人" in page and "今の人" not in page
    today = timezone.localdate()
    page = html(admin.get(PAGE, {"since": str(today - timedelta(days=1)), "until": str(today)}))
    assert "今の人" in page and "前の人" not in page
    page = html(admin.get(PAGE, {"until": str(today - timedelta(days=30))}))
    assert "前の人" in page and "今の人" not in page


def test_a_reversed_date_range_is_explained_in_japanese(db):
    response = login_client("管理", role="admin").get(
        PAGE, {"since": "2026-05-02", "until": "2026-05-01"}
    )
    assert response.status_code == 400
    assert "終了日は開始日より前にできません。" in response.content.decode()


def test_pages_of_fifty_newest_first(db):
    base = timezone.now() - timedelta(hours=1)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=Organization.objects.get(slug=COUNCIL),
            username=f"user{i:03d}",
            action=Action.DOWNLOAD,
            created=base + timedelta(seconds=i),
        )
        for i in range(60)
    )
    admin = login_client("管理", role="admin")
    first = html(admin.get(PAGE, {"action": "download"}))
    assert "user059" in first and "user010" in first and "user009" not in first
    second = html(admin.get(PAGE, {"action": "download", "page": 2}))
    assert "user009" in second and "user000" in second and "user059" not in second
    assert "action=download" in second  # the filter is kept in the page links


def test_the_page_makes_the_same_number_of_queries_with_more_events(db):
    admin = login_client("管理", role="admin")
    operator = login_client("運営", superuser=True)

    def count(client) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    few = (count(admin), count(operator))
    for i in range(40):
        event(COUNCIL, f"人{i}", department_id=None, plan_slug="p", fiscal_year=2020)
        event(CITY_ORG, f"市{i}")
    assert (count(admin), count(operator)) == few


def test_the_csv_holds_the_organizations_events_safe_for_spreadsheets(events):
    event(COUNCIL, '=HYPERLINK("x")', action=Action.LOGIN_FAILED)
    response = login_client("管理", role="admin").get(CSV)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["日時", "操作", "利用者", "組織", "接続元"]
    users = [row[2] for row in rows[1:]]
    assert "社協の人" in users and "市の人" not in users
    assert '\'=HYPERLINK("x")' in users
    assert rows[1][1] in ("ログイン失敗", "ダウンロード")
    datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S")
    # Downloading the audit log is itself recorded.
    assert AuditEvent.objects.filter(url_name="audit:csv", action=Action.DOWNLOAD).exists()


def test_the_csv_follows_the_filters(events):
    operator = login_client("運営", superuser=True)
    text = b"".join(operator.get(CSV, {"organization": CITY_ORG}).streaming_content).decode(
        "utf-8-sig"
    )
    assert "市の人" in text and "社協の人" not in text
