"""The register pages' forms, drawn through the partials (components/field.html).

register_services checks the input and raises RegisterError with the field's form name; these
forms only draw the fields with what was posted (or is stored) and put that error on its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.components import DrawnForm
from shinchoku.core.node_names import node_name
from shinchoku.orgs.models import Department
from shinchoku.plans.models import BusinessKind, Node


class BusinessForm(DrawnForm):
    """A business: number, name, department, kind (or a new one), purpose, target, output, items."""

    code = forms.CharField(
        label=_("Business number"),
        help_text=_("The business's key in the register workbook, such as 15 or 総-01."),
        widget=forms.TextInput(attrs={"maxlength": 40, "required": True}),
    )
    name = forms.CharField(
        label=_("Business name"), widget=forms.TextInput(attrs={"maxlength": 300, "required": True})
    )
    department = forms.ChoiceField(label=_("Section in charge"))
    kind = forms.ChoiceField(label=_("Kind of business"), required=False)
    new_kind = forms.CharField(
        label=_("Or a new kind"),
        required=False,
        help_text=_("Added to the organization's list of kinds."),
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target = forms.CharField(
        label=_("Target group"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    output_name = forms.CharField(
        label=_("Output measure"),
        required=False,
        help_text=_("What the business produces, counted each year (相談件数 …)."),
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )
    output_unit = forms.CharField(
        label=_("Output unit"), required=False, widget=forms.TextInput(attrs={"maxlength": 20})
    )
    nodes = forms.MultipleChoiceField(
        label=_("Plan items it carries out"),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    def __init__(
        self,
        data: Mapping,
        *,
        departments: Iterable[Department],
        kinds: Iterable[BusinessKind],
        nodes: Iterable[Node],
        error: Exception | None = None,
    ) -> None:
        super().__init__(data, error=error, auto_id="business-%s")
        self.fields["department"].choices = [("", "―"), *((str(d.pk), d.name) for d in departments)]
        self.fields["kind"].choices = [("", "―"), *((k.name, k.name) for k in kinds)]
        groups: dict[str, list[tuple[str, str]]] = {}
        for n in nodes:
            groups.setdefault(n.plan.title, []).append((str(n.pk), node_name(n.label, n.title)))
        self.fields["nodes"].choices = list(groups.items())


class YearForm(DrawnForm):
    """One FY's figures of a business."""

    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (western year)"),
        widget=forms.NumberInput(attrs={"min": 1900, "max": 2200, "required": True}),
    )
    budget = forms.CharField(label=_("Budget (thousand yen)"), required=False)
    settlement = forms.CharField(label=_("Settlement (thousand yen)"), required=False)
    staff_years = forms.CharField(
        label=_("Person-years"),
        required=False,
        help_text=_("The share of one person's year spent on the business, such as 0.5."),
    )
    output = forms.CharField(label=_("Output"), required=False)

    def __init__(self, data: Mapping, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(data, errors=errors, auto_id="year-%s")
        for name in ("budget", "settlement", "staff_years", "output"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"


class SettingsForm(DrawnForm):
    """The register settings: the cost of one person-year."""

    staff_rate = forms.CharField(
        label=_("Cost of one person-year (thousand yen)"),
        help_text=_("Salary, allowances and social insurance of one full-time person for a year."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "required": True}),
    )

    def __init__(self, data: Mapping, *, error: Exception | None = None) -> None:
        super().__init__(data, error=error, auto_id="settings-%s")


class FilterForm(DrawnForm):
    """The register list's filters (GET): department and kind, each with （すべて）."""

    department = forms.ChoiceField(label=_("Section in charge"), required=False)
    kind = forms.ChoiceField(label=_("Kind of business"), required=False)

    def __init__(self, data: Mapping, *, departments, kinds) -> None:
        super().__init__(data, auto_id="filter-%s")
        every = ("", _("(every one)"))
        self.fields["department"].choices = [every, *((str(d.pk), d.name) for d in departments)]
        self.fields["kind"].choices = [every, *((str(k.pk), k.name) for k in kinds)]


class UploadForm(DrawnForm):
    file = forms.FileField(
        label=_("Register workbook (.xlsx)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "required": True,
            }
        ),
    )

    def __init__(self, data: Mapping | None = None, *, error: Exception | None = None) -> None:
        super().__init__(data, error=error, auto_id="register-%s")
