"""Tasks of the product's own (Django's task framework, the database backend)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from shinchoku.jobs.compat import task

log = logging.getLogger(__name__)


@task(queue_name="mail")
def send_email(to: list[str], subject: str, body: str) -> int:
    """Send one plain-text e-mail; an SMTP failure fails the task (its result says why)."""
    message = EmailMessage(subject=subject, body=body, to=to)
    return message.send(fail_silently=False)


@task(queue_name="reports")
def render_report(job_id: int) -> int:
    """Lay out a ReportJob's HTML as PDF and keep the bytes with the job; return its size."""
    from shinchoku.jobs.housekeeping import MAX_RETRIES, beat
    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.report_jobs import failure_message
    from shinchoku.reports.pdf import html_to_pdf

    beat()
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in ReportJob.ACTIVE:
            return 0  # removed, or already finished (a re-run of a task that had finished)
        job.state, job.started, job.finished = ReportJob.State.RUNNING, timezone.now(), None
        job.save(update_fields=["state", "started", "finished"])
    try:
        data = html_to_pdf(job.html)
    except (KeyboardInterrupt, SystemExit):
        # The worker was told to stop at once (a second Ctrl+C or SIGTERM): run it again later
        # (once), like a job whose worker was killed; recover_stale fails it the next time.
        if job.attempts < MAX_RETRIES:
            again = render_report.enqueue(job.pk)
            ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
                state=ReportJob.State.QUEUED,
                started=None,
                attempts=job.attempts + 1,
                task_id=str(again.id),
            )
        raise
    except BaseException:  # weasyprint's fetch errors are BaseExceptions
        log.exception("PDF report job %s (%s, plan %s) failed", job.pk, job.kind, job.plan_id)
        ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
            state=ReportJob.State.FAILED,
            message=failure_message(job.language, interrupted=False),
            finished=timezone.now(),
        )
        raise
    ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
        state=ReportJob.State.DONE,
        pdf=data,
        size=len(data),
        html="",
        message="",
        finished=timezone.now(),
    )
    beat()
    return len(data)


@task(queue_name="default")
def housekeeping() -> dict:
    """Every minute: heartbeat, recovery of stalled tasks, pruning, the daily jobs; then again."""
    from shinchoku.jobs import housekeeping as hk

    return hk.run_housekeeping()
