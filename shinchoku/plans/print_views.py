"""The printed page's running header: `/print.css?h=…` puts the text in the @page margin box.

Chromium prints neither `string-set` nor custom properties in page margin boxes, and the CSP
forbids inline style, so each page links this small stylesheet (templates/_print_header.html)
with its heading (plan name and FY) in the query. The text is escaped as a CSS string and read
from nowhere else: no database access, nothing to leak.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from shinchoku.core.css import css_escape

MAX_HEADING = 200


@require_safe
def print_css(request: HttpRequest) -> HttpResponse:
    """@page's top-left margin box holding the page's heading, on every printed page."""
    heading = css_escape(request.GET.get("h", "")[:MAX_HEADING])
    css = (
        "@media print { @page { @top-left { content: "
        f'"{heading}"; font-size: 8pt; color: #333; vertical-align: bottom; }} }} }}\n'
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400)
    return response
