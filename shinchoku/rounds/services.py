"""The round's rules, for the web, the Excel sheet and the command line alike.

open → each department fills its sheet (draft) → submits → the approver returns it with a
comment or approves it → the 管理者 closes the round when every sheet is approved. Every write is
one transaction; a sheet saved by someone else since it was loaded is refused (RoundConflict) so
nothing typed is lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from shinchoku.core.achievement import Bands
from shinchoku.core.values import parse_value, unit_problem
from shinchoku.core.wareki import fy_label
from shinchoku.jobs import prerender
from shinchoku.notify import events as notify_events
from shinchoku.plans import history
from shinchoku.plans.cache_version import bump as bump_cache_version
from shinchoku.plans.editing import lock_plan
from shinchoku.plans.history import user_name
from shinchoku.plans.models import (
    ChangeRecord,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressNote,
)
from shinchoku.prepared import PreparedUpdate
from shinchoku.rounds import ownership
from shinchoku.rounds.labels import content_where
from shinchoku.rounds.models import (
    ContentEntry,
    IndicatorEntry,
    ItemEntry,
    PlanSettings,
    Report,
    Round,
    RoundEvent,
)
from shinchoku.rounds.reasons import reason_text
from shinchoku.rounds.sheet_lines import ContentLine as ContentLine
from shinchoku.rounds.sheet_lines import IndicatorLine as IndicatorLine
from shinchoku.rounds.sheet_lines import ItemLines as ItemLines
from shinchoku.rounds.sheet_lines import SheetKeys as SheetKeys
from shinchoku.rounds.sheet_lines import departments_of as departments_of
from shinchoku.rounds.sheet_lines import sheet as sheet


class RoundError(Exception):
    """A step the round's state does not allow; the message is for the user, in Japanese."""


class RoundConflict(RoundError):
    """The sheet was saved by someone else after it was loaded."""


# --------------------------------------------------------------------------- settings


def bands_of(plan: Plan, settings: PlanSettings | None = None) -> Bands:
    """The plan's bands; pass its settings when already loaded."""
    from decimal import Decimal

    s = settings or PlanSettings.of(plan)
    thresholds = tuple(
        sorted(((Decimal(t["rate"]), t["name"]) for t in s.band_thresholds), reverse=True)
    )
    return Bands(thresholds, s.below_band, final_when_no_target=s.final_when_no_target)


# --------------------------------------------------------------------------- the round


def record_event(round_: Round, user: Any, action: str, comment: str = "") -> None:
    RoundEvent.objects.create(
        round=round_,
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=user_name(user),
        action=action,
        comment=comment,
    )


def open_round(
    plan: Plan, fy: int, deadline: date, user: Any, *, reminder_days: list[int] | None = None
) -> Round:
    if plan.is_draft:  # issue 13: the next plan gets rounds once it is adopted (策定)
        raise RoundError(
            gettext(
                "A progress round cannot be started on a plan still being drawn up. "
                "Adopt the plan first, then start the round."
            )
        )
    if plan.is_external:  # a plan of another body registered to be referred to (plans/outside.py)
        raise RoundError(
            gettext("A plan of another body (a registered plan) cannot have progress rounds.")
        )
    if not plan.first_fy <= fy <= plan.last_fy:
        raise RoundError(gettext("%(fy)s is outside the plan period.") % {"fy": fy_label(fy)})
    if Round.objects.filter(plan=plan, fy=fy, kind=Round.Kind.YEARLY).exists():
        raise RoundError(
            gettext("The progress round of %(fy)s already exists.") % {"fy": fy_label(fy)}
        )
    departments = departments_of(plan)
    if not departments:
        raise RoundError(
            gettext("No item has a department in charge, so no progress round can be started.")
        )
    try:
        with transaction.atomic():
            round_ = Round.objects.create(plan=plan, fy=fy, deadline=deadline)
            if reminder_days is not None:
                round_.reminder_days = list(reminder_days)
                round_.save(update_fields=["reminder_days"])
            Report.objects.bulk_create(Report(round=round_, department=d) for d in departments)
            record_event(round_, user, "open")
            notify_events.round_opened(round_, user)  # notifications (issue 14)
    except IntegrityError:
        # Somebody opened the same FY at the same moment (unique plan and FY).
        raise RoundError(
            gettext("Someone else started the progress round of %(fy)s at the same moment.")
            % {"fy": fy_label(fy)}
        ) from None
    return round_


def _locked_round(round_: Round, version: int | None) -> Round:
    """The round under its row lock; refused when it changed since the page showed `version`."""
    current = Round.objects.select_for_update().get(pk=round_.pk)
    if version is not None and current.version != version:
        last = current.events.first()
        who = (
            pgettext("person", "%(name)s") % {"name": last.user_name}
            if last and last.user_name
            else gettext("someone else")
        )
        raise RoundConflict(
            gettext(
                "Since you opened the page, %(who)s has changed this progress round. "
                "Check where it stands now, then try again."
            )
            % {"who": who}
        )
    return current


def close_round(round_: Round, user: Any, *, version: int | None = None) -> None:
    """Close the round when every sheet is approved; `version` is the one the page showed."""
    with transaction.atomic():
        round_ = _locked_round(round_, version)
        if not round_.is_open:
            raise RoundError(gettext("This progress round is already closed."))
        pending = round_.reports.exclude(status=Report.Status.APPROVED)
        if pending.exists():
            names = gettext("、").join(
                r.department.name for r in pending.select_related("department")
            )
            raise RoundError(
                gettext("Some departments are not approved yet: %(names)s") % {"names": names}
            )
        round_.status = Round.Status.CLOSED
        round_.version += 1
        round_.save(update_fields=["status", "version"])
        record_event(round_, user, "close")
        prerender.committee_soon(round_.plan_id, round_.fy)  # the PDF ready before asked


def reopen_round(round_: Round, user: Any, comment: str, *, version: int | None = None) -> None:
    if not comment.strip():
        raise RoundError(gettext("Write why the round is reopened."))
    with transaction.atomic():
        current = _locked_round(round_, version)
        if current.is_open:
            raise RoundError(
                gettext("This progress round is open. Only a closed round can be reopened.")
            )
        # Values under correction leave the public pages until the round is published again.
        Round.objects.filter(pk=round_.pk).update(
            status=Round.Status.OPEN, published=False, version=F("version") + 1
        )
        round_.status = Round.Status.OPEN
        if current.published:
            round_.published = False
            record_event(round_, user, "unpublish")
        record_event(round_, user, "reopen", comment.strip())
    round_.refresh_from_db()


# --------------------------------------------------------------------------- a department's sheet


@dataclass
class SheetInput:
    """What the department typed: keyed like the entries."""

    items: dict[str, dict[str, str]] = field(default_factory=dict)  # node key → done/next/eval
    contents: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    # indicator key → actual / note / done / next
    indicators: dict[str, dict[str, str]] = field(default_factory=dict)


# --- issue 12 part 5 (sheet input): problems keyed by the form field they belong to ---------
class Problem(tuple):
    """A problem of the input: unpacks as (where, message in Japanese) like before, and carries
    `field`, the form field it belongs to (``n|<indicator key>|actual``…; "" for none)."""

    field: str

    def __new__(cls, where: str, message: str, field: str = "") -> Problem:
        self = super().__new__(cls, (where, message))
        self.field = field
        return self

    @property
    def where(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]


def field_name(kind: str, key: str, name: str, position: int | None = None) -> str:
    """The form field of an input: kind i (item), c (content, with position) or n (indicator)."""
    return f"{kind}|{key}|{position}|{name}" if position is not None else f"{kind}|{key}|{name}"


def _tag(problems: list, since: int, field: str) -> None:
    """Mark the problems appended since `since` as belonging to `field`."""
    for i in range(since, len(problems)):
        where, message = problems[i]
        problems[i] = Problem(where, message, field)


# --- end issue 12 part 5 ---------------------------------------------------------------------


def check(report: Report, data: SheetInput, lines: list[ItemLines] | None = None) -> list[Problem]:
    """Problems (see Problem: where, message in Japanese, and the form field): unknown choices,
    incompatible units."""
    plan = report.round.plan
    settings = PlanSettings.of(plan)
    statuses = set(settings.content_statuses)
    scale = {s["code"] for s in settings.evaluation_scale}
    lines = sheet(report) if lines is None else lines
    units = {ln.indicator.key: ln.indicator for item in lines for ln in item.indicators}
    # issue 12 part 3: rows named as the screen names them (labels.content_where)
    positions = {
        (item.node.key, c.position): content_where(item.node, c.content, c.position)
        for item in lines
        for c in item.contents
    }
    nodes = {item.node.key: item.node for item in lines}
    problems: list[Problem] = []
    for key, value in data.items.items():
        if key not in nodes:
            problems.append(Problem(key, gettext("This item is not one of this department's.")))
        elif value.get("evaluation") and value["evaluation"] not in scale:
            problems.append(
                Problem(
                    gettext("%(item)s self-evaluation") % {"item": nodes[key]},
                    gettext("The self-evaluation “%(value)s” cannot be used. Use one of %(codes)s.")
                    % {"value": value["evaluation"], "codes": gettext("・").join(sorted(scale))},
                    field_name("i", key, "evaluation"),
                )
            )
    for (key, position), value in data.contents.items():
        if (key, position) not in positions:
            problems.append(
                Problem(
                    f"{key} {position}", gettext("This content is not one of this department's.")
                )
            )
        elif value.get("status") and value["status"] not in statuses:
            problems.append(
                Problem(
                    positions[(key, position)],
                    gettext("The status “%(value)s” cannot be used. Use one of %(statuses)s.")
                    % {
                        "value": value["status"],
                        "statuses": gettext("・").join(settings.content_statuses),
                    },
                    field_name("c", key, "status", position),
                )
            )
    for key, value in data.indicators.items():
        ind = units.get(key)
        if ind is None:
            problems.append(
                Problem(key, gettext("This indicator is not one of this department's."))
            )
            continue
        since = len(problems)  # issue 12 part 5: what follows is about the actual
        # One unit per indicator (core.values.unit_problem): a bare number takes its unit.
        unit_reason = unit_problem(parse_value(value.get("actual", "")), ind.unit)
        if unit_reason:
            problems.append(
                (
                    gettext("%(indicator)s actual") % {"indicator": ind.name},
                    reason_text(unit_reason),
                )
            )
        _tag(problems, since, field_name("n", key, "actual"))  # issue 12 part 5
    return problems


ITEM_FIELDS = ("done", "next", "evaluation")
CONTENT_FIELDS = ("status", "note")
INDICATOR_FIELDS = ("actual", "note", "done", "next")


def _as_entered(lines: list[ItemLines]) -> SheetInput:
    """What the sheet holds now, keyed like an input (absent entries read as blank)."""
    now = SheetInput()
    for item in lines:
        now.items[item.node.key] = {f: getattr(item, f) for f in ITEM_FIELDS}
        for c in item.contents:
            now.contents[(item.node.key, c.position)] = {f: getattr(c, f) for f in CONTENT_FIELDS}
        for ln in item.indicators:
            if not ln.readonly:  # indicator owner (issue 12)
                now.indicators[ln.indicator.key] = {f: getattr(ln, f) for f in INDICATOR_FIELDS}
    return now


def prepare(
    report: Report, data: SheetInput, lines: list[ItemLines], *, checked: bool = False
) -> tuple[SheetInput, dict[tuple[str, int], str]]:
    """Ready `data` to be written over `lines` (save, and the Excel upload's save_bulk).

    Refuses input `check` refuses (unless the caller has `checked` it), strips the actuals and
    drops the lines another department reports (indicator owner, issue 12: the browser and
    Excel paths refuse such input with a message before they get here). Returns what the sheet
    holds now, keyed like the input, and each content's text by (node key, position).
    """
    problems = [] if checked else check(report, data, lines)
    if problems:
        raise RoundError("\n".join(f"{where}: {message}" for where, message in problems))
    for v in data.indicators.values():
        if "actual" in v:
            v["actual"] = v["actual"].strip()
    readonly = {ln.indicator.key for item in lines for ln in item.indicators if ln.readonly}
    if readonly:
        data.indicators = {k: v for k, v in data.indicators.items() if k not in readonly}
    texts = {(item.node.key, c.position): c.content.text for item in lines for c in item.contents}
    return _as_entered(lines), texts


def _changed(new: dict, old: dict, keys: tuple[str, ...]) -> dict[str, str] | None:
    """The full row when any field differs from what is stored, else None."""
    row = {k: new.get(k, "") for k in keys}
    return row if row != {k: old.get(k, "") for k in keys} else None


def save(
    report: Report,
    data: SheetInput,
    *,
    version: int,
    user: Any,
    lines: list[ItemLines] | None = None,
    checked: bool = False,
) -> Report:
    """Store a draft of the sheet; refused when not editable or saved by someone else since.

    `lines` is the sheet as the caller read it (services.sheet); only rows that differ from it
    are written, which keeps a draft saved every few seconds cheap. The version check makes that
    safe: when the version still matches, nobody has saved since the lines were read.
    """
    lines = sheet(report) if lines is None else lines
    now, texts = prepare(report, data, lines, checked=checked)  # save_draft has checked it
    user_label = user_name(user)
    with transaction.atomic():
        # The version check and the next version in one statement (issue 16): a save that
        # finds another one's version changes nothing and is refused.
        saved_at = claim_version(report, version, user_label)
        for key, v in data.items.items():
            old = now.items.get(key, {})
            row = _changed(v, old, ITEM_FIELDS)
            if row is not None:
                _write(ItemEntry, report, {"node_key": key}, row, old)
        for (key, position), v in data.contents.items():
            old = now.contents.get((key, position), {})
            row = _changed(v, old, CONTENT_FIELDS)
            if row is not None:
                text = texts.get((key, position), "")
                _write(
                    ContentEntry,
                    report,
                    {"node_key": key, "position": position},
                    {**row, "text": text},
                    {**old, "text": None},  # the content's text is written with every change
                )
        for key, v in data.indicators.items():
            old = now.indicators.get(key, {})
            row = _changed(v, old, INDICATOR_FIELDS)
            if row is not None:
                _write(IndicatorEntry, report, {"indicator_key": key}, row, old)
    report.version = version + 1
    report.status = Report.Status.DRAFT
    report.updated_by = user_label
    report.updated = saved_at
    return report


EDITABLE = (Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.RETURNED)


def claim_version(report: Report, version: int, user_label: str):
    """Raise the sheet from `version` to the next as a draft, in one statement; else refuse.

    The UPDATE holds the version check and the editable check, so two saves of one version
    cannot both pass (the second finds the version already raised: RoundConflict). Returns the
    time saved.
    """
    at = timezone.now()
    # Only columns of the report itself in the WHERE: PostgreSQL re-checks them on the row a
    # concurrent save just changed (a join or subquery would be checked on the old snapshot).
    # A round cannot close while a sheet is editable (close needs every sheet approved).
    # The sheet's plan is known: its cache version is raised without looking it up (one raise
    # per save, plans.cache_version).
    # The statement is compiled once per process (issue 16); it raises the plan's cache version
    # first, as Report.objects.of_plan(plan_id).update(…) does.
    claimed = False
    if report.round.is_open:
        with transaction.atomic(savepoint=False):
            bump_cache_version([report.round.plan_id])
            claimed = _CLAIM.run(report.pk, version, user_label, at)
    if not claimed:
        lock_for_save(report, version)  # says why: not editable, or saved by someone else
        raise RoundConflict("開いた後に保存されています。もう一度入力してください。")
    return at


_CLAIM = PreparedUpdate(
    lambda pk, version, user_label, at: (
        Report.objects.filter(pk=pk, version=version, status__in=EDITABLE),
        {
            "version": F("version") + 1,
            "status": Report.Status.DRAFT,
            "updated_by": user_label,
            "updated": at,
        },
    ),
    int,
    int,
    str,
    datetime,
)


def _write(model, report: Report, key: dict, row: dict, old: dict) -> None:
    """One statement for one changed entry: insert it, or update only the fields that changed."""
    changed = [f for f, v in row.items() if old.get(f, "") != v]
    model.objects.of_plan(report.round.plan_id).bulk_create(
        [model(report=report, **key, **row)],
        update_conflicts=True,
        unique_fields=["report", *key],
        update_fields=changed,
    )


def lock_for_save(report: Report, version: int) -> Report:
    """The report locked for a save (yearly or final sheet), if editable and still at `version`."""
    locked = Report.objects.select_for_update().select_related("round").get(pk=report.pk)
    if not locked.editable:
        raise RoundError(
            gettext(
                "This sheet cannot be changed now (it is submitted or approved, or the round "
                "is closed)."
            )
        )
    if locked.version != version:
        raise RoundConflict(
            gettext(
                "%(who)s saved this sheet after you opened it. "
                "Check the latest contents, then enter your changes again."
            )
            % {
                "who": pgettext("person", "%(name)s") % {"name": locked.updated_by}
                if locked.updated_by
                else gettext("Someone else")
            }
        )
    return locked


def mark_saved(report: Report, user: Any) -> None:
    """A save's end: the next version, a draft, saved by `user` now."""
    Report.objects.filter(pk=report.pk).update(
        version=F("version") + 1,
        status=Report.Status.DRAFT,
        updated_by=user_name(user),
        updated=timezone.now(),
    )


# --- issue 12 part 5: a draft keeps every valid field ---------------------------------------


def save_draft(
    report: Report,
    data: SheetInput,
    *,
    version: int,
    user: Any,
    lines: list[ItemLines] | None = None,
) -> tuple[Report, list[Problem]]:
    """Store every valid field of the input and refuse only the invalid ones.

    A field with a problem keeps what is stored (it is left out of the save); the problems are
    returned with the saved report so the page can mark each refused field. A stale version, a
    sheet that is not editable, or rows that are not the department's are refused as by save.
    """
    lines = sheet(report) if lines is None else lines
    problems = check(report, data, lines)
    if any(not p.field for p in problems):  # not a field of this sheet: refuse it all
        raise RoundError("\n".join(f"{where}: {message}" for where, message in problems))
    if problems:
        refused = {p.field for p in problems}
        now = _as_entered(lines)
        kept = SheetInput()
        for key, v in data.items.items():
            kept.items[key] = _keep(v, now.items.get(key, {}), refused, "i", key)
        for (key, position), v in data.contents.items():
            kept.contents[(key, position)] = _keep(
                v, now.contents.get((key, position), {}), refused, "c", key, position
            )
        for key, v in data.indicators.items():
            kept.indicators[key] = _keep(v, now.indicators.get(key, {}), refused, "n", key)
        data = kept
    return save(report, data, version=version, user=user, lines=lines, checked=True), problems


def _keep(
    new: dict[str, str],
    stored: dict[str, str],
    refused: set[str],
    kind: str,
    key: str,
    position: int | None = None,
) -> dict[str, str]:
    """The row with each refused field replaced by what is stored."""
    return {
        f: (stored.get(f, "") if field_name(kind, key, f, position) in refused else v)
        for f, v in new.items()
    }


# --- end issue 12 part 5 ---------------------------------------------------------------------


def missing(report: Report, lines: list[ItemLines] | None = None) -> list[str]:
    """What must still be filled before the sheet can be submitted.

    A content with nothing planned for the FY (対象外) needs no status (issue 12 part 3).
    """
    out = []
    # Each message translated once (issue 16: a sheet may miss fifty fields).
    status_of, actual_of = gettext("Status of %(where)s"), gettext("Actual of %(name)s")
    evaluation_of = gettext("Self-evaluation of %(item)s")
    for item in sheet(report) if lines is None else lines:
        for c in item.contents:
            if not c.status and c.planned:
                where = content_where(item.node, c.content, c.position)
                out.append(status_of % {"where": where})
        for ln in item.indicators:
            if not ln.actual and not ln.readonly:
                out.append(actual_of % {"name": ln.indicator.name})
        if not item.evaluation:
            out.append(evaluation_of % {"item": item.node})
    return out


def _transition(
    report: Report, allowed: set[str], to: str, *, version: int | None = None, **fields: Any
) -> Report:
    """Move the sheet to `to` under its row lock; `version` is the one the user's page showed."""
    with transaction.atomic():
        current = Report.objects.select_for_update().select_related("round").get(pk=report.pk)
        if version is not None and current.version != version:
            who = (
                pgettext("person", "%(name)s") % {"name": current.updated_by}
                if current.updated_by
                else gettext("someone else")
            )
            raise RoundConflict(
                gettext(
                    "Since you opened the page, %(who)s has changed this sheet "
                    "(now: %(status)s). Check its contents now, then try again."
                )
                % {"who": who, "status": current.get_status_display()}
            )
        if not current.round.is_open:
            raise RoundError(gettext("This progress round is closed."))
        if current.status not in allowed:
            raise RoundError(
                gettext("This cannot be done in the sheet's present state (%(status)s).")
                % {"status": current.get_status_display()}
            )
        Report.objects.filter(pk=current.pk).update(status=to, version=F("version") + 1, **fields)
    report.refresh_from_db()
    return report


def submit(report: Report, user: Any, *, version: int | None = None) -> Report:
    return submit_complete(report, user, missing(report), version=version)


def submit_complete(
    report: Report, user: Any, gaps: list[str], *, version: int | None = None
) -> Report:
    """Submit a sheet whose empty fields are `gaps` (a yearly or a final sheet's own check)."""
    if gaps:
        raise RoundError(
            gettext("Some fields are still empty: %(fields)s")
            % {"fields": gettext("、").join(gaps)}
        )
    with transaction.atomic():
        report = _transition(
            report,
            {Report.Status.DRAFT, Report.Status.RETURNED},
            Report.Status.SUBMITTED,
            version=version,
            submitted_at=timezone.now(),
            updated_by=user_name(user),
        )
        notify_events.report_moved(report, user)  # notifications (issue 14)
    return report


def return_report(report: Report, user: Any, comment: str, *, version: int | None = None) -> Report:
    """Send the sheet back with a comment; `version` is the one the approver's page showed."""
    if not comment.strip():
        raise RoundError(gettext("Write in the comment why the sheet is returned."))
    # An approved sheet can be sent back too once its round has been reopened.
    with transaction.atomic():
        report = _transition(
            report,
            {Report.Status.SUBMITTED, Report.Status.APPROVED},
            Report.Status.RETURNED,
            version=version,
            return_comment=comment.strip(),
            updated_by=user_name(user),
        )
        notify_events.report_moved(report, user)  # notifications (issue 14)
    return report


class ChoiceNeeded(RoundError):
    """An actual would replace a differing one reported elsewhere: the approver must choose.

    `conflicts` lists them (ownership.ActualConflict); pass a choice per indicator key.
    """

    def __init__(self, conflicts: list[ownership.ActualConflict]):
        self.conflicts = conflicts
        names = gettext("、").join(gettext("“%(name)s”") % {"name": c.name} for c in conflicts)
        super().__init__(
            gettext(
                "The actuals of %(names)s differ from the values another department reported "
                "(or values of unknown origin). For each indicator, choose whether to keep the "
                "value now stored or to take this sheet's value, then approve."
            )
            % {"names": names}
        )


def approve(
    report: Report,
    user: Any,
    *,
    version: int | None = None,
    choices: dict[str, str] | None = None,
) -> Report:
    """Approve the sheet and write its actuals into the plan's indicators for the FY.

    `version` is the sheet's version on the approver's page: content changed after the page
    was loaded is never approved unseen (RoundConflict). An actual that would replace a
    differing one another department reported needs `choices[indicator key]`: "keep" (the
    plan's value stays) or "take" (this sheet's replaces it); without it ChoiceNeeded lists them.
    """
    try:
        return _approve(report, user, version=version, choices=choices or {})
    except ChoiceNeeded:
        report.refresh_from_db()  # the transition was rolled back
        raise


def _approve(report: Report, user: Any, *, version: int | None, choices: dict[str, str]) -> Report:
    with transaction.atomic():
        # The actuals go into the plan's indicators: take the plan's lock first, as every write
        # to a plan does (plans.editing.lock_plan), so an approval never deadlocks with a load.
        lock_plan(report.round.plan)
        report = _transition(
            report,
            {Report.Status.SUBMITTED},
            Report.Status.APPROVED,
            version=version,
            approved_at=timezone.now(),
            approved_by=user_name(user),
        )
        # Indicator owner (issue 12): checked under the plan's lock, after the version check.
        found = {c.key: c for c in ownership.conflicts(report)}
        unchosen = [c for c in found.values() if choices.get(c.key) not in ownership.CHOICES]
        if unchosen:
            raise ChoiceNeeded(list(found.values()))
        fy = report.round.fy
        indicators = Indicator.objects.filter(node__plan=report.round.plan).select_related("node")
        by_key = {i.key: i for i in indicators}
        for entry in report.indicators.all():
            ind = by_key.get(entry.indicator_key)
            if ind is None:
                continue
            conflict = found.get(ind.key)
            if conflict is not None and choices[ind.key] == ownership.KEEP:
                _record_kept(report, user, ind, conflict)
                continue
            if entry.done or entry.next:
                ProgressNote.objects.update_or_create(
                    indicator=ind, fy=fy, defaults={"done": entry.done, "next": entry.next}
                )
            if not entry.actual:
                continue
            old = IndicatorValue.objects.filter(
                indicator=ind, role=IndicatorValue.Role.ACTUAL, fy=fy
            ).first()
            if old is not None and old.text == entry.actual:
                continue
            if old is not None:
                old.delete()
            IndicatorValue(
                indicator=ind, role=IndicatorValue.Role.ACTUAL, fy=fy, text=entry.actual
            ).save()
            ownership.record_source(report, ind.key, entry.actual)
            label = f"実績 {fy_label(fy)}"
            after = {label: entry.actual, "承認": f"{report.department.name}の調査票"}
            if conflict is not None:
                after["選択"] = (
                    f"この調査票の値を採用（それまでの値「{conflict.existing}」は"
                    f"{conflict.existing_by}）"
                )
            _record_actual(report, user, ind, {label: old.text} if old is not None else None, after)
        notify_events.report_moved(report, user)  # notifications (issue 14)
        prerender.committee_soon(report.round.plan_id, fy)  # the PDF ready before asked
    return report


def _record_actual(report: Report, user: Any, ind: Indicator, before, after: dict) -> None:
    """An approval's effect on an indicator's actual, in the plan's history."""
    history.record(
        report.round.plan,
        user=user,
        source=ChangeRecord.Source.BROWSER,
        action="change",
        kind="indicator",
        key=ind.key,
        node_key=ind.node.key,
        label=ind.name,
        before=before,
        after=after,
    )


def _record_kept(report: Report, user: Any, ind: Indicator, c: ownership.ActualConflict) -> None:
    """The approver kept the existing actual: say so in the plan's history."""
    label = f"実績 {fy_label(report.round.fy)}"
    after = {
        label: c.existing,
        "承認": f"{report.department.name}の調査票",
        "選択": f"今の値（{c.existing_by}）を残す。この調査票の値「{c.incoming}」は採らない",
    }
    _record_actual(report, user, ind, {label: c.existing}, after)


# --------------------------------------------------------------------------- publishing, reminders


def publish_round(round_: Round, user: Any, *, version: int | None = None) -> None:
    """Show the round's approved values on the public pages; only a closed round is published."""
    with transaction.atomic():
        current = _locked_round(round_, version)
        if current.is_open:
            raise RoundError(
                gettext(
                    "Only a progress round closed with every department approved can be published."
                )
            )
        if current.published:
            raise RoundError(gettext("This progress round is already published."))
        Round.objects.filter(pk=current.pk).update(
            published=True,
            published_at=timezone.now(),
            published_by=user_name(user),
            version=F("version") + 1,
        )
        record_event(current, user, "publish")
        prerender.committee_soon(current.plan_id, current.fy)  # the PDF ready before asked
    round_.refresh_from_db()


def unpublish_round(round_: Round, user: Any, *, version: int | None = None) -> None:
    with transaction.atomic():
        if not _locked_round(round_, version).published:
            raise RoundError(gettext("This progress round is not published."))
        Round.objects.filter(pk=round_.pk).update(published=False, version=F("version") + 1)
        record_event(round_, user, "unpublish")
    round_.refresh_from_db()


def pending_reports(round_: Round) -> list[Report]:
    """Sheets that still wait for the department (not submitted, or returned)."""
    return list(
        round_.reports.select_related("department")
        .filter(status__in=[Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.RETURNED])
        .order_by("department__order", "department__id")
    )
