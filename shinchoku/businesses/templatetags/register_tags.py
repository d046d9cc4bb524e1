"""`{% item_businesses node %}`: the 事務事業 that carry out a plan item, on the item's page.

Read with the plan on the item page (`item_rows`: plans.item_page.ITEM_ROWS, registered in
BusinessesConfig.ready), else one query (the direction of each business's latest FY is a
subquery); shown to members of the organization only (the register is not public).
"""

from __future__ import annotations

from django import template
from django.db.models import OuterRef, QuerySet, Subquery

from shinchoku.accounts.permissions import can_view
from shinchoku.businesses.models import Business, BusinessYear
from shinchoku.plans.models import Node
from shinchoku.plans.rows import Part

register = template.Library()


@register.inclusion_tag("businesses/register_item_businesses.html", takes_context=True)
def item_businesses(context, node: Node) -> dict:
    plan = context.get("plan") or node.plan
    request = context.get("request")
    if request is None or not can_view(request.user, plan.organization):
        return {"businesses": []}
    found = (context.get("item_rows") or {}).get("businesses")
    if found is None:
        found = list(
            Business.objects.filter(businessnode__node=node, organization_id=plan.organization_id)
            .select_related("department")
            .annotate(latest_direction=Subquery(_latest()))
            .order_by(*ORDER)
        )
    return {"businesses": found, "organization": plan.organization}


ORDER = ("-active", "order", "id")


def _latest() -> QuerySet:
    """The direction of the business's latest FY that has one."""
    return (
        BusinessYear.objects.filter(business=OuterRef("pk"))
        .exclude(direction="")
        .order_by("-fiscal_year")
        .values("direction")[:1]
    )


def item_rows(plan_ids: QuerySet, org_ids: QuerySet, key: str) -> Part:
    """The item's businesses, read with its plan (plans.item_page.ITEM_ROWS)."""
    businesses = Business.objects.filter(
        businessnode__node__plan__in=plan_ids,
        businessnode__node__key=key,
        organization_id__in=org_ids,
    )
    latest = {"latest_direction": Subquery(_latest())}
    return Part(businesses, ("department",), ORDER, extra=latest)
