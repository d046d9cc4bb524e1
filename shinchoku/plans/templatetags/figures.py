"""`{% load figures %}{{ value|in_unit:unit }}`: a value in its indicator's unit, for any page.

The one display of an indicator's figures (rules in `shinchoku.core.figures`): the figure in
the indicator's unit and, where it was reported in another unit, the figure as reported beside
it, e.g. 3,310千円 （報告: 3,310,000円）. Text values come back as typed.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from shinchoku.core.figures import Figure, figure

register = template.Library()


def as_figure(value, unit: str | None) -> Figure | None:
    """An IndicatorValue, a Figure or a text as a Figure in `unit`; None for no value."""
    if value is None:
        return None
    if isinstance(value, Figure):
        return value
    text = getattr(value, "text", value)
    if text is None or not str(text).strip():
        return None
    return figure(str(text), unit or "")


def reported_html(f: Figure) -> SafeString | str:
    """The figure as reported, where it differs: <small class="reported">（報告: …）</small>."""
    if not f.differs:
        return ""
    return format_html(
        '<small class="reported">（{}）</small>',
        gettext("as reported: %(text)s") % {"text": f.text},
    )


@register.filter
def in_unit(value, unit: str | None = "") -> SafeString | str:
    """The value in the indicator's unit, with the figure as reported where it differs."""
    f = as_figure(value, unit)
    if f is None:
        return ""
    return format_html("{}{}", f.shown, reported_html(f))


@register.filter
def in_unit_text(value, unit: str | None = "") -> str:
    """Plain text: 3,310千円（報告: 3,310,000円） (for titles, alerts and alt texts)."""
    f = as_figure(value, unit)
    if f is None:
        return ""
    if not f.differs:
        return f.shown
    return f"{f.shown}（{gettext('as reported: %(text)s') % {'text': f.text}}）"
