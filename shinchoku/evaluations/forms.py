"""「次期計画を作る」's fields, drawn through the partials (components/field.html).

evaluations.succession checks them (SuccessionError.errors, by field: slug, title, period); this
form draws what was posted with each message on its field. What continues (the tree of check
boxes) stays in the template: one box per record, named node, expanded, content and indicator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.components import DrawnForm


class NextPlanForm(DrawnForm):
    """The next plan's ID, name and period."""

    slug = forms.CharField(
        label=_("Plan ID"),
        max_length=100,
        help_text=_("Lower-case letters, digits and hyphens; used in addresses and files."),
    )
    title = forms.CharField(label=_("Plan name"), max_length=300)
    first_fy = forms.ChoiceField(label=_("Starts in"))
    last_fy = forms.ChoiceField(label=_("Ends in"))

    def __init__(
        self, values: Mapping, *, years: Iterable[tuple[int, str]], errors: Mapping[str, str]
    ) -> None:
        data = {k: "" if v is None else str(v) for k, v in values.items()}
        # The period's message stands on its first year; an error of no field stays at the top
        # of the page (next_plan.html), not in this form.
        placed = {k: v for k, v in errors.items() if k in ("slug", "title")}
        if errors.get("period"):
            placed["first_fy"] = errors["period"]
        super().__init__(data, errors=placed)
        choices = [(str(fy), label) for fy, label in years]
        self.fields["first_fy"].choices = self.fields["last_fy"].choices = choices
