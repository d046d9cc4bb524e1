"""A user's notifications: the list, opening one (marks it read), all read, e-mail preferences.

Every page is the logged-in user's own: another user's notification is a 404, whoever asks.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import require
from shinchoku.notify.models import Kind, MailPreference, Notification

PER_PAGE = 20


def _login(request: HttpRequest) -> None:
    require(request, request.user.is_authenticated and request.user.is_active)


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    _login(request)
    rows = Notification.objects.filter(recipient=request.user).only(
        "pk", "kind", "subject", "created", "read_at", "link", "mail"
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/list.html",
        {"page": page, "rows": page.object_list, "has_email": bool(request.user.email)},
    )


@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    _login(request)
    row = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if row.read_at is None:
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=timezone.now())
    link = row.link
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notify:list")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    _login(request)
    n = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if n:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:list")


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Send me an e-mail when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification the user also receives by e-mail (all by default)."""
    _login(request)
    pref = MailPreference.objects.filter(user=request.user).first() or MailPreference(
        user=request.user, version=0
    )
    wanted = [k for k in Kind.values if pref.wants(k)]
    initial = {"kinds": wanted, "version": pref.version}
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, initial=initial)
        if form.is_valid():
            kinds = set(form.cleaned_data["kinds"])
            muted = [k for k in Kind.values if k not in kinds]
            if _save_preferences(request.user, muted, form.cleaned_data["version"]):
                messages.success(request, _("Your e-mail settings are saved."))
                return redirect("notify:preferences")
            form = PreferencesForm(
                initial={
                    "kinds": [
                        k
                        for k in Kind.values
                        if MailPreference.objects.get(user=request.user).wants(k)
                    ],
                    "version": MailPreference.objects.get(user=request.user).version,
                }
            )
            form.conflict = True
            status = 409
        else:
            status = 422
    elif request.method in ("GET", "HEAD"):
        form = PreferencesForm(initial=initial)
    else:
        return HttpResponse(status=405)
    return render(
        request,
        "notify/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=status,
    )


def _save_preferences(user, muted: list[str], version: int) -> bool:
    """Store the muted kinds when `version` is the stored one (0: none stored yet)."""
    with transaction.atomic():
        if version == 0:
            _row, created = MailPreference.objects.get_or_create(
                user=user, defaults={"muted": muted, "version": 1}
            )
            return created
        return bool(
            MailPreference.objects.filter(user=user, version=version).update(
                muted=muted, version=F("version") + 1
            )
        )
