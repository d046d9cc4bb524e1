"""What every signed-in page pays before its view (issue 16): the session and one read of the user
with the membership, its organization and the unread notification count
(shinchoku.accounts.backends.MemberBackend); the departments only when a check needs them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.accounts.models import Membership
from shinchoku.notify.models import Notification
from tests.conftest import login_client


def _queries(client, url: str) -> list[str]:
    client.get(url)  # the first request of a session stamps it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_a_page_that_reads_nothing_costs_the_session_and_the_user_only():
    for client in (
        login_client("base-admin", role="admin"),
        login_client("base-staff", role="staff", departments=("福祉支援課",)),
        login_client("base-operator", superuser=True),
    ):
        sql = _queries(client, reverse("accounts:password_change"))
        assert len(sql) == 2, sql
        assert "django_session" in sql[0] and "auth_user" in sql[1]


@pytest.mark.django_db
def test_the_header_counts_the_unread_notifications_as_they_change():
    client = login_client("base-counted", role="staff", departments=("福祉支援課",))
    url = reverse("accounts:password_change")
    assert b"notify-count" not in client.get(url).content
    for n in range(2):
        Notification.objects.create(
            recipient=client.user, kind="submitted", subject=f"s{n}", key=f"k{n}"
        )
    assert b'<span class="notify-count">2</span>' in client.get(url).content
    Notification.objects.filter(recipient=client.user).first().delete()
    assert b'<span class="notify-count">1</span>' in client.get(url).content
    client.post(reverse("notify:read_all"))
    assert b"notify-count" not in client.get(url).content


@pytest.mark.django_db
def test_a_role_or_department_change_holds_from_the_next_request():
    client = login_client("base-moved", role="staff", departments=("福祉支援課",))
    menu = reverse("audit:list")
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert menu not in page  # the audit log is in the menu of 管理者 only
    member = Membership.objects.get(user=client.user)
    member.role = "admin"
    member.save()
    assert menu in client.get(reverse("accounts:password_change")).content.decode()


@pytest.mark.django_db
def test_a_deactivated_user_is_signed_out_on_the_next_request():
    client = login_client("base-gone", role="staff")
    client.user.is_active = False
    client.user.save()
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
