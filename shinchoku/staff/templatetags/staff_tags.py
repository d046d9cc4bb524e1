from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from shinchoku.plans.templatetags.shinchoku import wareki_date

register = template.Library()


@register.filter
def wareki_datetime(value: datetime | None) -> str:
    """A moment in local time: 和暦 date (western year) and HH:MM."""
    if value is None:
        return "―"
    local = timezone.localtime(value)
    return f"{wareki_date(local.date())} {local:%H:%M}"
