"""Download a department's sheet as Excel, and upload it back (see docs/sheet.md).

The upload is checked completely before anything is written: problems are listed with their
sheet and cell, conflicts with what was stored since the download; either way nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import require
from shinchoku.downloads import set_download_name
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.workbook_views import XLSX
from shinchoku.plans.xlsx_safety import MAX_BYTES
from shinchoku.rounds import access
from shinchoku.rounds.models import Report
from shinchoku.rounds.sheet_xlsx import (
    NOT_EDITABLE,
    Conflict,
    apply_upload,
    sheet_filename,
    write_sheet,
)


@require_safe
def sheet_download(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """The sheet pre-filled with what is stored now, for anyone who may see it."""
    report = access.report_for(request, slug, fy, dept)
    # ?copy=last-year: empty 取組状況 / 今後の展開 hold last year's texts (nothing is saved).
    copy = request.GET.get("copy") == "last-year"
    response = HttpResponse(write_sheet(report, copy_last_year=copy), content_type=XLSX)
    set_download_name(
        response,
        sheet_filename(report),
        fallback=f"{report.round.plan.slug}_{report.round.fy}_sheet",
    )
    response["Cache-Control"] = "no-store"
    return response


def _result(
    request: HttpRequest,
    report: Report,
    *,
    template: str,
    filename: str,
    problems: list[CellProblem] | None = None,
    conflicts: list[Conflict] | None = None,
    status: int = 400,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "report": report,
            "round": report.round,
            "plan": report.round.plan,
            "filename": filename,
            "problems": problems or [],
            "conflicts": conflicts or [],
            "updated_by": report.updated_by,
            "updated": report.updated,
        },
        status=status,
    )


def upload_flow(
    request: HttpRequest,
    report: Report,
    *,
    apply: Callable[[Report, bytes, Any], Any],
    template: str,
    success_url: str,
) -> HttpResponse:
    """The upload of a sheet, yearly or final: guard, check the file, apply it, say what happened.

    `apply(report, data, user)` returns a result with status (problems / conflicts / unchanged /
    saved), problems, conflicts, changed and report; `template` shows problems and conflicts.
    """
    require(request, access.may_edit(request, report))
    upload = request.FILES.get("file")
    if upload is None:
        problem = CellProblem("", "", _("Choose a file, then upload it."))
        return _result(request, report, template=template, filename="", problems=[problem])
    name = upload.name or ""
    if not report.editable:
        problem = CellProblem("", "", NOT_EDITABLE)
        return _result(
            request, report, template=template, filename=name, problems=[problem], status=409
        )
    if not name.lower().endswith(".xlsx"):
        problem = CellProblem(
            "",
            "",
            _(
                "Choose an Excel workbook (.xlsx). Save a file of another format again in "
                "Excel as “.xlsx”."
            ),
        )
        return _result(request, report, template=template, filename=name, problems=[problem])
    if upload.size > MAX_BYTES:
        problem = CellProblem(
            "",
            "",
            _("The file is too large. Keep it to %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024},
        )
        return _result(request, report, template=template, filename=name, problems=[problem])
    result = apply(report, upload.read(), request.user)
    if result.status == "problems":
        return _result(request, report, template=template, filename=name, problems=result.problems)
    if result.status == "conflicts":
        return _result(
            request,
            result.report or report,
            template=template,
            filename=name,
            conflicts=result.conflicts,
            status=409,
        )
    if result.status == "unchanged":
        messages.info(request, _("The file holds no changes: nothing was saved."))
    else:
        n = len(result.changed)
        messages.success(
            request,
            ngettext(
                "The sheet was loaded from Excel: %(n)s cell changed.",
                "The sheet was loaded from Excel: %(n)s cells changed.",
                n,
            )
            % {"n": n},
        )
    return HttpResponseRedirect(success_url)


@require_POST
def sheet_upload(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Read an uploaded sheet and store what the user changed, all or nothing."""
    report = access.report_for(request, slug, fy, dept)
    return upload_flow(
        request,
        report,
        apply=apply_upload,
        template="rounds/sheet_upload_result.html",
        success_url=reverse("rounds:sheet", args=[slug, fy, dept]),
    )
