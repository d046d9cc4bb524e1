"""`{% tableframe label [long] [stick=N] %}<table>…</table>{% endtableframe %}`: a table's frame.

The one frame every wide table is put in (indicators, roadmap, sheets, years, the committee report,
the round board): the table scrolls sideways inside it instead of being cut or widening the page,
and the frame is a labelled region that takes the keyboard focus, so it can be scrolled with the
arrow keys. `long` keeps the header row in view while the rows scroll (the frame gets a height):
`long` alone, a condition, or the rows themselves (long when there are more than LONG_ROWS);
`stick=N` keeps the first N columns (0, 1 or 2; 1 by default) in view while the frame scrolls
sideways; `class="…"` adds the page's own class. The CSS is in app.css, block "Tables that fit".
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from shinchoku.html_out import LONG_ROWS, frame

register = template.Library()


def _is_long(value) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, int):
        return value > LONG_ROWS
    try:
        return len(value) > LONG_ROWS
    except TypeError:
        return bool(value)


class TableFrameNode(template.Node):
    def __init__(self, nodelist, label, long, stick, extra) -> None:
        self.nodelist = nodelist
        self.extra = extra
        self.label = label
        self.long = long
        self.stick = stick

    def render(self, context) -> str:
        long = self.long is not None and _is_long(self.long.resolve(context))
        stick = int(self.stick.resolve(context) or 0) if self.stick is not None else 1
        extra = str(self.extra.resolve(context)) if self.extra is not None else ""
        label = conditional_escape(self.label.resolve(context))
        return mark_safe(
            frame(label, self.nodelist.render(context), long=long, stick=stick, extra=extra)
        )


@register.tag
def tableframe(parser, token):
    """Frame a wide table: `{% tableframe label long=rows stick=1 %}…{% endtableframe %}`."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("tableframe needs a label")
    label = parser.compile_filter(bits[1])
    long = stick = extra = None
    for bit in bits[2:]:
        name, sep, value = bit.partition("=")
        if name == "long" and sep:
            long = parser.compile_filter(value)
        elif name == "long":
            long = parser.compile_filter("True")
        elif name == "stick" and sep:
            stick = parser.compile_filter(value)
        elif name == "class" and sep:
            extra = parser.compile_filter(value)
        else:
            raise template.TemplateSyntaxError(f"tableframe: unknown option {bit!r}")
    nodelist = parser.parse(("endtableframe",))
    parser.delete_first_token()
    return TableFrameNode(nodelist, label, long, stick, extra)
