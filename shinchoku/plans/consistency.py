"""Consistency of a plan with the plans around it (整合表), and its SDGs per goal.

The matrix puts another plan's goals (rows) against this plan's items (columns): an item serves a
goal when one of its contents names that goal (ContentGoal, "結び付く目標"). A goal whose lower
goal is served is served through it (○); a goal served by no item at all is listed apart, and so
is every item serving none of the other plan's goals. Rows go down to the deepest level the links
name (every level when there is none). The other plan is one this plan names
(関連計画) or whose goals its contents serve, when its pages may be named here (links.py: the
same organization, a plan it registered, or another organization that accepted the links).

Every function reads a fixed number of queries, whatever the size of the two plans.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from shinchoku.core.tree import top_of
from shinchoku.plans import links
from shinchoku.plans.models import Content, ContentGoal, Node, Plan, SdgGoal

DIRECT, THROUGH = "●", "○"


@dataclass
class Related:
    """A plan around this one whose goals can be set against this plan's items."""

    plan: Plan
    relations: list[str]  # relation types this plan names it with (may be empty)
    n_goals: int
    n_links: int  # contents' links into its goals


def _trusted(plan: Plan, accepted: set[int], other: Plan) -> bool:
    return other.organization_id == plan.organization_id or other.id in accepted


def related_plans(plan: Plan) -> list[Related]:
    """The plans this plan names or serves, that have a tree and may be named on its pages."""
    accepted = set(links.accepted_by(plan).values_list("plan_id", flat=True))
    found: dict[int, Related] = {}
    for rel in plan.relations.filter(other__isnull=False).select_related("other"):
        if rel.other_id != plan.id and _trusted(plan, accepted, rel.other):
            found.setdefault(rel.other_id, Related(rel.other, [], 0, 0)).relations.append(rel.type)
    served = dict(
        ContentGoal.objects.filter(content__node__plan=plan, node__isnull=False)
        .exclude(node__plan=plan)
        .values_list("node__plan_id")
        .annotate(n=Count("id"))
    )
    for other in Plan.objects.filter(id__in=set(served) - set(found)):
        if _trusted(plan, accepted, other):
            found[other.id] = Related(other, [], 0, 0)
    goals = dict(
        Node.objects.filter(plan_id__in=found).values_list("plan_id").annotate(n=Count("id"))
    )
    out = []
    for pid, related in found.items():
        related.n_goals = goals.get(pid, 0)
        related.n_links = served.get(pid, 0)
        if related.n_goals:
            out.append(related)
    return sorted(out, key=lambda r: (-r.n_links, r.plan.title))


def related_plan(plan: Plan, slug: str) -> Related | None:
    """The related plan called `slug`, or None (not related, no tree, or not to be named here)."""
    return next((r for r in related_plans(plan) if r.plan.slug == slug), None)


# --------------------------------------------------------------------------- the matrix


@dataclass
class GoalRow:
    goal: Node
    cells: list[str]  # one per item: ●, ○ or ""
    served: bool
    contents: list[Content] = field(default_factory=list)  # this plan's contents naming it


@dataclass
class Matrix:
    plan: Plan
    other: Plan
    items: list[Node]  # this plan's items, the columns
    rows: list[GoalRow]  # the other plan's goals in document order
    idle_items: list[Node]  # items serving none of the other plan's goals
    n_links: int

    @property
    def unserved(self) -> list[GoalRow]:
        return [r for r in self.rows if not r.served]


def items_of(plan: Plan) -> list[Node]:
    """A plan's items: the nodes holding contents and the leaves of its tree (a 事業 reported
    without 実施内容 rows is an item too), in tree order."""
    with_contents = set(
        Content.objects.filter(node__plan=plan).values_list("node_id", flat=True).distinct()
    )
    nodes = list(Node.objects.filter(plan=plan).order_by("seq"))
    parents = {n.parent_id for n in nodes}
    return [n for n in nodes if n.id in with_contents or n.id not in parents]


def matrix(plan: Plan, other: Plan) -> Matrix:
    """Set `other`'s goals against `plan`'s items."""
    items = items_of(plan)
    column = {n.id: i for i, n in enumerate(items)}
    goals = list(Node.objects.filter(plan=other).order_by("seq"))
    parent = {g.id: g.parent_id for g in goals}
    links_in = list(
        ContentGoal.objects.filter(content__node__plan=plan, node__plan=other)
        .select_related("content")
        .order_by("content__node__seq", "content__order", "order")
    )
    direct: dict[int, set[int]] = defaultdict(set)  # goal id → item columns
    through: dict[int, set[int]] = defaultdict(set)
    naming: dict[int, list[Content]] = defaultdict(list)
    for cg in links_in:
        col = column.get(cg.content.node_id)
        naming[cg.node_id].append(cg.content)
        if col is None:
            continue
        direct[cg.node_id].add(col)
        up = parent.get(cg.node_id)
        while up is not None:
            through[up].add(col)
            up = parent.get(up)
    # Rows down to the deepest level this plan's links name: a plan linking to 基本目標 only is
    # not shown a gap under every 施策. Without links, every level.
    linked_levels = {g.level for g in goals if direct[g.id]}
    shown = max(linked_levels, default=max((g.level for g in goals), default=0))
    rows = []
    for g in (g for g in goals if g.level <= shown):
        cells = [
            DIRECT if i in direct[g.id] else THROUGH if i in through[g.id] else ""
            for i in range(len(items))
        ]
        rows.append(GoalRow(g, cells, bool(direct[g.id] or through[g.id]), naming[g.id]))
    used = set().union(*direct.values()) if direct else set()
    idle = [n for i, n in enumerate(items) if i not in used]
    return Matrix(plan, other, items, rows, idle, len(links_in))


# --------------------------------------------------------------------------- SDGs per goal


@dataclass
class SdgRow:
    goal: Node  # a top-level goal of the plan
    counts: list[int]  # per SDG (1–17): how many of its nodes name it
    items: dict[int, list[Node]]  # SDG number → the nodes naming it

    @property
    def total(self) -> int:
        return sum(1 for n in self.counts if n)


@dataclass
class SdgTable:
    plan: Plan
    sdgs: list[SdgGoal]
    rows: list[SdgRow]

    @property
    def uncovered(self) -> list[SdgGoal]:
        """SDGs no goal's items name."""
        return [s for i, s in enumerate(self.sdgs) if not any(r.counts[i] for r in self.rows)]


def sdg_table(plan: Plan) -> SdgTable:
    """For each top-level goal of `plan`, which SDGs the goal and the nodes under it name."""
    sdgs = list(SdgGoal.objects.order_by("number"))
    index = {s.number: i for i, s in enumerate(sdgs)}
    nodes = list(
        Node.objects.filter(plan=plan)
        .order_by("seq")
        .only("id", "parent_id", "label", "title", "key", "level", "seq")
    )
    top = top_of(nodes)
    by_id = {n.id: n for n in nodes}
    named = (
        Node.sdgs.through.objects.filter(node__plan=plan)
        .order_by("node__seq", "sdggoal_id")
        .values_list("node_id", "sdggoal_id")
    )
    rows: dict[int, SdgRow] = {}
    ordered = [n for n in nodes if n.parent_id is None]
    for g in ordered:
        rows[g.id] = SdgRow(g, [0] * len(sdgs), defaultdict(list))
    for node_id, number in named:
        goal = top[node_id]
        if number in index and goal.id in rows:
            rows[goal.id].counts[index[number]] += 1
            rows[goal.id].items[number].append(by_id[node_id])
    return SdgTable(plan, sdgs, [rows[g.id] for g in ordered])
