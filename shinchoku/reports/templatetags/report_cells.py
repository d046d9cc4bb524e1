"""`{% load report_cells %}{{ value|cell:unit }}`: a value in its indicator's unit for a table
cell; a plain figure on one line, the figure as reported (when in another unit) under it."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shinchoku.core.figures import REPORTED, figure
from shinchoku.core.values import parse_value

register = template.Library()


@register.filter
def cell(value, unit: str | None = None) -> SafeString | str:
    """An IndicatorValue (or text) for a table cell; ― when there is none.

    With the indicator's unit, the figure is shown in it (core.figures): 3,310千円 with
    （報告: 3,310,000円） under it when it was reported in another unit.
    """
    if value is None:
        return "―"
    text = str(getattr(value, "text", value)).strip()
    if not text:
        return "―"
    reported = ""
    if unit is not None:
        f = figure(text, unit)
        text = f.shown
        if f.differs:  # 報告: and the figure break apart, never inside the figure
            reported = format_html(
                '<br><small class="reported">（{}: <span class="nb">{}</span>）</small>',
                REPORTED,
                f.text,
            )
    if parse_value(text).is_numeric() and len(text) <= 16:
        return format_html('<span class="nb">{}</span>{}', text, reported)
    return format_html("{}{}", text, reported)
