"""The fixture council's plan (no indicators) with a FY2024 round made directly in the database.

The round core that opens a sheet for every 事業 is another part of issue 12; these tests need
only its result: one approved sheet per 担当係 with an ItemEntry (self-evaluation on the plan's
A–D scale, 取組状況, 今後の展開) for each of the 20 事業, and a status for each 実施内容.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.utils import timezone

from shinchoku.orgs.models import Organization
from shinchoku.plans import services as plan_services
from shinchoku.plans.models import Node, Plan
from shinchoku.plans.workbook import read_workbook
from shinchoku.rounds.models import ContentEntry, ItemEntry, PlanSettings, Report, Round

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
SLUG = "midori-katsudo-3"
ORG = "midori-shakyo"
FY = 2024
SCALE = [
    {"code": "A", "name": "計画どおり実施", "definition": "計画どおりに実施した"},
    {"code": "B", "name": "概ね実施", "definition": "概ね計画どおりに実施した"},
    {"code": "C", "name": "一部実施", "definition": "一部を実施した"},
    {"code": "D", "name": "未実施", "definition": "実施しなかった"},
]
CODES = "ABCD"


def load_plan() -> Plan:
    """The council and its plan, loaded from the workbook as the upload does."""
    org, _ = Organization.objects.get_or_create(
        slug=ORG, defaults={"name": "みどり市社会福祉協議会", "kind": "council"}
    )
    result = read_workbook(FIXTURE.read_bytes(), {})
    assert not result.problems, result.problems
    prepared = plan_services.prepare(result.doc, org)
    assert not prepared.problems, prepared.problems
    plan = plan_services.apply(prepared, user=None, source="test")
    settings = PlanSettings.of(plan)
    settings.evaluation_scale = SCALE
    settings.save()
    return plan


def leaves(plan: Plan) -> list[Node]:
    """The 事業 (leaf nodes with a 担当), in document order."""
    nodes = list(Node.objects.filter(plan=plan).prefetch_related("departments").order_by("seq"))
    parents = {n.parent_id for n in nodes}
    return [n for n in nodes if n.id not in parents and n.departments.all()]


def done_text(node: Node) -> str:
    return f"{node.title}の取組を実施した"


def next_text(node: Node) -> str:
    return f"{node.title}を引き続き進める"


def evaluation_of(index: int) -> str:
    return CODES[index % 4]


def make_round(
    plan: Plan,
    *,
    approved: bool = True,
    closed: bool = True,
    published: bool = True,
    unapproved: tuple[str, ...] = (),
) -> Round:
    """FY2024: a sheet per 担当, every 事業 reported; departments in `unapproved` submitted."""
    round_ = Round.objects.create(
        plan=plan,
        fy=FY,
        deadline=date(FY + 1, 5, 31),
        status=Round.Status.CLOSED if closed else Round.Status.OPEN,
        published=published,
        published_at=timezone.now() if published else None,
    )
    reports: dict[int, Report] = {}
    for i, node in enumerate(leaves(plan)):
        dept = node.departments.all()[0]
        if dept.id not in reports:
            ok = approved and dept.name not in unapproved
            reports[dept.id] = Report.objects.create(
                round=round_,
                department=dept,
                status=Report.Status.APPROVED if ok else Report.Status.SUBMITTED,
                approved_at=timezone.now() if ok else None,
            )
        report = reports[dept.id]
        ItemEntry.objects.create(
            report=report,
            node_key=node.key,
            done=done_text(node),
            next=next_text(node),
            evaluation=evaluation_of(i),
        )
        for pos, content in enumerate(node.contents.order_by("order"), start=1):
            ContentEntry.objects.create(
                report=report,
                node_key=node.key,
                position=pos,
                text=content.text,
                status="遅れ" if i % 5 == 0 else "予定どおり",
                note="内部メモ" if i % 5 == 0 else "",
            )
    return round_
