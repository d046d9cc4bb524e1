"""Excel in and out: the blank template, a plan as a workbook, upload → preview → confirm.

An upload is read and checked completely before anything is written; every problem is listed
with its sheet and cell. A clean upload shows what would be added, changed and removed, and is
written only when its uploader confirms, as one transaction recorded in the history.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shinchoku.accounts.permissions import (
    can_edit_structure,
    is_federation,
    membership,
    require,
)
from shinchoku.core.filenames import download_name
from shinchoku.core.wareki import fiscal_year
from shinchoku.downloads import set_download_name
from shinchoku.plans import services
from shinchoku.plans.access import visible_plan
from shinchoku.plans.diff import summary
from shinchoku.plans.interchange import InvalidDocument, known_plans
from shinchoku.plans.models import ChangeRecord, PendingUpload
from shinchoku.plans.workbook import blank_workbook, read_workbook, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 10 * 1024 * 1024
PENDING_HOURS = 24


def _xlsx(data: bytes, filename: str, fallback: str = "") -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    return set_download_name(response, filename, fallback=fallback)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _admin_organization(request: HttpRequest):
    """The organization the user administers (None for a federation operator)."""
    member = membership(request.user)
    if member is not None and can_edit_structure(request.user, member.organization):
        return member.organization
    require(request, is_federation(request.user))
    return None


class TemplateForm(forms.Form):
    first_fy = forms.IntegerField(
        label=gettext_lazy("First fiscal year"), min_value=1900, max_value=2200
    )
    last_fy = forms.IntegerField(
        label=gettext_lazy("Last fiscal year"), min_value=1900, max_value=2200
    )

    def clean(self):
        data = super().clean()
        if data.get("first_fy") and data.get("last_fy") and data["last_fy"] < data["first_fy"]:
            self.add_error("last_fy", _("The last fiscal year must not be before the first."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Plan workbook (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("Choose an Excel workbook (.xlsx). Save other formats as .xlsx first.")
            )
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD // 1024 // 1024}
            )
        return upload


@require_safe
def workbook_home(request: HttpRequest) -> HttpResponse:
    """The page to download the blank template and to upload a filled workbook."""
    _admin_organization(request)
    start = fiscal_year(timezone.localdate()) + 1
    template_form = TemplateForm(initial={"first_fy": start, "last_fy": start + 5})
    return render(
        request,
        "plans/workbook/home.html",
        {"template_form": template_form, "upload_form": UploadForm()},
    )


@require_safe
def workbook_template(request: HttpRequest) -> HttpResponse:
    """The blank template, with fiscal-year columns for the period asked for."""
    _admin_organization(request)
    form = TemplateForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "plans/workbook/home.html",
            {"template_form": form, "upload_form": UploadForm()},
            status=400,
        )
    data = blank_workbook(form.cleaned_data["first_fy"], form.cleaned_data["last_fy"])
    return _xlsx(data, "計画ワークブック_ひな形.xlsx", fallback="plan-workbook-template")


@require_safe
def plan_workbook(request: HttpRequest, slug: str) -> HttpResponse:
    """Any plan the user may read, as a workbook in the same format."""
    plan = visible_plan(request, slug, versioned=True)
    name = download_name(plan.title, "計画ワークブック", ext="xlsx")
    # The document kept under the plan's version: the upload of the edited workbook compares
    # with it without reading the plan again (services.stored_document).
    return _xlsx(write_workbook(services.stored_document(plan)), name, fallback=plan.slug)


@require_http_methods(["POST"])
def workbook_upload(request: HttpRequest) -> HttpResponse:
    """Read and check an uploaded workbook; show its problems, or the preview to confirm."""
    organization = _admin_organization(request)
    form = UploadForm(request.POST, request.FILES)
    start = fiscal_year(timezone.localdate()) + 1
    context = {
        "template_form": TemplateForm(initial={"first_fy": start, "last_fy": start + 5}),
        "upload_form": form,
    }
    if not form.is_valid():
        return render(request, "plans/workbook/home.html", context, status=400)
    upload = form.cleaned_data["file"]
    result = read_workbook(upload.read(), known_plans(organization))
    if result.problems or result.doc is None:
        context.update(
            {
                "problems": result.problems,
                "problem_count": len(result.problems),
                "filename": upload.name,
            }
        )
        return render(request, "plans/workbook/home.html", context, status=400)
    prepared = services.prepare(result.doc, organization)
    if prepared.problems:
        context.update(
            {
                "plain_problems": prepared.problems,
                "problem_count": len(prepared.problems),
                "filename": upload.name,
            }
        )
        return render(request, "plans/workbook/home.html", context, status=400)
    PendingUpload.objects.filter(
        created__lt=timezone.now() - timedelta(hours=PENDING_HOURS)
    ).delete()
    pending = PendingUpload.objects.create(
        token=secrets.token_urlsafe(32),
        user=request.user,
        organization=organization,
        filename=upload.name[:255],
        doc=prepared.doc,
        fingerprint=prepared.fingerprint,
    )
    return render(request, "plans/workbook/preview.html", _preview_context(pending, prepared))


def _preview_context(pending: PendingUpload, prepared: services.Prepared) -> dict:
    return {
        "pending": pending,
        "plan_doc": prepared.doc["plan"],
        "exists": prepared.exists,
        "changes": prepared.changes,
        "counts": summary(prepared.changes),
        "losses": prepared.losses,
    }


@require_POST
def workbook_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Write a previewed upload; refused if the plan changed since the preview."""
    organization = _admin_organization(request)  # first: an anonymous user goes to log in
    pending = PendingUpload.objects.filter(token=token, user=request.user, kind="plan").first()
    if pending is None or pending.created < timezone.now() - timedelta(hours=PENDING_HOURS):
        raise Http404
    if organization is not None and pending.organization_id != organization.pk:
        raise Http404
    prepared = services.prepare(dict(pending.doc), organization)
    if prepared.losses and request.POST.get("confirm_removals") != "yes":
        context = _preview_context(pending, prepared)
        context["error"] = _(
            "This upload removes reported progress. Tick the box to confirm, or fix the workbook."
        )
        return render(request, "plans/workbook/preview.html", context, status=400)
    try:
        plan = services.apply(
            prepared,
            user=request.user,
            source=ChangeRecord.Source.WORKBOOK,
            expected_fingerprint=pending.fingerprint,
        )
    except (services.StalePreview, InvalidDocument) as exc:
        context = _preview_context(pending, prepared)
        context["error"] = str(exc)
        return render(request, "plans/workbook/preview.html", context, status=409)
    pending.delete()
    messages.success(
        request,
        _("The workbook was loaded: %(n)s changes.") % {"n": len(prepared.changes)},
    )
    return HttpResponseRedirect(reverse("plans:detail", args=[plan.slug]))
