"""Open rounds follow their plan: a department that is given something to report gets its sheet.

A 管理者 may change an indicator's reporting department, add a 担当課 to an item or load a new
version of the plan while a round is open. Without a sheet in the round the new department's
items and indicators would be reported by nobody; so after every committed write to a plan
(plans.signals.plan_written) each open round of the plan gets a sheet for every department that
now has something to report and has none yet. Sheets are never removed here: a department that no
longer reports anything keeps its sheet and whatever it typed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.dispatch import receiver

from shinchoku.plans.signals import plan_written
from shinchoku.rounds.models import Report, Round


def add_missing_sheets(round_: Round) -> list[str]:
    """Give the open round a sheet for each department with something to report; their names."""
    from shinchoku.rounds.final import final_departments
    from shinchoku.rounds.services import departments_of, record_event

    have = set(round_.reports.values_list("department_id", flat=True))
    wanted = final_departments if round_.is_final else departments_of
    new = [d for d in wanted(round_.plan) if d.pk not in have]
    if not new:
        return []
    try:
        with transaction.atomic():
            Report.objects.bulk_create(Report(round=round_, department=d) for d in new)
            names = "、".join(d.name for d in new)
            record_event(round_, None, "add_sheets", names)
    except IntegrityError:  # added at the same moment by another write: it is there
        return []
    return [d.name for d in new]


@receiver(plan_written, dispatch_uid="rounds.add_missing_sheets")
def follow_the_plan(sender, plan_id: int, **kwargs) -> None:
    for round_ in Round.objects.filter(plan_id=plan_id, status=Round.Status.OPEN).select_related(
        "plan"
    ):
        add_missing_sheets(round_)
