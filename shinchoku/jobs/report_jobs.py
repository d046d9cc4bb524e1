"""Starting a PDF report job: one active job per user and report, its task in the same transaction.

The view renders the HTML (the database reads, the draft scoping and the language happen in the
request), or, for the committee report (the same for every member), leaves it to the worker
(tasks.render_report reads the report in the job's language); `start_report_job` stores it with
the job and enqueues `render_report` in one transaction, so there is never a job without its
task nor a task without its job.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from shinchoku.core.schedule import DEFAULT_EXPECTED
from shinchoku.jobs.models import ReportJob


def failure_message(language: str, *, interrupted: bool) -> str:
    """Why the job failed and what to do, in the job's language (Japanese by default)."""
    with override(language or "ja"):
        if interrupted:
            return _(
                "Preparing the PDF was interrupted twice (the background worker stopped). "
                "Please prepare it again; if it stops again, tell the administrator."
            )
        return _(
            "The PDF could not be prepared. Please try again; if it fails again, "
            "tell the administrator."
        )


def committee_memo_key(plan, fy: int) -> str:
    """Where the committee report's (content key, file name) are remembered, under the plan's
    current version and the active language: read the key before the report, so that a change
    committed meanwhile leaves the pair under a version no longer asked for."""
    from shinchoku.rounds import page_cache

    return page_cache.key("committee-pdf", plan, fy)


def active_job(user, plan, kind: str, fy: int | None) -> ReportJob | None:
    """The user's queued or running job for this report, if any."""
    return (
        ReportJob.objects.filter(user=user, plan=plan, kind=kind, fy=fy, state__in=ReportJob.ACTIVE)
        .defer("html", "pdf")
        .first()
    )


def expected_seconds(plan, kind: str) -> float:
    """How long the last finished job of the plan and kind took (the progress bar's yardstick)."""
    last = (
        ReportJob.objects.filter(
            plan=plan,
            kind=kind,
            state=ReportJob.State.DONE,
            started__isnull=False,
            finished__isnull=False,
        )
        .order_by("-finished")
        .only("started", "finished")
        .first()
    )
    seconds = last.run_seconds if last else None
    return seconds if seconds and seconds > 0 else DEFAULT_EXPECTED


def made_before(plan, kind: str, fy: int | None, content_key: str) -> dict | None:
    """The PDF (bytes and size) of a finished job that showed the same content, if any."""
    if not content_key:
        return None
    return (
        ReportJob.objects.filter(
            plan=plan, kind=kind, fy=fy, content_key=content_key, state=ReportJob.State.DONE
        )
        .exclude(pdf=None)
        .order_by("-finished")
        .values("pdf", "size")
        .first()
    )


def start_report_job(
    *,
    user,
    plan,
    kind: str,
    fy: int | None,
    filename: str,
    html: str | Callable[[], str],
    language: str,
    content_key: str = "",
) -> tuple[ReportJob, bool]:
    """Queue the PDF of `html`; return (job, created): the user's active job if there is one.

    `html` may be a function that makes it: it is then called only when a layout is needed;
    "" for a committee report: the worker reads the report (tasks.render_report).

    With a `content_key` (the report is the same for every reader: what it shows has not changed
    since a finished job with that key), the job is done at once with that job's PDF: an approved
    round's report is laid out once, not once per click (issue 16).
    """
    from shinchoku.jobs.tasks import render_report

    existing = active_job(user, plan, kind, fy)
    if existing is not None:
        return existing, False
    fields = {
        "kind": kind,
        "plan": plan,
        "fy": fy,
        "user": user,
        "user_name": (user.get_full_name() or user.get_username())[:150],
        "language": language or "ja",
        "filename": filename,
        "content_key": content_key,
    }
    earlier = made_before(plan, kind, fy, content_key)
    if earlier is not None:
        now = timezone.now()
        job = ReportJob.objects.create(
            **fields,
            state=ReportJob.State.DONE,
            started=now,
            finished=now,
            pdf=earlier["pdf"],
            size=earlier["size"],
            expected_seconds=0,
        )
        return job, True
    if callable(html):
        html = html()
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                **fields, html=html, expected_seconds=expected_seconds(plan, kind)
            )
            result = render_report.enqueue(job.pk)
            job.task_id = str(result.id)
            job.save(update_fields=["task_id"])
    except IntegrityError:  # the same user's other request won the race
        existing = active_job(user, plan, kind, fy)
        if existing is None:
            raise
        return existing, False
    return job, True


def job_url(job: ReportJob) -> str:
    """The job's progress page (where its download is once done)."""
    from django.urls import reverse

    if job.kind == ReportJob.Kind.FINAL:
        return reverse("reports:final_pdf_job", args=[job.plan.slug, job.token])
    return reverse("reports:pdf_job", args=[job.plan.slug, job.fy, job.token])


def recent_jobs(user, limit: int = 10) -> list[ReportJob]:
    """The user's latest PDF jobs, newest first, e.g. for a to-do page ("PDFs ready")."""
    return list(
        ReportJob.objects.filter(user=user)
        .select_related("plan")
        .defer("html", "pdf")
        .order_by("-created")[:limit]
    )
