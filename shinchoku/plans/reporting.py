"""The department that reports an indicator (報告部署): its 担当部署, else its item's first 担当課.

The rule belongs to the plan; the round uses it for its sheets (rounds/ownership.py) and the
editor shows it. Computed from loaded data: no query per row when the caller prefetched.
"""

from __future__ import annotations

from django.db.models import Prefetch

from shinchoku.orgs.models import Department
from shinchoku.plans.models import Indicator, Node, NodeDepartment


def node_departments() -> Prefetch:
    """Prefetch a node's 担当課 links in the document's order, with their departments."""
    return Prefetch(
        "nodedepartment_set",
        NodeDepartment.objects.select_related("department").order_by("order", "id"),
    )


def first_department(node: Node) -> Department | None:
    """The item's first 担当課; reads the prefetch of node_departments() when there is one."""
    links = sorted(node.nodedepartment_set.all(), key=lambda nd: (nd.order, nd.pk))
    return links[0].department if links else None


def reporter(indicator: Indicator, node: Node | None = None) -> Department | None:
    """The department that reports the indicator: its 担当部署, else its item's first 担当課.

    No query when `indicator.department` is loaded (select_related) and the node's links are
    prefetched with node_departments().
    """
    if indicator.department_id is not None:
        return indicator.department
    return first_department(node if node is not None else indicator.node)


def reporter_id(indicator: Indicator, node: Node | None = None) -> int | None:
    if indicator.department_id is not None:
        return indicator.department_id
    found = first_department(node if node is not None else indicator.node)
    return found.pk if found else None
