"""The scene for the next plan: a plan's final evaluation, filled and approved, built directly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.utils import timezone

from shinchoku.plans.interchange import load_documents
from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan
from shinchoku.plans.workbook import read_workbook
from shinchoku.rounds.models import ItemEntry, Report, Round
from shinchoku.rounds.services import departments_of

ACTION = "nishitokyo-action-plan-2019"
OTHER = "midori-katsudo-3"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
STATUSES = ["実施済", "一部実施", "未実施", "再検討"]


def final_round(plan: Plan, *, approved: bool = True) -> Round:
    """A final evaluation round with one sheet per department and an entry per item."""
    now = timezone.now()
    round_ = Round.objects.create(
        plan=plan,
        kind=Round.Kind.FINAL,
        fy=plan.last_fy,
        deadline=date(plan.last_fy + 1, 5, 31),
        status=Round.Status.CLOSED if approved else Round.Status.OPEN,
    )
    items = list(
        Node.objects.filter(plan=plan, children__isnull=True)
        .prefetch_related("departments")
        .order_by("seq")
    )
    for i, dept in enumerate(departments_of(plan)):
        status = Report.Status.APPROVED if approved or i else Report.Status.SUBMITTED
        report = Report.objects.create(
            round=round_,
            department=dept,
            status=status,
            approved_at=now if status == Report.Status.APPROVED else None,
        )
        ItemEntry.objects.bulk_create(
            ItemEntry(
                report=report,
                node_key=node.key,
                followup=f"{node.title}のその後の取組",
                issues=f"{node.title}の評価・課題",
                final_status=STATUSES[n % len(STATUSES)],
            )
            for n, node in enumerate(items)
            if dept in node.departments.all()
        )
    return round_


def actuals(plan: Plan) -> None:
    """Give every indicator actuals for FY2021 and FY2022 (the last one is carried on)."""
    values = []
    for ind in Indicator.objects.filter(plan=plan):
        values.append(IndicatorValue(indicator=ind, role="actual", fy=2021, text="5回"))
        values.append(IndicatorValue(indicator=ind, role="actual", fy=2022, text="7回"))
    for v in values:
        v.apply_parse()
    IndicatorValue.objects.bulk_create(values)


def load_other_shape() -> Plan:
    """The fixture council's plan (4 levels, 事業 rows, no indicators), loaded from its workbook."""
    from shinchoku.orgs.models import Organization

    Organization.objects.get_or_create(
        slug="midori-shakyo", defaults={"name": "みどり市社会福祉協議会", "kind": "council"}
    )
    result = read_workbook(FIXTURE.read_bytes(), {})
    assert not result.problems
    (plan,) = load_documents([result.doc])
    return plan
