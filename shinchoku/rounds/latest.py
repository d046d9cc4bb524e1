"""The years of a plan that have data: a sheet submitted or approved, or an approved actual.

Pages that open on "the latest round" (the dashboard, the progress overview) open on the latest
of these rather than on a newer round nobody has reported in yet (`core.years.pick_fy`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import CharField, Value

from shinchoku.plans.models import IndicatorValue, Plan
from shinchoku.rounds.models import Report, Round

REPORTED = (Report.Status.SUBMITTED, Report.Status.APPROVED)


def fys_with_data(plans: Iterable[Plan]) -> dict[int, set[int]]:
    """Plan id → the FYs with a submitted or approved yearly sheet or an approved actual.

    Two queries whatever the number of plans, rounds and values.
    """
    ids = [p.pk for p in plans]
    out: dict[int, set[int]] = defaultdict(set)
    for plan_id, fy in (
        Report.objects.filter(
            round__plan_id__in=ids, round__kind=Round.Kind.YEARLY, status__in=REPORTED
        )
        .order_by()  # the default ordering's columns would join DISTINCT
        .values_list("round__plan_id", "round__fy")
        .distinct()
    ):
        out[plan_id].add(fy)
    for plan_id, fy in (
        IndicatorValue.objects.filter(indicator__plan_id__in=ids, role=IndicatorValue.Role.ACTUAL)
        .order_by()
        .values_list("indicator__plan_id", "fy")
        .distinct()
    ):
        out[plan_id].add(fy)
    return out


def picker_years(plan: Plan) -> tuple[list[int], set[int]]:
    """`progress.years_with_values(plan)` and `fys_with_data([plan])[plan.pk]` in one query.

    The FYs of the plan's period with an actual or a yearly round, and the FYs with a
    submitted or approved yearly sheet or an actual: one UNION, each row marked with its kind.
    """

    def mark(kind: str) -> Value:
        return Value(kind, output_field=CharField())

    actuals = (
        IndicatorValue.objects.filter(indicator__plan=plan, role=IndicatorValue.Role.ACTUAL)
        .order_by()
        .values_list("fy", mark("actual"))
    )
    rounds = (
        Round.objects.filter(plan=plan, kind=Round.Kind.YEARLY)
        .order_by()
        .values_list("fy", mark("round"))
    )
    reported = (
        Report.objects.filter(round__plan=plan, round__kind=Round.Kind.YEARLY, status__in=REPORTED)
        .order_by()
        .values_list("round__fy", mark("sheet"))
    )
    rows = set(actuals.union(rounds, reported))
    with_values = sorted(
        {fy for fy, kind in rows if kind != "sheet" and plan.first_fy <= fy <= plan.last_fy}
    )
    return with_values, {fy for fy, kind in rows if kind != "round"}
