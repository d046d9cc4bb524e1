"""The audit trail: one row per login, failed login, lockout, logout, denial, upload or download."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.orgs.models import Department, Organization


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Locked out")
    LOGOUT = "logout", _("Logged out")
    PERMISSION_DENIED = "permission_denied", _("Access refused")
    UPLOAD = "upload", _("Upload")
    DOWNLOAD = "download", _("Download")


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

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["organization", "-created"], name="audit_org_created")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.action} {self.username}"
