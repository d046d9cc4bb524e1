"""`{% load years %}{{ value|figure_in:unit }}`: a figure in its indicator's unit, with the note
of the figure as reported where that differs. Negative figures carry △ (core.signed, through
`Figure.shown`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from shinchoku.plans.templatetags.figures import as_figure, reported_html

register = template.Library()


@register.filter
def figure_in(value, unit: str | None = "") -> SafeString | str:
    f = as_figure(value, unit)
    if f is None:
        return ""
    return format_html("{}{}", f.shown, reported_html(f))
