"""The round board shows the 管理者 the e-mails of the round that could not be sent, per
department, and sends them again on request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.notify.events import round_key_pattern, sheet_of_key
from shinchoku.notify.models import Kind, Notification
from shinchoku.notify.reminders import daily
from shinchoku.notify.services import notify
from shinchoku.rounds import services
from tests.conftest import login_client
from tests.notify.conftest import (
    ACTION,
    DEADLINE,
    FY,
    KATSUDO,
    SHIEN,
    SOUMU,
    deliver,
    report_of,
    user,
)

BOARD = reverse("rounds:board", args=[ACTION, FY])
RETRY = reverse("notify:round_retry", args=[ACTION, FY])
WARNING = "メール未送信"


def test_the_key_pattern_matches_the_rounds_keys_only():
    pattern = re.compile(round_key_pattern(5, [12, 7]))
    for key in (
        "round_opened:12",
        "submitted:7:3",
        "returned:12:4",
        "approved:12:5",
        "deadline_near:7:2021-05-24",
        "deadline_passed:12:2021-06-01",
        "reminder:7:40",
        "deadline_passed:round:5:2021-06-01",
    ):
        assert pattern.search(key), key
    for key in (
        "round_opened:123",
        "submitted:1:3",
        "opinion_assigned:12:1",
        "opinion_answered:7:2",
        "deadline_passed:round:50:2021-06-01",
        "x:round_opened:12",
    ):
        assert not pattern.search(key), key
    assert sheet_of_key("returned:12:4") == 12
    assert sheet_of_key("deadline_passed:round:5:2021-06-01") is None


@pytest.fixture
def failed_round(people, plan, settings, django_capture_on_commit_callbacks):
    """A round opened while the mail server was down, then a day after its deadline."""
    settings.EMAIL_BACKEND = "tests.notify.backends.FailAll"
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    assert deliver() == {}
    with django_capture_on_commit_callbacks(execute=True):
        daily(DEADLINE + timedelta(days=1))
    assert deliver() == {}
    return round_


def _board_queries(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(BOARD)
    assert page.status_code == 200
    return page.text, len(ctx.captured_queries)


def _failed_queries(ctx_queries) -> list[str]:
    return [q for q in ctx_queries if "notify_notification" in q and "failed" in q]


def test_the_admin_sees_each_departments_failures_with_who_and_why(failed_round, people):
    page = people["admin"].get(BOARD).text
    # Per department: round opened + deadline passed to its 部署担当; and the 管理者's own.
    assert page.count("メール未送信 2件") == 3
    assert "このラウンドに関するメール7件を送信できませんでした" in page
    assert "n-shien" in page and "shien@example.jp" in page
    assert "SMTPServerDisconnected" in page
    assert "<details" in page and f'action="{RETRY}"' in page
    shien = report_of(failed_round, SHIEN)
    assert Notification.objects.filter(key=f"round_opened:{shien.pk}", mail="failed").exists()
    # Nobody else sees them.
    for name in ("shien", "shien-boss", "viewer"):
        other = people[name].get(BOARD)
        assert other.status_code == 200 and WARNING not in other.text, name
        assert "SMTPServerDisconnected" not in other.text


def test_the_board_takes_the_same_queries_however_many_failures(
    people, plan, settings, django_capture_on_commit_callbacks
):
    admin = people["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    deliver()
    text, clean = _board_queries(admin)
    assert WARNING not in text
    settings.EMAIL_BACKEND = "tests.notify.backends.FailAll"
    counts = []
    for days in (1, 2, 3):  # every day more failures, in every late department
        with django_capture_on_commit_callbacks(execute=True):
            daily(DEADLINE + timedelta(days=days))
        deliver()
        with CaptureQueriesContext(connection) as ctx:
            page = admin.get(BOARD)
        assert f"メール未送信 {days}件" in page.text
        counts.append(len(ctx.captured_queries))
        assert len(_failed_queries([q["sql"] for q in ctx.captured_queries])) == 1
    assert Notification.objects.filter(mail="failed").count() == 3 * 4
    assert counts == [clean, clean, clean]


def test_failures_of_other_events_are_not_the_rounds(people, failed_round, settings):
    admin = people["admin"]
    before = admin.get(BOARD).text
    # Another failure, not about this round: an opinion's e-mail.
    notify([user(people, "shien")], Kind.OPINION_ASSIGNED, "s", "b", "/x/", "opinion_assigned:1:1")
    Notification.objects.filter(key="opinion_assigned:1:1").update(mail="failed", mail_error="X")
    after = admin.get(BOARD).text
    assert after.count(WARNING) == before.count(WARNING)
    assert "このラウンドに関するメール7件を送信できませんでした" in after


def test_the_admin_sends_them_again(
    failed_round, people, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = people["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(RETRY, follow=True)
    assert response.status_code == 200
    assert "7件のメールを改めて送信します" in response.text
    received = deliver()
    assert sorted(received) == ["admin", "katsudo", "shien", "soumu"]
    assert len(received["shien"]) == 2 and len(received["admin"]) == 1
    assert not Notification.objects.filter(mail="failed").exists()
    assert Notification.objects.filter(mail="sent").count() == 7
    assert WARNING not in admin.get(BOARD).text
    # Nothing left: said so, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        again = admin.post(RETRY, follow=True)
    assert "再送するメールはありません" in again.text
    assert deliver() == {}


def test_failing_again_keeps_them_failed_with_the_new_error(
    failed_round, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        people["admin"].post(RETRY)
    assert deliver() == {}
    assert Notification.objects.filter(mail="failed").count() == 7
    assert WARNING in people["admin"].get(BOARD).text


def test_only_the_admin_or_the_operator_sends_again(failed_round, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name in ("shien", "shien-boss", "viewer"):
        assert people[name].post(RETRY).status_code == 403, name
    assert people["outsider"].post(RETRY).status_code == 404
    assert people["admin"].get(RETRY).status_code == 405
    assert Notification.objects.filter(mail="failed").count() == 7
    # CSRF: a form from elsewhere is refused.
    admin = people["admin"]
    admin.handler.enforce_csrf_checks = True
    assert admin.post(RETRY).status_code == 403
    assert Notification.objects.filter(mail="failed").count() == 7
    operator = login_client("n-operator", superuser=True)
    assert operator.post(RETRY).status_code == 302
    assert not Notification.objects.filter(mail="failed").exists()


def test_the_katsudo_and_soumu_rows_are_under_their_departments(failed_round, people):
    page = people["admin"].get(BOARD).text
    for name, dept in (("katsudo", KATSUDO), ("soumu", SOUMU)):
        row = re.search(rf"<tr[^>]*>\s*<th[^>]*>(?:<a[^>]*>)?{dept}.*?</tr>", page, re.S)
        assert row and f"{name}@example.jp" in row.group(0), dept


def test_the_final_evaluation_board_too(people, plan, settings, django_capture_on_commit_callbacks):
    from datetime import date

    from shinchoku.rounds import final_services

    settings.EMAIL_BACKEND = "tests.notify.backends.FailAll"
    with django_capture_on_commit_callbacks(execute=True):
        final_services.open_final_round(
            plan, date(2025, 5, 31), user(people, "admin"), today=date(plan.last_fy, 6, 1)
        )
    assert deliver() == {}
    board = reverse("rounds:final_board", args=[ACTION])
    retry = reverse("notify:final_retry", args=[ACTION])
    page = people["admin"].get(board).text
    assert page.count("メール未送信 1件") == 3 and f'action="{retry}"' in page
    assert WARNING not in people["shien"].get(board).text
    # The yearly round's retry does not touch the final evaluation's e-mails.
    assert people["admin"].post(RETRY).status_code == 404  # no yearly round for FY 2020
    for name in ("shien", "shien-boss", "viewer"):
        assert people[name].post(retry).status_code == 403, name
    assert people["outsider"].post(retry).status_code == 404
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = people["admin"].post(retry, follow=True)
    assert "3件のメールを改めて送信します" in response.text
    assert sorted(deliver()) == ["katsudo", "shien", "soumu"]
    assert WARNING not in people["admin"].get(board).text
