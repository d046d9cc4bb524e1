"""Logins, failed logins, logouts and (when django-axes is installed) lockouts."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from shinchoku.audit.models import Action
from shinchoku.audit.recorder import record


def _url_name(request: Any) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.LOGIN, request=request, user=user, url_name=_url_name(request))


def login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    """The username as typed; the password is never looked at."""
    typed = credentials.get(get_user_model().USERNAME_FIELD, "")
    record(Action.LOGIN_FAILED, request=request, username=typed, url_name=_url_name(request))


def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.LOGOUT, request=request, user=user, url_name=_url_name(request))


def locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    record(Action.LOCKOUT, request=request, username=username or "", url_name=_url_name(request))


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="shinchoku.audit.login")
    user_login_failed.connect(login_failed, dispatch_uid="shinchoku.audit.login_failed")
    user_logged_out.connect(logged_out, dispatch_uid="shinchoku.audit.logout")
    if apps.is_installed("axes"):
        from axes.signals import user_locked_out

        user_locked_out.connect(locked_out, dispatch_uid="shinchoku.audit.lockout")
