"""What the session remembers about the login: when it began, the last request, and whether
the user must change the password first. Set at login so that later requests read only the
session (no extra query per page)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from shinchoku.accounts.models import PasswordState

LOGIN_AT = "shinchoku_login_at"
LAST_SEEN = "shinchoku_last_seen"
MUST_CHANGE = "shinchoku_must_change_password"


def now() -> float:
    return time.time()


@receiver(user_logged_in, dispatch_uid="shinchoku-session-start")
def start_session(sender, request, user, **kwargs) -> None:
    """Stamp the session at login and note a password the user must change."""
    session = request.session
    session[LOGIN_AT] = session[LAST_SEEN] = now()
    if PasswordState.is_required(user):
        session[MUST_CHANGE] = True
    else:
        session.pop(MUST_CHANGE, None)
