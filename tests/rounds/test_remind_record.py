"""A reminder is recorded with its recipients before any mail leaves; failures are marked on it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse

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


def test_the_record_with_its_recipients_exists_before_the_mail_leaves(round_, admin, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    seen_at_send.clear()
    response = admin.post(REMIND, follow=True)
    assert response.status_code == 200
    assert len(mail.outbox) == 2
    assert seen_at_send and all(
        len(seen) == 1 and "shien@example.jp" in seen[0] and "送信中" in seen[0]
        for seen in seen_at_send
    )
    (event,) = round_.events.filter(action="remind")
    assert "福祉支援課（shien@example.jp）" in event.comment
    assert "福祉活動推進課（katsudo@example.jp）" in event.comment
    assert "送信中" not in event.comment and "送信できませんでした" not in event.comment
    assert "督促メールを送りました" in response.text


def test_a_crash_after_sending_leaves_the_record(round_, admin, settings):
    settings.EMAIL_BACKEND = f"{__name__}.CrashingBackend"
    with pytest.raises(SystemExit):
        admin.post(REMIND)
    assert len(mail.outbox) == 1
    (event,) = round_.events.filter(action="remind")
    assert "送信中" in event.comment and "@example.jp" in event.comment


def test_a_mail_server_that_refuses_is_marked_on_the_record(round_, admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = admin.post(REMIND, follow=True)
    assert response.status_code == 200
    (event,) = round_.events.filter(action="remind")
    failed = event.comment.split(" — 送信できませんでした：")[1]
    assert sorted(failed.split("、")) == sorted(["福祉支援課", "福祉活動推進課"])
    assert "督促メールを送れませんでした" in response.text
