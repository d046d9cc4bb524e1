"""The committee report as PDF: the report's HTML laid out by WeasyPrint on A4 landscape.

IPAexGothic (vendored in `fonts/`, IPA Font License) is embedded as a subset; the table
headers repeat on every page, and every page carries the plan, the FY and "page / pages".

Laying it out is the slow part (issue 16: ≤ 2 s). The report's charts go to WeasyPrint as images
(`charts_as_images`): the same SVG, drawn the same, but parsed by the SVG reader instead of
becoming hundreds of HTML elements that the CSS cascade and the box builder walk one by one, and
made cheaper to draw (`print_svg`). The page's print rules are `print/report.css` and its
user-agent sheet `print/ua.css` (only what the report uses), every table has fixed columns, and
the cyclic garbage collector waits while WeasyPrint works (see README "Committee report PDF").
"""

from __future__ import annotations

import base64
import functools
import gc
import hashlib
import re
from contextlib import contextmanager
from pathlib import Path

from django.template.loader import render_to_string

from shinchoku.core.css import css_escape
from shinchoku.reports.print_svg import print_svg
from shinchoku.reports.report import CommitteeReport

HERE = Path(__file__).resolve().parent
FONT_PATH = HERE / "fonts" / "ipaexg.ttf"
PRINT_CSS = HERE / "print" / "report.css"  # the report's print rules (not app.css: see its head)
PRINT_UA_CSS = HERE / "print" / "ua.css"


_SVG = re.compile(r"<svg\b[^>]*>.*?</svg>", re.S)
_ATTR = re.compile(r'\s(width|height|aria-label)="([^"]*)"')
SVG_DATA = "data:image/svg+xml;base64,"


def _svg_image(match: re.Match) -> str:
    svg = match.group(0)
    attrs = dict(_ATTR.findall(svg[: svg.index(">")]))
    data = base64.b64encode(print_svg(svg).encode("utf-8")).decode("ascii")
    # The label is already escaped for an attribute (charts.py escapes every text).
    return (
        f'<img class="chart" src="{SVG_DATA}{data}" width="{attrs.get("width", "")}" '
        f'height="{attrs.get("height", "")}" alt="{attrs.get("aria-label", "")}">'
    )


def charts_as_images(html: str) -> str:
    """Every inline <svg> chart of the HTML as an <img> of the same SVG (a data: URL), drawn
    with less work for WeasyPrint (`print_svg`)."""
    return _SVG.sub(_svg_image, html)


def _html(report: CommitteeReport) -> str:
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "font_url": FONT_PATH.as_uri(),
            "css": PRINT_CSS.read_text(encoding="utf-8"),
            "header_left": f"{report.plan.title} {report.fy_label} 進捗状況",
            "header_right": f"作成 {report.generated_text}",
        },
    )


_CHART_IDS = re.compile(r"\bsc\d+-")


def content_key(report: CommitteeReport, html: str) -> str:
    """What the PDF shows, as a digest of its HTML without the time it was made.

    Two renderings of unchanged data (at other times, by other members) get the same key, so
    the PDF laid out for the first is the PDF of every later one (jobs.report_jobs.made_before);
    any change to what is printed (a value, a title, an opinion, the language) changes the key.
    """
    made = report.generated_text
    text = html.replace(css_escape(made), "").replace(made, "")
    text = _CHART_IDS.sub("sc-", text)  # the charts' ids count up per process
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def report_html_and_key(report: CommitteeReport) -> tuple[str, str]:
    """The standalone HTML that becomes the PDF (reads nothing from the database) and its
    `content_key`."""
    html = _html(report)
    return charts_as_images(html), content_key(report, html)


def report_html(report: CommitteeReport) -> str:
    """The standalone HTML that becomes the PDF (reads nothing from the database)."""
    return charts_as_images(_html(report))


# A page's HTML that opts in (<html … data-ua="print">) is laid out with `print/ua.css` as its
# user-agent stylesheet instead of WeasyPrint's full HTML5 one (issue 16).
LEAN_UA_MARK = 'data-ua="print"'


@contextmanager
def _no_gc():
    """The cyclic garbage collector off while WeasyPrint works: a layout makes hundreds of
    thousands of objects, and each collection of the oldest generation walked all of them again
    (a sixth of the time). What the layout leaves is freed when the collector is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _print_ua():
    import weasyprint

    return weasyprint.CSS(string=PRINT_UA_CSS.read_text(encoding="utf-8"))


def layout(html: str):
    """Lay out the HTML into pages (a weasyprint Document: count its pages, then `write` it).

    Only files under this app are fetched (no network, no other files), and the charts' SVG
    images written into the HTML (data: URLs).
    """
    import weasyprint  # imported late: it loads Pango, which the web pages don't need

    class AppFiles(weasyprint.URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith((HERE.as_uri() + "/", SVG_DATA)):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    cls = weasyprint.HTML
    if LEAN_UA_MARK in html[:500]:

        class PrintHTML(weasyprint.HTML):
            def _ua_stylesheets(self, forms=False):
                return [_print_ua()]

        cls = PrintHTML
    fetcher = AppFiles(allowed_protocols=["file", "data"], fail_on_errors=True)
    with _no_gc():
        return cls(string=html, base_url=HERE.as_uri(), url_fetcher=fetcher).render()


def write(document) -> bytes:
    """The laid-out document as PDF bytes."""
    with _no_gc():
        return document.write_pdf()


def html_to_pdf(html: str) -> bytes:
    """The HTML as PDF bytes."""
    return write(layout(html))


def report_pdf(report: CommitteeReport) -> bytes:
    return html_to_pdf(report_html(report))
