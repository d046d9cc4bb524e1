"""What an opinion concerns: the plan, a goal, an item or an indicator, named by key.

Keys (Node.key, Indicator.key) survive a reload of the plan, so an opinion keeps pointing at the
same item. `Targets` reads the plan's tree in two queries and gives the select's choices (numbers
and titles as the plan prints them), the label of an opinion's target and its top-level goal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext

from shinchoku.core.node_names import node_name, shown_label
from shinchoku.core.tree import top_of
from shinchoku.plans.models import Indicator, Node, Plan

PLAN = ""  # the plan as a whole
NODE = "node:"
INDICATOR = "indicator:"


def indicator_label(name: str) -> str:
    """指標: name, in the reader's language."""
    return gettext("Indicator: %(name)s") % {"name": name}


def value_of(node_key: str, indicator_key: str) -> str:
    """The select's value for a target."""
    if indicator_key:
        return INDICATOR + indicator_key
    if node_key:
        return NODE + node_key
    return PLAN


def node_heading(plan: Plan, node: Node) -> str:
    """基本目標1 地域で支え合う… : the number and title as the plan prints them."""
    label = shown_label(node.label)
    if node.level == 1:
        level = plan.level_name(1)
        if level and not label.startswith(level):
            label = f"{level}{label}" if label else level
    return node_name(label, node.title)


@dataclass
class Targets:
    plan: Plan
    nodes: list[Node] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    @classmethod
    def load(cls, plan: Plan) -> Targets:
        nodes = list(
            Node.objects.filter(plan=plan)
            .only("id", "parent_id", "key", "level", "label", "title", "seq")
            .order_by("seq")
        )
        indicators = list(
            Indicator.objects.filter(plan=plan)
            .only("id", "node_id", "key", "label", "name", "order")
            .order_by("node__seq", "order")
        )
        targets = cls(plan, nodes, indicators)
        targets.by_key = {n.key: n for n in nodes}
        targets.by_indicator = {i.key: i for i in indicators}
        targets.node_by_id = {n.id: n for n in nodes}
        targets.top = top_of(nodes)
        return targets

    def choices(self, plan_label: str) -> list[tuple[str, str]]:
        """(value, label) for the select: the plan, then each node and its indicators in order."""
        per_node: dict[int, list[Indicator]] = {}
        for ind in self.indicators:
            per_node.setdefault(ind.node_id, []).append(ind)
        out = [(PLAN, plan_label)]
        for node in self.nodes:
            indent = "　" * (node.level - 1)
            out.append((NODE + node.key, indent + node_heading(self.plan, node)))
            for ind in per_node.get(node.id, []):
                out.append((INDICATOR + ind.key, f"{indent}　{indicator_label(ind.name)}"))
        return out

    def parse(self, value: str) -> tuple[str, str] | None:
        """(node_key, indicator_key) for a select value; None when the plan has no such target."""
        value = (value or "").strip()
        if value == PLAN:
            return "", ""
        if value.startswith(NODE) and value[len(NODE) :] in self.by_key:
            return value[len(NODE) :], ""
        if value.startswith(INDICATOR):
            ind = self.by_indicator.get(value[len(INDICATOR) :])
            if ind is not None:
                return self.node_by_id[ind.node_id].key, ind.key
        return None

    def label(self, node_key: str, indicator_key: str, plan_label: str = "計画全体") -> str:
        """The target as the plan prints it; a key the plan no longer has is shown as it is."""
        if indicator_key:
            ind = self.by_indicator.get(indicator_key)
            return indicator_label(ind.name if ind else indicator_key)
        if node_key:
            node = self.by_key.get(node_key)
            return node_heading(self.plan, node) if node else node_key
        return plan_label

    def goal(self, node_key: str, indicator_key: str) -> Node | None:
        """The top-level node (基本目標) above the target; None for the plan as a whole."""
        node = None
        if indicator_key and indicator_key in self.by_indicator:
            node = self.node_by_id.get(self.by_indicator[indicator_key].node_id)
        elif node_key:
            node = self.by_key.get(node_key)
        return self.top.get(node.id) if node is not None else None

    def goals(self) -> list[Node]:
        return [n for n in self.nodes if n.parent_id is None]
