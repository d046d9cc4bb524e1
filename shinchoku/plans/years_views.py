"""A plan's indicators over every fiscal year, side by side, with a small chart per indicator.

Approved figures only: the baseline, the targets and the actuals the plan holds (an actual
reaches the plan when its department's sheet is approved, or from the plan's own documents);
drafts stay on the sheets and the progress pages. A fixed number of queries whatever the size
of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shinchoku.plans.goals import GoalGroup, goal_of, plan_nodes
from shinchoku.plans.models import Indicator, IndicatorValue, Node
from shinchoku.plans.sparkline import sparkline_svg
from shinchoku.plans.views import IndicatorRow, _get_plan, _indicator_rows, _indicator_years


@dataclass
class YearsRow:
    row: IndicatorRow
    node: Node  # the item the indicator belongs to
    spark: str


@require_safe
def indicator_years(request: HttpRequest, slug: str) -> HttpResponse:
    """Every indicator of the plan: baseline, each FY's target and actual, final target, chart."""
    plan = _get_plan(request, slug)
    indicators = list(
        Indicator.objects.filter(node__plan=plan)
        .select_related("node")
        .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.order_by("fy")))
        .order_by("node__seq", "order")
    )
    by_id = plan_nodes(plan)
    years = _indicator_years(indicators, plan.fiscal_years)
    groups: dict[int, GoalGroup] = {}
    for row in _indicator_rows(indicators, years):
        node = row.indicator.node
        goal = goal_of(node, by_id)
        group = groups.setdefault(goal.pk, GoalGroup(goal))
        group.rows.append(YearsRow(row, node, sparkline_svg(row, row.indicator.name)))
    top = min((n.level for n in by_id.values()), default=1)
    context = {
        "plan": plan,
        "years": years,
        "groups": list(groups.values()),
        "n_indicators": len(indicators),
        "goal_level": plan.level_name(top),
        "has_targets": any(t for g in groups.values() for r in g.rows for _f, t, _a in r.row.cells),
    }
    return render(request, "plans/indicator_years.html", context)
