"""The years of a plan that have data: a sheet submitted or approved, or an approved actual.

Pages that open on "the latest round" (the dashboard, the progress overview) open on the latest
of these rather than on a newer round nobody has reported in yet (`core.years.pick_fy`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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
        .values_list("round__plan_id", "round__fy")
        .distinct()
    ):
        out[plan_id].add(fy)
    for plan_id, fy in (
        IndicatorValue.objects.filter(indicator__plan_id__in=ids, role=IndicatorValue.Role.ACTUAL)
        .values_list("indicator__plan_id", "fy")
        .distinct()
    ):
        out[plan_id].add(fy)
    return out
