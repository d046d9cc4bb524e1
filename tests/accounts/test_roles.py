"""Accounts: who may do what (each role, department rules), the login pages, admin, demo users."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shinchoku.accounts import permissions as perm
from shinchoku.accounts.models import Membership
from shinchoku.orgs.models import Department, Organization
from tests.accounts.helpers import authenticate
from tests.conftest import CITY_ORG, COUNCIL, login_client


def member(name: str, role: str | None, org: str = COUNCIL, departments=(), **extra):
    return login_client(name, role=role, org_slug=org, departments=departments, **extra).user


@pytest.fixture
def council(db):
    return Organization.objects.get(slug=COUNCIL)


@pytest.fixture
def city(db):
    return Organization.objects.get(slug=CITY_ORG)


@pytest.mark.parametrize(
    ("role", "view", "structure", "report", "approve"),
    [
        ("admin", True, True, True, True),
        ("staff", True, False, True, False),
        ("approver", True, False, True, True),
        ("viewer", True, False, False, False),
        (None, False, False, False, False),
    ],
)
def test_what_each_role_may_do_in_its_own_organization(
    council, city, role, view, structure, report, approve
):
    dept = council.departments.filter(parent__isnull=True).first()
    user = member(f"u-{role}", role, departments=(dept.name,))
    assert perm.can_view(user, council) is view
    assert perm.can_edit_structure(user, council) is structure
    assert perm.can_report(user, council, dept) is report
    assert perm.can_approve(user, council, dept) is approve
    # nothing at all in another organization
    assert not perm.can_view(user, city)
    assert not perm.can_edit_structure(user, city)
    assert not perm.can_report(user, city, None)
    assert not perm.can_approve(user, city, None)
    visible = list(perm.visible_organizations(user))
    assert visible == ([council] if role else [])


def test_department_rules_cover_the_units_under_a_section(council):
    section = Department.objects.create(organization=council, name="テスト課")
    unit = Department.objects.create(organization=council, name="テスト係", parent=section)
    sibling = Department.objects.create(organization=council, name="別の課")
    staff = member("staff-sec", "staff", departments=("テスト課",))
    assert perm.can_report(staff, council, section) and perm.can_report(staff, council, unit)
    assert not perm.can_report(staff, council, sibling)
    unit_staff = member("staff-unit", "staff", departments=("テスト係",))
    assert perm.can_report(unit_staff, council, unit)
    assert not perm.can_report(unit_staff, council, section)  # a 係 does not cover its 課
    approver = member("approver-sec", "approver", departments=("テスト課",))
    assert perm.can_approve(approver, council, unit) and not perm.can_approve(
        approver, council, sibling
    )


def test_inactive_anonymous_and_federation_users(council, city):
    user = member("sleeping", "admin")
    user.is_active = False
    user.save()
    assert not perm.can_view(user, council) and perm.membership(user) is None
    assert not perm.can_view(AnonymousUser(), council)
    operator = member("operator", None, superuser=True)
    assert perm.is_federation(operator)
    assert perm.can_edit_structure(operator, city) and perm.can_approve(operator, council, None)
    assert set(perm.visible_organizations(operator)) == set(Organization.objects.all())


def test_departments_of_another_organization_are_refused_in_japanese(council, city):
    user = member("mixed", "staff")
    with pytest.raises(ValidationError) as caught:
        user.membership.check_departments(list(city.departments.all()[:1]))
    assert "別の組織" in str(caught.value) or "another organization" not in str(caught.value)


def test_login_page_is_japanese_and_a_wrong_password_is_explained(db):
    get_user_model().objects.create_user("someone", password="right-password")
    client = Client()
    page = client.get(reverse("accounts:login"))
    html = page.content.decode()
    assert '<html lang="ja">' in html and "ログイン" in html and "パスワード" in html
    response = client.post(reverse("accounts:login"), {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("accounts:login"), {"username": "someone", "password": "right-password"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_logout_needs_a_post_with_the_csrf_token(db):
    user = get_user_model().objects.create_user("leaver", password="pw-leaver-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 403  # no token
    assert "_auth_user_id" in client.session
    page = client.get(reverse("plans:list")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert "_auth_user_id" not in client.session


def test_password_change_needs_a_login(db):
    response = Client().get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_only_federation_operators_open_the_django_admin(db):
    operator = get_user_model().objects.create_superuser("root-op", password="x")
    client = Client()
    client.force_login(operator)
    for model in ("auth/user", "orgs/organization", "plans/sdggoal"):
        assert client.get(f"/admin/{model}/").status_code == 200, model
    council = Organization.objects.get(slug=COUNCIL)
    page = client.get(f"/admin/orgs/organization/{council.pk}/change/").content.decode()
    assert all(d.name in page for d in council.departments.all())  # departments edited inline
    admin = login_client("council-admin-2", role="admin")
    assert admin.get("/admin/").status_code == 302  # not staff: sent to the admin login


def test_demo_users_are_created_once_and_log_in_with_the_demo_password(db):
    call_command("create_demo_users", stdout=StringIO())
    first = set(Membership.objects.values_list("user__username", "role"))
    call_command("create_demo_users", stdout=StringIO())
    assert set(Membership.objects.values_list("user__username", "role")) == first
    assert (f"{COUNCIL}-admin", "admin") in first and (f"{CITY_ORG}-viewer", "viewer") in first
    assert authenticate(username=f"{COUNCIL}-staff", password="shinchoku-demo") is not None
