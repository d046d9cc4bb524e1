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
    """Lay out a ReportJob's HTML as PDF and keep the bytes with the job; return its size.

    A committee report's job queued without HTML (reports.views.pdf_start: the report is the
    same for every member) reads the report here first, and takes the PDF of a finished job of
    the same content if there is one."""
    from shinchoku.jobs.housekeeping import beat
    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.report_jobs import failure_message, made_before

    beat()
    job = _start(job_id)
    if job is None:
        return 0  # removed, or already finished (a re-run of a task that had finished)
    if not job.html and job.kind == ReportJob.Kind.COMMITTEE:
        read = _read_committee(job)
        if read is None:  # no report (any more) for that year
            ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
                state=ReportJob.State.FAILED,
                message=failure_message(job.language, interrupted=False),
                finished=timezone.now(),
            )
            return 0
        html, key, name = read
        earlier = made_before(job.plan_id, job.kind, job.fy, key)
        if earlier is not None:
            ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
                state=ReportJob.State.DONE,
                pdf=earlier["pdf"],
                size=earlier["size"],
                content_key=key,
                filename=name,
                message="",
                finished=timezone.now(),
            )
            return earlier["size"]
        ReportJob.objects.filter(pk=job.pk).update(html=html, content_key=key, filename=name)
        job.html = html
    return _lay_out(job, render_report)


def _read_committee(job) -> tuple[str, str, str] | None:
    """The committee report of the job's plan and year, read now in the job's language: its
    HTML, content key and file name (remembered for the members' clicks, as reports.views.pdf_start
    does); None when that year has no report."""
    from django.core.cache import cache
    from django.utils.translation import override

    from shinchoku.jobs.report_jobs import committee_memo_key
    from shinchoku.reports.pdf import report_html_and_key
    from shinchoku.reports.report import ReportError, committee_report, filename

    try:
        with override(job.language):
            memo_key = committee_memo_key(job.plan, job.fy)
            report = committee_report(job.plan, job.fy)
            html, key = report_html_and_key(report)
            name = filename(report, "pdf")
            # The member's click on this report now finds its content key without reading it.
            cache.set(memo_key, (key, name))
            return html, key, name
    except ReportError:
        return None


@task(queue_name="reports")
def prerender_report(job_id: int) -> int:
    """A pre-render (jobs.prerender): read the committee report now and lay it out, unless a
    PDF of the same content is already made or being made; return the PDF's size (0 if not)."""
    from shinchoku.jobs.housekeeping import beat
    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.report_jobs import made_before

    beat()
    job = _start(job_id)
    if job is None:
        return 0
    # Read after the job left the queue: a change committed from now on queues another one.
    read = _read_committee(job)
    if read is None:  # no report (any more) for that year
        ReportJob.objects.filter(pk=job.pk).delete()
        return 0
    html, key, name = read
    same = ReportJob.objects.filter(
        plan=job.plan_id, kind=job.kind, fy=job.fy, content_key=key, state__in=ReportJob.ACTIVE
    ).exclude(pk=job.pk)
    if made_before(job.plan_id, job.kind, job.fy, key) is not None or same.exists():
        ReportJob.objects.filter(pk=job.pk).delete()  # that PDF is (being) made: nothing to do
        return 0
    ReportJob.objects.filter(pk=job.pk).update(html=html, content_key=key, filename=name)
    job.html = html
    return _lay_out(job, prerender_report)


def _start(job_id: int):
    """The queued job, now RUNNING; None when it is gone or no longer queued."""
    from shinchoku.jobs.models import ReportJob

    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in ReportJob.ACTIVE:
            return None
        job.state, job.started, job.finished = ReportJob.State.RUNNING, timezone.now(), None
        job.save(update_fields=["state", "started", "finished"])
    return job


def _lay_out(job, again) -> int:
    """Turn the RUNNING job's HTML into PDF and keep it; `again` is the task to re-queue."""
    from shinchoku.jobs.housekeeping import MAX_RETRIES, beat
    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.report_jobs import failure_message
    from shinchoku.reports.pdf import html_to_pdf

    try:
        data = html_to_pdf(job.html)
    except (KeyboardInterrupt, SystemExit):
        # The worker was told to stop at once (a second Ctrl+C or SIGTERM): run it again later
        # (once), like a job whose worker was killed; recover_stale fails it the next time.
        if job.attempts < MAX_RETRIES:
            result = again.enqueue(job.pk)
            ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
                state=ReportJob.State.QUEUED,
                started=None,
                attempts=job.attempts + 1,
                task_id=str(result.id),
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
