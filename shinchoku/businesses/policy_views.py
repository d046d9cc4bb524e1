"""The 施策評価 page of a plan: each policy with its items' progress, businesses and costs.

Loaded through `plan_for` (members of the plan's organization; 404 for anybody else, login for
an anonymous visitor). The FY is `?fy=` when it is one of the plan's, else the latest with
data, as the progress overview opens (the plan's last year when nothing is reported yet);
unapproved sheets' evaluations only for `draft_scope`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import draft_scope
from shinchoku.businesses.policy import policy_view
from shinchoku.core.years import pick_fy
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.latest import picker_years
from shinchoku.rounds.progress import plan_progress


def _chosen(request: HttpRequest) -> int | None:
    raw = request.GET.get("fy", "")
    return int(raw) if raw.isdigit() else None


@require_safe
def policies(request: HttpRequest, slug: str) -> HttpResponse:
    plan = plan_for(request, slug)
    with_values, with_data = picker_years(plan)
    years = sorted(set(plan.fiscal_years) | set(with_values))
    fy = pick_fy(with_values or years, with_data, _chosen(request))
    if fy is None:  # a plan always has a year; kept for the type checker
        raise Http404("no fiscal year")
    pp = plan_progress(plan, fy, drafts=draft_scope(request.user, plan.organization))
    view = policy_view(plan, pp)
    return render(
        request,
        "businesses/policy_page.html",
        {
            "plan": plan,
            "view": view,
            "pp": pp,
            "fy": fy,
            "years": years,
            "band_names": pp.band_names,
        },
    )
