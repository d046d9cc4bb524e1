r"""`{% load css_string %}"{{ text|css_string }}"`: text inside a CSS string, e.g. `content: "…"`.

`escapejs` writes JavaScript escapes (`\u0026`), which CSS reads as the letter `u` and
digits. CSS escapes are a backslash, the hexadecimal code point and one space (`\26 `), so
`R&D "Plan"` stays `R&D "Plan"` on the page. Letters, digits, spaces and non-ASCII text
(Japanese) stay as they are; every other ASCII character is escaped, so nothing can close the
string, the rule or the style element.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from shinchoku.core.css import css_escape

register = template.Library()


@register.filter
def css_string(value) -> SafeString:
    return mark_safe(css_escape("" if value is None else value))  # escaped above
