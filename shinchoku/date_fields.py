"""The one date field of every form: shows and reads 和暦 with the western year.

A date is shown as 令和元年5月31日(2019年5月31日) (core.wareki.date_label, as every page writes
it) and read from the ways people type one: 令和元年5月31日, R1.5.31, 2019-05-31, 2019/5/31
(core.wareki.parse_date). A plain text input: the browser's own date picker writes the western
calendar in the browser's locale (01/31/2019), which is what this replaces.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.core import wareki

HELP = _("e.g. 令和元年5月31日, R1.5.31 or 2019-05-31")


class WarekiDateInput(forms.TextInput):
    """A text input showing its date as 令和元年5月31日(2019年5月31日)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"autocomplete": "off", "size": "28", "class": "wareki-date"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        return date_input_text(value) or None


def date_input_text(value: Any) -> str:
    """The text of a date input: the 和暦 label for a date, what was typed otherwise."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return wareki.date_label(value)
    return "" if value is None else str(value)


class WarekiDateField(forms.DateField):
    """A date typed in 和暦 or in the western calendar (see the module's docstring)."""

    widget = WarekiDateInput
    default_error_messages = {
        "invalid": _("Enter a date such as 令和元年5月31日, R1.5.31 or 2019-05-31."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", HELP)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        day = wareki.parse_date(str(value))
        if day is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day
