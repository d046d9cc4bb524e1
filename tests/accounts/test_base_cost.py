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


@pytest.mark.django_db
def test_a_department_change_holds_from_the_next_request_without_a_query_for_it():
    from shinchoku.accounts.permissions import can_report, department_ids
    from shinchoku.orgs.models import Department

    client = login_client("base-transfer", role="staff", departments=("福祉支援課",))
    member = Membership.objects.get(user=client.user)
    old = Department.objects.get(organization=member.organization, name="福祉支援課")
    new = Department.objects.filter(organization=member.organization).exclude(pk=old.pk).first()
    url = reverse("accounts:password_change")

    def user_of_next_request():
        user = client.get(url).wsgi_request.user
        with CaptureQueriesContext(connection) as queries:
            ids = department_ids(user)
            reports = (
                can_report(user, member.organization, old),
                can_report(user, member.organization, new),
            )
        assert not queries.captured_queries  # the ids came with the user
        return ids, reports

    assert user_of_next_request() == ({old.pk}, (True, False))
    member.departments.set([new])
    assert user_of_next_request() == ({new.pk}, (False, True))
    member.departments.clear()
    assert user_of_next_request() == (set(), (False, False))
    member.departments.set([old, new])
    assert user_of_next_request() == ({old.pk, new.pk}, (True, True))


@pytest.mark.django_db
def test_the_ids_read_with_the_user_give_way_to_a_change_of_the_same_membership():
    from shinchoku.accounts.permissions import department_ids, membership
    from shinchoku.orgs.models import Department

    client = login_client("base-same", role="staff", departments=("福祉支援課",))
    user = client.get(reverse("accounts:password_change")).wsgi_request.user
    member = membership(user)
    other = Department.objects.filter(organization=member.organization).exclude(
        pk__in=department_ids(user)
    )[0]
    member.departments.set([other])  # in the same request: the ids read before no longer hold
    assert department_ids(user) == {other.pk}


@pytest.mark.django_db
def test_the_frame_drawn_once_per_language_still_follows_the_role_and_the_language():
    """base.html's language-only parts are kept per process (accounts/templatetags/page_frame):
    the 管理者's menu never shows to a 部署担当, nor one language's words in the other."""
    from django.conf import settings

    admin = login_client("frame-admin", role="admin")
    staff = login_client("frame-staff", role="staff", departments=("福祉支援課",))
    url, audit = reverse("accounts:password_change"), reverse("audit:list")
    for _ in range(2):
        for language, menu in (("ja", "メニュー"), ("en", "Menu")):
            for client, admin_links in ((admin, True), (staff, False)):
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                page = client.get(url).content.decode()
                assert f"<summary>{menu}</summary>" in page
                assert f'lang="{language}"' in page
                assert f'<option value="{language}" selected>' in page
                assert (audit in page) is admin_links
