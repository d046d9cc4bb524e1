"""A user's place: one organization, a role in it, and the departments the user works in."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.orgs.models import Department, Organization


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")  # 管理者: the organization's plans and users
    STAFF = "staff", _("Department staff")  # 部署担当: reports progress for departments
    APPROVER = "approver", _("Approver")  # 承認者: section chief who approves reports
    VIEWER = "viewer", _("Viewer")  # 閲覧: read only, e.g. committee members


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="members", verbose_name=_("departments")
    )
    # Optimistic lock of the staff pages: a form carries the version it was shown with.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.organization}, {self.get_role_display()})"

    def check_departments(self, departments) -> None:
        """Refuse departments of another organization."""
        foreign = [d.name for d in departments if d.organization_id != self.organization_id]
        if foreign:
            raise ValidationError(
                _("These departments belong to another organization: %(names)s")
                % {"names": "、".join(foreign)}
            )


class PasswordState(models.Model):
    """Whether the user must choose a new password before anything else.

    Set when a 管理者 or the operator gives someone a password (a new user in the admin, or the
    admin's password change of another user); cleared when the user changes it themselves.
    Demo users made by `create-demo-users` never carry it: theirs is a documented demo login.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_state",
    )
    must_change = models.BooleanField(_("must change the password"), default=False)

    class Meta:
        verbose_name = _("password state")
        verbose_name_plural = _("password states")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def require_change(cls, user, required: bool = True) -> None:
        """Set (or clear) the flag for the user."""
        cls.objects.update_or_create(user=user, defaults={"must_change": required})

    @classmethod
    def is_required(cls, user) -> bool:
        return cls.objects.filter(user=user, must_change=True).exists()
