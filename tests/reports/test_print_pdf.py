"""Issue 16: the committee report's PDF laid out with less work, and still the same document.

The charts' SVG is simplified for print (reports.print_svg), SVG texts are laid out whole, the
page uses its own user-agent and print stylesheets, and the cyclic collector waits during the
layout (reports.pdf). What the reader sees must not change: the chart texts where they were,
every label in the PDF, the outline of the headings.
"""

from __future__ import annotations

import base64
import gc
import io
import re

import pytest
from pypdf import PdfReader

from shinchoku.plans.models import Plan
from shinchoku.reports.pdf import html_to_pdf, layout, report_html, write
from shinchoku.reports.print_svg import print_svg, text_width
from shinchoku.reports.report import committee_report

from .conftest import CITY, pdf_pages

pytestmark = pytest.mark.django_db

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="200" height="100" '
    'aria-label="推移" font-size="11"><title>推移</title><desc>説明</desc>'
    '<defs><pattern id="p-used" width="6" height="6"><rect width="6" height="6"/></pattern>'
    '<pattern id="p-unused" width="6" height="6"><rect width="6" height="6"/></pattern></defs>'
    '<line x1="0" x2="100" y1="10" y2="10" stroke="#d0d0d0"/>'
    '<line x1="0" x2="100" y1="20" y2="20" stroke="#d0d0d0"/>'
    '<rect x="1" y="1" width="5" height="5" fill="url(#p-used)"><title>現状値</title></rect>'
    '<text x="100" y="50" text-anchor="middle" fill="#1a1a1a">令和元</text>'
    '<text x="100" y="70" text-anchor="end" font-size="10">(2019)</text>'
    '<text x="10" y="90">単位: 件</text></svg>'
)


def test_print_svg_starts_centred_texts_where_they_begin_and_drops_what_is_not_drawn():
    out = print_svg(SVG)
    assert "<title>" not in out and "<desc>" not in out and "p-unused" not in out
    assert 'id="p-used"' in out and 'xmlns="http://www.w3.org/2000/svg"' in out
    assert 'text-anchor="middle"' not in out and 'text-anchor="end"' not in out
    width = text_width("令和元", 11)
    assert width == pytest.approx(33, abs=0.5)  # three full-width characters at 11 px
    start = float(re.search(r'<text x="([\d.]+)" y="50"', out).group(1))
    assert start == pytest.approx(100 - width / 2, abs=0.01)
    start = float(re.search(r'<text x="([\d.]+)" y="70"', out).group(1))
    assert start == pytest.approx(100 - text_width("(2019)", 10), abs=0.01)
    assert '<text x="10" y="90">単位: 件</text>' in out
    # The two grid lines of one style: one path, stroked and not filled.
    assert out.count("<line") == 0 and 'd="M0 10L100 10M0 20L100 20"' in out


def test_a_text_the_font_cannot_draw_keeps_its_anchor():
    svg = SVG.replace("令和元", "\U0001f600")
    assert 'text-anchor="middle"' in print_svg(svg)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = committee_report(Plan.objects.get(slug=CITY), 2019)
        html = report_html(report)
        return html, html_to_pdf(html)


def test_every_chart_label_is_in_the_pdf_and_the_headings_make_its_outline(city):
    html, pdf = city
    charts = [
        base64.b64decode(m).decode()
        for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    assert charts and all("<title>" not in c and 'text-anchor="middle"' not in c for c in charts)
    text = "".join(pdf_pages(pdf))
    for label in ("現状値", "実績", "目標", "単位:", "令和元", "(2019)", "平成30"):
        assert label in text, label
    reader = PdfReader(io.BytesIO(pdf))
    titles = [o.title for o in flat(reader.outline)]
    assert "進捗状況報告" in titles[0]  # h1, then the h2s under it (the print UA sheet's levels)
    assert any(t.startswith("基本目標") for t in titles[1:])


def flat(outline) -> list:
    return [x for o in outline for x in (flat(o) if isinstance(o, list) else [o])]


def test_the_collector_is_back_on_after_the_layout_and_the_writing(city):
    html, _pdf = city
    assert 'data-ua="print"' in html[:200]
    document = layout(html)
    assert gc.isenabled()
    assert write(document)[:5] == b"%PDF-" and gc.isenabled()
