"""The PDF's running header shows a plan title with quotes and ampersands as written."""

from __future__ import annotations

import re

from shinchoku.plans.models import Plan
from shinchoku.reports.pdf import html_to_pdf, report_html
from shinchoku.reports.report import committee_report
from shinchoku.reports.templatetags.css_string import css_escape

from .conftest import CITY, pdf_pages

TITLE = 'R&D "Plan" \\ </style> 計画'


def test_css_escape_writes_css_escapes_and_keeps_japanese():
    assert css_escape('R&D "Plan"') == "R\\26 D \\22 Plan\\22 "
    assert css_escape("地域福祉計画 2019") == "地域福祉計画 2019"
    assert "<" not in css_escape("</style>") and "\n" not in css_escape("a\nb")


def test_the_running_header_shows_the_title_as_written(db):
    plan = Plan.objects.get(slug=CITY)
    plan.title = TITLE
    plan.save(update_fields=["title"])
    html = report_html(committee_report(plan, 2019))
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "u0026" not in style and "u0022" not in style
    assert "@bottom-center" in style  # the title did not end the style element
    # Lay out only the page frame (the header is the same on every page) to keep this fast.
    head, _body = html.split('<body class="report">', 1)
    pages = pdf_pages(html_to_pdf(head + "<body><p>本文</p></body></html>"))
    expected = re.sub(r"\s+", "", TITLE)
    assert expected in pages[0].replace("\n", ""), pages[0]
