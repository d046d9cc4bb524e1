"""The final evaluation report (最終評価): the page, Excel and an A4 PDF (laid out by the worker).

The table real plans print as 前計画の評価: per 基本目標, the 事業区分 with its (n) sub-heading,
番号, 事業項目, その後の取組, 評価・課題 and 状況. Rows come from rounds.final.final_evaluation;
only approved sheets' texts are printed (a row whose sheet is not approved says so). Every view
loads the plan through `plan_for` (login, then the organization's members only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shinchoku.core.filenames import plan_fy_name
from shinchoku.core.wareki import fy_label
from shinchoku.downloads import set_download_name
from shinchoku.jobs.models import ReportJob
from shinchoku.jobs.report_jobs import active_job, start_report_job
from shinchoku.plans.models import Plan
from shinchoku.plans.xlsx_print import landscape_a4, workbook_bytes
from shinchoku.reports.pdf import FONT_PATH
from shinchoku.reports.views import find_job, job_file, job_page
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.final import FinalRow, final_evaluation
from shinchoku.stylesheet import app_css_section

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_APPROVED = gettext_lazy("(unapproved)")  # （未承認）
HEADERS = ["基本目標", "事業区分", "番号", "事業項目", "その後の取組", "評価・課題", "状況", "担当"]


@dataclass
class Line:
    row: FinalRow
    category_span: int = 0  # > 0 on the first row of a 事業区分 (and sub-heading): its rowspan

    @property
    def category(self) -> str:
        r = self.row
        return "\n".join(x for x in (r.category, r.subcategory) if x)


@dataclass
class Goal:
    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class FinalReport:
    plan: Plan
    approved: bool
    opened: bool
    goals: list[Goal]
    generated: str

    @property
    def title(self) -> str:
        return f"{self.plan.title} 最終評価"

    @property
    def period(self) -> str:
        return f"{fy_label(self.plan.first_fy)}〜{fy_label(self.plan.last_fy)}"

    @property
    def rows(self) -> list[FinalRow]:
        return [ln.row for g in self.goals for ln in g.lines]


def final_report(plan: Plan) -> FinalReport:
    """The report's rows grouped by 基本目標; unapproved sheets' texts are left out."""
    evaluation = final_evaluation(plan)
    goals: list[Goal] = []
    for r in evaluation.rows:
        if not r.approved:
            r.followup, r.issues, r.final_status = "", "", str(NOT_APPROVED)
        if not goals or goals[-1].title != r.goal:
            goals.append(Goal(r.goal))
        goals[-1].lines.append(Line(r))
    for g in goals:  # one 事業区分 cell over its rows
        first: Line | None = None
        for ln in g.lines:
            if first is not None and first.category == ln.category:
                first.category_span += 1
            else:
                first = ln
                ln.category_span = 1
    now = timezone.localtime()
    return FinalReport(
        plan,
        evaluation.approved,
        evaluation.round is not None,
        goals,
        f"{now.year}年{now.month}月{now.day}日",
    )


def _filename(report: FinalReport, ext: str) -> str:
    return plan_fy_name(report.plan.title, None, "最終評価報告書", ext)


def _attachment(response: HttpResponse, report: FinalReport, ext: str) -> HttpResponse:
    return set_download_name(response, _filename(report, ext), fallback=f"{report.plan.slug}_final")


def _load(request: HttpRequest, slug: str) -> FinalReport:
    plan = plan_for(request, slug)
    report = final_report(plan)
    if not report.opened:
        raise Http404("no final evaluation")
    return report


@require_safe
def final(request: HttpRequest, slug: str) -> HttpResponse:
    report = _load(request, slug)
    return render(request, "reports/final.html", {"plan": report.plan, "report": report})


@require_safe
def final_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    report = _load(request, slug)
    response = HttpResponse(report_xlsx(report), content_type=XLSX)
    return _attachment(response, report, "xlsx")


@require_POST
def final_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue the A4 PDF for the worker (one active job per user) and show its progress."""
    plan = plan_for(request, slug)
    job = active_job(request.user, plan, ReportJob.Kind.FINAL, None)
    if job is None:
        report = _load(request, slug)
        job, _created = start_report_job(
            user=request.user,
            plan=plan,
            kind=ReportJob.Kind.FINAL,
            fy=None,
            filename=_filename(report, "pdf"),
            html=report_html(report),
            language=get_language() or "ja",
        )
    return redirect("reports:final_pdf_job", plan.slug, job.token)


def _final_urls(plan: Plan, token: str) -> dict[str, str]:
    return {
        "status": reverse("reports:final_pdf_job", args=[plan.slug, token]),
        "file": reverse("reports:final_pdf_file", args=[plan.slug, token]),
        "retry": reverse("reports:final_pdf", args=[plan.slug]),
        "back": reverse("reports:final", args=[plan.slug]),
    }


@require_safe
def final_pdf_job(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    plan = plan_for(request, slug)
    job = find_job(request, plan, ReportJob.Kind.FINAL, None, token)
    return job_page(request, job, _final_urls(plan, token))


@require_safe
def final_pdf_file(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    plan = plan_for(request, slug)
    return job_file(find_job(request, plan, ReportJob.Kind.FINAL, None, token))


def report_html(report: FinalReport) -> str:
    """The standalone HTML that becomes the A4 PDF."""
    return render_to_string(
        "reports/final_pdf.html",
        {
            "report": report,
            "font_url": FONT_PATH.as_uri(),
            "css": app_css_section("report"),
            "header_left": report.title,
            "header_right": f"作成 {report.generated}",
        },
    )


def report_xlsx(report: FinalReport) -> bytes:
    """One sheet in the printed table's columns, for editing into the next plan's document."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from shinchoku.plans.xlsx_safety import xml_text

    wb = Workbook()
    ws = wb.active
    ws.title = "最終評価"
    ws["A1"] = report.title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"計画期間 {report.period}　作成 {report.generated}" + (
        "" if report.approved else "　※すべての部署の承認が済んでいません"
    )
    widths = [22, 24, 6, 26, 48, 48, 10, 16]
    for col, (text, width) in enumerate(zip(HEADERS, widths, strict=True), start=1):
        cell = ws.cell(row=4, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    for i, r in enumerate(report.rows, start=5):
        values = [
            r.goal,
            "\n".join(x for x in (r.category, r.subcategory) if x),
            r.number,
            r.item,
            r.followup,
            r.issues,
            r.final_status,
            r.department,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=col, value=xml_text(value) or None)
            cell.number_format = "@"
            cell.alignment = wrap
    ws.freeze_panes = "A5"
    landscape_a4(ws, 4)
    return workbook_bytes(wb)
