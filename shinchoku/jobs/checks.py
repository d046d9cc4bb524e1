"""System checks of the background work's settings (run by `shinchoku check` and every command)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from shinchoku.core.schedule import parse_hhmm


@register()
def daily_settings(app_configs=None, **kwargs) -> list[Error]:
    errors: list[Error] = []
    try:
        parse_hhmm(settings.SHINCHOKU_DAILY_AT)
    except (ValueError, AttributeError):
        errors.append(
            Error(
                f"SHINCHOKU_DAILY_AT={settings.SHINCHOKU_DAILY_AT!r} is not a time of day.",
                hint="Write it as HH:MM in Japan time, e.g. 08:00.",
                id="shinchoku_jobs.E001",
            )
        )
    for path in settings.SHINCHOKU_DAILY_JOBS:
        try:
            job = import_string(path)
        except ImportError as e:
            job, reason = None, str(e)
        else:
            reason = "" if callable(job) else "not callable"
        if reason:
            errors.append(
                Error(
                    f"SHINCHOKU_DAILY_JOBS: {path!r} cannot be run ({reason}).",
                    hint="Give the dotted path of a function f(day) in settings.py.",
                    id="shinchoku_jobs.E002",
                )
            )
    return errors
