"""`{% load years %}{{ value|figure_in:unit }}`: `figures.in_unit` with the documents' △.

A figure typed with a minus sign (-5件) is shown as the plan's documents write it (△5件), the
convention `core.values` uses for every figure it writes itself.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shinchoku.plans.templatetags.figures import as_figure, reported_html

register = template.Library()
_MINUS = re.compile(r"^(\D*?)[-−－]\s*(?=\d)")


def triangle(text: str) -> str:
    """-5件 → △5件, 前年比-3% → 前年比△3%; other texts unchanged."""
    return _MINUS.sub(r"\1△", text, count=1)


@register.filter
def figure_in(value, unit: str | None = "") -> SafeString | str:
    f = as_figure(value, unit)
    if f is None:
        return ""
    return format_html("{}{}", triangle(f.shown), reported_html(f))
