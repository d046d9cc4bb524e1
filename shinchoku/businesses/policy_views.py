"""The 施策評価 page of a plan: each policy with its items' progress, businesses and costs.

Loaded through `plan_for` (members of the plan's organization; 404 for anybody else, login for
an anonymous visitor). The FY is `?fy=` when it is one of the plan's, else the latest with data,
as the progress overview opens; unapproved sheets' evaluations only for `draft_scope`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import draft_scope
from shinchoku.businesses.policy import policy_view
from shinchoku.core.years import pick_fy
from shinchoku.plans.models import Node
from shinchoku.rounds.access import plan_for
from shinchoku.rounds.latest import fys_with_data
from shinchoku.rounds.progress import plan_progress, years_with_values


def _chosen(request: HttpRequest) -> int | None:
    raw = request.GET.get("fy", "")
    return int(raw) if raw.isdigit() else None


@require_safe
def policies(request: HttpRequest, slug: str) -> HttpResponse:
    plan = plan_for(request, slug)
    with_values = years_with_values(plan)
    fy = pick_fy(with_values, fys_with_data([plan])[plan.pk], _chosen(request))
    pp = None
    nodes = None
    if fy is not None:
        pp = plan_progress(plan, fy, drafts=draft_scope(request.user, plan.organization))
    else:
        nodes = list(Node.objects.filter(plan=plan).prefetch_related("departments"))
    view = policy_view(plan, pp, nodes)
    return render(
        request,
        "businesses/policy_page.html",
        {
            "plan": plan,
            "view": view,
            "pp": pp,
            "fy": fy,
            "years": with_values,
            "band_names": pp.band_names if pp else [],
        },
    )
