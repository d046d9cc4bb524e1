"""A reminder is recorded with its recipients and notifications before any mail leaves (the mail
queue sends them after commit); failures are marked on the notifications."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse

from shinchoku.jobs.runner import run_pending
from shinchoku.notify.models import Notification
from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import RoundEvent
from tests.conftest import login_client

ACTION = "nishitokyo-action-plan-2019"
FY = 2020
REMIND = reverse("rounds:remind", args=[ACTION, FY])
seen_at_send: list[list[str]] = []


class RecordingBackend(LocmemBackend):
    """Delivers to the outbox, noting the reminder records that exist when a mail leaves."""

    def send_messages(self, messages):
        seen_at_send.append(
            list(RoundEvent.objects.filter(action="remind").values_list("comment", flat=True))
        )
        return super().send_messages(messages)


class CrashingBackend(LocmemBackend):
    """Delivers the mail, then the process dies (as a worker killed right after sending)."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise SystemExit("worker killed")


@pytest.fixture
def admin(db):
    return login_client("soumu-admin", role="admin")


@pytest.fixture
def round_(admin):
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, FY, date(2021, 5, 31), admin.user)
    for name, dept in (("shien", "福祉支援課"), ("katsudo", "福祉活動推進課")):
        client = login_client(f"{name}-staff", role="staff", departments=(dept,))
        client.user.email = f"{name}@example.jp"
        client.user.save()
    return round_


def test_the_record_with_its_recipients_exists_before_the_mail_leaves(
    round_, admin, settings, django_capture_on_commit_callbacks
):
    """The reminder (its event and its notifications) is committed; the mail task comes after."""
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    seen_at_send.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(REMIND, follow=True)
    assert response.status_code == 200
    assert "督促メールを送りました" in response.text
    assert mail.outbox == []  # nothing leaves from the web request
    (event,) = round_.events.filter(action="remind")
    assert "福祉支援課（shien@example.jp）" in event.comment
    assert "福祉活動推進課（katsudo@example.jp）" in event.comment
    assert Notification.objects.filter(kind="reminder", mail="queued").count() == 2
    run_pending()
    assert len(mail.outbox) == 2
    assert seen_at_send and all(len(seen) == 1 for seen in seen_at_send)
    assert Notification.objects.filter(kind="reminder", mail="sent").count() == 2


def test_a_crash_while_sending_leaves_the_record_and_the_rest_queued(
    round_, admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.CrashingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(REMIND)
    run_pending()  # each department's task sends its mail, then dies; the worker goes on
    assert len(mail.outbox) == 2
    (event,) = round_.events.filter(action="remind")
    assert "@example.jp" in event.comment
    # Nothing is lost: the rows not marked sent are still queued; the daily job enqueues them again.
    assert Notification.objects.filter(kind="reminder", mail="queued").count() == 2


def test_a_mail_server_that_refuses_is_marked_on_the_notifications(
    round_, admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(REMIND, follow=True)
    assert response.status_code == 200
    run_pending()
    rows = Notification.objects.filter(kind="reminder")
    assert {r.mail for r in rows} == {"failed"} and rows.count() == 2
    assert all(r.mail_error for r in rows)
    assert round_.events.filter(action="remind").count() == 1
