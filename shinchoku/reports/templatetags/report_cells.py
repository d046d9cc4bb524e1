"""`{% load report_cells %}{{ value|cell:unit }}`: a value in its indicator's unit for a table
cell; a plain figure on one line, the figure as reported (when in another unit) under it."""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shinchoku.core.figures import REPORTED, figure

register = template.Library()

# A plain figure kept on one line: a sign, digits with separators, and a short unit (1,900人,
# 3,310千円, △12.5%). Anything else (年1回(年4~6回), 次期計画による) wraps inside its cell.
PLAIN_FIGURE = re.compile(r"[△▲+\-−]?[\d,.]+ ?[^\d\s()（）]{0,3}")


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
    if PLAIN_FIGURE.fullmatch(text) and len(text) <= 12:
        return format_html('<span class="nb">{}</span>{}', text, reported)
    return format_html("{}{}", text, reported)
