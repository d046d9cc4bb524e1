"""`{% load report_cells %}{{ value|cell }}`: a value as written; a plain figure on one line."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shinchoku.core.values import parse_value

register = template.Library()


@register.filter
def cell(value) -> SafeString | str:
    """An IndicatorValue (or text) for a table cell; ― when there is none."""
    if value is None:
        return "―"
    text = str(getattr(value, "text", value)).strip()
    if not text:
        return "―"
    if parse_value(text).is_numeric() and len(text) <= 16:
        return format_html('<span class="nb">{}</span>', text)
    return text
