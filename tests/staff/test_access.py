"""Every staff page per role: 管理者 of the organization and the operator in; other members
of the organization 403; another organization's 管理者 404; anonymous to the login page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.accounts.models import Membership
from tests.conftest import CITY_ORG, COUNCIL, login_client

User = get_user_model()


@pytest.fixture
def target(db):
    return login_client("target-person", role="staff", departments=("総務課",)).user


def pages(target) -> list[tuple[str, str, dict]]:
    """(method, url, data) of every staff view of the council."""
    member = Membership.objects.get(user=target)
    person = [COUNCIL, target.pk]
    return [
        ("get", reverse("staff:list", args=[COUNCIL]), {}),
        ("get", reverse("staff:add", args=[COUNCIL]), {}),
        (
            "post",
            reverse("staff:add", args=[COUNCIL]),
            {"name": "新人", "email": "n@example.jp", "role": "staff"},
        ),
        ("get", reverse("staff:person", args=person), {}),
        (
            "post",
            reverse("staff:person", args=person),
            {
                "name": "改名",
                "email": "t@example.jp",
                "username": "target-person",
                "role": "staff",
                "version": member.version,
            },
        ),
        (
            "post",
            reverse("staff:set_active", args=person),
            {"active": "0", "version": member.version},
        ),
        ("post", reverse("staff:resend", args=person), {}),
        ("post", reverse("staff:transfer", args=person), {"t-effective": "2020-04-01"}),
        ("get", reverse("staff:roster_download", args=[COUNCIL]), {}),
        ("post", reverse("staff:roster_upload", args=[COUNCIL]), {}),
        ("post", reverse("staff:roster_apply", args=[COUNCIL]), {}),
    ]


def _unchanged(target) -> None:
    target.refresh_from_db()
    assert target.is_active and target.get_full_name() == "target-person"
    assert not User.objects.filter(email="n@example.jp").exists()
    assert not target.transfers.exists()


@pytest.mark.parametrize("role", ["staff", "approver", "viewer"])
def test_members_without_the_admin_role_get_403(target, role):
    client = login_client(f"member-{role}", role=role, departments=("総務課",))
    for method, url, data in pages(target):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert client.get(reverse("staff:index")).status_code == 403
    _unchanged(target)


def test_another_organizations_admin_gets_404(target):
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    for method, url, data in pages(target):
        assert getattr(client, method)(url, data).status_code == 404, url
    _unchanged(target)
    # their own staff page is theirs, and the index leads there
    response = client.get(reverse("staff:index"))
    assert response["Location"] == reverse("staff:list", args=[CITY_ORG])


def test_another_organizations_person_is_404_for_the_admin(admin):
    outsider = login_client("city-staff", role="staff", org_slug=CITY_ORG).user
    assert admin.get(reverse("staff:person", args=[COUNCIL, outsider.pk])).status_code == 404
    assert admin.get(reverse("staff:person", args=[CITY_ORG, outsider.pk])).status_code == 404


def test_anonymous_goes_to_the_login_page(target):
    client = Client()
    for method, url, data in pages(target):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    _unchanged(target)


def test_admin_and_operator_see_every_page(admin, operator, target):
    for client in (admin, operator):
        for method, url, _ in pages(target):
            if method == "get":
                assert client.get(url).status_code == 200, url


def test_operator_chooses_an_organization_and_user_menu_links(operator, admin):
    page = operator.get(reverse("staff:index"))
    assert page.status_code == 200
    assert reverse("staff:list", args=[CITY_ORG]) in page.text
    assert reverse("staff:list", args=[COUNCIL]) in page.text
    assert admin.get(reverse("staff:index"))["Location"] == reverse("staff:list", args=[COUNCIL])
    assert "職員" in admin.get(reverse("staff:list", args=[COUNCIL])).text
    staff = login_client("plain-staff", role="staff")
    assert reverse("staff:index") not in staff.get(reverse("plans:list")).text
    assert reverse("staff:index") in admin.get(reverse("plans:list")).text


def test_csrf_is_enforced(db):
    user = login_client("csrf-admin", role="admin").user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("staff:add", args=[COUNCIL]),
        {"name": "x", "email": "x@example.jp", "role": "staff"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.jp").exists()


def test_list_filters(admin):
    login_client("f-sou", role="staff", departments=("総務課",))
    login_client("f-shien", role="approver", departments=("福祉支援課",))
    gone = login_client("f-gone", role="staff", departments=("総務課",)).user
    gone.is_active = False
    gone.save()
    url = reverse("staff:list", args=[COUNCIL])
    from tests.staff.conftest import dept

    page = admin.get(url, {"department": dept("総務課").pk}).text
    assert "f-sou" in page and "f-gone" in page and "f-shien" not in page
    page = admin.get(url, {"role": "approver"}).text
    assert "f-shien" in page and "f-sou" not in page
    page = admin.get(url, {"active": "0"}).text
    assert "f-gone" in page and "f-sou" not in page
    page = admin.get(url, {"active": "1"}).text
    assert "f-gone" not in page and "停止" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_operator_adds_a_person_to_another_organization(
    operator, mailbox, django_capture_on_commit_callbacks
):
    from shinchoku.jobs.runner import run_pending
    from tests.staff.conftest import dept

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("staff:add", args=[CITY_ORG]),
            {
                "name": "市役所 職員",
                "email": "city-new@example.jp",
                "role": "staff",
                "departments": [dept("総務課").pk],  # a council department: refused
            },
        )
    assert response.status_code == 400
    assert not User.objects.filter(email="city-new@example.jp").exists()
    city_dept = Membership._meta.get_field("departments").related_model.objects.filter(
        organization__slug=CITY_ORG
    )[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("staff:add", args=[CITY_ORG]),
            {
                "name": "市役所 職員",
                "email": "city-new@example.jp",
                "role": "staff",
                "departments": [city_dept.pk],
            },
        )
    assert response.status_code == 302
    member = Membership.objects.get(user__email="city-new@example.jp")
    assert member.organization.slug == CITY_ORG
    run_pending()
    assert [m.to for m in mailbox] == [["city-new@example.jp"]]
