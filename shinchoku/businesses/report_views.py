"""The 理事会 / 評議員会 report of an evaluation round: the page, its PDF (A4) and its workbook.

Every member of the organization reads it (viewers too); another organization's member gets the
404 of a missing page, an anonymous visitor the login page. The report shows only completed
evaluations' judgements and reasons (report.py), so it is the same for every reader.
The PDF is laid out in the request: one row per business of one year fits in a few seconds.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from shinchoku.businesses.access import organization_for
from shinchoku.businesses.models import EvaluationRound, RegisterSettings
from shinchoku.businesses.report import EvaluationReport, evaluation_report
from shinchoku.core.filenames import download_name
from shinchoku.core.wareki import fy_short
from shinchoku.downloads import set_download_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def round_for(request: HttpRequest, slug: str, fy: int) -> EvaluationRound:
    organization = organization_for(request, slug)
    round_ = (
        EvaluationRound.objects.filter(organization=organization, fiscal_year=fy)
        .annotate(staff_rate=RegisterSettings.rate_column(organization.pk))
        .first()
    )
    if round_ is None:
        raise Http404("no such evaluation round")
    round_.organization = organization
    return round_


def _filename(report: EvaluationReport, ext: str) -> str:
    """西東京市社会福祉協議会_令和2年度_事務事業評価結果報告書.pdf"""
    return download_name(
        report.organization.name, fy_short(report.fy), "事務事業評価結果報告書", ext=ext
    )


def _download(response: HttpResponse, report: EvaluationReport, ext: str) -> HttpResponse:
    fallback = f"{report.organization.slug}_{report.fy}_business_evaluation"
    return set_download_name(response, _filename(report, ext), fallback=fallback)


@require_safe
def report_page(request: HttpRequest, org: str, fy: int) -> HttpResponse:
    report = evaluation_report(round_for(request, org, fy))
    return render(
        request,
        "businesses/report_page.html",
        {"report": report, "organization": report.organization},
    )


@require_safe
def report_pdf(request: HttpRequest, org: str, fy: int) -> HttpResponse:
    from shinchoku.businesses.report_pdf import pdf_bytes

    with translation.override("ja"):  # the board's document is Japanese, as the workbook
        report = evaluation_report(round_for(request, org, fy))
        body = pdf_bytes(report)
    return _download(HttpResponse(body, content_type="application/pdf"), report, "pdf")


@require_safe
def report_xlsx(request: HttpRequest, org: str, fy: int) -> HttpResponse:
    from shinchoku.businesses.report_xlsx import workbook

    with translation.override("ja"):  # the workbook's texts are Japanese, as the PDF's
        report = evaluation_report(round_for(request, org, fy))
        body = workbook(report)
    return _download(HttpResponse(body, content_type=XLSX), report, "xlsx")
