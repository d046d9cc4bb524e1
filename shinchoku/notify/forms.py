"""The reminder days of a round, as the round-opening forms ask them ("7,3,1")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinchoku.core.reminders import (
    DEFAULT_REMINDER_DAYS,
    MAX_REMINDER_DAY,
    MAX_REMINDERS,
    ReminderDaysError,
    format_reminder_days,
    parse_reminder_days,
)


class ReminderDaysField(forms.CharField):
    """Days before the deadline, comma-separated; cleaned to a list of ints, largest first."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Reminder days before the deadline"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", format_reminder_days(DEFAULT_REMINDER_DAYS))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Departments that have not submitted get a reminder this many days before the "
                "deadline, e.g. 7,3,1. Leave it empty for none. After the deadline a reminder "
                "goes out every day."
            ),
        )
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "aria-describedby": "id_reminder_days-help"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None:  # not in the form at all (an older page, a script): the default days
            return list(DEFAULT_REMINDER_DAYS)
        text = super().to_python(value)
        try:
            return parse_reminder_days(text)
        except ReminderDaysError as e:
            if e.reason == "not_a_number":
                message = _(
                    "「%(value)s」 is not a number of days. Write whole numbers separated by "
                    "commas, e.g. 7,3,1."
                ) % {"value": e.value}
            elif e.reason == "out_of_range":
                message = _(
                    "「%(value)s」 is out of range. Each day must be from 1 to %(max)s."
                ) % {"value": e.value, "max": MAX_REMINDER_DAY}
            else:
                message = _("Write at most %(max)s days.") % {"max": MAX_REMINDERS}
            raise forms.ValidationError(message, code="reminder_days") from None

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return format_reminder_days(value)
        return value
