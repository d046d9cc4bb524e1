"""The yearly progress round: a plan and FY, one report per department, reviewed and approved.

Entries refer to the plan's records by their keys (node key, indicator key, a content's position
under its node), not by row ids: a plan replaced from a workbook keeps its keys, so a round's
reports survive it. Approved values are also written to the plan's indicators (実績, 取組報告).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from shinchoku.core.forecast import DEFAULT_THRESHOLDS as FORECAST_DEFAULTS
from shinchoku.core.forecast import Thresholds
from shinchoku.covered import CoveredManager
from shinchoku.orgs.models import Department
from shinchoku.plans.models import Indicator, Plan

DEFAULT_CONTENT_STATUSES = ["予定どおり", "前倒し", "遅れ", "未実施", "中止"]
DEFAULT_SCALE = [
    {"code": "A", "name": "達成", "definition": "目標を達成した"},
    {"code": "B", "name": "概ね達成", "definition": "目標を概ね達成した（8割以上）"},
    {"code": "C", "name": "未達成", "definition": "目標を達成できなかった"},
    {"code": "D", "name": "未着手", "definition": "取り組みを始めていない"},
]
DEFAULT_THRESHOLDS = [{"rate": "1", "name": "達成"}, {"rate": "0.8", "name": "概ね達成"}]
# A plan without numeric targets reports how far each 事業 was carried out as planned.
NO_NUMBERS_SCALE = [
    {"code": "A", "name": "計画どおり実施", "definition": "計画どおりに実施した"},
    {"code": "B", "name": "概ね実施", "definition": "計画の8割程度以上を実施した"},
    {"code": "C", "name": "一部実施", "definition": "計画の一部を実施した"},
    {"code": "D", "name": "未実施", "definition": "実施できなかった"},
]
# How each item stands at the plan's final evaluation (最終評価); each plan may change the list.
DEFAULT_FINAL_STATUSES = ["実施済", "一部実施", "未実施", "再検討"]
# The scales the settings page offers to start from: key → (name shown, scale).
SCALE_PRESETS = {
    "targets": ("数値目標のある計画（達成度）", DEFAULT_SCALE),
    "no_numbers": ("数値目標のない計画（実施状況）", NO_NUMBERS_SCALE),
}


def _statuses() -> list[str]:
    return list(DEFAULT_CONTENT_STATUSES)


def _final_statuses() -> list[str]:
    return list(DEFAULT_FINAL_STATUSES)


def _scale() -> list[dict]:
    return [dict(s) for s in DEFAULT_SCALE]


def _thresholds() -> list[dict]:
    return [dict(t) for t in DEFAULT_THRESHOLDS]


def default_reminder_days() -> list[int]:
    """Days before the deadline the staff are reminded (shinchoku.notify): 7, 3 and 1."""
    return [7, 3, 1]


class PlanSettings(models.Model):
    """How a plan's progress is reported and judged; every plan has the defaults until changed."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="progress_settings")
    content_statuses = models.JSONField(_("content statuses"), default=_statuses)
    evaluation_scale = models.JSONField(_("self-evaluation scale"), default=_scale)
    band_thresholds = models.JSONField(_("achievement bands"), default=_thresholds)
    below_band = models.CharField(_("below the last band"), max_length=50, default="未達成")
    # A plan that sets only its final target can have each year compared with it.
    final_when_no_target = models.BooleanField(
        _("compare years without a target with the final target"), default=False
    )
    # The 状況 an item may get in the final evaluation (最終評価).
    final_statuses = models.JSONField(_("final evaluation statuses"), default=_final_statuses)
    # Early warning (core.forecast): the ratio of actual to required progress toward the final
    # target from which an indicator is 達成見込み, and from which it is 要注意 (below: 達成困難).
    forecast_on_track = models.DecimalField(
        _("forecast: on track from"),
        max_digits=5,
        decimal_places=3,
        default=FORECAST_DEFAULTS.on_track,
    )
    forecast_at_risk = models.DecimalField(
        _("forecast: at risk from"),
        max_digits=5,
        decimal_places=3,
        default=FORECAST_DEFAULTS.at_risk,
    )
    # Optimistic concurrency: every save of the settings page checks and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    @property
    def forecast_thresholds(self) -> Thresholds:
        """The plan's early-warning thresholds (the defaults if the stored pair is unusable)."""
        try:
            return Thresholds(
                on_track=Decimal(self.forecast_on_track), at_risk=Decimal(self.forecast_at_risk)
            )
        except (ValueError, TypeError):
            return FORECAST_DEFAULTS

    @classmethod
    def of(cls, plan: Plan) -> PlanSettings:
        """The stored settings, or the defaults: a plan without indicators gets NO_NUMBERS_SCALE.

        One query for both (the stored row and whether the plan has an indicator). Stored
        settings are returned as stored, whatever the plan holds.
        """
        # issue 16: the access read may have loaded both with the plan (plans/access.py
        # with_settings); used once, so a later call in the request reads what is stored.
        if plan.__dict__.pop("_settings_preloaded", False):
            row = plan
        else:
            row = (
                Plan.objects.filter(pk=plan.pk)
                .select_related("progress_settings")
                .annotate(has_numbers=Exists(Indicator.objects.filter(node__plan=OuterRef("pk"))))
                .first()
            )
        if row is None:
            return cls(plan=plan)
        try:
            stored = row.progress_settings
        except cls.DoesNotExist:
            stored = None
        return cls.made(plan, stored, bool(row.has_numbers))

    @classmethod
    def made(cls, plan: Plan, stored: PlanSettings | None, has_numbers: bool) -> PlanSettings:
        """`of` from what was read: the stored settings (None: none stored) and whether the
        plan has an indicator."""
        found = stored or cls(plan=plan)
        if stored is not None:
            stored.plan = plan  # reading `settings.plan` costs no query
        elif not has_numbers:
            found.evaluation_scale = [dict(s) for s in NO_NUMBERS_SCALE]
        found.plan_has_indicators = has_numbers
        return found

    # Read by `of` along with the settings: whether the plan has an indicator (figures to judge).
    plan_has_indicators: bool | None = None


class Round(models.Model):
    """The progress round of a plan for one fiscal year, or its final evaluation (最終評価).

    A final evaluation round is the plan's last round (its fy is the plan's last FY): each
    item gets その後の取組, 評価・課題 and a 状況 instead of a year's report, with the same
    sheets, review and Excel round trip.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Kind(models.TextChoices):
        YEARLY = "yearly", _("yearly round")
        FINAL = "final", _("final evaluation")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.YEARLY)
    fy = models.PositiveSmallIntegerField(_("fiscal year"))
    deadline = models.DateField(_("deadline"))
    # Days before the deadline a reminder goes to departments not yet submitted (notify app).
    reminder_days = models.JSONField(_("reminder days"), default=default_reminder_days)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Published rounds show their approved values on the public pages (no login).
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Raised by every close, reopen, publish and unpublish; the board's buttons carry it.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "-fy"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "fy"], name="unique_round_kind")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.fy}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_final(self) -> bool:
        return self.kind == self.Kind.FINAL


class RoundEvent(models.Model):
    """Opening, closing and reopening of a round: who and when."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    user_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20)  # open | close | reopen | remind | publish | unpublish
    comment = models.TextField(blank=True)

    objects = CoveredManager()

    class Meta:
        ordering = ["-at", "-id"]


class Report(models.Model):
    """One department's sheet in a round."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        DRAFT = "draft", _("in progress")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    return_comment = models.TextField(_("comment"), blank=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=200, blank=True)
    # Optimistic concurrency: every save of the sheet checks and raises this.
    version = models.PositiveIntegerField(default=1)

    objects = CoveredManager()

    class Meta:
        ordering = ["round_id", "department__order", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "department"], name="unique_report")
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.department}"

    @property
    def editable(self) -> bool:
        return self.round.is_open and self.status in (
            self.Status.NOT_STARTED,
            self.Status.DRAFT,
            self.Status.RETURNED,
        )


class ItemEntry(models.Model):
    """取組状況, 今後の展開 and the self-evaluation of one item (node) in a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="items")
    node_key = models.CharField(max_length=100)
    done = models.TextField(_("what was done"), blank=True)
    next = models.TextField(_("what comes next"), blank=True)
    evaluation = models.CharField(_("self-evaluation"), max_length=20, blank=True)
    # Final evaluation (最終評価) only: その後の取組, 評価・課題 and the 状況.
    followup = models.TextField(_("what happened over the plan"), blank=True)
    issues = models.TextField(_("evaluation and remaining issues"), blank=True)
    final_status = models.CharField(_("final status"), max_length=50, blank=True)

    objects = CoveredManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "node_key"], name="unique_item_entry")
        ]


class ContentEntry(models.Model):
    """The status of one content of an item for the FY."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="contents")
    node_key = models.CharField(max_length=100)
    position = models.PositiveIntegerField()  # the content's order under its node
    text = models.TextField(blank=True)  # the content as it read when reported
    status = models.CharField(_("status"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = CoveredManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "node_key", "position"], name="unique_content_entry"
            )
        ]


class IndicatorEntry(models.Model):
    """The actual of one indicator for the FY, as typed, with its note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="indicators")
    indicator_key = models.CharField(max_length=100)
    actual = models.CharField(_("actual"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    # 取組状況 / 今後の展開 for this indicator (the city's sheet asks them per indicator).
    done = models.TextField(_("what was done"), blank=True)
    next = models.TextField(_("what comes next"), blank=True)

    objects = CoveredManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator_key"], name="unique_indicator_entry"
            )
        ]


class ActualSource(models.Model):
    """Which department's approved sheet set an indicator's actual for a FY (its provenance).

    Kept by plan and indicator key, like the entries, so it outlives a plan replaced from a
    workbook. `text` is the actual as approved: when the plan's value no longer reads the same
    (changed in the editor or by an import), the source no longer applies.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    indicator_key = models.CharField(max_length=100)
    fy = models.PositiveSmallIntegerField(_("fiscal year"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now=True)

    objects = CoveredManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator_key", "fy"], name="unique_actual_source"
            )
        ]
