"""The final evaluation (最終評価) of a plan as the next plan reads it.

A small reader of the final round's entries; the final round screens have their own
`shinchoku.rounds.final.final_evaluation`, which this may later be switched to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shinchoku.core.lineage import EvaluationLevels, evaluation_levels
from shinchoku.plans.models import Node, Plan
from shinchoku.rounds.models import ItemEntry, Report, Round


@dataclass(frozen=True)
class FinalRow:
    """One item's final evaluation, with the four levels of its place in the tree."""

    levels: EvaluationLevels
    node_key: str
    followup: str
    issues: str
    final_status: str

    @property
    def goal(self) -> str:
        return self.levels.goal

    @property
    def category(self) -> str:
        return self.levels.category

    @property
    def subcategory(self) -> str:
        return self.levels.subcategory

    @property
    def number(self) -> str:
        return self.levels.number

    @property
    def item(self) -> str:
        return self.levels.item


@dataclass
class FinalEvaluation:
    """The rows of a plan's final evaluation in tree order, and whether it is approved."""

    round: Round | None
    approved: bool
    rows: list[FinalRow] = field(default_factory=list)


def final_round(plan: Plan) -> Round | None:
    return Round.objects.filter(plan=plan, kind=Round.Kind.FINAL).order_by("-fy").first()


def is_approved(round_: Round | None) -> bool:
    """The final round exists, has at least one sheet, and every sheet is approved."""
    if round_ is None:
        return False
    statuses = list(round_.reports.values_list("status", flat=True))
    return bool(statuses) and all(s == Report.Status.APPROVED for s in statuses)


def final_evaluation_of(plan: Plan) -> FinalEvaluation:
    """The final evaluation's rows in tree order (items with an entry), in four queries."""
    round_ = final_round(plan)
    if round_ is None:
        return FinalEvaluation(None, False)
    entries: dict[str, ItemEntry] = {}
    for e in ItemEntry.objects.filter(report__round=round_).order_by(
        "report__department__order", "report__department_id"
    ):
        # An item reported by two departments: the first text found for each field wins.
        if e.node_key not in entries:
            entries[e.node_key] = e
        else:
            kept = entries[e.node_key]
            for name in ("followup", "issues", "final_status"):
                if not getattr(kept, name):
                    setattr(kept, name, getattr(e, name))
    nodes = list(
        Node.objects.filter(plan=plan).only("id", "parent_id", "key", "label", "title", "seq")
    )
    nodes.sort(key=lambda n: n.seq)
    by_id = {n.id: n for n in nodes}
    rows = []
    for node in nodes:
        entry = entries.get(node.key)
        if entry is None:
            continue
        rows.append(
            FinalRow(
                levels=evaluation_levels(path_of(node, by_id)),
                node_key=node.key,
                followup=entry.followup,
                issues=entry.issues,
                final_status=entry.final_status,
            )
        )
    return FinalEvaluation(round_, is_approved(round_), rows)


def path_of(node: Node, by_id: dict[int, Node]) -> list[Node]:
    """The node's ancestors from the top, then the node."""
    path = [node]
    while path[0].parent_id in by_id:
        path.insert(0, by_id[path[0].parent_id])
    return path
