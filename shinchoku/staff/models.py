"""人事異動: a person's departments (and role) change as of a date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.accounts.models import Role
from shinchoku.orgs.models import Organization


class Transfer(models.Model):
    """One transfer of one person. Applied at once when its date has come, else by the daily job.

    Departments are kept as [{"id": …, "name": …}] so the record reads the same after a
    department is renamed or removed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfers"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    effective = models.DateField(_("effective date"))
    departments_before = models.JSONField(default=list)
    departments_after = models.JSONField(default=list)
    role_before = models.CharField(max_length=20, blank=True)
    role_after = models.CharField(max_length=20, blank=True)  # blank: the role stays
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective", "-id"]
        indexes = [models.Index(fields=["applied_at", "effective"], name="staff_transfer_due")]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.user} {self.effective}"

    @property
    def before_names(self) -> str:
        return "、".join(d["name"] for d in self.departments_before)

    @property
    def after_names(self) -> str:
        return "、".join(d["name"] for d in self.departments_after)

    @property
    def role_after_label(self) -> str:
        return str(dict(Role.choices).get(self.role_after, "")) if self.role_after else ""
