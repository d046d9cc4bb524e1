"""The audit log page (監査ログ) and its CSV: 管理者 see their organization, operators all.

Everyone else gets a 404, as for any page they may not know of.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import LoginRequired, is_federation, membership
from shinchoku.audit.models import Action, AuditEvent
from shinchoku.audit.routes import label
from shinchoku.core.filenames import download_name
from shinchoku.core.wareki import fy_label
from shinchoku.date_fields import WarekiDateField
from shinchoku.downloads import set_download_name
from shinchoku.orgs.models import Organization

PER_PAGE = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "日時",
    "操作",
    "利用者",
    "組織",
    "接続元",
    "方式",
    "パス",
    "URL名",
    "対象",
    "計画",
    "年度",
    "部署",
    "キー",
    "ファイル名",
    "結果",
    "対象者",
    "詳細",
]


class FilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *Action.choices]
    )
    user = forms.CharField(label=_("Username"), required=False, max_length=150)
    since = WarekiDateField(label=_("From"), required=False)
    until = WarekiDateField(label=_("To"), required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        required=False,
        queryset=Organization.objects.all(),
        empty_label=_("All"),
        to_field_name="slug",
    )

    def __init__(self, *args, operator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not operator:
            del self.fields["organization"]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date must not be before the start date."))
        return data


def _scope(request: HttpRequest) -> Organization | None:
    """The organization whose events the user may see; None for an operator (all of them)."""
    user = request.user
    if is_federation(user):
        return None
    member = membership(user)
    if member is not None and member.role == Role.ADMIN:
        return member.organization
    if not user.is_authenticated:
        raise LoginRequired
    raise Http404("no audit log for this user")


def _events(request: HttpRequest) -> tuple[FilterForm, QuerySet[AuditEvent] | None]:
    organization = _scope(request)
    form = FilterForm(request.GET or None, operator=organization is None)
    events = AuditEvent.objects.select_related("organization", "department")
    if organization is not None:
        events = events.filter(organization=organization)
    if not request.GET:
        return form, events
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    if data["action"]:
        events = events.filter(action=data["action"])
    if data["user"]:
        events = events.filter(username__icontains=data["user"].strip())
    if data["since"]:
        events = events.filter(created__gte=_start_of(data["since"]))
    if data["until"]:
        events = events.filter(created__lt=_start_of(data["until"] + timedelta(days=1)))
    if data.get("organization"):
        events = events.filter(organization=data["organization"])
    return form, events


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    """Newest first, 50 a page, filtered by action, user and dates (and organization)."""
    form, events = _events(request)
    page = None
    if events is not None:
        page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(event, label(event.url_name)) for event in page] if page is not None else []
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "operator": "organization" in form.fields,
        },
        status=200 if events is not None else 400,
    )


def _csv_text(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (a typed username may start with =)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for e in events.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _csv_text(value)
                for value in (
                    timezone.localtime(e.created).strftime("%Y-%m-%d %H:%M:%S"),
                    e.get_action_display(),
                    e.username,
                    e.organization.name if e.organization else "",
                    e.ip or "",
                    e.method,
                    e.path,
                    e.url_name,
                    label(e.url_name),
                    e.plan_slug,
                    fy_label(e.fiscal_year) if e.fiscal_year else "",
                    e.department.name if e.department else "",
                    e.object_key,
                    e.filename,
                    e.status or "",
                    e.target_name,
                    " / ".join(e.detail_lines()),
                )
            ]
        )


@require_safe
def event_csv(request: HttpRequest) -> HttpResponse:
    """The same events as the page (with its filters), all of them, as CSV for Excel."""
    form, events = _events(request)
    if events is None:
        return render(
            request,
            "audit/list.html",
            {"form": form, "page": None, "rows": [], "operator": "organization" in form.fields},
            status=400,
        )
    name = download_name("監査ログ", f"{timezone.localdate():%Y%m%d}", ext="csv")
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    set_download_name(response, name, fallback=f"audit-log_{timezone.localdate():%Y%m%d}")
    response["Cache-Control"] = "no-store"
    return response
