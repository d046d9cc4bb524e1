"""The years of a plan that have data: a sheet submitted or approved, or an approved actual.

Pages that open on "the latest round" (the dashboard, the progress overview) open on the latest
of these rather than on a newer round nobody has reported in yet (`core.years.pick_fy`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import CharField, QuerySet, Value

from shinchoku import prepared
from shinchoku.plans.models import IndicatorValue, Plan
from shinchoku.rounds.models import Report, Round

REPORTED = (Report.Status.SUBMITTED, Report.Status.APPROVED)


def _rows(name: str, make: Callable[..., QuerySet], ids: list[int]) -> list[tuple]:
    """The rows of `make(*ids)`, its SQL compiled once per number of plans (shinchoku.prepared:
    building and compiling these querysets costs more than running them, issue 16)."""
    return prepared.run(("latest", name, len(ids)), make, [int] * len(ids), ids, rows=True)


def _sheets_with_data(*ids: int) -> QuerySet:
    return (
        Report.objects.filter(
            round__plan_id__in=ids, round__kind=Round.Kind.YEARLY, status__in=REPORTED
        )
        .order_by()  # the default ordering's columns would join DISTINCT
        .values_list("round__plan_id", "round__fy")
        .distinct()
    )


def _actual_fys(*ids: int) -> QuerySet:
    return (
        IndicatorValue.objects.filter(indicator__plan_id__in=ids, role=IndicatorValue.Role.ACTUAL)
        .order_by()
        .values_list("indicator__plan_id", "fy")
        .distinct()
    )


def fys_with_data(plans: Iterable[Plan]) -> dict[int, set[int]]:
    """Plan id → the FYs with a submitted or approved yearly sheet or an approved actual.

    Two queries whatever the number of plans, rounds and values.
    """
    ids = [p.pk for p in plans]
    out: dict[int, set[int]] = defaultdict(set)
    if not ids:  # an empty IN compiles to no SQL: nothing to read
        return out
    for plan_id, fy in _rows("sheets-with-data", _sheets_with_data, ids):
        out[plan_id].add(fy)
    for plan_id, fy in _rows("actual-fys", _actual_fys, ids):
        out[plan_id].add(fy)
    return out


def picker_years(plan: Plan) -> tuple[list[int], set[int]]:
    """`progress.years_with_values(plan)` and `fys_with_data([plan])[plan.pk]` in one query.

    The FYs of the plan's period with an actual or a yearly round, and the FYs with a
    submitted or approved yearly sheet or an actual: one UNION, each row marked with its kind.
    """

    rows = set(_rows("picker", _picker_rows, [plan.pk]))
    with_values = sorted(
        {fy for fy, kind in rows if kind != "sheet" and plan.first_fy <= fy <= plan.last_fy}
    )
    return with_values, {fy for fy, kind in rows if kind != "round"}


def _picker_rows(plan_id: int) -> QuerySet:
    """(fy, kind) of the plan's actuals, yearly rounds and submitted or approved sheets."""

    def mark(kind: str) -> Value:
        return Value(kind, output_field=CharField())

    actuals = (
        IndicatorValue.objects.filter(indicator__plan_id=plan_id, role=IndicatorValue.Role.ACTUAL)
        .order_by()
        .values_list("fy", mark("actual"))
    )
    rounds = (
        Round.objects.filter(plan_id=plan_id, kind=Round.Kind.YEARLY)
        .order_by()
        .values_list("fy", mark("round"))
    )
    reported = (
        Report.objects.filter(
            round__plan_id=plan_id, round__kind=Round.Kind.YEARLY, status__in=REPORTED
        )
        .order_by()
        .values_list("round__fy", mark("sheet"))
    )
    return actuals.union(rounds, reported)
