"""`{% load progress_rows %}`: the progress view's and the dashboard board's repeated rows,
written in Python by `rounds.progress_html` (issue 16).

Each tag prints what the template loop or include it stands for printed; the URLs come from the
context's `node_urls` and `indicator_urls` (progress_views.row_urls) and the bands' names from
its `band_names`.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from shinchoku.rounds import progress_html as html

register = template.Library()


@register.simple_tag(takes_context=True)
def goal_rows(context, goals, charts) -> str:
    return mark_safe(html.goal_rows(goals, context["node_urls"], charts, context["band_names"]))


@register.simple_tag(takes_context=True)
def tree_rows(context, tree) -> str:
    return mark_safe(html.tree_rows(tree, context["node_urls"]))


@register.simple_tag
def department_rows(departments) -> str:
    return mark_safe(html.department_rows(departments))


@register.simple_tag(takes_context=True)
def indicator_rows(context, rows, group=None) -> str:
    """`{% include "rounds/progress/_indicator_rows.html" with rows=… group=… %}`."""
    return mark_safe(
        html.indicator_rows(
            rows, context["band_names"], context["node_urls"], context["indicator_urls"], group
        )
    )


@register.simple_tag(takes_context=True)
def at_risk_rows(context, at_risk) -> str:
    return mark_safe(html.at_risk_rows(at_risk, context["indicator_urls"]))


@register.simple_tag(takes_context=True)
def behind_rows(context, behind) -> str:
    return mark_safe(html.behind_rows(behind, context["node_urls"]))


@register.simple_tag
def withheld_list(reports) -> str:
    return mark_safe(html.withheld_list(reports))


@register.simple_tag(takes_context=True)
def project_rows(context, projects) -> str:
    """`{% include "rounds/progress/_project_rows.html" with projects=… %}`."""
    return mark_safe(
        html.project_rows(projects, context["pp"], context["project_level"], context["node_urls"])
    )


@register.simple_tag(takes_context=True)
def board_goal_rows(context, goals) -> str:
    return mark_safe(html.board_goal_rows(goals, context["band_names"]))


@register.simple_tag
def board_sheet_rows(departments) -> str:
    return mark_safe(html.board_sheet_rows(departments))


@register.simple_tag(takes_context=True)
def off_track_alerts(context, off_track) -> str:
    return mark_safe(
        html.off_track_alerts(off_track, context["band_names"], context["indicator_urls"])
    )


@register.simple_tag(takes_context=True)
def behind_alerts(context, behind) -> str:
    return mark_safe(html.behind_alerts(behind, context["node_urls"]))
