"""Background work that the product keeps track of itself.

- ReportJob: a PDF laid out by the worker. The request renders the report's HTML (the reads,
  the draft scoping and the language happen there); the worker only turns it into PDF and
  stores the bytes here, so any web server of the site can show its progress and send it.
- WorkerHeartbeat: when each worker was last seen (a page says so when none is running).
- DailyRun: one row per (day, daily job): two workers never run the same daily job twice.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.core.schedule import DEFAULT_EXPECTED, estimate_percent


def new_token() -> str:
    return secrets.token_urlsafe(16)


class ReportJob(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Committee report (PDF)")
        FINAL = "final", _("Final evaluation report (PDF)")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE = (State.QUEUED, State.RUNNING)

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="report_jobs")
    fy = models.PositiveSmallIntegerField(null=True, blank=True)  # none for the final report
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=10, default="ja")
    filename = models.CharField(max_length=200)
    html = models.TextField(blank=True)  # emptied once the PDF is made
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)  # why it failed and what to do, in `language`
    attempts = models.PositiveSmallIntegerField(default=0)  # re-runs after an interruption
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    expected_seconds = models.FloatField(default=DEFAULT_EXPECTED)
    pdf = models.BinaryField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    # What the PDF shows, when it is the same for every reader (a digest of its HTML without
    # the time it was made, reports.pdf.content_key): a later job with the same key takes
    # this PDF instead of laying it out again. A job without a user is a pre-render.
    content_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One active job per user and report: a second click shows the running one.
            models.UniqueConstraint(
                "user",
                "plan",
                "kind",
                Coalesce("fy", 0),
                condition=Q(state__in=["queued", "running"]),
                name="jobs_one_active_report_job",
            ),
            # One pre-render waiting per report (jobs.prerender): a job without a user, made
            # when the report changed, so that the PDF is ready before a member asks for it.
            models.UniqueConstraint(
                "plan",
                "kind",
                Coalesce("fy", 0),
                condition=Q(user__isnull=True, state="queued"),
                name="jobs_one_queued_prerender",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.plan_id} {self.fy or ''} {self.state}"

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def elapsed(self) -> float:
        start = self.started or self.created
        end = self.finished or timezone.now()
        return max(0.0, (end - start).total_seconds())

    @property
    def run_seconds(self) -> float | None:
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return None

    @property
    def percent(self) -> int:
        if self.state == self.State.QUEUED:
            return 0
        return estimate_percent(self.elapsed, self.expected_seconds, self.state == self.State.DONE)

    @property
    def available(self) -> bool:
        """Done and its PDF still kept (old PDFs are pruned)."""
        return self.state == self.State.DONE and self.pdf is not None


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=200, unique=True)
    seen = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.worker_id} {self.seen:%Y-%m-%d %H:%M:%S}"


class DailyRun(models.Model):
    day = models.DateField()
    path = models.CharField(max_length=200)
    worker_id = models.CharField(max_length=200, blank=True)
    started = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "path"], name="jobs_daily_run_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.path}"
