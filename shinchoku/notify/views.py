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
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.backends import forget_unread_count
from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.notify.models import Kind, MailPreference, Notification
from shinchoku.notify.services import kinds_for, retry_round_mail

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
        forget_unread_count(request.user)
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
    forget_unread_count(request.user)
    if n:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:list")


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Send me an e-mail when"),
        help_text=gettext_lazy("Only the notifications your role can receive are listed."),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, offered: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = [(k, label) for k, label in Kind.choices if k in offered]


def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification the user also receives by e-mail (all by default).

    Only the kinds the user's role can receive are offered (services.KINDS_BY_ROLE); the others
    keep what was stored (a role may change back).
    """
    _login(request)
    offered = kinds_for(request.user)

    def shown(pref: MailPreference) -> dict:
        return {"kinds": [k for k in offered if pref.wants(k)], "version": pref.version}

    pref = MailPreference.objects.filter(user=request.user).first() or MailPreference(
        user=request.user, version=0
    )
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST, initial=shown(pref), offered=offered)
        if form.is_valid():
            kinds = set(form.cleaned_data["kinds"])
            muted = [
                k
                for k in Kind.values
                if (k in offered and k not in kinds) or (k not in offered and k in pref.muted)
            ]
            if _save_preferences(request.user, muted, form.cleaned_data["version"], offered):
                messages.success(request, _("Your e-mail settings are saved."))
                return redirect("notify:preferences")
            form = PreferencesForm(
                initial=shown(MailPreference.objects.get(user=request.user)), offered=offered
            )
            form.conflict = True
            status = 409
        else:
            status = 422
    elif request.method in ("GET", "HEAD"):
        form = PreferencesForm(initial=shown(pref), offered=offered)
    else:
        return HttpResponse(status=405)
    return render(
        request,
        "notify/preferences.html",
        {"form": form, "has_email": bool(request.user.email), "offered": offered},
        status=status,
    )


def _save_preferences(user, muted: list[str], version: int, offered: list[str]) -> bool:
    """Store the muted kinds when `version` is the stored one (0: none stored yet).

    The kinds not offered keep their stored value, read under the row's lock.
    """
    with transaction.atomic():
        if version == 0:
            _row, created = MailPreference.objects.get_or_create(
                user=user, defaults={"muted": muted, "version": 1}
            )
            return created
        row = MailPreference.objects.select_for_update().filter(user=user, version=version).first()
        if row is None:
            return False
        row.muted = [
            k
            for k in Kind.values
            if (k in offered and k in muted) or (k not in offered and k in row.muted)
        ]
        row.version = F("version") + 1
        row.save(update_fields=["muted", "version"])
        return True


@require_POST
def round_retry(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """The 管理者 queues again the e-mails of a yearly round that could not be sent."""
    from shinchoku.rounds.access import round_for

    round_ = round_for(request, slug, fy)  # another organization's plan: 404
    return _retry(request, round_, reverse("rounds:board", args=[slug, fy]))


@require_POST
def final_retry(request: HttpRequest, slug: str) -> HttpResponse:
    """The same for the plan's final evaluation (最終評価)."""
    from shinchoku.rounds.access import final_round_for

    round_ = final_round_for(request, slug)
    return _retry(request, round_, reverse("rounds:final_board", args=[slug]))


def _retry(request: HttpRequest, round_, back: str) -> HttpResponse:
    require(request, can_edit_structure(request.user, round_.plan.organization))
    n = retry_round_mail(round_)
    if n:
        messages.success(
            request,
            ngettext(
                "%(n)s e-mail is being sent again in the background.",
                "%(n)s e-mails are being sent again in the background.",
                n,
            )
            % {"n": n},
        )
    else:
        messages.info(request, _("No e-mail of this round is waiting to be sent again."))
    return redirect(back)
