"""The final evaluation round's rules (最終評価), for the web, the Excel sheet and the command line.

Opened by the 管理者 in the plan's last FY or after it (never for a draft plan or another body's
plan), with a sheet for each department with an item to evaluate. Each sheet asks, per item,
その後の取組, 評価・課題 and a 状況 from the plan's list (PlanSettings.final_statuses), all three
required before submitting. Saving, submitting, returning and approving work as on the yearly
sheets (services): every write is one transaction and a stale version is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shinchoku.core.final import may_start
from shinchoku.core.lineage import EvaluationLevels
from shinchoku.core.wareki import fiscal_year, fy_label
from shinchoku.notify import events as notify_events
from shinchoku.plans.history import user_name
from shinchoku.plans.models import Node, Plan
from shinchoku.rounds import services
from shinchoku.rounds.final import final_departments, final_items
from shinchoku.rounds.final_history import ItemHistory, histories, history_entries
from shinchoku.rounds.models import ItemEntry, PlanSettings, Report, Round
from shinchoku.rounds.services import Problem, RoundError, bands_of, field_name

FINAL_FIELDS = ("followup", "issues", "final_status")
FIELD_LABELS = {"followup": "その後の取組", "issues": "評価・課題", "final_status": "状況"}
# A field left empty, named on the sheet page in the reader's language.
MISSING = {
    "followup": "What followed for %(item)s",
    "issues": "Evaluation and issues of %(item)s",
    "final_status": "Status of %(item)s",
}
MAX_STATUS = 50  # ItemEntry.final_status


def refusal(plan: Plan, today: date | None = None) -> str:
    """Why the plan's final evaluation cannot be opened now (Japanese), or ""."""
    if plan.is_draft:
        return gettext(
            "A draft plan cannot have a final evaluation. Adopt the plan first, then start it."
        )
    if plan.is_external:
        return gettext("A plan of another body (registered only) has no final evaluation.")
    current = fiscal_year(today or timezone.localdate())
    if not may_start(plan.last_fy, current):
        return gettext(
            "The final evaluation can be started from the plan's last year (%(last)s). "
            "It is %(now)s now."
        ) % {"last": fy_label(plan.last_fy), "now": fy_label(current)}
    return ""


def open_final_round(
    plan: Plan,
    deadline: date,
    user: Any,
    *,
    today: date | None = None,
    reminder_days: list[int] | None = None,
) -> Round:
    """Open the plan's final evaluation in its last FY, a sheet per department."""
    problem = refusal(plan, today)
    if problem:
        raise RoundError(problem)
    if Round.objects.filter(plan=plan, kind=Round.Kind.FINAL).exists():
        raise RoundError(gettext("The final evaluation of this plan has already started."))
    departments = final_departments(plan)
    if not departments:
        raise RoundError(
            gettext("No item has a department in charge, so no final evaluation can be started.")
        )
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                plan=plan, kind=Round.Kind.FINAL, fy=plan.last_fy, deadline=deadline
            )
            if reminder_days is not None:
                round_.reminder_days = list(reminder_days)
                round_.save(update_fields=["reminder_days"])
            Report.objects.bulk_create(Report(round=round_, department=d) for d in departments)
            services.record_event(round_, user, "open")
            notify_events.round_opened(round_, user)  # notifications (issue 14)
    except IntegrityError:
        raise RoundError(
            gettext("Someone else started the final evaluation of this plan at the same moment.")
        ) from None
    return round_


# --------------------------------------------------------------------------- a department's sheet


@dataclass
class FinalLine:
    """One item of a final sheet: where it sits, its history, and what is entered."""

    node: Node
    placement: EvaluationLevels
    history: ItemHistory = field(default_factory=ItemHistory)
    followup: str = ""
    issues: str = ""
    final_status: str = ""


def settings_of(report: Report) -> PlanSettings:
    """The plan's settings (状況 list, bands), read once for the sheet's request (issue 16)."""
    found = report.__dict__.get("_plan_settings")
    if found is None:
        found = report.__dict__["_plan_settings"] = PlanSettings.of(report.round.plan)
    return found


def final_sheet(report: Report, *, history: bool = True) -> list[FinalLine]:
    """The department's items with their history and entries (a fixed number of queries: the
    items, the entries of the sheet and of the approved yearly sheets, the plan's settings, and
    the indicators with their values and the opinions of final_history).

    `history=False` (a save, which shows no page): the items and the sheet's entries only.
    """
    plan = report.round.plan
    items = [i for i in final_items(plan, report.department) if i.departments]
    keys = [i.node.key for i in items]
    if history:
        earlier, own = history_entries(plan, keys, report)
        found = histories(plan, keys, entries=earlier, bands=bands_of(plan, settings_of(report)))
    else:
        own, found = list(report.items.all()), {k: ItemHistory() for k in keys}
    entries = {e.node_key: e for e in own}
    out = []
    for i in items:
        e = entries.get(i.node.key)
        out.append(
            FinalLine(
                i.node,
                i.placement,
                found[i.node.key],
                e.followup if e else "",
                e.issues if e else "",
                e.final_status if e else "",
            )
        )
    return out


def read_post(post, lines: list[FinalLine]) -> dict[str, dict[str, str]]:
    """The department's input from a form post (``i|<node key>|followup`` …), its rows only."""
    return {
        ln.node.key: {
            f: post.get(field_name("i", ln.node.key, f), "").strip() for f in FINAL_FIELDS
        }
        for ln in lines
    }


def check(report: Report, data: dict[str, dict[str, str]], lines: list[FinalLine]) -> list[Problem]:
    """Problems of the input (where, message in Japanese, form field)."""
    statuses = settings_of(report).final_statuses
    nodes = {ln.node.key: ln.node for ln in lines}
    problems: list[Problem] = []
    for key, value in data.items():
        if key not in nodes:
            problems.append(Problem(key, gettext("This item is not one of this department's.")))
            continue
        status = value.get("final_status", "")
        if status and status not in statuses:
            problems.append(
                Problem(
                    gettext("%(item)s status") % {"item": nodes[key]},
                    gettext("The status “%(value)s” cannot be used. Use one of %(statuses)s.")
                    % {"value": status, "statuses": gettext("・").join(statuses)},
                    field_name("i", key, "final_status"),
                )
            )
    return problems


def stored(lines: list[FinalLine]) -> dict[str, dict[str, str]]:
    return {ln.node.key: {f: getattr(ln, f) for f in FINAL_FIELDS} for ln in lines}


def save(
    report: Report,
    data: dict[str, dict[str, str]],
    *,
    version: int,
    user: Any,
    lines: list[FinalLine] | None = None,
) -> Report:
    """Store a draft of the final sheet; nothing is stored when any field is refused.

    The changed rows are written by one statement (an insert that updates the rows that exist,
    as the uploaded yearly sheet's save_bulk), not one per row (issue 16): a whole sheet typed
    or uploaded at once costs the same as one field.
    """
    lines = final_sheet(report) if lines is None else lines
    problems = check(report, data, lines)
    if problems:
        raise RoundError("\n".join(f"{where}: {message}" for where, message in problems))
    now = stored(lines)
    user_label = user_name(user)
    with transaction.atomic():
        # The version check and the next version in one statement (as the yearly sheet's save).
        saved_at = services.claim_version(report, version, user_label)
        changed = []
        for key, value in data.items():
            row = {f: value.get(f, "") for f in FINAL_FIELDS}
            if row != now.get(key):
                changed.append(ItemEntry(report=report, node_key=key, **row))
        if changed:
            ItemEntry.objects.of_plan(report.round.plan_id).bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["report", "node_key"],
                update_fields=list(FINAL_FIELDS),
            )
    report.version = version + 1
    report.status = Report.Status.DRAFT
    report.updated_by = user_label
    report.updated = saved_at
    return report


def missing(report: Report, lines: list[FinalLine] | None = None) -> list[str]:
    """What must still be filled before the final sheet can be submitted."""
    out = []
    for ln in final_sheet(report, history=False) if lines is None else lines:
        for f in FINAL_FIELDS:
            if not getattr(ln, f).strip():
                out.append(gettext(MISSING[f]) % {"item": ln.node})
    return out


def submit(report: Report, user: Any, *, version: int | None = None) -> Report:
    return services.submit_complete(report, user, missing(report), version=version)


# Returning and approving are the yearly sheet's steps: a final sheet has no actuals to write.
return_report = services.return_report
approve = services.approve
