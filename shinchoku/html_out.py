"""What the template engine prints, for the pages' rows written in Python (issue 16).

The item page, the progress view, the dashboard and the committee report write their repeated
rows in Python (plans/item_html.py, rounds/item_progress_html.py, rounds/progress_html.py,
reports/report_html.py), each byte for byte what the template it stands for prints. These are
the pieces they share: `{{ value }}`, `{{ value|default:"―" }}` and `{% tableframe %}`.
"""

from __future__ import annotations

import html

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

DASH = "―"  # what `|default:"―"` prints for an empty value
LONG_ROWS = 10  # a frame keeps its header row in view from this many rows on


def e(value) -> str:
    """What `{{ value }}` prints (None as "None", like the template): conditional_escape,
    without its lazy-text check for the plain texts and numbers of the rows."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is SafeString or kind is int:
        return str(value)
    return conditional_escape(value)


def or_dash(value) -> str:
    """`{{ value|default:"―" }}`."""
    return e(value) if value else DASH


def frame_open(label: str, *, long: bool = False, stick: int = 1, extra: str = "") -> str:
    """The opening tag of `{% tableframe label [long] [stick=N] [class=extra] %}` (the label as
    HTML already, escaped): a labelled, focusable frame in which a wide table scrolls sideways
    (app.css, block "Tables that fit"); `long` keeps its header row in view."""
    classes = "table-frame"
    if long:
        classes += " table-frame-long"
    if stick:
        classes += f" stick-{int(stick)}"
    if extra:
        classes += f" {extra}"
    return f'<div class="{e(classes)}" tabindex="0" role="region" aria-label="{label}">'


def frame(label: str, table: str, *, long: bool = False, stick: int = 1, extra: str = "") -> str:
    """`{% tableframe … %}table{% endtableframe %}`, the table as HTML already."""
    return f"{frame_open(label, long=long, stick=stick, extra=extra)}{table}</div>"
