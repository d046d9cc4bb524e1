"""The item page's tables written in Python (plans.item_html) print what the templates print.

The contents table, the indicator table and the levels below are written once in Python on a
cache miss of the item page (issue 16); the templates they stand for (_content_table.html,
_indicator_table.html, _subtree.html) are rendered here on the same rows and compared byte for
byte, with the cases the demo lacks: actuals with notes, an indicator where lower is better,
more than ten indicators, goal links not found or not yet accepted.
"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from shinchoku.plans import item_html, item_page, links
from shinchoku.plans.models import ContentGoal, Indicator, IndicatorValue, Node, Plan
from shinchoku.plans.views import _entries, _indicator_rows, _indicator_years, _span_years
from tests.evaluations.scene import ACTION, actuals

pytestmark = pytest.mark.django_db


def tables(plan: Plan, key: str) -> list[tuple[str, str]]:
    """(template's HTML, item_html's HTML) of each table of the item page of `key`."""
    found = item_page.read_item(plan, key)
    node = found.node
    refs = {"plans_by_slug": found.plans_by_slug, "accepted": found.accepted}
    links.mark_goal_refs(node.contents.all(), plan.organization_id, plan, **refs)
    links.mark_goal_refs(found.served_by, plan.organization_id, None, **refs)
    pairs = []
    contents, fys = _entries(node.contents.all(), plan.fiscal_years)
    served, served_fys = _entries(found.served_by, _span_years(found.served_by))
    for entries, show_item, years in ((contents, False, fys), (served, True, served_fys)):
        context = {"plan": plan, "entries": entries, "caption": "表", "show_item": show_item}
        pairs.append(
            (
                render_to_string("plans/_content_table.html", {**context, "fys": years}),
                item_html.content_table(entries, "表", show_item, years, plan),
            )
        )
    indicators = list(node.indicators.all())
    years = _indicator_years(indicators, plan.fiscal_years)
    rows = _indicator_rows(indicators, years)
    context = {"plan": plan, "rows": rows, "years": years, "caption": "指標", "show_node": False}
    pairs.append(
        (
            render_to_string("plans/_indicator_table.html", context),
            item_html.indicator_table(rows, years, "指標", plan),
        )
    )
    kids: dict[int | None, list[Node]] = {}
    for n in found.outline:
        kids.setdefault(n.parent_id, []).append(n)

    def subtree(parent_id: int) -> list[dict]:
        return [{"node": n, "children": subtree(n.id)} for n in kids.get(parent_id, [])]

    items = subtree(node.id)
    if items:
        pairs.append(
            (
                render_to_string("plans/_subtree.html", {"plan": plan, "items": items}),
                item_html.subtree(items, plan),
            )
        )
    return pairs


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_item_prints_as_the_templates_print_it(language):
    plan = Plan.objects.select_related("organization").get(slug=ACTION)
    actuals(plan)
    IndicatorValue.objects.filter(indicator__plan=plan, role="actual", fy=2021).update(
        note="見込み <暫定>"
    )
    Indicator.objects.filter(plan=plan).filter(
        pk__in=Indicator.objects.filter(plan=plan).order_by("pk").values("pk")[:3]
    ).update(direction="down", notes="注記\n二行目 & 記号")
    crowded = Indicator.objects.filter(plan=plan).order_by("pk").first().node
    Indicator.objects.filter(plan=plan).update(node=crowded)  # more than ten on one item
    goals = list(ContentGoal.objects.filter(content__node__plan=plan).order_by("pk")[:2])
    goals[0].node, goals[0].node_key = None, "gone"
    goals[0].save()
    goals[1].node, goals[1].plan_slug = None, "elsewhere"
    goals[1].save()
    printed = []
    with translation.override(language):
        for each in Plan.objects.filter(organization=plan.organization).select_related(
            "organization"
        ):  # the action plan, and the plans whose goals its contents serve
            for key in Node.objects.filter(plan=each).values_list("key", flat=True):
                for expected, written in tables(each, key):
                    assert written == expected, key
                    printed.append(expected)
    every = "".join(printed)
    for case in (
        'class="actual"',
        "&lt;暫定&gt;",
        "tag-down",
        "table-frame-long",
        "ref-missing",
        "ref-pending",
        'class="tree"',
        'class="none">―</span></td>',
    ):
        assert case in every, case
