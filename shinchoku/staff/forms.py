from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.accounts.models import Role
from shinchoku.date_fields import WarekiDateField
from shinchoku.orgs.models import Department, Organization


class DepartmentChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


def _departments(organization: Organization) -> DepartmentChoices:
    return DepartmentChoices(
        queryset=Department.objects.filter(organization=organization).select_related("parent"),
        required=False,
        label=_("Departments"),
    )


class PersonForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=150,
        error_messages={"required": _("Enter the name.")},
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        error_messages={
            "required": _(
                "Enter the e-mail address: the invitation and password resets are sent there."
            ),
            "invalid": _("This is not a valid e-mail address. Enter it as name@example.jp."),
        },
    )
    username = forms.CharField(
        label=_("Login ID"),
        max_length=150,
        required=False,
        error_messages={"required": _("Enter the login ID.")},
        help_text=_("Left empty, the e-mail address is the login ID."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)

    def __init__(self, *args, organization: Organization, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"] = _departments(organization)
        if editing:
            self.fields["username"].required = True
            self.fields["username"].help_text = ""
            self.fields["email"].required = False
            self.fields["email"].help_text = _(
                "Without an address the person cannot reset a forgotten password."
            )
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransferForm(forms.Form):
    effective = WarekiDateField(
        label=_("Effective date"),
        error_messages={"required": _("Enter the effective date of the transfer.")},
    )
    role = forms.ChoiceField(
        label=_("Role from that date"),
        choices=[("", _("No change")), *Role.choices],
        required=False,
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"] = _departments(organization)
        self.fields["departments"].label = _("Departments from that date")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Staff list (.xlsx)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
