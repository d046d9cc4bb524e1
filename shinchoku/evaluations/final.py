"""The final evaluation (最終評価) of a plan as the next plan reads it: one row per item.

`shinchoku.rounds.final.final_evaluation` gives a row per item and department (an item with
several 担当課 is evaluated by each); the next plan's 前計画の評価 prints one row per item, so
the departments' texts are joined here, in the departments' order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shinchoku.core.lineage import EvaluationLevels
from shinchoku.plans.models import Plan
from shinchoku.rounds.final import final_evaluation
from shinchoku.rounds.models import Report, Round


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


def is_approved(round_: Round | None) -> bool:
    """The final round exists, has at least one sheet, and every sheet is approved."""
    if round_ is None:
        return False
    statuses = list(round_.reports.values_list("status", flat=True))
    return bool(statuses) and all(s == Report.Status.APPROVED for s in statuses)


def _joined(texts: list[str]) -> str:
    """Distinct non-blank texts in order, one paragraph each."""
    return "\n".join(dict.fromkeys(t for t in texts if t.strip()))


def final_evaluation_of(plan: Plan) -> FinalEvaluation:
    """The final evaluation's rows in tree order: items that some department wrote about."""
    evaluation = final_evaluation(plan)
    if evaluation.round is None:
        return FinalEvaluation(None, False)
    grouped: dict[str, list] = {}
    for row in evaluation.rows:
        grouped.setdefault(row.node_key, []).append(row)
    rows = []
    for key, group in grouped.items():
        if not any(r.followup or r.issues or r.final_status for r in group):
            continue
        first = group[0]
        rows.append(
            FinalRow(
                levels=EvaluationLevels(
                    first.goal, first.category, first.subcategory, first.number, first.item
                ),
                node_key=key,
                followup=_joined([r.followup for r in group]),
                issues=_joined([r.issues for r in group]),
                # Several departments may judge differently; the first 状況 given stands.
                final_status=next((r.final_status for r in group if r.final_status), ""),
            )
        )
    return FinalEvaluation(evaluation.round, evaluation.approved, rows)
