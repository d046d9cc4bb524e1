"""Keeping the background work honest: heartbeats, stalled tasks, pruning, the daily jobs.

`recover_stale()` is what makes "in progress for ever" impossible. A task result stays RUNNING
when its worker is killed (SIGKILL, a crash, a reboot). Such a result is found when
- its worker ("host:pid", see runner.worker_id) ran on this host and that process is gone, or
- it has run longer than max(300 s, 10 × the job's expected time) (a worker on another host,
  or a hung one),
and it is put back in the queue once (its report job back to "queued", attempts + 1); the
second time it is marked failed, and its report job failed with a message saying what to do.
It runs when a worker starts, every minute in `housekeeping`, and when a job's page is polled.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from shinchoku.core.schedule import daily_run_due, parse_hhmm, parse_worker_id, stall_limit
from shinchoku.jobs.compat import TaskResultStatus
from shinchoku.jobs.models import DailyRun, ReportJob, WorkerHeartbeat
from shinchoku.jobs.report_jobs import failure_message
from shinchoku.jobs.runner import worker_id

log = logging.getLogger(__name__)
TOKYO = ZoneInfo("Asia/Tokyo")
HEARTBEAT_STALE = timedelta(minutes=2)  # no heartbeat for this long: no worker is running
HOUSEKEEPING_EVERY = 60  # seconds
KEEP_FINISHED = timedelta(days=1)  # PDFs and finished task results are kept this long
KEEP_JOB_ROWS = timedelta(days=30)  # a job's row (its timing) this long
MAX_RETRIES = 1  # an interrupted task is run again once, then fails


class Interrupted(Exception):
    """Recorded on a task result failed by recover_stale (its worker died or it hung)."""


# --- heartbeat -----------------------------------------------------------------------------


def beat(worker: str | None = None) -> None:
    """Record that this worker is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=(worker or worker_id())[:200], defaults={"seen": timezone.now()}
    )


def worker_seen_recently(now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen__gte=now - HEARTBEAT_STALE).exists()


# --- recovery ------------------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to somebody else
        return True
    return True


def stale_reason(
    worker_ids: list[str], started_at: datetime | None, now: datetime, expected: float | None
) -> str:
    """'dead' (its worker process on this host is gone), 'slow' (ran far too long) or ''."""
    parsed = parse_worker_id(worker_ids[-1]) if worker_ids else None
    if parsed and parsed[0] == socket.gethostname() and not _process_alive(parsed[1]):
        return "dead"
    if started_at and (now - started_at).total_seconds() > stall_limit(expected):
        return "slow"
    return ""


def _recover_one(pk, now: datetime, reason: str) -> str:
    """Re-queue or fail one RUNNING task result (and its report job); '' if it moved on."""
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.status != TaskResultStatus.RUNNING:
            return ""
        job = ReportJob.objects.select_for_update().filter(task_id=str(row.pk)).first()
        retried = job.attempts if job is not None else len(row.worker_ids) - 1
        if retried < MAX_RETRIES:
            row.status = TaskResultStatus.READY
            row.started_at = None
            row.save(update_fields=["status", "started_at"])
            if job is not None:
                job.state, job.started, job.finished = ReportJob.State.QUEUED, None, None
                job.attempts += 1
                job.save(update_fields=["state", "started", "finished", "attempts"])
            outcome = "requeued"
        else:
            row.status = TaskResultStatus.FAILED
            row.finished_at = now
            row.exception_class_path = f"{Interrupted.__module__}.{Interrupted.__qualname__}"
            row.traceback = (
                f"{Interrupted.__qualname__}: interrupted {len(row.worker_ids)} time(s) "
                f"({reason}); workers {', '.join(row.worker_ids)}\n"
            )
            row.return_value = None
            row.save(
                update_fields=[
                    "status",
                    "finished_at",
                    "exception_class_path",
                    "traceback",
                    "return_value",
                ]
            )
            if job is not None and job.active:
                job.state, job.finished = ReportJob.State.FAILED, now
                job.message = failure_message(job.language, interrupted=True)
                job.save(update_fields=["state", "finished", "message"])
            outcome = "failed"
    log.warning("task %s (%s) stalled (%s): %s", row.pk, row.task_path, reason, outcome)
    return outcome


def recover_stale(now: datetime | None = None) -> dict[str, int]:
    """Re-queue (once) or fail the stalled running tasks; fail report jobs whose task is gone."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "started_at"
    )
    for row in running:
        job = ReportJob.objects.filter(task_id=str(row.pk)).only("expected_seconds").first()
        reason = stale_reason(
            row.worker_ids, row.started_at, now, job.expected_seconds if job else None
        )
        if reason:
            outcome = _recover_one(row.pk, now, reason)
            if outcome:
                counts[outcome] += 1
    # A report job still "active" whose task finished without it (or was deleted) has failed.
    for job in ReportJob.objects.filter(state__in=ReportJob.ACTIVE).only(
        "id", "task_id", "language", "state"
    ):
        task = (
            DBTaskResult.objects.filter(pk=job.task_id).only("status").first()
            if job.task_id
            else None
        )
        if task is None or task.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            updated = ReportJob.objects.filter(pk=job.pk, state__in=ReportJob.ACTIVE).update(
                state=ReportJob.State.FAILED,
                finished=now,
                message=failure_message(job.language, interrupted=task is not None),
            )
            counts["failed"] += updated
    if counts["failed"]:
        ensure_housekeeping()  # a failed housekeeping task must not stop the schedule
    return counts


# --- the housekeeping schedule -------------------------------------------------------------


def ensure_housekeeping(delay: float = HOUSEKEEPING_EVERY):
    """Make sure one housekeeping task is pending (enqueue one to run after `delay` if none)."""
    from shinchoku.jobs.tasks import housekeeping

    pending = DBTaskResult.objects.filter(
        task_path=housekeeping.module_path, status=TaskResultStatus.READY
    )
    if pending.exists():
        return None
    return housekeeping.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue()


def prune(now: datetime | None = None) -> dict[str, int]:
    """Drop PDFs and finished task results older than a day, job rows older than 30 days."""
    now = now or timezone.now()
    old = now - KEEP_FINISHED
    finished = [ReportJob.State.DONE, ReportJob.State.FAILED]
    emptied = (
        ReportJob.objects.filter(state__in=finished, finished__lt=old)
        .exclude(pdf__isnull=True, html="")
        .exclude(pk__in=latest_prerenders(now))
        .update(pdf=None, html="", size=0)
    )
    rows, _ = ReportJob.objects.filter(
        state__in=finished, finished__lt=now - KEEP_JOB_ROWS
    ).delete()
    results, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=old
    ).delete()
    WorkerHeartbeat.objects.filter(seen__lt=old).delete()
    DailyRun.objects.filter(started__lt=now - KEEP_JOB_ROWS).delete()
    return {"pdfs": emptied, "jobs": rows, "results": results}


def latest_prerenders(now: datetime) -> list[int]:
    """The newest pre-rendered PDF of each report and language (jobs.prerender), made within
    KEEP_JOB_ROWS: kept past KEEP_FINISHED, so that a closed round's report stays ready for the
    committee days later. An older one is never served for a newer content (the content key)."""
    rows = (
        ReportJob.objects.filter(
            user__isnull=True,
            state=ReportJob.State.DONE,
            pdf__isnull=False,
            finished__gte=now - KEEP_JOB_ROWS,
        )
        .order_by("-finished")
        .values_list("pk", "plan_id", "kind", "fy", "language")
    )
    seen: set[tuple] = set()
    keep = []
    for pk, *report in rows:
        if tuple(report) not in seen:
            seen.add(tuple(report))
            keep.append(pk)
    return keep


def run_daily_jobs(now: datetime | None = None) -> list[str]:
    """Run each of settings.SHINCHOKU_DAILY_JOBS once per day at SHINCHOKU_DAILY_AT (Tokyo).

    A (day, path) row is inserted first: a second worker fails to insert it and skips the job.
    A failing job is logged and recorded on its row; the others still run.
    """
    now = now or timezone.now()
    local = now.astimezone(TOKYO)
    at = parse_hhmm(settings.SHINCHOKU_DAILY_AT)
    today: date = local.date()
    ran: list[str] = []
    for path in settings.SHINCHOKU_DAILY_JOBS:
        last = DailyRun.objects.filter(path=path).aggregate(last=Max("day"))["last"]
        if not daily_run_due(local, at, last):
            continue
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(day=today, path=path, worker_id=worker_id())
        except IntegrityError:
            continue  # another worker has it
        try:
            job = import_string(path)
            with transaction.atomic():
                job(today)
        except Exception:
            log.exception("daily job %s failed for %s", path, today)
            run.error = traceback.format_exc()[-4000:]
        run.finished = timezone.now()
        run.save(update_fields=["finished", "error"])
        ran.append(path)
    return ran


def run_housekeeping(now: datetime | None = None) -> dict:
    """One round of housekeeping; each step on its own, then the next round is scheduled."""
    report: dict = {}
    steps = (
        ("heartbeat", lambda: beat()),
        ("recovered", lambda: recover_stale(now)),
        ("pruned", lambda: prune(now)),
        ("daily", lambda: run_daily_jobs(now)),  # its own transactions: one per job
    )
    try:
        for name, step in steps:
            try:
                if name == "daily":
                    report[name] = step()
                else:
                    with transaction.atomic():
                        report[name] = step()
            except Exception:
                log.exception("housekeeping step %s failed", name)
                report[name] = "error"
    finally:
        ensure_housekeeping()
    return report


def start_worker() -> None:
    """What a worker does before it takes tasks: heartbeat, recovery, the housekeeping schedule."""
    beat()
    recover_stale()
    ensure_housekeeping(delay=0)
