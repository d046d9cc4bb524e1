"""Accounts, in detail: the permission functions for every kind of user, the login pages,
the Django admin, the demo users command and the membership's department check.

Everything runs against the real database with the demo plans loaded once per session
(tests/conftest.py); each test is rolled back.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from shinchoku.accounts import permissions as perm
from shinchoku.accounts.admin import MembershipForm
from shinchoku.accounts.management.commands.create_demo_users import DEMO_PASSWORD
from shinchoku.accounts.models import Membership, Role
from shinchoku.orgs.models import Department, Organization
from tests.accounts.helpers import authenticate
from tests.conftest import CITY_ORG, COUNCIL, login_client

pytestmark = pytest.mark.django_db

User = get_user_model()
ROLES = ["admin", "staff", "approver", "viewer"]
WRONG_LOGIN_JA = "ユーザー名またはパスワードが正しくありません。"


# --------------------------------------------------------------------------- helpers / fixtures


@pytest.fixture
def council() -> Organization:
    return Organization.objects.get(slug=COUNCIL)


@pytest.fixture
def city() -> Organization:
    return Organization.objects.get(slug=CITY_ORG)


@pytest.fixture
def tree(council):
    """A 課 with two 係 under it, a sibling 課 with its own 係, in the council."""
    section = Department.objects.create(organization=council, name="試験課", order=90)
    unit = Department.objects.create(organization=council, name="試験係", parent=section, order=91)
    unit2 = Department.objects.create(
        organization=council, name="第二試験係", parent=section, order=92
    )
    sibling = Department.objects.create(organization=council, name="隣の課", order=93)
    sibling_unit = Department.objects.create(
        organization=council, name="隣の係", parent=sibling, order=94
    )
    return {
        "section": section,
        "unit": unit,
        "unit2": unit2,
        "sibling": sibling,
        "sibling_unit": sibling_unit,
    }


def make_user(
    username: str,
    role: str | None = None,
    organization: Organization | None = None,
    departments=(),
    **extra,
):
    """A fresh user (fresh object: no cached membership) with an optional membership."""
    user = User.objects.create_user(username, password="pw-" + username, **extra)
    if role is not None:
        member = Membership.objects.create(user=user, organization=organization, role=role)
        member.departments.set(departments)
    return User.objects.get(pk=user.pk)


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


# --------------------------------------------------------------------------- 1. permissions.py

EXPECTED = {
    # role: (view, edit_structure, report without department, approve without department)
    "admin": (True, True, True, True),
    "staff": (True, False, True, False),
    "approver": (True, False, True, True),
    "viewer": (True, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_in_its_own_organization(council, role):
    user = make_user(f"own-{role}", role, council)
    view, structure, report, approve = EXPECTED[role]
    assert perm.can_view(user, council) is view
    assert perm.can_edit_structure(user, council) is structure
    assert perm.can_report(user, council) is report
    assert perm.can_report(user, council, None) is report
    assert perm.can_approve(user, council) is approve
    assert perm.can_approve(user, council, None) is approve
    assert list(perm.visible_organizations(user)) == [council]
    assert perm.is_federation(user) is False
    assert perm.membership(user).role == role


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_nothing_in_another_organization(council, city, role):
    dept = city.departments.first()
    user = make_user(f"other-{role}", role, council)
    assert perm.can_view(user, city) is False
    assert perm.can_edit_structure(user, city) is False
    assert perm.can_report(user, city) is False
    assert perm.can_report(user, city, dept) is False
    assert perm.can_approve(user, city) is False
    assert perm.can_approve(user, city, dept) is False
    assert city not in perm.visible_organizations(user)


@pytest.mark.parametrize("role", ROLES)
def test_a_user_of_the_city_sees_only_the_city(council, city, role):
    user = make_user(f"city-{role}", role, city)
    assert list(perm.visible_organizations(user)) == [city]
    assert perm.can_view(user, city) is True
    assert perm.can_view(user, council) is False
    assert perm.can_edit_structure(user, council) is False


def test_admin_reports_and_approves_for_any_department_of_its_organization(council, tree):
    admin = make_user("adm", "admin", council)  # no departments at all
    for dept in tree.values():
        assert perm.can_report(admin, council, dept) is True
        assert perm.can_approve(admin, council, dept) is True


def test_staff_of_a_section_covers_its_units_but_not_a_sibling_section(council, tree):
    staff = make_user("staff-ka", "staff", council, [tree["section"]])
    assert perm.can_report(staff, council, tree["section"]) is True
    assert perm.can_report(staff, council, tree["unit"]) is True
    assert perm.can_report(staff, council, tree["unit2"]) is True
    assert perm.can_report(staff, council, tree["sibling"]) is False
    assert perm.can_report(staff, council, tree["sibling_unit"]) is False
    # staff never approve, not even in their own 課
    for dept in tree.values():
        assert perm.can_approve(staff, council, dept) is False
    assert perm.can_approve(staff, council) is False


def test_staff_of_a_unit_covers_only_that_unit(council, tree):
    staff = make_user("staff-kakari", "staff", council, [tree["unit"]])
    assert perm.can_report(staff, council, tree["unit"]) is True
    assert perm.can_report(staff, council, tree["section"]) is False  # not the 課 above
    assert perm.can_report(staff, council, tree["unit2"]) is False  # not a sibling 係
    assert perm.can_report(staff, council, tree["sibling"]) is False
    assert perm.can_report(staff, council, tree["sibling_unit"]) is False


def test_approver_of_a_section_approves_its_units_but_not_a_sibling(council, tree):
    approver = make_user("approver-ka", "approver", council, [tree["section"]])
    for name in ("section", "unit", "unit2"):
        assert perm.can_approve(approver, council, tree[name]) is True, name
        assert perm.can_report(approver, council, tree[name]) is True, name
    for name in ("sibling", "sibling_unit"):
        assert perm.can_approve(approver, council, tree[name]) is False, name
        assert perm.can_report(approver, council, tree[name]) is False, name
    assert perm.can_approve(approver, council) is True  # no department asked


def test_staff_of_several_departments(council, tree):
    staff = make_user("staff-two", "staff", council, [tree["unit"], tree["sibling"]])
    assert perm.can_report(staff, council, tree["unit"]) is True
    assert perm.can_report(staff, council, tree["sibling"]) is True
    assert perm.can_report(staff, council, tree["sibling_unit"]) is True
    assert perm.can_report(staff, council, tree["section"]) is False
    assert perm.can_report(staff, council, tree["unit2"]) is False


def test_staff_without_departments_reports_only_when_no_department_is_asked(council, tree):
    staff = make_user("staff-none", "staff", council)
    assert perm.can_report(staff, council) is True
    for dept in tree.values():
        assert perm.can_report(staff, council, dept) is False


def test_viewer_never_reports_nor_approves_even_with_departments(council, tree):
    viewer = make_user("viewer-ka", "viewer", council, [tree["section"]])
    assert perm.can_view(viewer, council) is True
    for dept in tree.values():
        assert perm.can_report(viewer, council, dept) is False
        assert perm.can_approve(viewer, council, dept) is False


def test_a_department_of_another_organization_is_not_covered(council, city):
    staff = make_user("staff-x", "staff", council, [council.departments.first()])
    assert perm.can_report(staff, council, city.departments.first()) is False


def test_a_user_without_membership_may_do_nothing(council, city, tree):
    user = make_user("nobody")
    assert perm.membership(user) is None
    for org in (council, city):
        assert perm.can_view(user, org) is False
        assert perm.can_edit_structure(user, org) is False
        assert perm.can_report(user, org) is False
        assert perm.can_approve(user, org) is False
    assert perm.can_report(user, council, tree["unit"]) is False
    assert perm.can_approve(user, council, tree["unit"]) is False
    assert list(perm.visible_organizations(user)) == []


@pytest.mark.parametrize("role", ROLES)
def test_an_inactive_user_may_do_nothing(council, tree, role):
    user = make_user(f"asleep-{role}", role, council, [tree["section"]], is_active=False)
    assert perm.membership(user) is None
    assert perm.can_view(user, council) is False
    assert perm.can_edit_structure(user, council) is False
    assert perm.can_report(user, council) is False
    assert perm.can_report(user, council, tree["unit"]) is False
    assert perm.can_approve(user, council, tree["unit"]) is False
    assert list(perm.visible_organizations(user)) == []


def test_anonymous_may_do_nothing(council, tree):
    anonymous = AnonymousUser()
    assert perm.membership(anonymous) is None
    assert perm.membership(None) is None
    assert perm.is_federation(anonymous) is False
    assert perm.is_federation(None) is False
    assert perm.can_view(anonymous, council) is False
    assert perm.can_edit_structure(anonymous, council) is False
    assert perm.can_report(anonymous, council) is False
    assert perm.can_report(anonymous, council, tree["unit"]) is False
    assert perm.can_approve(anonymous, council, tree["unit"]) is False
    assert list(perm.visible_organizations(anonymous)) == []


def test_a_superuser_is_a_federation_operator_everywhere(council, city, tree):
    operator = make_user("fed-op", is_superuser=True)  # no membership needed
    assert perm.is_federation(operator) is True
    for org in (council, city):
        assert perm.can_view(operator, org) is True
        assert perm.can_edit_structure(operator, org) is True
        assert perm.can_report(operator, org) is True
        assert perm.can_approve(operator, org) is True
    for dept in [*tree.values(), city.departments.first()]:
        assert perm.can_report(operator, council, dept) is True
        assert perm.can_approve(operator, council, dept) is True
    assert set(perm.visible_organizations(operator)) == set(Organization.objects.all())
    assert perm.visible_organizations(operator).count() == Organization.objects.count()


def test_a_superuser_with_a_viewer_membership_is_still_federation(council, city):
    operator = make_user("fed-viewer", "viewer", council, is_superuser=True)
    assert perm.can_edit_structure(operator, council) is True
    assert perm.can_approve(operator, city) is True
    assert set(perm.visible_organizations(operator)) == {council, city}


def test_an_inactive_superuser_is_not_federation(council):
    operator = make_user("fed-asleep", is_superuser=True, is_active=False)
    assert perm.is_federation(operator) is False
    assert perm.can_view(operator, council) is False
    assert list(perm.visible_organizations(operator)) == []


def test_membership_is_cached_on_the_user_object(council, django_assert_num_queries):
    dept = council.departments.first()
    user = make_user("cached", "staff", council, [dept])
    with django_assert_num_queries(2):  # membership + its departments, once
        perm.membership(user)
    with django_assert_num_queries(0):
        perm.membership(user)
        perm.can_view(user, council)
        assert perm.can_report(user, council, dept) is True


def test_require_lets_through_raises_login_required_or_permission_denied(rf):
    from django.core.exceptions import PermissionDenied

    request = rf.get("/")
    request.user = AnonymousUser()
    perm.require(request, True)  # allowed: nothing happens
    with pytest.raises(perm.LoginRequired):
        perm.require(request, False)
    request.user = make_user("denied")
    with pytest.raises(PermissionDenied):
        perm.require(request, False)


# --------------------------------------------------------------------------- 2. login pages


def test_login_url_is_under_accounts():
    assert reverse("accounts:login") == "/accounts/login/"
    assert reverse("accounts:logout") == "/accounts/logout/"
    assert reverse("accounts:password_change") == "/accounts/password/"


def test_login_page_renders_in_japanese():
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert response["Content-Language"] == "ja"
    assert "<h1>ログイン</h1>" in html
    assert "ユーザー名" in html and "パスワード" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Log in" not in html and "User name" not in html


def test_login_page_stays_japanese_with_an_english_browser():
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get(reverse("accounts:login"))
    assert '<html lang="ja">' in response.content.decode()


def test_a_wrong_password_is_explained_in_japanese_and_does_not_log_in():
    make_user("someone")
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "someone", "password": "not-the-password"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG_LOGIN_JA in html
    assert 'role="alert"' in html
    assert 'value="someone"' in html  # the user name is kept in the form
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("plans:list")).status_code == 302  # still anonymous


def test_an_unknown_user_gets_the_same_message():
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "ghost", "password": "x"})
    assert response.status_code == 200
    assert WRONG_LOGIN_JA in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_inactive_user_cannot_log_in(council):
    make_user("retired", "admin", council, is_active=False)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "retired", "password": "pw-retired"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_correct_password_logs_in_and_redirects_to_the_to_do_page(council):
    user = make_user("goodpw", "viewer", council)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "goodpw", "password": "pw-goodpw"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("todo:page")  # issue 14: the to-do page
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("plans:list")).status_code == 200


def test_login_follows_next_but_not_to_another_site(council):
    make_user("nexter", "viewer", council)
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "nexter", "password": "pw-nexter", "next": "/accounts/password/"},
    )
    assert response["Location"] == "/accounts/password/"
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "nexter", "password": "pw-nexter", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("todo:page")


def test_anonymous_is_sent_to_login_with_next_and_the_page_keeps_it():
    client = Client()
    response = client.get(reverse("plans:list"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("accounts:login") + "?next=")
    page = client.get(location).content.decode()
    assert f'name="next" value="{reverse("plans:list")}"' in page


def test_a_logged_in_user_opening_the_login_page_is_redirected(council):
    client = login_client("already-in", role="viewer")
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("todo:page")


def test_login_with_csrf_checks_needs_the_token_from_the_page(council):
    make_user("csrf-login", "viewer", council)
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "csrf-login", "password": "pw-csrf-login"}
    assert client.post(reverse("accounts:login"), credentials).status_code == 403
    token = csrf_token(client.get(reverse("accounts:login")).content.decode())
    response = client.post(reverse("accounts:login"), {**credentials, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_logout_is_not_allowed_with_get(council):
    client = login_client("get-logout", role="viewer")
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_with_post_and_the_csrf_token_from_the_page(council):
    make_user("leaving", "staff", council)
    client = Client(enforce_csrf_checks=True)
    token = csrf_token(client.get(reverse("accounts:login")).content.decode())
    client.post(
        reverse("accounts:login"),
        {"username": "leaving", "password": "pw-leaving", "csrfmiddlewaretoken": token},
    )
    assert "_auth_user_id" in client.session
    # without the token: refused, still logged in
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert "_auth_user_id" in client.session
    # the token from the user menu of a page (it was rotated at login)
    page = client.get(reverse("plans:list")).content.decode()
    assert f'action="{reverse("accounts:logout")}"' in page
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": csrf_token(page)})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("plans:list")).status_code == 302


def test_password_change_page_requires_login():
    response = Client().get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert "next=/accounts/password/" in response["Location"]
    response = Client().get(reverse("accounts:password_change_done"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change_works_for_a_logged_in_user(council):
    user = make_user("changer", "viewer", council)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="ja">' in html and "パスワード変更" in html
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-changer",
            "new_password1": "kawaru-Pass-2024!",
            "new_password2": "kawaru-Pass-2024!",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(response["Location"]).status_code == 200  # still logged in
    assert authenticate(username="changer", password="kawaru-Pass-2024!") is not None
    assert authenticate(username="changer", password="pw-changer") is None


def test_password_change_with_a_wrong_old_password_is_refused(council):
    user = make_user("changer2", "viewer", council)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong",
            "new_password1": "kawaru-Pass-2024!",
            "new_password2": "kawaru-Pass-2024!",
        },
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert authenticate(username="changer2", password="pw-changer2") is not None


# --------------------------------------------------------------------------- 3. Django admin

ADMIN_CHANGELISTS = [
    "admin:auth_user_changelist",
    "admin:orgs_organization_changelist",
    "admin:plans_sdggoal_changelist",
    "admin:plans_plan_changelist",
]


@pytest.fixture
def operator_client():
    operator = User.objects.create_superuser("root-operator", password="x")
    client = Client()
    client.force_login(operator)
    return client


def test_superuser_opens_the_admin_index(operator_client):
    response = operator_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()


@pytest.mark.parametrize("name", ADMIN_CHANGELISTS)
def test_superuser_opens_each_changelist(operator_client, name):
    response = operator_client.get(reverse(name))
    assert response.status_code == 200, name


def test_user_changelist_shows_organization_and_role(operator_client, council):
    make_user("listed-staff", "staff", council)
    html = operator_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "listed-staff" in html
    assert council.name in html
    filtered = operator_client.get(
        reverse("admin:auth_user_changelist"), {"membership__role": "staff"}
    )
    assert filtered.status_code == 200
    assert "listed-staff" in filtered.content.decode()


@pytest.mark.xfail(
    reason="bug: ShinchokuUserAdmin's @admin.display(description='organization'/'role') are plain "
    "strings, not gettext_lazy, so the Japanese admin shows English column headers",
    strict=True,
)
def test_user_changelist_column_headers_are_japanese(operator_client):
    html = operator_client.get(reverse("admin:auth_user_changelist")).content.decode()
    headers = re.findall(r'<div class="text"><a href="[^"]*">([^<]+)</a></div>', html)
    assert "ユーザー名" in headers  # Django's own columns are translated
    assert "組織" in headers and "役割" in headers
    assert "Organization" not in headers and "Role" not in headers


def test_user_change_page_has_the_membership_inline(operator_client, council):
    user = make_user("inline-staff", "staff", council, [council.departments.first()])
    response = operator_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="membership-0-role"' in html
    assert 'name="membership-0-departments"' in html


def test_departments_are_edited_inline_in_the_organization(operator_client, council):
    # Department has no admin of its own: it is edited inside its organization.
    with pytest.raises(NoReverseMatch):
        reverse("admin:orgs_department_changelist")
    response = operator_client.get(reverse("admin:orgs_organization_change", args=[council.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for dept in council.departments.all():
        assert dept.name in html


def test_sdg_goals_are_listed(operator_client):
    from shinchoku.plans.models import SdgGoal

    response = operator_client.get(reverse("admin:plans_sdggoal_changelist"))
    goal = SdgGoal.objects.order_by("number").first()
    if goal is not None:
        assert goal.name in response.content.decode()


def test_council_admin_who_is_not_staff_cannot_open_the_admin():
    client = login_client("council-admin-x", role="admin")
    assert client.user.is_staff is False
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    for name in ADMIN_CHANGELISTS:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name


def test_a_superuser_without_staff_flag_cannot_open_the_admin():
    # federation in the product, but Django's admin asks for is_staff
    client = login_client("fed-not-staff", superuser=True)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


# --------------------------------------------------------------------------- 4. demo users


def _demo_usernames(orgs) -> set[str]:
    return {f"{org.slug}-{suffix}" for org in orgs for suffix in ROLES}


def test_create_demo_users_creates_one_user_per_role_per_organization(council, city):
    # the session's load_demo already made them: start from none
    User.objects.filter(username__in=_demo_usernames([council, city])).delete()
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    orgs_with_plans = list(Organization.objects.filter(plans__isnull=False).distinct())
    assert {council, city} <= set(orgs_with_plans)
    for org in orgs_with_plans:
        for role in ROLES:
            user = User.objects.get(username=f"{org.slug}-{role}")
            assert user.is_active
            assert user.membership.organization == org
            assert user.membership.role == role
        # one per role, and a staff member and an approver for each further department
        expected = 4 + 2 * (org.departments.count() - 1)
        assert org.memberships.filter(user__username__startswith=f"{org.slug}-").count() == expected
        for n, department in enumerate(org.departments.order_by("order", "id")[1:], start=2):
            for role in ("staff", "approver"):
                member = Membership.objects.get(user__username=f"{org.slug}-{role}-{n}")
                assert member.role == role and list(member.departments.all()) == [department]
    text = out.getvalue()
    assert "デモ用ユーザー" in text and DEMO_PASSWORD in text


def test_demo_staff_and_approver_get_the_first_department(council):
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    first = council.departments.order_by("order", "id").first()
    for role in ("staff", "approver"):
        member = Membership.objects.get(user__username=f"{COUNCIL}-{role}")
        assert list(member.departments.all()) == [first]
    for role in ("admin", "viewer"):
        member = Membership.objects.get(user__username=f"{COUNCIL}-{role}")
        assert list(member.departments.all()) == []


def _memberships() -> dict[str, tuple]:
    """Every membership: user name -> (id, organization, role, department ids)."""
    return {
        m.user.username: (
            m.pk,
            m.organization_id,
            m.role,
            sorted(d.pk for d in m.departments.all()),
        )
        for m in Membership.objects.select_related("user").prefetch_related("departments")
    }


def test_running_create_demo_users_twice_does_not_duplicate(council, city):
    other = make_user("not-a-demo-user", "approver", council, [council.departments.last()])
    call_command("create_demo_users", stdout=StringIO())
    users_before = User.objects.count()
    members_before = _memberships()
    call_command("create_demo_users", stdout=StringIO())
    assert User.objects.count() == users_before
    members_after = _memberships()
    assert members_after == members_before
    assert members_after["not-a-demo-user"][2] == "approver"  # other users are left alone
    assert User.objects.filter(pk=other.pk).exists()
    for name in _demo_usernames([council, city]):
        assert User.objects.filter(username=name).count() == 1


def test_the_documented_demo_password_works(council, city):
    call_command("create_demo_users", stdout=StringIO())
    assert DEMO_PASSWORD == "shinchoku-demo"  # as written in README.md
    for name in _demo_usernames([council, city]):
        assert authenticate(username=name, password="shinchoku-demo") is not None, name
        assert authenticate(username=name, password="wrong") is None, name


def test_demo_users_log_in_through_the_page_and_get_their_rights(council):
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": f"{COUNCIL}-admin", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username=f"{COUNCIL}-admin")
    assert perm.can_edit_structure(user, council) is True
    viewer = User.objects.get(username=f"{COUNCIL}-viewer")
    assert perm.can_report(viewer, council) is False


def test_create_demo_users_for_one_organization_and_a_custom_password(council, city):
    User.objects.filter(username__in=_demo_usernames([council, city])).delete()
    call_command(
        "create_demo_users", "--org", CITY_ORG, "--password", "other-pw-1", stdout=StringIO()
    )
    assert not User.objects.filter(username__startswith=f"{COUNCIL}-").exists()
    assert authenticate(username=f"{CITY_ORG}-approver", password="other-pw-1") is not None
    assert authenticate(username=f"{CITY_ORG}-approver", password=DEMO_PASSWORD) is None


def test_create_demo_users_resets_a_changed_demo_user(council):
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    user = User.objects.get(username=f"{COUNCIL}-staff")
    user.is_active = False
    user.set_password("changed-pw-1")
    user.save()
    Membership.objects.filter(user=user).update(role=Role.VIEWER)
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    user.refresh_from_db()
    assert user.is_active
    assert user.membership.role == Role.STAFF
    assert authenticate(username=f"{COUNCIL}-staff", password=DEMO_PASSWORD) is not None


def test_create_demo_users_with_an_unknown_organization_fails_in_japanese():
    with pytest.raises(CommandError, match="組織「no-such-org」はありません。"):
        call_command("create_demo_users", "--org", "no-such-org", stdout=StringIO())


# --------------------------------------------------------------------------- 5. department check


def test_check_departments_accepts_own_departments(council, tree):
    member = Membership(organization=council, role=Role.STAFF)
    member.check_departments([tree["section"], tree["unit"]])  # no error
    member.check_departments([])


def test_check_departments_refuses_another_organization_in_japanese(council, city):
    member = Membership(organization=council, role=Role.STAFF)
    foreign = list(city.departments.order_by("order", "id")[:2])
    own = council.departments.first()
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        member.check_departments([own, *foreign])
    message = caught.value.messages[0]
    assert message == "次の部署は別の組織のものです: " + "、".join(d.name for d in foreign)
    assert own.name not in message


def test_membership_form_refuses_departments_of_another_organization(council, city):
    foreign = city.departments.first()
    with translation.override("ja"):
        form = MembershipForm(
            data={"organization": council.pk, "role": "staff", "departments": [foreign.pk]}
        )
        assert form.is_valid() is False
        errors = form.errors["departments"]
    assert errors == [f"次の部署は別の組織のものです: {foreign.name}"]


def test_membership_form_accepts_departments_of_the_same_organization(council):
    user = make_user("form-ok")
    dept = council.departments.first()
    form = MembershipForm(
        data={"organization": council.pk, "role": "approver", "departments": [dept.pk]},
        instance=Membership(user=user),
    )
    assert form.is_valid(), form.errors
    member = form.save()
    assert list(member.departments.all()) == [dept]
    assert perm.can_approve(User.objects.get(pk=user.pk), council, dept) is True


def test_admin_user_page_refuses_foreign_departments_in_japanese(operator_client, council, city):
    user = make_user("admin-form", "viewer", council)
    url = reverse("admin:auth_user_change", args=[user.pk])
    foreign = city.departments.first()
    member = user.membership
    data = {
        "username": user.username,
        "password": user.password,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "1",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-id": str(member.pk),
        "membership-0-user": str(user.pk),
        "membership-0-organization": str(council.pk),
        "membership-0-role": "staff",
        "membership-0-departments": [str(foreign.pk)],
    }
    response = operator_client.post(url, data)
    assert response.status_code == 200  # the form comes back with an error
    assert f"次の部署は別の組織のものです: {foreign.name}" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.VIEWER
    assert list(member.departments.all()) == []
