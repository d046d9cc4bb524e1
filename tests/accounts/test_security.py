"""Logins that resist guessing: the lockout and its unlock, the password rules, the forced
change of an initial password, and the session's idle and maximum age.

Through the test client and the real login page, with the demo plans loaded (tests/conftest.py).
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shinchoku.accounts import sessions
from shinchoku.accounts.models import Membership, PasswordState
from shinchoku.orgs.models import Organization
from tests.accounts.helpers import authenticate
from tests.conftest import CITY_ORG, COUNCIL, login_client

pytestmark = pytest.mark.django_db

User = get_user_model()
LOCKED_JA = "ログインの失敗が続いたため、このアカウントはロックされています。"
WRONG_LOGIN_JA = "ユーザー名またはパスワードが正しくありません。"
GOOD_PASSWORD = "yuuhi-no-oka-2026"


def make_user(username: str, role: str = "staff", org_slug: str = COUNCIL, **extra):
    user = User.objects.create_user(username, password=GOOD_PASSWORD, **extra)
    Membership.objects.create(
        user=user, organization=Organization.objects.get(slug=org_slug), role=role
    )
    return user


def log_in(client: Client, username: str, password: str = GOOD_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def fail(username: str, times: int) -> None:
    for _ in range(times):
        response = log_in(Client(), username, "not-the-password")
        assert response.status_code in (200, 429)


# --------------------------------------------------------------------------- lockout


def test_the_right_password_is_refused_after_the_failure_limit_with_a_japanese_message():
    make_user("guessed")
    fail("guessed", settings.AXES_FAILURE_LIMIT)
    client = Client()
    response = log_in(client, "guessed")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_JA in html
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60}分後にもう一度" in html
    assert 'value="guessed"' in html  # the login page again, with the name kept
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("plans:list")).status_code == 302


def test_failures_below_the_limit_do_not_lock_and_a_success_resets_them():
    make_user("clumsy")
    fail("clumsy", settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(Client(), "clumsy").status_code == 302
    fail("clumsy", settings.AXES_FAILURE_LIMIT - 1)  # counted from zero again
    response = log_in(Client(), "clumsy")
    assert response.status_code == 302


def test_the_lock_is_per_user_name_whatever_the_address():
    make_user("target")
    make_user("colleague")
    for n in range(settings.AXES_FAILURE_LIMIT):  # guesses from as many addresses
        Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            reverse("accounts:login"), {"username": "target", "password": "guess"}
        )
    assert log_in(Client(REMOTE_ADDR="198.51.100.7"), "target").status_code == 429
    # the colleague behind the same office address is not affected
    assert log_in(Client(REMOTE_ADDR="192.0.2.1"), "colleague").status_code == 302


def test_the_lock_ends_by_itself_after_the_cool_off_time():
    make_user("patient")
    fail("patient", settings.AXES_FAILURE_LIMIT)
    assert log_in(Client(), "patient").status_code == 429
    past = AccessAttempt.objects.filter(username="patient")
    past.update(attempt_time=past.first().attempt_time - settings.AXES_COOLOFF_TIME)
    assert log_in(Client(), "patient").status_code == 302


def test_axes_reset_command_unlocks_everyone():
    make_user("reset-me")
    fail("reset-me", settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset", stdout=StringIO())
    assert log_in(Client(), "reset-me").status_code == 302


# --------------------------------------------------------------------------- unlock page


@pytest.fixture
def locked_pair():
    """A locked user of the council and a locked user of the city."""
    make_user("locked-council")
    make_user("locked-city", org_slug=CITY_ORG)
    fail("locked-council", settings.AXES_FAILURE_LIMIT)
    fail("locked-city", settings.AXES_FAILURE_LIMIT)


def test_an_administrator_sees_and_unlocks_a_user_of_the_organization(locked_pair):
    admin = login_client("unlocking-admin", role="admin")
    menu = admin.get(reverse("plans:list")).content.decode()
    assert f'href="{reverse("accounts:locked")}"' in menu and "ログインのロック" in menu
    page = admin.get(reverse("accounts:locked"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "locked-council" in html
    assert "locked-city" not in html  # another organization's user is not even named
    response = admin.post(reverse("accounts:unlock"), {"username": "locked-council"}, follow=True)
    assert "「locked-council」のロックを解除しました。" in response.content.decode()
    assert log_in(Client(), "locked-council").status_code == 302
    assert log_in(Client(), "locked-city").status_code == 429


def test_an_administrator_cannot_unlock_another_organizations_user(locked_pair):
    admin = login_client("other-admin", role="admin", org_slug=CITY_ORG)
    response = admin.post(reverse("accounts:unlock"), {"username": "locked-council"})
    assert response.status_code == 404
    assert log_in(Client(), "locked-council").status_code == 429


@pytest.mark.parametrize("role", ["staff", "approver", "viewer"])
def test_only_administrators_open_the_unlock_page(locked_pair, role):
    client = login_client(f"not-admin-{role}", role=role)
    assert client.get(reverse("accounts:locked")).status_code == 404
    assert (
        client.post(reverse("accounts:unlock"), {"username": "locked-council"}).status_code == 404
    )
    menu = client.get(reverse("plans:list")).content.decode()
    assert reverse("accounts:locked") not in menu
    assert log_in(Client(), "locked-council").status_code == 429


def test_anonymous_is_sent_to_login_from_the_unlock_page():
    response = Client().get(reverse("accounts:locked"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Client().post(reverse("accounts:unlock"), {"username": "x"}).status_code == 302


def test_the_federation_operator_unlocks_anyone(locked_pair):
    operator = login_client("unlocking-operator", superuser=True)
    html = operator.get(reverse("accounts:locked")).content.decode()
    assert "locked-council" in html and "locked-city" in html
    operator.post(reverse("accounts:unlock"), {"username": "locked-city"})
    assert log_in(Client(), "locked-city").status_code == 302


def test_unlocking_a_user_who_is_not_locked_says_so():
    make_user("free")
    admin = login_client("calm-admin", role="admin")
    response = admin.post(reverse("accounts:unlock"), {"username": "free"}, follow=True)
    assert "「free」はロックされていませんでした。" in response.content.decode()


# --------------------------------------------------------------------------- password rules


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("98765432101", "このパスワードは数字しか使われていません。"),
        ("q1w2e3r4t5y6", "このパスワードは一般的すぎます。"),
        ("kawaru-pw", "このパスワードは短すぎます。最低 12 文字以上必要です。"),
    ],
)
def test_weak_passwords_are_refused_in_japanese(password, message):
    user = make_user(f"weak-{len(password)}")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": GOOD_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert authenticate(username=user.username, password=GOOD_PASSWORD) is not None


def test_the_password_page_explains_the_rules_in_japanese():
    client = login_client("rules-reader", role="viewer")
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert "12 文字以上" in html
    assert "数字だけのパスワードにはできません" in html


# --------------------------------------------------------------------------- initial password


@pytest.fixture
def operator_client():
    operator = User.objects.create_superuser("pw-operator", password="x")
    client = Client()
    client.force_login(operator)
    return client


def _add_user_in_admin(operator_client, username: str) -> None:
    response = operator_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": username,
            "usable_password": "true",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-organization": str(Organization.objects.get(slug=COUNCIL).pk),
            "membership-0-role": "staff",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_user_added_by_the_operator_must_change_the_password_before_anything_else(
    operator_client,
):
    _add_user_in_admin(operator_client, "newcomer")
    assert PasswordState.is_required(User.objects.get(username="newcomer"))
    client = Client()
    assert log_in(client, "newcomer").status_code == 302
    for url in (reverse("plans:list"), reverse("rounds:dashboard"), reverse("accounts:locked")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("accounts:password_change"), url
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "管理者が設定した初期パスワードでログインしています。" in page
    assert "続ける前に、ご自分のパスワードに変更してください。" in page
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": GOOD_PASSWORD,
            "new_password1": "jibun-de-kimeta-2026",
            "new_password2": "jibun-de-kimeta-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("plans:list")).status_code == 200
    assert not PasswordState.is_required(User.objects.get(username="newcomer"))
    # and at the next login too
    again = Client()
    log_in(again, "newcomer", "jibun-de-kimeta-2026")
    assert again.get(reverse("plans:list")).status_code == 200


def test_htmx_requests_of_a_user_with_an_initial_password_get_a_full_page_redirect(
    operator_client,
):
    _add_user_in_admin(operator_client, "htmx-newcomer")
    client = Client()
    log_in(client, "htmx-newcomer")
    response = client.get(reverse("plans:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("accounts:password_change")


def test_a_password_set_by_the_operator_for_someone_else_must_be_changed(operator_client):
    user = make_user("reset-by-operator")
    response = operator_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {
            "password1": "kari-no-aikotoba-7",
            "password2": "kari-no-aikotoba-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert PasswordState.is_required(user)
    client = Client()
    log_in(client, "reset-by-operator", "kari-no-aikotoba-7")
    assert client.get(reverse("plans:list"))["Location"] == reverse("accounts:password_change")


def test_users_who_change_their_own_password_are_not_forced_again():
    user = make_user("self-changer")
    client = Client()
    client.force_login(user)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": GOOD_PASSWORD,
            "new_password1": "atarashii-pass-2026",
            "new_password2": "atarashii-pass-2026",
        },
    )
    assert not PasswordState.is_required(user)
    assert client.get(reverse("plans:list")).status_code == 200


def test_demo_users_are_never_forced_to_change_the_documented_demo_password():
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    user = User.objects.get(username=f"{COUNCIL}-admin")
    PasswordState.require_change(user)  # e.g. left over: the command clears it
    call_command("create_demo_users", "--org", COUNCIL, stdout=StringIO())
    assert not PasswordState.is_required(user)
    client = Client()
    assert log_in(client, f"{COUNCIL}-admin", "shinchoku-demo").status_code == 302
    assert client.get(reverse("plans:list")).status_code == 200


# --------------------------------------------------------------------------- session limits


def _age_session(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_an_idle_session_is_logged_out_with_a_japanese_message():
    make_user("idle")
    client = Client()
    log_in(client, "idle")
    assert client.get(reverse("plans:list")).status_code == 200
    _age_session(client, sessions.LAST_SEEN, settings.SESSION_IDLE_MINUTES * 60 + 1)
    response = client.get(reverse("plans:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=" + reverse("plans:list")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "30分間操作がなかったため、ログアウトしました。もう一度ログインしてください。" in page


def test_a_session_in_use_stays_logged_in():
    make_user("busy")
    client = Client()
    log_in(client, "busy")
    _age_session(client, sessions.LAST_SEEN, settings.SESSION_IDLE_MINUTES * 60 - 120)
    assert client.get(reverse("plans:list")).status_code == 200
    # the request moved the last-seen stamp forward
    assert sessions.now() - client.session[sessions.LAST_SEEN] < 60


def test_a_session_ends_at_the_maximum_age_even_when_in_use():
    make_user("long-day")
    client = Client()
    log_in(client, "long-day")
    _age_session(client, sessions.LOGIN_AT, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(reverse("plans:list"), follow=True)
    assert "_auth_user_id" not in client.session
    hours = settings.SESSION_COOKIE_AGE // 3600
    assert (
        f"ログインしてから{hours}時間たったため、ログアウトしました。" in response.content.decode()
    )


def test_an_idle_htmx_request_sends_the_whole_page_to_login():
    make_user("idle-htmx")
    client = Client()
    log_in(client, "idle-htmx")
    _age_session(client, sessions.LAST_SEEN, settings.SESSION_IDLE_MINUTES * 60 + 1)
    response = client.post(reverse("plans:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_session_defaults_are_a_working_day_and_half_an_hour_idle():
    assert settings.SESSION_IDLE_MINUTES == 30
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE) == timedelta(hours=10)
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
