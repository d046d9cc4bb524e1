"""Rows of a plan's long pages grouped by goal (the top-level node), for the in-page contents.

The indicators, the roadmap and the years side by side list their rows under each goal, with an
anchor per goal; one query for the plan's nodes, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shinchoku.plans.models import Node, Plan


@dataclass
class GoalGroup:
    goal: Node | None  # None: rows outside any goal
    rows: list[Any] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"goal-{self.goal.pk}" if self.goal else "goal-none"


def plan_nodes(plan: Plan) -> dict[int, Node]:
    """Every node of the plan by id, with what a heading needs."""
    return {
        n.pk: n
        for n in Node.objects.filter(plan=plan).only(
            "id", "parent_id", "key", "label", "title", "level", "seq"
        )
    }


def goal_of(node: Node, by_id: dict[int, Node]) -> Node:
    """The top-level node above `node` (itself when it is one)."""
    node = by_id.get(node.pk, node)
    while node.parent_id in by_id:
        node = by_id[node.parent_id]
    return node


def by_goal(rows: Iterable[Any], node_of: Callable[[Any], Node], by_id: dict[int, Node]):
    """The rows in groups by goal, in the order the rows come (the plan's order)."""
    groups: dict[int, GoalGroup] = {}
    for row in rows:
        goal = goal_of(node_of(row), by_id)
        groups.setdefault(goal.pk, GoalGroup(goal)).rows.append(row)
    return list(groups.values())
