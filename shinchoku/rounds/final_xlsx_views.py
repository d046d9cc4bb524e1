"""Download a department's final evaluation sheet as Excel, and upload it back.

As the yearly sheet (sheet_xlsx_views): the file's name, type and size are checked before it is
parsed; problems are listed with sheet and cell, conflicts with what was stored since the
download; either way nothing changes.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import require
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.workbook_views import XLSX
from shinchoku.plans.xlsx_safety import MAX_BYTES
from shinchoku.rounds import access
from shinchoku.rounds.models import Report
from shinchoku.rounds.sheet_xlsx_apply import NOT_EDITABLE, Conflict
from shinchoku.rounds.sheet_xlsx_final import (
    apply_final_upload,
    final_filename,
    write_final_sheet,
)


@require_safe
def final_sheet_download(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    report = access.final_report_for(request, slug, dept)
    response = HttpResponse(write_final_sheet(report), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(final_filename(report))}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _result(
    request: HttpRequest,
    report: Report,
    *,
    filename: str,
    problems: list[CellProblem] | None = None,
    conflicts: list[Conflict] | None = None,
    status: int = 400,
) -> HttpResponse:
    return render(
        request,
        "rounds/final_upload_result.html",
        {
            "report": report,
            "round": report.round,
            "plan": report.round.plan,
            "filename": filename,
            "problems": problems or [],
            "conflicts": conflicts or [],
            "updated": report.updated,
        },
        status=status,
    )


@require_POST
def final_sheet_upload(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    """Read an uploaded final sheet and store what the user changed, all or nothing."""
    report = access.final_report_for(request, slug, dept)
    require(request, access.may_edit(request, report))
    upload = request.FILES.get("file")
    if upload is None:
        problem = CellProblem("", "", "ファイルを選んでからアップロードしてください。")
        return _result(request, report, filename="", problems=[problem])
    name = upload.name or ""
    if not report.editable:
        problem = CellProblem("", "", NOT_EDITABLE)
        return _result(request, report, filename=name, problems=[problem], status=409)
    if not name.lower().endswith(".xlsx"):
        problem = CellProblem(
            "",
            "",
            "Excelのワークブック（.xlsx）を選んでください。"
            "ほかの形式は、Excelで「.xlsx」形式で保存し直してください。",
        )
        return _result(request, report, filename=name, problems=[problem])
    if upload.size > MAX_BYTES:
        problem = CellProblem(
            "", "", f"ファイルが大きすぎます。{MAX_BYTES // 1024 // 1024}MBまでにしてください。"
        )
        return _result(request, report, filename=name, problems=[problem])
    result = apply_final_upload(report, upload.read(), request.user)
    if result.status == "problems":
        return _result(request, report, filename=name, problems=result.problems)
    if result.status == "conflicts":
        return _result(
            request, result.report or report, filename=name, conflicts=result.conflicts, status=409
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
    return HttpResponseRedirect(reverse("rounds:final_sheet", args=[slug, dept]))
