"""The committee report in the browser, as Excel, and as PDF (laid out by the worker, see jobs).

Every view loads the plan through `plan_for` (login, then the organization's members only).
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST, require_safe

from shinchoku.downloads import set_download_name
from shinchoku.jobs.housekeeping import recover_stale, worker_seen_recently
from shinchoku.jobs.models import ReportJob
from shinchoku.jobs.report_jobs import active_job, start_report_job
from shinchoku.plans import cache_version
from shinchoku.plans.models import Plan
from shinchoku.reports.report import (
    CommitteeReport,
    ReportError,
    ascii_filename,
    committee_report,
    filename,
    wareki_datetime,
)
from shinchoku.rounds import page_cache
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


# Where the report's "made" moment goes in a stored body: it is the moment of the request.
MADE_SLOT = "\x00made\x00"


@require_safe
def committee(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """The report as a printable page, with the downloads.

    The report shows approved sheets only, the same to every member who may open the page:
    its body and the FY list are kept in the cache under the plan's version and the language
    (rounds.page_cache) until the plan, a round or an opinion changes.
    """
    plan = page_cache.plan_for(request, slug)  # with its cache version: one query
    stored = page_cache.kept(
        page_cache.key("committee", plan, fy), lambda: _committee(request, plan, fy)
    )
    if stored is None:  # no report for the FY: the page that says why (not kept)
        return _report(request, plan, fy)
    body, title, years = stored
    made = escape(wareki_datetime(timezone.now()))
    context = {
        "plan": plan,
        "fy": fy,
        "title": title,
        "years": years,
        "body": mark_safe(body.replace(MADE_SLOT, made)),  # escaped when rendered
    }
    return render(request, "reports/committee.html", context)


def _committee(request: HttpRequest, plan: Plan, fy: int) -> tuple[str, str, list[int]] | None:
    """The report's body with a slot for its "made" moment, its title and the FY list."""
    try:
        report = committee_report(plan, fy)
    except ReportError:
        return None
    context = {"plan": plan, "report": report}
    body = render_to_string("reports/_report_body.html", context, request=request)
    body = body.replace(escape(report.generated_text), MADE_SLOT, 1)
    return body, f"{plan.title} {report.fy_label}", years_with_values(plan)


@require_safe
def xlsx(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    from shinchoku.reports.xlsx import report_xlsx

    plan = plan_for(request, slug)
    # The workbook of a report is the same for every member who may see it: it is kept in the
    # cache until the plan, a round or an opinion changes (plans.cache_version, issue 16).
    key = f"shinchoku:report:xlsx:{plan.pk}:{cache_version.current(plan.pk)}:{fy}:{get_language()}"
    stored = cache.get(key)
    if stored is None:
        report = _report(request, plan, fy)
        if isinstance(report, HttpResponse):
            return report
        stored = (report_xlsx(report), filename(report, "xlsx"), ascii_filename(report))
        cache.set(key, stored)
    body, name, fallback = stored
    response = HttpResponse(body, content_type=XLSX)
    return set_download_name(response, name, fallback=fallback)


@require_POST
def pdf_start(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """Queue the report's PDF for the worker; go to its progress page.

    A user has one active job per report: a second click shows the one already under way.
    """
    from shinchoku.jobs.report_jobs import committee_memo_key
    from shinchoku.reports.pdf import report_html_and_key

    plan = plan_for(request, slug)
    # What the report's content key and file name are while the plan's version stays: a click
    # on an unchanged report finds its PDF, or queues the job, without building the report; the
    # worker then reads it (jobs.tasks.render_report) (issue 16: ≤ 12 queries, ≤ 30 ms).
    memo_key = committee_memo_key(plan, fy)
    memo = cache.get(memo_key)
    html = ""
    if memo is None:
        job = active_job(request.user, plan, ReportJob.Kind.COMMITTEE, fy)
        if job is not None:
            return redirect("reports:pdf_job", plan.slug, fy, job.token)
        report = _report(request, plan, fy)
        if isinstance(report, HttpResponse):
            return report
        html, key = report_html_and_key(report)
        memo = (key, filename(report, "pdf"))
        cache.set(memo_key, memo)
    job, _created = start_report_job(
        user=request.user,
        plan=plan,
        kind=ReportJob.Kind.COMMITTEE,
        fy=fy,
        filename=memo[1],
        html=html,  # "" : the worker reads the report (it is the same for every member)
        language=get_language() or "ja",
        # The committee report shows approved sheets only, the same to every member: a PDF
        # of the same content (made for another member, or pre-rendered by jobs.prerender
        # when the report changed) is this one's at once.
        content_key=memo[0],
    )
    return redirect("reports:pdf_job", plan.slug, fy, job.token)


def find_job(request: HttpRequest, plan: Plan, kind: str, fy: int | None, token: str) -> ReportJob:
    """The requesting user's own job for this report (404 for anybody else's)."""
    job = (
        ReportJob.objects.filter(token=token, user=request.user, plan=plan, kind=kind, fy=fy)
        .defer("html", "pdf")
        .first()
    )
    if job is None:
        raise Http404("no such report job")
    return job


def job_page(request: HttpRequest, job: ReportJob, urls: dict[str, str]) -> HttpResponse:
    """The progress page (or, for htmx, its status part, which polls itself until the end).

    Polling also looks for stalled work, so a job whose worker was killed is queued again or
    failed here rather than shown as running for ever.
    """
    if job.active:
        recover_stale()
        job.refresh_from_db(fields=["state", "message", "attempts", "started", "finished", "size"])
    context = {
        "plan": job.plan,
        "fy": job.fy,
        "job": job,
        "urls": urls,
        "worker_missing": job.state == ReportJob.State.QUEUED and not worker_seen_recently(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_pdf_status.html", context)
    return render(request, "jobs/pdf_job.html", context)


def job_file(job: ReportJob) -> HttpResponse:
    data = ReportJob.objects.filter(pk=job.pk).values_list("pdf", flat=True).first()
    if job.state != ReportJob.State.DONE or data is None:
        raise Http404("not ready")
    response = HttpResponse(bytes(data), content_type="application/pdf")
    fallback = f"{job.plan.slug}_{job.fy}_report" if job.fy else f"{job.plan.slug}_{job.kind}"
    return set_download_name(response, job.filename, fallback=fallback)


def _committee_urls(plan: Plan, fy: int, token: str) -> dict[str, str]:
    return {
        "status": reverse("reports:pdf_job", args=[plan.slug, fy, token]),
        "file": reverse("reports:pdf_file", args=[plan.slug, fy, token]),
        "retry": reverse("reports:pdf", args=[plan.slug, fy]),
        "back": reverse("reports:committee", args=[plan.slug, fy]),
    }


@require_safe
def pdf_job(request: HttpRequest, slug: str, fy: int, token: str) -> HttpResponse:
    plan = plan_for(request, slug)
    job = find_job(request, plan, ReportJob.Kind.COMMITTEE, fy, token)
    return job_page(request, job, _committee_urls(plan, fy, token))


@require_safe
def pdf_file(request: HttpRequest, slug: str, fy: int, token: str) -> HttpResponse:
    plan = plan_for(request, slug)
    return job_file(find_job(request, plan, ReportJob.Kind.COMMITTEE, fy, token))
