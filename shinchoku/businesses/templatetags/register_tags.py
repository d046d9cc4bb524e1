"""`{% item_businesses node %}`: the 事務事業 that carry out a plan item, on the item's page.

One query (the direction of each business's latest FY is a subquery), shown to members of the
organization only (the register is not public).
"""

from __future__ import annotations

from django import template
from django.db.models import OuterRef, Subquery

from shinchoku.accounts.permissions import can_view
from shinchoku.businesses.models import Business, BusinessYear
from shinchoku.plans.models import Node

register = template.Library()


@register.inclusion_tag("businesses/register_item_businesses.html", takes_context=True)
def item_businesses(context, node: Node) -> dict:
    plan = context.get("plan") or node.plan
    request = context.get("request")
    if request is None or not can_view(request.user, plan.organization):
        return {"businesses": []}
    latest = (
        BusinessYear.objects.filter(business=OuterRef("pk"))
        .exclude(direction="")
        .order_by("-fiscal_year")
        .values("direction")[:1]
    )
    businesses = list(
        Business.objects.filter(businessnode__node=node, organization_id=plan.organization_id)
        .select_related("department")
        .annotate(latest_direction=Subquery(latest))
        .order_by("-active", "order", "id")
    )
    return {"businesses": businesses, "organization": plan.organization}
