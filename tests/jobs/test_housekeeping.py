"""Housekeeping on the real database: recovery of tasks whose worker died, the minutely
schedule (one pending at a time), pruning, and the daily jobs run once per day."""

from __future__ import annotations

import os
import socket
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shinchoku.jobs.compat import TaskResultStatus
from shinchoku.jobs.housekeeping import (
    ensure_housekeeping,
    prune,
    recover_stale,
    run_daily_jobs,
    worker_seen_recently,
)
from shinchoku.jobs.models import DailyRun, WorkerHeartbeat
from shinchoku.jobs.runner import run_pending
from shinchoku.jobs.tasks import housekeeping, send_email
from tests.jobs import daily_samples
from tests.jobs.helpers import dead_worker_id

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
HK = housekeeping.module_path


def pending_housekeeping():
    return DBTaskResult.objects.filter(task_path=HK, status=TaskResultStatus.READY)


def test_a_task_claimed_by_a_dead_worker_on_this_host_is_queued_again_then_failed():
    result = send_email.enqueue(["a@example.jp"], "件名", "本文")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(dead_worker_id())
    assert recover_stale() == {"requeued": 1, "failed": 0}
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.started_at is None
    row.claim(dead_worker_id())  # killed again
    assert recover_stale() == {"requeued": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and row.finished_at is not None
    assert row.exception_class_path == "shinchoku.jobs.housekeeping.Interrupted"
    assert "interrupted 2 time(s) (dead)" in row.traceback
    assert mail.outbox == []


def test_a_requeued_task_is_run_by_the_next_worker():
    result = send_email.enqueue(["a@example.jp"], "件名", "本文")
    DBTaskResult.objects.get(pk=result.id).claim(dead_worker_id())
    recover_stale()
    assert run_pending(queues=["mail"]) == 1
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL


def test_a_task_of_a_live_worker_is_left_alone_until_it_runs_far_too_long():
    result = send_email.enqueue(["a@example.jp"], "件名", "本文")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(f"{socket.gethostname()}:{os.getpid()}")  # this very process: alive
    assert recover_stale() == {"requeued": 0, "failed": 0}
    assert recover_stale(timezone.now() + timedelta(seconds=299)) == {"requeued": 0, "failed": 0}
    assert recover_stale(timezone.now() + timedelta(seconds=301)) == {"requeued": 1, "failed": 0}


def test_housekeeping_runs_every_minute_with_one_pending_at_a_time():
    assert ensure_housekeeping(delay=0) is not None
    assert ensure_housekeeping(delay=0) is None  # one is pending already
    assert pending_housekeeping().count() == 1
    assert run_pending(queues=["default"]) == 1  # it ran, and queued the next one
    nxt = pending_housekeeping().get()
    assert 50 < (nxt.run_after - timezone.now()).total_seconds() <= 60
    assert run_pending(queues=["default"]) == 0  # not due yet
    assert worker_seen_recently()
    done = DBTaskResult.objects.filter(task_path=HK, status=TaskResultStatus.SUCCESSFUL).get()
    assert set(done.return_value) == {"heartbeat", "recovered", "pruned", "daily"}


def test_a_housekeeping_task_killed_with_its_worker_is_replaced():
    ensure_housekeeping(delay=0)
    row = pending_housekeeping().get()
    row.claim(dead_worker_id())
    recover_stale()
    row.claim(dead_worker_id())
    recover_stale()  # failed now: a new one is scheduled
    assert DBTaskResult.objects.get(pk=row.pk).status == TaskResultStatus.FAILED
    assert pending_housekeeping().exclude(pk=row.pk).count() == 1


def test_the_worker_command_recovers_and_schedules_housekeeping_before_it_starts():
    result = send_email.enqueue(["a@example.jp"], "件名", "本文")
    DBTaskResult.objects.get(pk=result.id).claim(dead_worker_id())
    call_command("worker", "--once")
    # The dead worker's mail was queued again and sent; housekeeping ran and is pending again.
    assert [m.to for m in mail.outbox] == [["a@example.jp"]]
    assert pending_housekeeping().count() == 1
    assert WorkerHeartbeat.objects.exists() and worker_seen_recently()


def test_heartbeats_older_than_two_minutes_mean_no_worker():
    WorkerHeartbeat.objects.create(worker_id="w:1", seen=timezone.now() - timedelta(seconds=121))
    assert not worker_seen_recently()
    WorkerHeartbeat.objects.create(worker_id="w:2", seen=timezone.now() - timedelta(seconds=100))
    assert worker_seen_recently()


def test_prune_drops_finished_task_results_older_than_a_day():
    old = send_email.enqueue(["a@example.jp"], "古い", "本文")
    new = send_email.enqueue(["b@example.jp"], "新しい", "本文")
    waiting = send_email.enqueue(["c@example.jp"], "待ち", "本文")
    run_pending(queues=["mail"], limit=2)
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=timezone.now() - timedelta(days=2))
    assert prune()["results"] == 1
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert {str(x) for x in left} == {new.id, waiting.id}


@pytest.fixture
def daily(settings):
    settings.SHINCHOKU_DAILY_AT = "08:00"
    settings.SHINCHOKU_DAILY_JOBS = [
        "tests.jobs.daily_samples.first",
        "tests.jobs.daily_samples.broken",
        "tests.jobs.daily_samples.second",
    ]
    daily_samples.CALLS.clear()
    yield daily_samples.CALLS
    daily_samples.CALLS.clear()


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def test_daily_jobs_run_once_per_day_at_the_time_and_a_failure_stops_none(daily):
    assert run_daily_jobs(tokyo(2026, 4, 1, 7, 59)) == []
    assert daily == []
    ran = run_daily_jobs(tokyo(2026, 4, 1, 8, 0))
    assert len(ran) == 3
    day = date(2026, 4, 1)
    assert daily == [("first", day), ("broken", day), ("second", day)]
    broken = DailyRun.objects.get(day=day, path="tests.jobs.daily_samples.broken")
    assert "this daily job always fails" in broken.error and broken.finished is not None
    assert DailyRun.objects.get(day=day, path="tests.jobs.daily_samples.first").error == ""
    # Later the same day (another minute, another worker): nothing runs again.
    assert run_daily_jobs(tokyo(2026, 4, 1, 8, 1)) == []
    assert run_daily_jobs(tokyo(2026, 4, 1, 23, 0)) == []
    assert len(daily) == 3
    # The next day, at the time.
    assert run_daily_jobs(tokyo(2026, 4, 2, 7, 0)) == []
    assert len(run_daily_jobs(tokyo(2026, 4, 2, 8, 30))) == 3
    assert daily[-1] == ("second", date(2026, 4, 2))


def test_the_day_is_the_day_in_tokyo(daily):
    # 23:30 UTC on 31 March is 08:30 on 1 April in Tokyo.
    run_daily_jobs(datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert {d for _, d in daily} == {date(2026, 4, 1)}


def test_a_daily_job_another_worker_has_started_is_skipped(daily):
    DailyRun.objects.create(day=date(2026, 4, 1), path="tests.jobs.daily_samples.first")
    ran = run_daily_jobs(tokyo(2026, 4, 1, 9, 0))
    assert "tests.jobs.daily_samples.first" not in ran
    assert [name for name, _ in daily] == ["broken", "second"]
