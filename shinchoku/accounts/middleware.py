"""Login-related middleware: LoginRequired to a redirect, session time limits, and the forced
change of an initial password."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from shinchoku.accounts import sessions
from shinchoku.accounts.permissions import LoginRequired

# The last-request stamp is rewritten at most this often, so that pages do not write the
# session on every request.
STAMP_EVERY_SECONDS = 60


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole-page load instead of swapping it into a part."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class LoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, LoginRequired):
            return redirect_to_login(request.get_full_path())
        return None


class SessionTimeoutMiddleware:
    """Log out after SESSION_IDLE_MINUTES without a request, or SESSION_COOKIE_AGE after login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = sessions.now()
        login_at = session.get(sessions.LOGIN_AT)
        last_seen = session.get(sessions.LAST_SEEN)
        if login_at is None or last_seen is None:  # a session from before these limits
            session[sessions.LOGIN_AT] = login_at = login_at or now
            session[sessions.LAST_SEEN] = last_seen = last_seen or now
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            message = _(
                "You were logged out because there was no activity for %(minutes)d minutes. "
                "Log in again."
            ) % {"minutes": settings.SESSION_IDLE_MINUTES}
            return self._log_out(request, message)
        if now - login_at > settings.SESSION_COOKIE_AGE:
            message = _(
                "You were logged out because %(hours)d hours have passed since you logged in. "
                "Log in again."
            ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}
            return self._log_out(request, message)
        if now - last_seen >= STAMP_EVERY_SECONDS:
            session[sessions.LAST_SEEN] = now
        return self.get_response(request)

    def _log_out(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        messages.warning(request, message)
        login_url = reverse(settings.LOGIN_URL)
        if request.method == "GET" and request.headers.get("HX-Request") != "true":
            return redirect_to_login(request.get_full_path())
        return _redirect(request, login_url)


class PasswordChangeRequiredMiddleware:
    """A user with an initial password sees only the password change page until it is changed."""

    ALLOWED = ("accounts:password_change", "accounts:logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and request.session.get(sessions.MUST_CHANGE)
            and request.path not in {reverse(name) for name in self.ALLOWED}
            and not request.path.startswith(settings.STATIC_URL)
        ):
            messages.warning(
                request,
                _("Your password was set by an administrator. Choose your own password first."),
            )
            return _redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)
