"""The three stages of an evaluation sheet: 自己評価 → 課長評価 → 事務局長の総合評価.

Every change is one transaction with the sheet's row locked and the version the form was loaded
with checked (SheetConflict when it changed since). Who may act is asked here too, so that no
caller can skip it (SheetDenied); wrong input is refused with a Japanese message naming the field
(SheetError); in every case nothing is stored.

- 自己評価 (stage self): the department's staff (can_report) or the 管理者 fill in the texts and
  the self judgement; submitted (judgement and reason required) it goes to the chief.
- 課長評価 (stage chief): an approver covering the department (or the 管理者) signs it on to the
  director, or sends it back to self with the reason.
- 総合評価 (stage director): the 管理者 (事務局長) signs it off (done), or sends it back to chief.
A stage's fields are locked once the next stage has started; a done sheet is read-only. Done, the
director's judgement is the business's 方向性: it is written into the business's next FY.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from shinchoku.accounts.permissions import (
    can_approve,
    can_edit_structure,
    can_report,
    can_see_drafts,
)
from shinchoku.businesses.models import (
    BusinessEvaluation,
    BusinessYear,
    EvaluationRound,
    Judgement,
    Stage,
)
from shinchoku.core import business_cost
from shinchoku.core import evaluation_stages as stages

MAX_TEXT = 4000
TEXTS = ("purpose_target", "activity", "outcome", "issues")
FIELD_NAMES = {
    "purpose_target": pgettext_lazy("evaluation field", "Purpose and target group"),
    "activity": pgettext_lazy("evaluation field", "Activities and figures"),
    "outcome": pgettext_lazy("evaluation field", "Outcomes"),
    "issues": pgettext_lazy("evaluation field", "Issues"),
    "judgement": pgettext_lazy("evaluation field", "Judgement"),
    "reason": pgettext_lazy("evaluation field", "Reasons"),
    "returned_reason": pgettext_lazy("evaluation field", "Reason for sending it back"),
}


class SheetError(Exception):
    """Wrong input; the message names the field (`field` is its form name). `errors` holds
    every wrong field's message ({form name: message}) when several were checked at once."""

    def __init__(self, field: str, message: str, errors: dict[str, str] | None = None):
        self.field = field
        self.message = message
        self.errors = errors or ({field: message} if field else {})
        super().__init__(f"{FIELD_NAMES[field]}: {message}" if field in FIELD_NAMES else message)


class SheetConflict(SheetError):
    """The sheet changed since the form was loaded, or its stage has moved on."""

    def __init__(self, message: str):
        super().__init__("", message)


class SheetDenied(SheetError):
    """The user may not make this change."""

    def __init__(self):
        super().__init__("", gettext("You are not allowed to do this."))


# --------------------------------------------------------------------------- who may do what


def may_act(user: Any, evaluation: BusinessEvaluation, stage: str) -> bool:
    """May sign (or fill in, or send back) this stage of the sheet, whatever stage it is at."""
    organization = evaluation.round.organization
    department = evaluation.business.department
    if stage == Stage.SELF:
        return can_report(user, organization, department)
    if stage == Stage.CHIEF:
        return can_approve(user, organization, department)
    if stage == Stage.DIRECTOR:
        return can_edit_structure(user, organization)
    return False


def may_read_texts(user: Any, evaluation: BusinessEvaluation) -> bool:
    """A completed sheet is read by every member; an unfinished one by its department's staff
    and approvers and the 管理者 (the others see its stage only)."""
    if evaluation.stage == Stage.DONE:
        return True
    return can_see_drafts(user, evaluation.round.organization, evaluation.business.department)


# --------------------------------------------------------------------------- input


def _text(field: str, value: Any, *, required: bool = False) -> str:
    value = str(value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise SheetError(field, gettext("Fill this in."))
    if len(value) > MAX_TEXT:
        raise SheetError(
            field,
            gettext("Enter at most %(max)s characters (now %(n)s).")
            % {"max": MAX_TEXT, "n": len(value)},
        )
    return value


def _judgement(value: Any, *, required: bool) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    if value not in Judgement.values:
        raise SheetError(
            "judgement",
            gettext("Choose one of: %(choices)s.")
            % {"choices": "、".join(str(label) for label in Judgement.labels)},
        )
    return value


# --------------------------------------------------------------------------- the changes


def _locked(evaluation: BusinessEvaluation, version: int | None, stage: str) -> BusinessEvaluation:
    """The sheet under its row lock, at `stage`, in an open round, with the version expected."""
    current = (
        BusinessEvaluation.objects.select_for_update(of=("self",))
        .select_related("round__organization", "business__department")
        .get(pk=evaluation.pk)
    )
    if current.round.status != EvaluationRound.Status.OPEN:
        raise SheetConflict(
            gettext("This evaluation round is closed. Nothing on its sheets can be changed.")
        )
    if current.stage == Stage.DONE:
        raise SheetConflict(
            gettext("This evaluation is completed. Nothing on it can be changed any more.")
        )
    if not stages.changeable(stage, current.stage, round_open=True):
        raise SheetConflict(
            gettext(
                "This sheet is now at the stage 「%(now)s」, so 「%(stage)s」 can no longer be "
                "changed. Reload the page to see where it stands."
            )
            % {"now": Stage(current.stage).label, "stage": Stage(stage).label}
        )
    if version is None or current.version != version:
        raise SheetConflict(
            gettext(
                "Someone else changed this sheet after you opened the page. Check what it says "
                "now and enter your changes again."
            )
        )
    return current


def _save(current: BusinessEvaluation, new: dict[str, Any]) -> BusinessEvaluation:
    for name, value in new.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    return current


def save_stage(
    evaluation: BusinessEvaluation,
    stage: str,
    *,
    user: Any,
    version: int | None,
    judgement: Any = "",
    reason: Any = "",
    texts: dict[str, Any] | None = None,
    sign: bool = False,
) -> BusinessEvaluation:
    """Save the stage's judgement and reasons (and, at self, the sheet's texts); `sign` hands
    the sheet on to the next stage (the judgement and reasons are then required)."""
    with transaction.atomic():
        current = _locked(evaluation, version, stage)
        if not may_act(user, current, stage):
            raise SheetDenied
        new: dict[str, Any] = {}
        errors: dict[str, str] = {}

        def checked(name: str, check, *args, **kwargs) -> Any:
            try:
                return check(*args, **kwargs)
            except SheetError as e:
                errors[e.field] = e.message
                return ""

        if stage == Stage.SELF:
            texts = texts or {}
            for name in TEXTS:
                new[name] = checked(name, _text, name, texts.get(name, ""))
        new[f"{stage}_judgement"] = checked("judgement", _judgement, judgement, required=sign)
        new[f"{stage}_reason"] = checked("reason", _text, "reason", reason, required=sign)
        if errors:
            field, message = next(iter(errors.items()))
            raise SheetError(field, message, errors)
        if sign:
            new[f"{stage}_by"] = user if getattr(user, "is_authenticated", False) else None
            new[f"{stage}_at"] = timezone.now()
            new["stage"] = stages.next_stage(stage)
            new["returned_reason"] = ""
        current = _save(current, new)
        if current.stage == Stage.DONE:
            carry_direction(current)
        return current


def send_back(
    evaluation: BusinessEvaluation, stage: str, *, user: Any, version: int | None, reason: Any
) -> BusinessEvaluation:
    """Send the sheet at `stage` (chief or director) back to the stage before, with the reason;
    that stage is no longer signed."""
    back = stages.previous_stage(stage)
    if back is None:
        raise SheetDenied
    with transaction.atomic():
        current = _locked(evaluation, version, stage)
        if not may_act(user, current, stage):
            raise SheetDenied
        return _save(
            current,
            {
                "returned_reason": _text("returned_reason", reason, required=True),
                "stage": back,
                f"{back}_by": None,
                f"{back}_at": None,
            },
        )


def carry_direction(evaluation: BusinessEvaluation) -> BusinessYear:
    """Write the completed sheet's 方向性 into the business's next FY (the row made if missing).

    廃止 is carried like any other judgement: ending the business is the register's decision.
    """
    year, _created = BusinessYear.objects.get_or_create(
        business=evaluation.business, fiscal_year=evaluation.round.fiscal_year + 1
    )
    if year.direction != evaluation.director_judgement:
        year.direction = evaluation.director_judgement
        year.save(update_fields=["direction"])
    return year


# --------------------------------------------------------------------------- full cost


@dataclass(frozen=True)
class Cost:
    """A business's cost in one FY (千円): 事業費 (settlement), 人件費 and their sum."""

    settlement: Decimal | None
    staff: Decimal | None
    full: Decimal | None
    per_output: Decimal | None


def cost_of(
    settlement: Decimal | None,
    staff_years: Decimal | None,
    staff_rate: Decimal,
    output: Decimal | None = None,
) -> Cost:
    """The FY's 人件費, フルコスト and unit cost by the register's rules (core.business_cost)."""
    full = business_cost.full_cost(settlement, staff_years, staff_rate)
    return Cost(
        settlement,
        business_cost.staff_cost(staff_years, staff_rate),
        full,
        business_cost.unit_cost(full, output),
    )
