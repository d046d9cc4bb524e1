"""The audit trail: one row per login, failed login, lockout, logout, denial, upload or download."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.orgs.models import Department, Organization


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Locked out")
    LOGOUT = "logout", _("Logged out")
    PERMISSION_DENIED = "permission_denied", _("Access refused")
    UPLOAD = "upload", _("Upload")
    DOWNLOAD = "download", _("Download")
    # Changes to people (shinchoku/staff): `target` is the person, `detail` what changed.
    STAFF_ADDED = "staff_added", _("Person added")
    STAFF_EDITED = "staff_edited", _("Person edited")
    STAFF_DEACTIVATED = "staff_deactivated", _("Person deactivated")
    STAFF_REACTIVATED = "staff_reactivated", _("Person reactivated")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_RESENT = "invitation_resent", _("Invitation sent again")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted (password set)")
    TRANSFER_RECORDED = "transfer_recorded", _("Transfer recorded")
    TRANSFER_APPLIED = "transfer_applied", _("Transfer applied")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")


# How the keys of AuditEvent.detail are shown (changes to people).
DETAIL_LABELS = {
    "name": pgettext_lazy("audit detail", "Name"),
    "email": pgettext_lazy("audit detail", "E-mail address"),
    "username": pgettext_lazy("audit detail", "Login ID"),
    "role": pgettext_lazy("audit detail", "Role"),
    "departments": pgettext_lazy("audit detail", "Departments"),
    "effective": pgettext_lazy("audit detail", "Effective date"),
}


class AuditEvent(models.Model):
    """Who did what, when, from where, on which plan or file, and with what result.

    The user is a nullable link plus the username as text, so the record outlives the account;
    the organization is the one whose data was asked for (the plan's), else the user's own.
    """

    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    url_name = models.CharField(max_length=100, blank=True)
    plan_slug = models.CharField(max_length=80, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(null=True, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_key = models.CharField(max_length=100, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    target_name = models.CharField(_("person concerned"), max_length=150, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["organization", "-created"], name="audit_org_created")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.action} {self.username}"

    def detail_lines(self) -> list[str]:
        """The detail as lines "label: value", or "label: before → after" for a change."""
        lines = []
        for key, value in (self.detail or {}).items():
            label = str(DETAIL_LABELS.get(key, key))
            if isinstance(value, dict) and set(value) == {"before", "after"}:
                before, after = _shown(key, value["before"]), _shown(key, value["after"])
                lines.append(f"{label}: {before} → {after}")
            else:
                lines.append(f"{label}: {_shown(key, value)}")
        return lines


def _shown(key: str, value) -> str:
    """One value of a detail, readable: a role's label, names joined, a date in 和暦."""
    from shinchoku.accounts.models import Role
    from shinchoku.plans.templatetags.shinchoku import wareki_date

    if value in (None, "", []):
        return "―"
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    if key == "effective":
        try:
            return wareki_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
