"""The register workbook: download it (every member), upload → preview → apply (管理者).

An upload is read and checked completely before anything is written; every problem names its
sheet and cell. A clean file is kept as a PendingUpload with the digest of what it would change;
applying makes the plan again and writes it in one transaction only if it still does the same.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.audit.models import Action
from shinchoku.audit.recorder import record
from shinchoku.businesses import register_services as services
from shinchoku.businesses.access import organization_for
from shinchoku.businesses.register_read import read_register
from shinchoku.businesses.register_upload import apply_register, plan_register
from shinchoku.businesses.register_xlsx import write_register
from shinchoku.core.filenames import download_name
from shinchoku.downloads import set_download_name
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import PendingUpload
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.workbook_views import XLSX
from shinchoku.plans.xlsx_guard import upload_problem
from shinchoku.plans.xlsx_safety import MAX_BYTES

PENDING_HOURS = 24
KIND = "businesses-register"  # PendingUpload.kind: not a plan workbook


@require_safe
def register_xlsx(request: HttpRequest, org: str) -> HttpResponse:
    organization = organization_for(request, org)
    response = HttpResponse(write_register(organization), content_type=XLSX)
    filename = download_name("事務事業台帳", organization.name, ext="xlsx")
    record(
        Action.DOWNLOAD,
        request=request,
        user=request.user,
        url_name="businesses:register_xlsx",
        filename=filename,
        status=200,
    )
    set_download_name(response, filename, fallback=f"register_{organization.slug}")
    response["Cache-Control"] = "no-store"
    return response


def _preview(
    request,
    organization,
    *,
    filename="",
    plan=None,
    problems=(),
    pending=None,
    notice="",
    status=200,
) -> HttpResponse:
    return render(
        request,
        "businesses/register_preview.html",
        {
            "organization": organization,
            "filename": filename,
            "plan": plan,
            "problems": list(problems) or (plan.problems if plan else []),
            "pending": pending,
            "notice": notice,
        },
        status=status,
    )


def _admin(request: HttpRequest, org: str) -> Organization:
    organization = organization_for(request, org)
    require(request, can_edit_structure(request.user, organization))
    return organization


@require_POST
def register_upload(request: HttpRequest, org: str) -> HttpResponse:
    """Check the uploaded register and show what it would change (nothing is stored yet)."""
    organization = _admin(request, org)
    upload = request.FILES.get("file")
    name = upload.name if upload is not None else ""
    problem = upload_problem(upload, MAX_BYTES)
    if problem:
        return _preview(
            request,
            organization,
            filename=name,
            problems=[CellProblem("", "", problem)],
            status=400,
        )
    record(
        Action.UPLOAD,
        request=request,
        user=request.user,
        url_name="businesses:register_upload",
        filename=name,
    )
    raw, problems = read_register(upload.read())
    if problems:
        return _preview(request, organization, filename=name, problems=problems, status=400)
    plan = plan_register(organization, raw)
    if plan.problems:
        return _preview(request, organization, filename=name, plan=plan, status=400)
    PendingUpload.objects.filter(
        created__lt=timezone.now() - timedelta(hours=PENDING_HOURS)
    ).delete()
    pending = None
    if plan.has_changes:
        pending = PendingUpload.objects.create(
            token=secrets.token_urlsafe(32),
            user=request.user,
            organization=organization,
            filename=name[:255],
            kind=KIND,
            doc=raw,
            fingerprint=plan.digest(),
        )
    return _preview(request, organization, filename=name, plan=plan, pending=pending)


@require_POST
def register_apply(request: HttpRequest, org: str, token: str) -> HttpResponse:
    """Apply a previewed upload, if it still changes the same as shown."""
    organization = _admin(request, org)
    pending = PendingUpload.objects.filter(
        token=token,
        user=request.user,
        organization=organization,
        kind=KIND,
        created__gte=timezone.now() - timedelta(hours=PENDING_HOURS),
    ).first()
    if pending is None:
        raise Http404("no such upload")
    filename = pending.filename
    plan = plan_register(organization, pending.doc)
    if plan.problems:
        pending.delete()
        return _preview(request, organization, filename=filename, plan=plan, status=409)
    if plan.digest() != pending.fingerprint:
        pending.fingerprint = plan.digest()
        pending.save(update_fields=["fingerprint"])
        return _preview(
            request,
            organization,
            filename=filename,
            plan=plan,
            pending=pending,
            notice=_(
                "The register was changed by someone else since the preview. Nothing was saved. "
                "Check the changes below again and confirm."
            ),
            status=409,
        )
    try:
        apply_register(organization, plan)
    except services.StaleVersion as exc:
        return _preview(
            request,
            organization,
            filename=filename,
            problems=[CellProblem("", "", exc.message)],
            status=409,
        )
    pending.delete()
    record(
        Action.UPLOAD,
        request=request,
        user=request.user,
        url_name="businesses:register_apply",
        filename=filename,
        status=302,
    )
    messages.success(
        request,
        _(
            "The register was loaded: %(added)s added, %(changed)s changed, %(ended)s marked "
            "as ended."
        )
        % {"added": len(plan.added), "changed": len(plan.changed), "ended": len(plan.ended)},
    )
    return HttpResponseRedirect(reverse("businesses:register", args=[org]))
