"""Opinions: assigned → the department's staff; answered → the organization's 管理者."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from shinchoku.notify.models import Notification
from shinchoku.orgs.models import Department
from shinchoku.reviews import services
from tests.conftest import COUNCIL
from tests.notify.conftest import ACTION, KATSUDO, SHIEN, deliver, last_id, notified, user


def dept(name):
    return Department.objects.get(organization__slug=COUNCIL, name=name)


def test_assigned_and_answered(people, plan, django_capture_on_commit_callbacks):
    admin = user(people, "admin")
    opinion = services.create_opinion(plan, 2020, "相談窓口の周知を強めてほしい", user=admin)
    assert notified() == {}  # not assigned yet: nobody
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.assign(opinion, dept(SHIEN), user=admin, version=opinion.version)
    assert list(notified()) == ["shien"]
    received = deliver()
    assert list(received) == ["shien"]
    row = Notification.objects.get(kind="opinion_assigned")
    assert row.link == reverse("reviews:detail", args=[ACTION, 2020, opinion.number])
    assert "相談窓口の周知を強めてほしい" in row.body and "令和2年度(2020年度)" in row.body
    assert SHIEN in row.subject

    # Assigning to the same department again (no change) tells nobody; another one tells them.
    since = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.assign(opinion, dept(SHIEN), user=admin, version=opinion.version)
    assert notified(since) == {}
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.assign(opinion, dept(KATSUDO), user=admin, version=opinion.version)
    assert list(notified(since)) == ["katsudo"]
    deliver()

    # Answered by the department's staff: the 管理者 (not the one who answered, not the approver).
    since = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.answer(
            opinion,
            user=user(people, "katsudo"),
            version=opinion.version,
            policy="広報紙で周知する",
            action="4月号に掲載した",
        )
    assert list(notified(since)) == ["admin"]
    assert list(deliver()) == ["admin"]
    row = Notification.objects.get(kind="opinion_answered")
    assert "広報紙で周知する" in row.body and "4月号に掲載した" in row.body and KATSUDO in row.body
    for name in ("viewer", "outsider", "retired", "shien-boss"):
        assert not Notification.objects.filter(
            recipient=user(people, name), kind__startswith="opinion"
        ).exists()


def test_an_opinion_entered_with_its_department(people, plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_opinion(
            plan,
            2020,
            "見守り活動を広げてほしい",
            user=user(people, "admin"),
            department=dept(SHIEN),
        )
    assert list(notified()) == ["shien"]
    assert list(deliver()) == ["shien"]


def test_the_admin_answering_is_not_told_of_their_own_answer(
    people, plan, django_capture_on_commit_callbacks
):
    admin = user(people, "admin")
    opinion = services.create_opinion(plan, 2020, "意見", user=admin, department=dept(SHIEN))
    since = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer(opinion, user=admin, version=opinion.version, policy="対応する")
    assert notified(since) == {}
