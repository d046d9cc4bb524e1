"""A whole round: every step reaches exactly the right people, in the product and by e-mail."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from shinchoku.jobs.runner import run_pending
from shinchoku.notify.models import Notification
from shinchoku.rounds import final_services, services
from tests.notify.conftest import (
    ACTION,
    DEADLINE,
    FY,
    KATSUDO,
    SHIEN,
    SOUMU,
    deliver,
    filled,
    last_id,
    notified,
    report_of,
    user,
)


def test_a_whole_round_reaches_the_right_people_and_nobody_else(
    people, plan, django_capture_on_commit_callbacks
):
    admin = user(people, "admin")
    # Open: each department's 部署担当 (not the 管理者 who opened it, not the 承認者, not the
    # viewer, not the inactive one, not the other organization).
    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.open_round(plan, FY, DEADLINE, admin)
    opened = notified()
    assert sorted(opened) == ["katsudo", "shien", "soumu"]
    assert all(len(v) == 1 for v in opened.values())
    mails = deliver()
    assert sorted(mails) == ["katsudo", "shien", "soumu"]
    subject = mails["shien"][0]
    assert "令和2年度(2020年度)の進捗調査" in subject and plan.title in subject and SHIEN in subject
    shien_row = Notification.objects.get(recipient=user(people, "shien"), kind="round_opened")
    assert shien_row.mail == "sent" and shien_row.mailed_at is not None
    report = report_of(round_, SHIEN)
    link = reverse("rounds:sheet", args=[ACTION, FY, report.department_id])
    assert shien_row.link == link

    # Save: nothing.
    since = last_id()
    shien = user(people, "shien")
    report = services.save(report, filled(report), version=report.version, user=shien)
    assert notified(since) == {} and deliver() == {}

    # Submit: the department's 承認者 only.
    with django_capture_on_commit_callbacks(execute=True):
        report = services.submit(report, shien)
    assert notified(since) == {
        "shien-boss": [
            f"【進捗】{SHIEN}が調査票を提出しました（{plan.title} 令和2年度(2020年度)の進捗調査）"
        ]
    }
    assert deliver() == notified(since)

    # Return: the department's staff, with the comment in the mail.
    since = last_id()
    boss = user(people, "shien-boss")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.return_report(report, boss, "相談件数の実績を確かめてください。")
    assert list(notified(since)) == ["shien"]
    run_pending()
    (message,) = mail.outbox
    assert "差し戻されました" in message.subject
    assert "相談件数の実績を確かめてください。" in message.body
    assert "差し戻した人：n-shien-boss" in message.body
    assert "令和3年5月31日(2021年5月31日)" in message.body
    assert f"{settings.SHINCHOKU_BASE_URL}{link}" in message.body
    assert deliver() == {"shien": [message.subject]}

    # Resubmit: the 承認者 again (a new event, a new notification).
    since = last_id()
    report = services.save(report, filled(report), version=report.version, user=shien)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.submit(report, shien)
    assert list(notified(since)) == ["shien-boss"]
    assert list(deliver()) == ["shien-boss"]
    assert Notification.objects.filter(recipient=boss, kind="submitted").count() == 2

    # Approve: the department's staff.
    since = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.approve(report, boss)
    assert list(notified(since)) == ["shien"]
    (subject,) = deliver()["shien"]
    assert "承認されました" in subject

    # Nobody else ever received anything.
    everyone = set(notified())
    assert everyone == {"shien", "katsudo", "soumu", "shien-boss"}
    for name in ("admin", "viewer", "retired", "outsider"):
        assert not Notification.objects.filter(recipient=user(people, name)).exists(), name


def test_a_department_without_an_approver_goes_to_the_admin(
    people, plan, django_capture_on_commit_callbacks
):
    round_ = services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    report = report_of(round_, SOUMU)
    soumu = user(people, "soumu")
    report = services.save(report, filled(report), version=report.version, user=soumu)
    since = last_id()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(report, soumu)
    assert list(notified(since)) == ["admin"]
    assert list(deliver()) == ["admin"]


def test_nothing_is_written_or_sent_when_the_step_fails(
    people, plan, django_capture_on_commit_callbacks
):
    round_ = services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    report = report_of(round_, KATSUDO)
    since = last_id()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.RoundError):
        services.submit(report, user(people, "katsudo"))  # nothing entered yet
    stale = report.version
    report = services.save(
        report, filled(report), version=report.version, user=user(people, "katsudo")
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.RoundConflict):
        services.submit(report, user(people, "katsudo"), version=stale)
    assert notified(since) == {}
    mail.outbox.clear()
    assert deliver() == {}


def test_the_final_evaluation_notifies_too(people, plan, django_capture_on_commit_callbacks):
    from datetime import date

    admin = user(people, "admin")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        round_ = final_services.open_final_round(
            plan, date(2025, 5, 31), admin, today=date(plan.last_fy, 6, 1)
        )
    received = deliver()
    assert "shien" in received and "admin" not in received and "outsider" not in received
    assert "最終評価" in received["shien"][0]
    row = Notification.objects.get(recipient=user(people, "shien"), kind="round_opened")
    report = report_of(round_, SHIEN)
    assert row.link == reverse("rounds:final_sheet", args=[ACTION, report.department_id])


def test_a_smtp_failure_fails_only_its_row(
    people, plan, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notify.backends.FailFor"
    with django_capture_on_commit_callbacks(execute=True):
        services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    received = deliver()
    assert sorted(received) == ["katsudo", "soumu"]
    rows = {
        n.recipient.username: n
        for n in Notification.objects.filter(kind="round_opened").select_related("recipient")
    }
    assert rows["n-shien"].mail == "failed" and "SMTP" in rows["n-shien"].mail_error
    assert rows["n-katsudo"].mail == "sent"
    assert "メールを送信できませんでした" in people["shien"].get(reverse("notify:list")).text
    assert "メールを送信できませんでした" not in people["katsudo"].get(reverse("notify:list")).text
    # A task run again sends nothing twice and does not retry the failed row.
    from shinchoku.notify.services import send_notifications

    key = rows["n-katsudo"].key
    send_notifications.call(key)
    assert mail.outbox == []
