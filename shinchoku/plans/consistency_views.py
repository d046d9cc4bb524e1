"""Pages of the consistency matrix (整合表) and the SDG table, with their Excel downloads.

Anyone of the organization who may read the plan sees them; anyone else gets the 404 of
visible_plan. Each page reads a fixed number of queries.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shinchoku.core.filenames import download_name
from shinchoku.plans import consistency
from shinchoku.plans.access import visible_plan
from shinchoku.plans.consistency_xlsx import matrix_workbook, sdg_workbook
from shinchoku.plans.models import Plan
from shinchoku.plans.workbook_views import _xlsx


def _pair(request: HttpRequest, slug: str, other: str) -> tuple[Plan, consistency.Related]:
    plan = visible_plan(request, slug)
    related = consistency.related_plan(plan, other)
    if related is None:
        raise Http404("no such related plan")
    return plan, related


@require_safe
def matrix_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The plans around this one with a tree, each opening its matrix."""
    plan = visible_plan(request, slug)
    context = {"plan": plan, "related": consistency.related_plans(plan)}
    return render(request, "plans/consistency/index.html", context)


@require_safe
def matrix(request: HttpRequest, slug: str, other: str) -> HttpResponse:
    """The other plan's goals × this plan's items."""
    plan, related = _pair(request, slug, other)
    m = consistency.matrix(plan, related.plan)
    context = {"plan": plan, "related": related, "m": m}
    return render(request, "plans/consistency/matrix.html", context)


@require_safe
def matrix_xlsx(request: HttpRequest, slug: str, other: str) -> HttpResponse:
    plan, related = _pair(request, slug, other)
    data = matrix_workbook(consistency.matrix(plan, related.plan))
    name = download_name(plan.title, "整合表", related.plan.title, ext="xlsx")
    return _xlsx(data, name, fallback=f"consistency_{plan.slug}_{related.plan.slug}")


@require_safe
def sdg_table(request: HttpRequest, slug: str) -> HttpResponse:
    """Which SDGs each goal's items name."""
    plan = visible_plan(request, slug)
    return render(
        request, "plans/consistency/sdgs.html", {"plan": plan, "t": consistency.sdg_table(plan)}
    )


@require_safe
def sdg_xlsx(request: HttpRequest, slug: str) -> HttpResponse:
    plan = visible_plan(request, slug)
    name = download_name(plan.title, "SDGs対応表", ext="xlsx")
    return _xlsx(sdg_workbook(consistency.sdg_table(plan)), name, fallback=f"SDGs_{plan.slug}")
