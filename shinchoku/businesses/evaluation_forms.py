"""The evaluation sheet's forms, drawn through the partials (components/field.html).

businesses.evaluation checks the input and raises SheetError with the field's form name; these
forms only draw the fields with what was posted (or is stored) and put that error on its field.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.businesses.evaluation import FIELD_NAMES
from shinchoku.businesses.models import BusinessEvaluation, Judgement, Stage
from shinchoku.components import DrawnForm


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class JudgementForm(DrawnForm):
    """A stage's judgement (拡充 … 廃止) and its reasons."""

    judgement = forms.ChoiceField(label=FIELD_NAMES["judgement"], required=False)
    reason = forms.CharField(
        label=FIELD_NAMES["reason"],
        required=False,
        widget=_area(4),
        help_text=_("The judgement and its reasons are required to hand the sheet on."),
    )

    def __init__(self, data: Mapping, *, stage: str, error: Exception | None = None) -> None:
        errors = getattr(error, "errors", None)
        if errors:  # every wrong field at once, each on its field
            super().__init__(data, errors=errors, auto_id=f"{stage}-%s")
        else:
            super().__init__(data, error=error, auto_id=f"{stage}-%s")
        self.fields["judgement"].choices = [("", _("(choose)")), *Judgement.choices]


class SelfForm(JudgementForm):
    """The sheet's four texts, then the self-evaluation's judgement and reasons."""

    purpose_target = forms.CharField(
        label=FIELD_NAMES["purpose_target"], required=False, widget=_area(3)
    )
    activity = forms.CharField(label=FIELD_NAMES["activity"], required=False, widget=_area(4))
    outcome = forms.CharField(label=FIELD_NAMES["outcome"], required=False, widget=_area(4))
    issues = forms.CharField(label=FIELD_NAMES["issues"], required=False, widget=_area(4))

    field_order = ["purpose_target", "activity", "outcome", "issues", "judgement", "reason"]


class ReturnForm(DrawnForm):
    """Send the sheet back to the stage before, with the reason (required)."""

    returned_reason = forms.CharField(
        label=FIELD_NAMES["returned_reason"],
        required=False,
        widget=_area(3),
        help_text=_("Shown on the sheet to the stage it goes back to."),
    )

    def __init__(self, data: Mapping, *, stage: str, error: Exception | None = None) -> None:
        super().__init__(data, error=error, auto_id=f"{stage}-return-%s")


def stage_forms(
    evaluation: BusinessEvaluation,
    stage: str,
    *,
    posted: Mapping | None = None,
    error: Exception | None = None,
    returning: bool = False,
) -> dict:
    """The forms of the stage being worked on: its judgement (with the texts at self) and, at
    chief and director, sending it back; the error goes to the form that was posted."""
    values = {
        "judgement": getattr(evaluation, f"{stage}_judgement"),
        "reason": getattr(evaluation, f"{stage}_reason"),
    }
    if stage == Stage.SELF:
        values.update({name: getattr(evaluation, name) for name in SelfForm.field_order[:4]})
    back_values = {"returned_reason": ""}
    if posted is not None and returning:
        back_values = {"returned_reason": posted.get("returned_reason", "")}
    elif posted is not None:
        values = {name: posted.get(name, "") for name in values}
    form_class = SelfForm if stage == Stage.SELF else JudgementForm
    found = {"form": form_class(values, stage=stage, error=None if returning else error)}
    if stage != Stage.SELF:
        found["return_form"] = ReturnForm(
            back_values, stage=stage, error=error if returning else None
        )
    return found
