"""Account pages of our own: the lockout answer of the login page, the 管理者's unlock page and
the password change that clears an initial password."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import PasswordChangeView
from django.db.models import Max, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinchoku.accounts import permissions as perm
from shinchoku.accounts import sessions
from shinchoku.accounts.forms import LoginForm
from shinchoku.accounts.models import PasswordState, Role

User = get_user_model()


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The login page again, saying the account is locked (axes' AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "form": form,
        "locked": True,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
        "next": request.POST.get("next", ""),
    }
    return render(request, "accounts/login.html", context, status=429)


class ChangePasswordView(PasswordChangeView):
    """Django's password change; choosing one's own password clears an initial password."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["must_change"] = bool(self.request.session.get(sessions.MUST_CHANGE))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        PasswordState.require_change(self.request.user, False)
        self.request.session.pop(sessions.MUST_CHANGE, None)
        return response


def _unlockable_usernames(user) -> set[str] | None:
    """User names this user may unlock: None for the operator (anyone), else the organization's."""
    if perm.is_federation(user):
        return None
    member = perm.membership(user)
    if member is None or member.role != Role.ADMIN:
        raise Http404
    return set(
        User.objects.filter(membership__organization=member.organization_id).values_list(
            "username", flat=True
        )
    )


def _locked_rows(allowed: set[str] | None) -> list[dict]:
    """User names whose failures reach the limit within the cool-off time."""
    attempts = AccessAttempt.objects.exclude(username=None)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    if allowed is not None:
        attempts = attempts.filter(username__in=allowed)
    rows = (
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
    )
    names = {
        u.username: u.get_full_name()
        for u in User.objects.filter(username__in=[r["username"] for r in rows])
    }
    for row in rows:
        row["full_name"] = names.get(row["username"], "")
        if settings.AXES_COOLOFF_TIME:
            row["until"] = row["last"] + settings.AXES_COOLOFF_TIME
    return list(rows)


def locked_accounts(request: HttpRequest) -> HttpResponse:
    """The accounts of the 管理者's organization (every account for the operator) now locked."""
    perm.require(request, request.user.is_authenticated)
    allowed = _unlockable_usernames(request.user)
    return render(
        request,
        "accounts/locked.html",
        {"rows": _locked_rows(allowed), "limit": settings.AXES_FAILURE_LIMIT},
    )


@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    """Clear the failed logins of one user name."""
    perm.require(request, request.user.is_authenticated)
    allowed = _unlockable_usernames(request.user)
    username = request.POST.get("username", "")
    if not username or (allowed is not None and username not in allowed):
        raise Http404
    if reset(username=username):
        messages.success(request, _("The login of “%(name)s” was unlocked.") % {"name": username})
    else:
        messages.info(request, _("“%(name)s” was not locked.") % {"name": username})
    return redirect("accounts:locked")
