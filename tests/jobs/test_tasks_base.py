"""The task framework on the database: a queued e-mail is sent only when a worker runs it."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from shinchoku.jobs.compat import TaskResultStatus
from shinchoku.jobs.runner import run_pending
from shinchoku.jobs.tasks import send_email

pytestmark = pytest.mark.django_db


def test_an_enqueued_mail_waits_for_the_worker_then_is_sent():
    result = send_email.enqueue(["a@example.jp"], "件名", "本文")
    assert mail.outbox == []
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    assert run_pending() == 1
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    assert mail.outbox[0].subject == "件名"
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert run_pending() == 0
