"""The committee's opinions (意見・助言) on a plan's year, and the council's answers to them.

An opinion concerns the plan as a whole, one of its nodes (a goal or an item) or one indicator,
named by key as rounds name them, so that it survives a reload of the plan. It is assigned to a
department, which answers with its 対応方針 and what it did; the opinion moves 未対応 → 対応中 →
対応済, or 見送り with the reason. Every change is an OpinionEvent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.covered import CoveredManager
from shinchoku.orgs.models import Department
from shinchoku.plans.models import Plan


class Opinion(models.Model):
    """One opinion or piece of advice of the 進行管理委員会 on a plan's FY."""

    class Status(models.TextChoices):
        OPEN = "open", _("not yet answered")  # 未対応
        IN_PROGRESS = "in_progress", _("being answered")  # 対応中
        DONE = "done", _("answered")  # 対応済
        DECLINED = "declined", _("not taken up")  # 見送り (with the reason)

    class Origin(models.TextChoices):
        MINUTES = "minutes", _("from the minutes")  # recorded by the 管理者 from the minutes
        MEMBER = "member", _("entered by a committee member")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="opinions")
    fy = models.PositiveSmallIntegerField(_("fiscal year"))  # the year the committee read
    number = models.PositiveIntegerField(_("number"))  # 1, 2, … within the plan and FY
    # What it concerns: blank node_key and indicator_key = the plan as a whole.
    node_key = models.CharField(max_length=100, blank=True)
    indicator_key = models.CharField(max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name=_("department"),
    )
    text = models.TextField(_("opinion"))
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MINUTES)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    policy = models.TextField(_("policy"), blank=True)  # 対応方針
    action = models.TextField(_("what was done"), blank=True)  # 対応内容
    reason = models.TextField(_("reason for not taking it up"), blank=True)  # 見送りの理由
    # Shown with its answer on the public pages of a published round when the 管理者 says so.
    public = models.BooleanField(_("public"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: every form that changes the opinion carries and raises this.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CoveredManager()

    class Meta:
        ordering = ["plan_id", "-fy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "fy", "number"], name="unique_opinion_number")
        ]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")

    def __str__(self) -> str:
        return f"{self.plan} {self.fy} #{self.number}"

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.DECLINED)


class OpinionEvent(models.Model):
    """A change of an opinion: who, when, what (the fields before and after)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=200, blank=True)
    # create | edit | assign | answer | status | publish | unpublish
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    # {field: [before, after]} for every field the change touched.
    changes = models.JSONField(default=dict)

    objects = CoveredManager()

    class Meta:
        ordering = ["-at", "-id"]
