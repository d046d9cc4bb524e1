"""The committee report's PDF made before anybody asks for it (issue 16: ready in ≤ 2 s).

Laying the report out takes seconds; a member who clicks 「PDFを作成」 should not wait for it.
When something the report prints changes (a sheet approved, the round closed or published, an
opinion answered), `committee_soon` queues a pre-render: a ReportJob without a user, run by the
worker a few seconds later (`DELAY`, so a run of approvals is laid out once). The worker reads
the report then, and lays it out unless a PDF of the same content (reports.pdf.content_key) is
already made or being made. A member's click renders the HTML, finds that PDF by its key and
is done at once (jobs.report_jobs.start_report_job).

At most one pre-render per report waits at a time (a partial unique constraint): a second
change while one waits adds nothing, since the waiting one reads the report when it runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from shinchoku.jobs.models import ReportJob

log = logging.getLogger(__name__)
DELAY = timedelta(seconds=10)


def committee_soon(plan_id: int, fy: int, language: str = "ja") -> None:
    """Queue the committee report's pre-render once the current transaction commits.

    Never fails the caller's write: a failure to queue is logged (the member's click then
    lays the report out as before).
    """
    transaction.on_commit(lambda: queue_committee(plan_id, fy, language), robust=True)


def queued(plan_id: int, fy: int | None, kind: str = ReportJob.Kind.COMMITTEE):
    return ReportJob.objects.filter(
        plan_id=plan_id, kind=kind, fy=fy, user__isnull=True, state=ReportJob.State.QUEUED
    )


def queue_committee(plan_id: int, fy: int, language: str = "ja") -> ReportJob | None:
    """The pre-render job now queued (to run after DELAY); None if one was already waiting."""
    from shinchoku.jobs.report_jobs import expected_seconds
    from shinchoku.jobs.tasks import prerender_report

    kind = ReportJob.Kind.COMMITTEE
    if queued(plan_id, fy, kind).exists():
        return None
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                kind=kind,
                plan_id=plan_id,
                fy=fy,
                user=None,
                language=language,
                filename="",
                expected_seconds=expected_seconds(plan_id, kind),
            )
            result = prerender_report.using(run_after=timezone.now() + DELAY).enqueue(job.pk)
            job.task_id = str(result.id)
            job.save(update_fields=["task_id"])
    except IntegrityError:  # another request queued it at the same moment
        return None
    return job
