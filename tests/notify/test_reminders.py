"""The daily deadline reminders, the 管理者's reminder on the board, and the reminder days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils.module_loading import import_string

from shinchoku.notify.models import MailPreference, Notification
from shinchoku.notify.reminders import Reminded, daily, reminder_messages
from shinchoku.orgs.models import Department
from shinchoku.rounds import services
from shinchoku.rounds.models import Round
from tests.conftest import COUNCIL
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


@pytest.fixture
def round_(people, plan):
    round_ = services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    # 総務課 has submitted: it is never reminded.
    report = report_of(round_, SOUMU)
    soumu = user(people, "soumu")
    report = services.save(report, filled(report), version=report.version, user=soumu)
    services.submit(report, soumu)
    mail.outbox.clear()
    return round_


def run_daily(day: date, capture) -> dict:
    with capture(execute=True):
        daily(day)
    return deliver()


def test_the_daily_job_is_registered():
    assert "shinchoku.notify.reminders.daily" in settings.SHINCHOKU_DAILY_JOBS
    for path in settings.SHINCHOKU_DAILY_JOBS:
        assert callable(import_string(path))


@pytest.mark.parametrize("days", [7, 3, 1])
def test_near_the_deadline_on_each_reminder_day(
    round_, people, days, django_capture_on_commit_callbacks
):
    since = last_id()
    received = run_daily(DEADLINE - timedelta(days=days), django_capture_on_commit_callbacks)
    assert sorted(received) == ["katsudo", "shien"]  # not 総務課 (submitted), nobody else
    assert f"あと{days}日" in received["shien"][0]
    assert sorted(notified(since, "deadline_near")) == ["katsudo", "shien"]
    # The same day again: nobody twice.
    again = last_id()
    assert run_daily(DEADLINE - timedelta(days=days), django_capture_on_commit_callbacks) == {}
    assert last_id() == again


def test_no_reminder_on_other_days(round_, django_capture_on_commit_callbacks):
    since = last_id()
    for day in (DEADLINE - timedelta(days=5), DEADLINE - timedelta(days=2), DEADLINE):
        assert run_daily(day, django_capture_on_commit_callbacks) == {}
    assert last_id() == since


def test_the_rounds_own_reminder_days(round_, django_capture_on_commit_callbacks):
    Round.objects.filter(pk=round_.pk).update(reminder_days=[10])
    assert run_daily(DEADLINE - timedelta(days=7), django_capture_on_commit_callbacks) == {}
    assert sorted(run_daily(DEADLINE - timedelta(days=10), django_capture_on_commit_callbacks)) == [
        "katsudo",
        "shien",
    ]


def test_after_the_deadline_every_day_to_the_late_departments_and_the_admin(
    round_, people, django_capture_on_commit_callbacks
):
    first = DEADLINE + timedelta(days=1)
    since = last_id()
    received = run_daily(first, django_capture_on_commit_callbacks)
    assert sorted(received) == ["admin", "katsudo", "shien"]
    assert len(received["admin"]) == 1  # one message for the round, naming every late one
    row = Notification.objects.get(pk__gt=since, recipient=user(people, "admin"))
    assert SHIEN in row.body and KATSUDO in row.body and SOUMU not in row.body
    assert row.link == reverse("rounds:board", args=[ACTION, FY])
    assert "提出期限を過ぎています" in received["shien"][0]
    # Idempotent for the day, again the next day.
    assert run_daily(first, django_capture_on_commit_callbacks) == {}
    assert sorted(run_daily(first + timedelta(days=1), django_capture_on_commit_callbacks)) == [
        "admin",
        "katsudo",
        "shien",
    ]


def test_a_closed_round_and_submitted_sheets_are_not_reminded(
    round_, people, django_capture_on_commit_callbacks
):
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.CLOSED)
    assert run_daily(DEADLINE + timedelta(days=3), django_capture_on_commit_callbacks) == {}


def test_a_preference_off_keeps_the_notification_but_not_the_mail(
    round_, people, django_capture_on_commit_callbacks
):
    shien = user(people, "shien")
    MailPreference.objects.create(user=shien, muted=["deadline_near"])
    received = run_daily(DEADLINE - timedelta(days=3), django_capture_on_commit_callbacks)
    assert sorted(received) == ["katsudo"]
    row = Notification.objects.get(recipient=shien, kind="deadline_near")
    assert row.mail == "not_wanted" and row.read_at is None
    # Other kinds still come by mail.
    received = run_daily(DEADLINE + timedelta(days=1), django_capture_on_commit_callbacks)
    assert "shien" in received


def test_a_user_without_an_address_is_told_in_the_product_only(
    round_, people, django_capture_on_commit_callbacks
):
    shien = user(people, "shien")
    shien.email = ""
    shien.save()
    received = run_daily(DEADLINE - timedelta(days=1), django_capture_on_commit_callbacks)
    assert sorted(received) == ["katsudo"]
    assert Notification.objects.get(recipient=shien, kind="deadline_near").mail == "not_wanted"


# --------------------------------------------------------------------------- the board's reminder


def test_the_admins_reminder_goes_through_notify(
    round_, people, django_capture_on_commit_callbacks
):
    admin = people["admin"]
    katsudo = user(people, "katsudo")
    katsudo.email = ""
    katsudo.save()
    since = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("rounds:remind", args=[ACTION, FY]), follow=True)
    assert response.status_code == 200
    page = response.text
    assert "督促メールを送りました" in page and SHIEN in page
    assert "メールアドレスの登録された担当者がいない部署があります" in page and KATSUDO in page
    assert f'<a href="{reverse("staff:list", args=[COUNCIL])}">職員管理</a>' in page
    assert sorted(notified(since, "reminder")) == ["katsudo", "shien"]  # both in the product
    assert list(deliver()) == ["shien"]
    (event,) = round_.events.filter(action="remind")
    assert "shien@example.jp" in event.comment and KATSUDO in event.comment
    # A second reminder is a new one.
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rounds:remind", args=[ACTION, FY]))
    assert list(deliver()) == ["shien"]


def test_department_names_in_the_reminder_message_are_escaped(
    round_, people, django_capture_on_commit_callbacks
):
    katsudo = user(people, "katsudo")
    katsudo.email = ""
    katsudo.save()
    Department.objects.filter(name=KATSUDO).update(name="<script>alert(1)</script>推進課")
    with django_capture_on_commit_callbacks(execute=True):
        response = people["admin"].post(reverse("rounds:remind", args=[ACTION, FY]), follow=True)
    page = response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;推進課" in page
    assert "<script>alert(1)" not in page
    assert f'<a href="{reverse("staff:list", args=[COUNCIL])}">職員管理</a>' in page


def test_reminder_messages_escape_names_and_link_the_staff_list():
    (_level, text), *_ = reminder_messages(
        Reminded(without_address=['<b>"課"</b>'], organization_slug="city")
    )
    assert "&lt;b&gt;&quot;課&quot;&lt;/b&gt;" in text and "<b>" not in text
    assert f'「<a href="{reverse("staff:list", args=["city"])}">職員管理</a>」' in text
    (_level, told), *_ = reminder_messages(Reminded(told=["<i>課</i>"]))
    assert "<i>課</i>" in told and not hasattr(told, "__html__")  # plain text, escaped on the page


def test_only_the_admin_reminds(round_, people):
    url = reverse("rounds:remind", args=[ACTION, FY])
    for name in ("shien", "shien-boss", "viewer"):
        assert people[name].post(url).status_code == 403, name
    assert people["outsider"].post(url).status_code == 404
    assert not Notification.objects.filter(kind="reminder").exists()


# --------------------------------------------------------------------------- reminder days


def test_the_admin_sets_the_reminder_days_when_opening(people, plan):
    admin = people["admin"]
    url = reverse("rounds:list", args=[ACTION])
    page = admin.get(url)
    assert "お知らせを送る日" in page.text and 'value="7,3,1"' in page.text
    bad = admin.post(url, {"fy": FY, "deadline": "2021-05-31", "reminder_days": "7,x"})
    assert bad.status_code == 422
    assert "「x」は日数ではありません" in bad.text
    assert not Round.objects.filter(plan=plan, fy=FY).exists()
    bad = admin.post(url, {"fy": FY, "deadline": "2021-05-31", "reminder_days": "0"})
    assert bad.status_code == 422 and "範囲外" in bad.text
    ok = admin.post(url, {"fy": FY, "deadline": "2021-05-31", "reminder_days": "5、２"})
    assert ok.status_code == 302
    assert Round.objects.get(plan=plan, fy=FY).reminder_days == [5, 2]


def test_a_round_opened_without_the_field_has_the_default(people, plan):
    round_ = services.open_round(plan, FY, DEADLINE, user(people, "admin"))
    assert round_.reminder_days == [7, 3, 1]


def test_mail_left_waiting_by_a_dead_task_is_sent_by_the_next_daily_run(
    round_, people, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    # Rows written but their task never ran (the worker died before it took it).
    with django_capture_on_commit_callbacks(execute=False):
        daily(DEADLINE - timedelta(days=7))
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    queued = Notification.objects.filter(mail="queued", kind="deadline_near")
    assert queued.count() == 2
    # Recent rows are left alone (their task may still be on its way) …
    with django_capture_on_commit_callbacks(execute=True):
        daily(DEADLINE - timedelta(days=6))
    assert deliver() == {}
    # … an hour later they are enqueued again and sent once.
    queued.update(created=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        daily(DEADLINE - timedelta(days=6))
    assert sorted(deliver()) == ["katsudo", "shien"]
    assert not queued.exists()


def test_a_form_without_the_field_gets_the_default_days(people, plan):
    url = reverse("rounds:list", args=[ACTION])
    ok = people["admin"].post(url, {"fy": FY, "deadline": "2021-05-31"})
    assert ok.status_code == 302
    assert Round.objects.get(plan=plan, fy=FY).reminder_days == [7, 3, 1]
    empty = people["admin"].post(url, {"fy": FY + 1, "deadline": "2022-05-31", "reminder_days": ""})
    assert empty.status_code == 302
    assert Round.objects.get(plan=plan, fy=FY + 1).reminder_days == []


def test_the_final_evaluation_form_sets_its_reminder_days(people, plan):
    from datetime import date

    from django.utils import timezone

    from shinchoku.rounds.final_services import refusal

    if refusal(plan, timezone.localdate()):
        pytest.skip("the demo plan's final evaluation cannot start today")
    url = reverse("rounds:final_open", args=[ACTION])
    bad = people["admin"].post(url, {"deadline": "2031-05-31", "reminder_days": "a"}, follow=True)
    assert "「a」は日数ではありません" in bad.text
    assert not Round.objects.filter(plan=plan, kind="final").exists()
    people["admin"].post(url, {"deadline": "2031-05-31", "reminder_days": "14,2"})
    assert Round.objects.get(plan=plan, kind="final").reminder_days == [14, 2]
    assert date(2031, 5, 31) == Round.objects.get(plan=plan, kind="final").deadline
