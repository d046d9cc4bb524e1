"""Notifications: one row per recipient and event, shown in the product and sent by e-mail.

A row's `key` names the event (e.g. ``submitted:12:4``); it is unique per recipient, so a
daily job run twice or a retried task never notifies anybody twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ROUND_OPENED = "round_opened", _("A round opens")
    SUBMITTED = "submitted", _("A sheet is submitted")
    RETURNED = "returned", _("A sheet is returned")
    APPROVED = "approved", _("A sheet is approved")
    DEADLINE_NEAR = "deadline_near", _("The deadline is near")
    DEADLINE_PASSED = "deadline_passed", _("The deadline has passed")
    REMINDER = "reminder", _("A reminder from the administrator")
    OPINION_ASSIGNED = "opinion_assigned", _("An opinion is assigned")
    OPINION_ANSWERED = "opinion_answered", _("An opinion is answered")


class Notification(models.Model):
    class Mail(models.TextChoices):
        NOT_WANTED = "not_wanted", _("no e-mail")
        QUEUED = "queued", _("e-mail waiting")
        SENT = "sent", _("e-mail sent")
        FAILED = "failed", _("e-mail failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    link = models.CharField(max_length=500, blank=True)  # a path in the product ("/plans/…")
    key = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mail = models.CharField(max_length=20, choices=Mail.choices, default=Mail.NOT_WANTED)
    mail_error = models.TextField(blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["key", "mail"], name="notification_mail"),
            # The few failed e-mails, looked for on every round board of a 管理者.
            models.Index(
                fields=["created"], name="notification_failed", condition=models.Q(mail="failed")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.key}"


class MailPreference(models.Model):
    """The kinds of notification a user does NOT want by e-mail (all are wanted by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference"
    )
    muted = models.JSONField(default=list)  # Kind values
    # Optimistic concurrency: every save of the preferences page checks and raises this.
    version = models.PositiveIntegerField(default=1)

    def wants(self, kind: str) -> bool:
        return kind not in self.muted
