"""Download a department's final evaluation sheet as Excel, and upload it back.

As the yearly sheet (sheet_xlsx_views): the file's name, type and size are checked before it is
parsed; problems are listed with sheet and cell, conflicts with what was stored since the
download; either way nothing changes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from shinchoku.downloads import set_download_name
from shinchoku.plans.workbook_views import XLSX
from shinchoku.rounds import access
from shinchoku.rounds.sheet_xlsx_final import (
    apply_final_upload,
    final_filename,
    write_final_sheet,
)
from shinchoku.rounds.sheet_xlsx_views import upload_flow


@require_safe
def final_sheet_download(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    report = access.final_report_for(request, slug, dept)
    response = HttpResponse(write_final_sheet(report), content_type=XLSX)
    set_download_name(
        response, final_filename(report), fallback=f"{report.round.plan.slug}_final_sheet"
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def final_sheet_upload(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    """Read an uploaded final sheet and store what the user changed, all or nothing."""
    report = access.final_report_for(request, slug, dept)
    return upload_flow(
        request,
        report,
        apply=apply_final_upload,
        template="rounds/final_upload_result.html",
        success_url=reverse("rounds:final_sheet", args=[slug, dept]),
    )
