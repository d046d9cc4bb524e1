"""The forms of the rotation and round pages, drawn through the partials (components/field.html).

businesses.rotation and businesses.rounds check what is posted; these forms draw the fields with
what was posted (or is stored) and put the service's error on its field or at the form's top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.businesses.models import Business, Stage
from shinchoku.components import DrawnForm
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Department


def _years(fys: Iterable[int]) -> list[tuple[str, str]]:
    return [(str(fy), fy_label(fy)) for fy in fys]


class FirstYearForm(DrawnForm):
    """Which cycle to propose: its first FY (GET)."""

    first_fy = forms.ChoiceField(label=_("First year of the cycle"))

    def __init__(self, data: Mapping, *, fys: Iterable[int], error=None) -> None:
        super().__init__(data, error=error, auto_id="propose-%s")
        self.fields["first_fy"].choices = _years(fys)


def move_field_name(business: Business) -> str:
    return f"fy-{business.pk}"


class MoveForm(DrawnForm):
    """The year of each business of the rotation (one select a row, one save)."""

    def __init__(
        self,
        data: Mapping,
        *,
        businesses: Iterable[Business],
        years: Iterable[int],
        errors: Mapping[str, str] | None = None,
        error=None,
    ) -> None:
        super().__init__(data, error=error, errors=errors, auto_id="move-%s")
        choices = _years(years)
        for b in businesses:
            self.fields[move_field_name(b)] = forms.ChoiceField(
                # The column says 評価年度; the label (visually hidden) names the row's business.
                label=_("Year of evaluation of %(business)s") % {"business": f"{b.code} {b.name}"},
                required=False,
                choices=[("", _("Not assigned")), *choices],
            )


class StartForm(DrawnForm):
    """Which FY's round to start (GET, to its confirmation)."""

    fy = forms.ChoiceField(label=_("Fiscal year of the round"))

    def __init__(self, data: Mapping, *, fys: Iterable[int]) -> None:
        super().__init__(data, auto_id="start-%s")
        self.fields["fy"].choices = _years(fys)


class CloseForm(DrawnForm):
    """Close the round; with evaluations not completed the 管理者 ticks that they know."""

    unfinished_ok = forms.BooleanField(
        label=_("Close the round with these evaluations not completed"), required=False
    )

    def __init__(self, data: Mapping, *, error=None) -> None:
        super().__init__(data, error=error, auto_id="close-%s")


class RoundFilterForm(DrawnForm):
    """The round page's filters (GET): department and stage, each with （すべて）."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    stage = forms.ChoiceField(label=pgettext_lazy("evaluation round", "Stage"), required=False)

    def __init__(self, data: Mapping, *, departments: Iterable[Department]) -> None:
        super().__init__(data, auto_id="filter-%s")
        every = ("", _("(all)"))
        self.fields["department"].choices = [every, *((str(d.pk), d.name) for d in departments)]
        self.fields["stage"].choices = [every, *Stage.choices]
