"""Invitation links: Django's password-reset tokens with a salt of their own.

A token holds the user's password hash and last login, so it stops working once the password is
set; it expires after PASSWORD_RESET_TIMEOUT (3 days by default). A new one can be sent any time.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from shinchoku.jobs.tasks import send_email


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "shinchoku.staff.tokens.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def invitation_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:invitation_accept", args=[uid, invitation_tokens.make_token(user)])


def invitation_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def send_invitation(
    user,
    organization,
    base_url: str | None = None,
    *,
    by=None,
    request=None,
    again: bool = False,
) -> None:
    """Queue the invitation e-mail once the current transaction commits (and audit it)."""
    if not user.email:
        return
    from shinchoku.audit.models import Action
    from shinchoku.staff.events import person_event

    organization_name = organization.name
    person_event(
        Action.INVITATION_RESENT if again else Action.INVITATION_SENT,
        user,
        organization.pk,
        by=by,
        request=request,
        detail={"email": user.email},
    )
    link = (base_url or settings.SHINCHOKU_BASE_URL).rstrip("/") + invitation_path(user)
    subject = _("[Shinchoku] Invitation to %(org)s") % {"org": organization_name}
    body = _(
        "%(name)s\n\n"
        "You have been registered as a user of Shinchoku by %(org)s.\n"
        "Open the link below and choose your password. Your login ID is: %(login)s\n\n"
        "%(link)s\n\n"
        "The link can be used once and expires in %(days)s days. If it has expired, ask an "
        "administrator of your organization to send the invitation again.\n"
    ) % {
        "name": user.get_full_name() or user.get_username(),
        "org": organization_name,
        "login": user.get_username(),
        "link": link,
        "days": invitation_days(),
    }
    to = [user.email]
    transaction.on_commit(lambda: send_email.enqueue(to, subject, body))
