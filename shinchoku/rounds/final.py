"""The plan's final evaluation (最終評価), read for other parts: which items it covers, its rows.

The final evaluation is a round of kind `final` in the plan's last FY (rounds.final_services
opens it). Every leaf item with a 担当, and every item with contents or indicators, is evaluated
by each of its departments: その後の取組, 評価・課題 and a 状況 from the plan's list.

`final_evaluation(plan)` returns its rows in tree order, placed under the 4 levels real plans
print (基本目標, 事業区分, the (n) sub-heading, 番号, 事業項目), with `approved` when the round
exists, has at least one sheet and every sheet is approved. The next plan (issue 13, point 3)
takes its 前計画の評価 from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from shinchoku.core.final import ancestors
from shinchoku.core.lineage import EvaluationLevels, evaluation_levels
from shinchoku.orgs.models import Department
from shinchoku.plans.models import Content, Indicator, Node, NodeDepartment, Plan
from shinchoku.rounds.models import ItemEntry, Report, Round


@dataclass
class FinalItem:
    """An item the final evaluation covers, with where it sits and who evaluates it."""

    node: Node
    placement: EvaluationLevels
    departments: list[Department]


@dataclass
class FinalRow:
    """One department's evaluation of one item (blank until it is written)."""

    goal: str
    category: str
    subcategory: str
    number: str
    item: str
    node_key: str
    followup: str
    issues: str
    final_status: str
    department: str
    approved: bool = False  # the department's sheet is approved


@dataclass
class FinalEvaluation:
    plan: Plan
    round: Round | None
    rows: list[FinalRow] = field(default_factory=list)
    approved: bool = False


def final_round_of(plan: Plan) -> Round | None:
    """The plan's final evaluation round, if it was opened."""
    return Round.objects.filter(plan=plan, kind=Round.Kind.FINAL).first()


def final_items(plan: Plan, department: Department | None = None) -> list[FinalItem]:
    """Items evaluated in the final round, in tree order (two queries, whatever the size).

    As on the yearly sheets (services.sheet): an item with a 担当 that is a leaf, or that has
    contents or indicators. With a `department`: only its items, each with that department
    alone (one query: whether it is a 担当課 is read with the node, issue 16).
    """
    nodes = (
        Node.objects.filter(plan=plan)
        .annotate(
            has_children=Exists(Node.objects.filter(parent=OuterRef("pk"))),
            has_contents=Exists(Content.objects.filter(node=OuterRef("pk"))),
            has_indicators=Exists(Indicator.objects.filter(node=OuterRef("pk"))),
        )
        .order_by("seq")
    )
    if department is None:
        nodes = nodes.prefetch_related("departments")
    else:
        mine = NodeDepartment.objects.filter(node=OuterRef("pk"), department=department)
        nodes = nodes.annotate(mine=Exists(mine))
    nodes = list(nodes)
    paths = ancestors(nodes)
    out = []
    for n in nodes:
        if department is None:
            departments = list(n.departments.all())
        else:
            departments = [department] if n.mine else []
        if not departments:
            continue
        if n.has_children and not (n.has_contents or n.has_indicators):
            continue
        placement = evaluation_levels([*paths[n.id], n])
        out.append(FinalItem(n, placement, departments))
    return out


def final_departments(plan: Plan) -> list[Department]:
    """Departments with an item to evaluate: one final sheet each."""
    seen: dict[int, Department] = {}
    for item in final_items(plan):
        for d in item.departments:
            seen.setdefault(d.pk, d)
    return sorted(seen.values(), key=lambda d: (d.order, d.pk))


def final_evaluation(plan: Plan) -> FinalEvaluation:
    """The plan's final evaluation: a row per item and department in tree order, and whether
    it is approved (the final round exists, has a sheet, and every sheet is approved)."""
    round_ = final_round_of(plan)
    result = FinalEvaluation(plan, round_)
    reports: dict[int, Report] = {}
    entries: dict[tuple[str, int], ItemEntry] = {}
    if round_ is not None:
        reports = {r.department_id: r for r in round_.reports.all()}
        result.approved = bool(reports) and all(
            r.status == Report.Status.APPROVED for r in reports.values()
        )
        for e in ItemEntry.objects.filter(report__round=round_).select_related("report"):
            entries[(e.node_key, e.report.department_id)] = e
    for item in final_items(plan):
        p = item.placement
        for d in item.departments:
            e = entries.get((item.node.key, d.pk))
            report = reports.get(d.pk)
            result.rows.append(
                FinalRow(
                    p.goal,
                    p.category,
                    p.subcategory,
                    p.number,
                    p.item,
                    item.node.key,
                    e.followup if e else "",
                    e.issues if e else "",
                    e.final_status if e else "",
                    d.name,
                    approved=report is not None and report.status == Report.Status.APPROVED,
                )
            )
    return result
