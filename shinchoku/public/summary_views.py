"""The one-page summary of a published year, for citizens: a public page and an A4 PDF.

No login, like every public page. 404 for an unknown plan or FY, a FY whose yearly round is
not published and closed, a draft plan and a plan of another body (summary.summary_round).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from shinchoku.core.filenames import plan_fy_name
from shinchoku.downloads import set_download_name
from shinchoku.plans.models import Plan
from shinchoku.public.summary import YearSummary, year_summary
from shinchoku.public.summary_pdf import WEB, page_context, summary_pdf


def _summary(slug: str, fy: int) -> YearSummary:
    plan = Plan.objects.filter(slug=slug).first()
    found = year_summary(plan, fy) if plan is not None else None
    if found is None:
        raise Http404("no published year to summarise")
    return found


def _full_url(request: HttpRequest, s: YearSummary) -> str:
    """Where the full report of the year is: the public plan page for the FY."""
    return request.build_absolute_uri(reverse("public:plan", args=[s.plan.slug]) + f"?fy={s.fy}")


@require_safe
def summary(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """The summary as a web page (responsive, printable on one A4 page)."""
    s = _summary(slug, fy)
    context = page_context(s, WEB, _full_url(request, s), timezone.localdate())
    return render(request, "public/summary.html", context)


@require_safe
def summary_pdf_view(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """The summary as one A4 portrait page of PDF."""
    s = _summary(slug, fy)
    pdf = summary_pdf(s, _full_url(request, s))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = plan_fy_name(s.plan.title, s.fy, "概要版", "pdf")
    set_download_name(response, name, fallback=f"{s.plan.slug}-{s.fy}-summary", inline=True)
    return response
