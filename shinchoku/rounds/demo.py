"""The demo's approved round: the FY2019 values of the city's progress sheet (資料2, 004).

The city plan's demo document already holds the FY2019 actuals, 取組状況 and 今後の展開 as the
sheet printed them; here they become the round they came from: one sheet per department with
those values, every sheet approved, the round closed and published. The sheet has no
self-evaluation column, so none is invented. The city sets only its FY2023 targets, so its
progress settings compare the years before with those final targets.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.rounds.models import (
    ActualSource,
    IndicatorEntry,
    PlanSettings,
    Report,
    Round,
    RoundEvent,
)
from shinchoku.rounds.services import departments_of

CITY_PLAN = "nishitokyo-chiiki-fukushi-4"
CITY_FY = 2019
DEMO_NAME = "デモデータ（資料2 令和元年度より）"


def load_demo_round(slug: str = CITY_PLAN, fy: int = CITY_FY) -> Round | None:
    """Create the approved, closed and published round; None when the plan is missing or done."""
    plan = Plan.objects.filter(slug=slug).first()
    if plan is None or Round.objects.filter(plan=plan, fy=fy, kind=Round.Kind.YEARLY).exists():
        return None
    now = timezone.now()
    with transaction.atomic():
        PlanSettings.objects.update_or_create(plan=plan, defaults={"final_when_no_target": True})
        round_ = Round.objects.create(
            plan=plan,
            fy=fy,
            deadline=date(fy + 1, 5, 31),
            status=Round.Status.CLOSED,
            published=True,
            published_at=now,
            published_by=DEMO_NAME,
        )
        for action in ("open", "close", "publish"):
            RoundEvent.objects.create(round=round_, user_name=DEMO_NAME, action=action)
        for dept in departments_of(plan):
            report = Report.objects.create(
                round=round_,
                department=dept,
                status=Report.Status.APPROVED,
                updated_by=DEMO_NAME,
                submitted_at=now,
                approved_at=now,
                approved_by=DEMO_NAME,
            )
            indicators = Indicator.objects.filter(node__plan=plan, department=dept)
            for ind in indicators.prefetch_related("values", "reports"):
                actual = next(
                    (
                        v.text
                        for v in ind.values.all()
                        if v.role == IndicatorValue.Role.ACTUAL and v.fy == fy
                    ),
                    "",
                )
                note = next((n for n in ind.reports.all() if n.fy == fy), None)
                IndicatorEntry.objects.create(
                    report=report,
                    indicator_key=ind.key,
                    actual=actual,
                    done=note.done if note else "",
                    next=note.next if note else "",
                )
                if actual:  # where the approved actual came from (issue 12, ownership.py)
                    ActualSource.objects.create(
                        plan=plan,
                        indicator_key=ind.key,
                        fy=fy,
                        department=dept,
                        report=report,
                        text=actual,
                    )
    return round_
