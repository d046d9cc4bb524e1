"""The committee report in the browser, as Excel, and as PDF (made in the background).

Every view loads the plan through `plan_for` (login, then the organization's members only).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from shinchoku.plans.models import Plan
from shinchoku.reports import jobs
from shinchoku.reports.report import CommitteeReport, ReportError, committee_report, filename
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.progress import years_with_values

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: HttpRequest, plan: Plan, fy: int) -> CommitteeReport | HttpResponse:
    try:
        return committee_report(plan, fy)
    except ReportError as e:
        return render(
            request,
            "reports/unavailable.html",
            {"plan": plan, "fy": fy, "message": str(e), "years": years_with_values(plan)},
            status=404,
        )


@require_safe
def report_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The fiscal years that have a report; goes straight to the latest."""
    plan = plan_for(request, slug)
    years = years_with_values(plan)
    if not years:
        return render(
            request,
            "reports/unavailable.html",
            {"plan": plan, "fy": None, "message": "", "years": []},
            status=404,
        )
    return redirect("reports:committee", plan.slug, years[-1])


@require_safe
def committee(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """The report as a printable page, with the downloads."""
    plan = plan_for(request, slug)
    report = _report(request, plan, fy)
    if isinstance(report, HttpResponse):
        return report
    years = years_with_values(plan)
    return render(
        request, "reports/committee.html", {"plan": plan, "report": report, "years": years}
    )


@require_safe
def xlsx(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    from shinchoku.reports.xlsx import report_xlsx

    plan = plan_for(request, slug)
    report = _report(request, plan, fy)
    if isinstance(report, HttpResponse):
        return report
    response = HttpResponse(report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
    return response


@require_POST
def pdf_start(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """Render the HTML now and lay out the PDF in the background; go to its progress page."""
    from shinchoku.reports.pdf import report_html

    plan = plan_for(request, slug)
    report = _report(request, plan, fy)
    if isinstance(report, HttpResponse):
        return report
    job = jobs.start(request.user.pk, plan.slug, fy, filename(report, "pdf"), report_html(report))
    return redirect("reports:pdf_job", plan.slug, fy, job.token)


def _job(request: HttpRequest, slug: str, fy: int, token: str) -> tuple[Plan, jobs.Job]:
    plan = plan_for(request, slug)
    job = jobs.load(token)
    if job is None or job.user_id != request.user.pk or job.slug != plan.slug or job.fy != fy:
        raise Http404("no such report job")
    return plan, job


@require_safe
def pdf_job(request: HttpRequest, slug: str, fy: int, token: str) -> HttpResponse:
    """The progress page; its status part polls itself until the PDF is ready."""
    plan, job = _job(request, slug, fy, token)
    context = {"plan": plan, "fy": fy, "job": job}
    if request.headers.get("HX-Request"):
        return render(request, "reports/_pdf_status.html", context)
    return render(request, "reports/pdf_job.html", context)


@require_safe
def pdf_file(request: HttpRequest, slug: str, fy: int, token: str) -> HttpResponse:
    _plan, job = _job(request, slug, fy, token)
    if job.state != "done" or not job.pdf_path.exists():
        raise Http404("not ready")
    return FileResponse(
        job.pdf_path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type="application/pdf",
    )
