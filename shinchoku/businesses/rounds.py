"""Evaluation rounds of 事務事業評価: start a FY's round from the rotation, close it, and how far
the rotation has come.

`start_round` creates the FY's EvaluationRound and one evaluation sheet (stage 自己評価) per
active business the rotation places in that FY, its 目的・対象 and 活動実績 filled in from the
register. `close_round` ends it (管理者). `rotation_progress` says, per department, how many of
the cycle's businesses are evaluated up to a FY: the plan's indicator 評価事務事業数 reads it.
Every change is one transaction, checked for the user and (close) the version the page showed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext, pgettext

from shinchoku.accounts.permissions import can_edit_structure
from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    BusinessYear,
    EvaluationRound,
    Rotation,
    RotationSlot,
    Stage,
)
from shinchoku.businesses.rotation import business_label, covering
from shinchoku.core import rotation as core
from shinchoku.core.values import format_number
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Department, Organization


def sheet_url(org_slug: str, fy: int, pk: int) -> str:
    """The address of an evaluation sheet (businesses:evaluation_sheet, the sheet's own view)."""
    return f"/businesses/{org_slug}/evaluations/{int(fy)}/{int(pk)}/"


class RoundError(Exception):
    """A step refused: the message says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class RoundConflict(RoundError):
    """The round changed since the page was loaded."""


class RoundDenied(RoundError):
    """The user may not do this."""

    def __init__(self) -> None:
        super().__init__(gettext("You are not allowed to do this."))


def rotation_for(organization: Organization, fy: int) -> Rotation | None:
    """The organization's rotation whose cycle includes fy."""
    return covering(Rotation.objects.filter(organization=organization), fy)


def slotted(organization: Organization, fy: int) -> list[Business]:
    """The active businesses the rotation places in fy, in the register's order."""
    rotation = rotation_for(organization, fy)
    if rotation is None:
        return []
    return list(
        Business.objects.filter(
            slots__rotation=rotation, slots__fiscal_year=fy, active=True
        ).select_related("department")
    )


def _figure(value: Decimal | None, unit: str) -> str:
    """1150.50 → 1,150.5千円; 30.00 → 30件 (no trailing zeros)."""
    if value is None:
        return ""
    exact = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return format_number(exact, unit)


def activity_text(business: Business, years: Iterable[BusinessYear]) -> str:
    """The 活動実績 a sheet starts with: each FY's figures the register has, one line a year."""
    lines = []
    for year in years:
        parts = []
        for label, value, unit in (
            (pgettext("sheet prefill", "Budget"), year.budget, "千円"),
            (pgettext("sheet prefill", "Settlement"), year.settlement, "千円"),
            (
                pgettext("sheet prefill", "Staff time"),
                year.staff_years,
                pgettext("sheet prefill", "person-years"),
            ),
        ):
            text = _figure(value, unit)
            if text:
                parts.append(gettext("%(label)s %(value)s") % {"label": label, "value": text})
        if year.output is not None:
            name = business.output_name or pgettext("sheet prefill", "Output")
            parts.append(
                gettext("%(label)s %(value)s")
                % {"label": name, "value": _figure(year.output, business.output_unit)}
            )
        if parts:
            lines.append(
                gettext("%(fy)s: %(figures)s")
                % {"fy": fy_label(year.fiscal_year), "figures": gettext("、").join(parts)}
            )
    return "\n".join(lines)


def purpose_text(business: Business) -> str:
    """The 目的・対象 a sheet starts with, from the register."""
    lines = []
    if business.purpose.strip():
        lines.append(gettext("Purpose: %(text)s") % {"text": business.purpose.strip()})
    if business.target.strip():
        lines.append(gettext("Target group: %(text)s") % {"text": business.target.strip()})
    return "\n".join(lines)


def start_round(organization: Organization, fy: int, user: Any) -> EvaluationRound:
    """Open the FY's round with a sheet for each business the rotation places in it."""
    if not can_edit_structure(user, organization):
        raise RoundDenied
    with transaction.atomic():
        if EvaluationRound.objects.filter(organization=organization, fiscal_year=fy).exists():
            raise RoundError(
                gettext("The evaluation round of %(fy)s has already been started.")
                % {"fy": fy_label(fy)}
            )
        if rotation_for(organization, fy) is None:
            raise RoundError(
                gettext(
                    "No rotation covers %(fy)s. Propose and save the rotation for that year first."
                )
                % {"fy": fy_label(fy)}
            )
        businesses = slotted(organization, fy)
        if not businesses:
            raise RoundError(
                gettext(
                    "The rotation places no business in %(fy)s. Move businesses to that year first."
                )
                % {"fy": fy_label(fy)}
            )
        try:
            with transaction.atomic():
                round_ = EvaluationRound.objects.create(organization=organization, fiscal_year=fy)
        except IntegrityError as error:  # started by another 管理者 meanwhile
            raise RoundError(
                gettext("The evaluation round of %(fy)s has already been started.")
                % {"fy": fy_label(fy)}
            ) from error
        figures: dict[int, list[BusinessYear]] = {}
        for year in BusinessYear.objects.filter(
            business__in=businesses, fiscal_year__in=(fy - 1, fy)
        ).order_by("fiscal_year"):
            figures.setdefault(year.business_id, []).append(year)
        BusinessEvaluation.objects.bulk_create(
            BusinessEvaluation(
                round=round_,
                business=b,
                stage=Stage.SELF,
                purpose_target=purpose_text(b),
                activity=activity_text(b, figures.get(b.pk, [])),
            )
            for b in businesses
        )
    return round_


def unfinished(round_: EvaluationRound) -> list[BusinessEvaluation]:
    """The round's sheets not completed yet, by department and the register's order."""
    return list(
        round_.evaluations.exclude(stage=Stage.DONE)
        .select_related("business__department")
        .order_by("business__department__order", "business__department_id", "business__order")
    )


def close_round(
    round_: EvaluationRound, user: Any, *, version: int | None, unfinished_ok: bool = False
) -> EvaluationRound:
    """Close the round; with sheets not completed only when the 管理者 confirmed closing
    anyway (`unfinished_ok`, the confirmation listed them)."""
    if not can_edit_structure(user, round_.organization):
        raise RoundDenied
    with transaction.atomic():
        current = EvaluationRound.objects.select_for_update().get(pk=round_.pk)
        if version is None or current.version != version:
            raise RoundConflict(
                gettext(
                    "Someone else changed the evaluation round of %(fy)s after you opened the "
                    "page. Check where it stands now and try again."
                )
                % {"fy": fy_label(current.fiscal_year)}
            )
        if current.status == EvaluationRound.Status.CLOSED:
            raise RoundError(
                gettext("The evaluation round of %(fy)s is already closed.")
                % {"fy": fy_label(current.fiscal_year)}
            )
        pending = unfinished(current)
        if pending and not unfinished_ok:
            raise RoundError(
                gettext(
                    "Some evaluations are not completed: %(names)s. Confirm that the round is "
                    "closed with them unfinished."
                )
                % {"names": gettext("、").join(business_label(e.business) for e in pending)}
            )
        current.status = EvaluationRound.Status.CLOSED
        current.version += 1
        current.save(update_fields=["status", "version"])
    round_.status, round_.version = current.status, current.version
    return round_


# --------------------------------------------------------------------------- rotation progress


@dataclass(frozen=True)
class DepartmentProgress:
    """One department's part of a cycle, up to a FY.

    evaluated: its businesses of the cycle whose evaluation is completed in a round of the cycle
    up to the FY; total: its businesses in the cycle (all three years); this_year_done and
    this_year: completed evaluations in the FY itself, and the businesses the rotation places
    in the FY.
    """

    department: Department
    evaluated: int
    total: int
    this_year_done: int
    this_year: int


@dataclass(frozen=True)
class RotationProgress:
    """How far an organization's rotation has come by a FY (see rotation_progress).

    rotation is None when no rotation covers the FY (then rows is empty and every count 0).
    rows: one DepartmentProgress per department that has businesses in the cycle, in the
    organization's department order. evaluated / total: the same over all departments (the
    plan's 評価事務事業数 is `this_year_done`, its target a third of `total`).
    """

    fy: int
    rotation: Rotation | None
    rows: list[DepartmentProgress] = field(default_factory=list)

    @property
    def evaluated(self) -> int:
        return sum(r.evaluated for r in self.rows)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def this_year_done(self) -> int:
        return sum(r.this_year_done for r in self.rows)

    @property
    def this_year(self) -> int:
        return sum(r.this_year for r in self.rows)


def rotation_progress(organization: Organization, fy: int) -> RotationProgress:
    """Per department: businesses of the cycle evaluated so far (completed evaluations in the
    cycle's rounds up to fy) against all the cycle's businesses. One query (the rotation's slots
    with the rotation, each marked with whether its business's evaluation is completed in the
    cycle up to fy, and in fy); a rotation without slots reads the rotation on its own."""
    covering_fy = Rotation.objects.filter(
        organization=organization, first_fy__lte=fy, first_fy__gt=fy - core.CYCLE_YEARS
    ).order_by("first_fy")

    def done(**years) -> Exists:
        return Exists(
            BusinessEvaluation.objects.filter(
                business_id=OuterRef("business_id"),
                round__organization=organization,
                stage=Stage.DONE,
                **years,
            )
        )

    slots = list(
        RotationSlot.objects.filter(rotation_id=Subquery(covering_fy.values("pk")[:1]))
        .select_related("rotation", "business__department")
        .annotate(
            done_any=done(
                round__fiscal_year__gte=OuterRef("rotation__first_fy"), round__fiscal_year__lte=fy
            ),
            done_this_year=done(round__fiscal_year=fy),
        )
        .order_by("business__department__order", "business__department_id")
    )
    rotation = slots[0].rotation if slots else rotation_for(organization, fy)
    if rotation is None:
        return RotationProgress(fy=fy, rotation=None)
    rows: dict[int, dict[str, Any]] = {}
    for slot in slots:
        business = slot.business
        evaluated = slot.done_any
        if not business.active and not evaluated:
            continue  # an ended business leaves the cycle unless it was evaluated in it
        row = rows.setdefault(
            business.department_id,
            {"department": business.department, "evaluated": 0, "total": 0, "y_done": 0, "y": 0},
        )
        row["total"] += 1
        row["evaluated"] += evaluated
        row["y"] += slot.fiscal_year == fy
        row["y_done"] += slot.done_this_year
    return RotationProgress(
        fy=fy,
        rotation=rotation,
        rows=[
            DepartmentProgress(r["department"], r["evaluated"], r["total"], r["y_done"], r["y"])
            for r in rows.values()
        ],
    )
