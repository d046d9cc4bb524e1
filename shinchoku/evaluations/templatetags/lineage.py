"""The lineage between a plan and its previous and next plans, on the plan and item pages.

`{% plan_lineage plan %}` and `{% node_lineage plan node %}` render plans/_lineage.html: links to
the previous plan (前計画) and to the next plan (次期計画, drafts only for those who may see them),
the 「次期計画を作る」 button once the final evaluation is approved, and 策定 for a draft.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache

from shinchoku.accounts.permissions import can_edit_structure
from shinchoku.evaluations.succession import may_succeed, successors
from shinchoku.plans.access import may_see
from shinchoku.plans.models import Node, Plan, PlanRelation

register = template.Library()


def _previous(plan: Plan, user: Any, relations: list[PlanRelation] | None = None) -> Plan | None:
    """`relations`: the plan's own relations by order, with the other plan and its organization,
    when the page has read them already."""
    if relations is None:
        rel = (
            PlanRelation.objects.filter(plan=plan, type=PlanRelation.Type.PREVIOUS)
            .select_related("other__organization")
            .order_by("order")
            .first()
        )
    else:
        rel = next((r for r in relations if r.type == PlanRelation.Type.PREVIOUS), None)
    if rel is None or rel.other is None or not may_see(user, rel.other):
        return None
    return rel.other


def _next(plan: Plan, user: Any, into: list[PlanRelation] | None = None) -> list[Plan]:
    """`into`: links.relations_into(plan) when the page has read it already."""
    if into is None:
        found = list(successors(plan).select_related("organization").order_by("first_fy"))
    else:
        by_id = {r.plan_id: r.plan for r in into if r.type == PlanRelation.Type.PREVIOUS}
        found = sorted(by_id.values(), key=lambda p: (p.first_fy, p.pk))
    return [p for p in found if may_see(user, p)]


@register.inclusion_tag("plans/_lineage.html", takes_context=True)
def plan_lineage(context: dict, plan: Plan) -> dict:
    """The plan's previous and next plans, and the 次期計画 / 策定 buttons for the 管理者.

    Reads the plan page's `relations` and `relations_into` when it has them (no query of its
    own for the links)."""
    user = context["request"].user
    admin = can_edit_structure(user, plan.organization)
    return {
        "plan": plan,
        "node": None,
        "previous": _previous(plan, user, context.get("relations")),
        "next_plans": _next(plan, user, context.get("relations_into")),
        "can_make_next": admin and not plan.is_draft and may_succeed(plan),
        "can_adopt": admin and plan.is_draft,
    }


def node_lineage_rows(plan: Plan, node: Node) -> dict:
    """The node's previous and later versions for any reader (node_lineage filters them).

    Plans only and nodes of plans related to `plan`: the item page keeps them in its cache
    under those plans' versions (plans.item_page).
    """
    rel = (
        PlanRelation.objects.filter(plan=plan, type=PlanRelation.Type.PREVIOUS)
        .select_related("other__organization")
        .order_by("order")
        .first()
        if node.continues_key
        else None
    )
    previous = rel.other if rel is not None else None
    old = (
        Node.objects.filter(plan=previous, key=node.continues_key).first()
        if previous is not None
        else None
    )
    later = [
        (p, list(Node.objects.filter(plan=p, continues_key=node.key)))
        for p in successors(plan).select_related("organization").order_by("first_fy")
    ]
    return {"previous": previous, "old_node": old, "later": later}


@register.inclusion_tag("plans/_lineage.html", takes_context=True)
def node_lineage(context: dict, plan: Plan, node: Node, cache_key: str = "") -> dict:
    """「前計画の…を継続」 (or 充実・強化) with a link, and where the item continues next.

    `cache_key`: where the page keeps what does not depend on the reader, a key that changes
    with the plan and every plan related to it (plans.item_page); else read on every call.
    """
    user = context["request"].user
    rows = cache.get(cache_key) if cache_key else None
    if rows is None:
        rows = node_lineage_rows(plan, node)
        if cache_key:
            cache.set(cache_key, rows)
    previous = rows["previous"]
    if previous is not None and not may_see(user, previous):
        previous = None
    old = rows["old_node"] if previous is not None else None
    later = [(p, n) for p, nodes in rows["later"] if may_see(user, p) for n in nodes]
    return {
        "plan": plan,
        "node": node,
        "previous": previous,
        "old_node": old,
        "old_title": f"{old.label} {old.title}".strip() if old is not None else "",
        "later": later,
    }
