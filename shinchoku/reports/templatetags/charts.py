"""Chart tags: `{% load charts %}{% indicator_chart ip %}`, `{% bands_chart rows names title %}`.

Each tag renders a <figure> with the SVG chart (its own text alternative) and the data table
beside it; `shinchoku.reports.charts` holds the drawing and documents the API.
"""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import SafeString, mark_safe

from shinchoku.reports import charts

register = template.Library()
_esc = html.escape  # what django.utils.html.escape prints for a text


def _figure(svg: str, table: str, caption: str, css: str) -> SafeString:
    return mark_safe(
        f'<figure class="chart-figure {css}"><figcaption>{_esc(str(caption))}</figcaption>'
        f'<div class="chart-body">{svg}{table}</div></figure>'
    )


@register.simple_tag
def indicator_chart(ip, table: bool = True, forecast=None) -> SafeString:
    """The indicator's chart (baseline, actuals, targets; the forecast when given, dashed) with
    its data table: `{% indicator_chart ip False forecast %}`."""
    svg, data = charts.indicator_chart_parts(ip, forecast, table)
    return _figure(svg, data, ip.indicator.name, "indicator-chart")


@register.simple_tag
def bands_chart(tally_rows, band_names, title: str, table: bool = True) -> SafeString:
    """One stacked bar of bands (e.g. `goal.tally.rows`) with its data table."""
    rows = list(tally_rows() if callable(tally_rows) else tally_rows)
    svg = charts.bands_chart_svg(rows, list(band_names), str(title))
    data = charts.bands_chart_table([("", rows)], list(band_names), str(title)) if table else ""
    return _figure(svg, data, str(title), "bands-chart")


@register.simple_tag
def goals_bands_chart(rows, band_names, title: str, table: bool = True) -> SafeString:
    """One stacked bar per goal: rows are (label, tally rows) pairs."""
    rows = [(str(label), list(t() if callable(t) else t)) for label, t in rows]
    svg = charts.goals_bands_chart_svg(rows, list(band_names), str(title))
    data = charts.bands_chart_table(rows, list(band_names), str(title)) if table else ""
    return _figure(svg, data, str(title), "bands-chart")
