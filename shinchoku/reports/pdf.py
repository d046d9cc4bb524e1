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


# A cell whose only content is one span of a class: the class on the cell instead (one inline box
# fewer per cell to build and lay out; ≈ 600 of the action plan's 1,400 cells). Drawn the same:
# `.none` has no rule of its own and `.nb` (no wrapping) applies to the cell's whole text alike.
_LONE_SPAN = re.compile(
    r'<td( class="(?:val|val strong)")?><span class="(none|nb)">([^<]*)</span></td>'
)


def _lone_span(match: re.Match) -> str:
    cls = match.group(1)
    cls = f"{cls[8:-1]} {match.group(2)}" if cls else match.group(2)
    return f'<td class="{cls}">{match.group(3)}</td>'


def lean_cells(html: str) -> str:
    """The cells' lone spans folded into the cells (see `_LONE_SPAN`)."""
    return _LONE_SPAN.sub(_lone_span, html)


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
    return lean_cells(charts_as_images(html)), content_key(report, html)


def report_html(report: CommitteeReport) -> str:
    """The standalone HTML that becomes the PDF (reads nothing from the database)."""
    return lean_cells(charts_as_images(_html(report)))


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


@contextmanager
def _whole_svg_texts():
    """WeasyPrint 70 lays out and draws an SVG <text> one letter at a time (for per-letter
    positions, which the charts never use): a sixth of the report's time. While this is on, a
    <text> with one x and one y, anchored at its start (print_svg makes them so) and nothing
    per letter, is laid out once and drawn as one line; any other goes to WeasyPrint's own.
    Only for the version it was written against (the installed one is pinned)."""
    import weasyprint
    from weasyprint.svg import TAGS
    from weasyprint.svg import text as svg_text

    if weasyprint.__version__ != "70.0":
        yield
        return
    own = TAGS["text"]
    TAGS["text"] = functools.partial(_whole_text, own)
    try:
        yield
    finally:
        TAGS["text"] = own
    del svg_text


_PER_LETTER = ("dx", "dy", "rotate", "textLength", "letter-spacing", "lengthAdjust")


def _whole_text(own, svg, node, font_size):
    from math import inf

    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.text.line_break import split_first_line

    a = node.attrib
    x, y = a.get("x", ""), a.get("y", "")
    simple = (
        node.text
        and node.text.strip() == node.text
        and re.fullmatch(r"-?[\d.]+", x)
        and re.fullmatch(r"-?[\d.]+", y)
        and node.get("text-anchor", "start") == "start"
        and not any(k in a for k in _PER_LETTER)
        and not any(node.get(k) for k in ("dominant-baseline", "alignment-baseline"))
        and node.get("direction", "ltr") == "ltr"
        and not len(node._etree_node)
    )
    if not simple:
        return own(svg, node, font_size)
    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [
        f.strip("\"'") for f in node.get("font-family", "sans-serif").split(",")
    ]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    style["font_weight"] = {"normal": 400, "bold": 700}.get(weight, weight)
    try:
        style["font_weight"] = int(style["font_weight"])
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)
    x, y = float(x), float(y)
    node.text_bounding_box = (x, y - baseline, width, height)
    svg.cursor_position = x + width, y
    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = TextBox(layout, style)
    box.baseline = baseline
    draw_first_line(svg.stream, box, "none", "none", Matrix(a=1, d=-1, e=x, f=y))
    svg.stream.end_text()
    svg.stream.pop_state()


CHEAP_COLORS = True  # benchmarks compare with and without


@contextmanager
def _cheap_colors():
    """WeasyPrint 70 parses an SVG fill or stroke (a CSS colour) each time a shape is drawn, and
    converts every sRGB colour it sets, text and borders too, into a new sRGB colour object
    first: an eighth of the drawing. While this is on, a chart's colour strings are parsed once
    (each use gets a copy) and an sRGB colour is set as it is. Only for the
    pinned version, like `_whole_svg_texts`."""
    import weasyprint

    if weasyprint.__version__ != "70.0" or not CHEAP_COLORS:
        yield
        return
    from weasyprint import svg as svg_mod
    from weasyprint.pdf.stream import Stream

    own_color, own_set = svg_mod.color, Stream.set_color
    parsed: dict = {}

    def color(string):
        # A copy each time: the caller multiplies the copy's alpha by the shape's opacity.
        try:
            value = parsed[string]
        except KeyError:
            value = parsed[string] = own_color(string)
        copy = object.__new__(value.__class__)
        copy.__dict__.update(value.__dict__)
        return copy

    def set_color(self, color, stroke=False):
        if color.space != "srgb":
            return own_set(self, color, stroke)
        key = ("srgb", *color.coordinates)
        self.set_alpha(color.alpha, stroke)
        if stroke:
            if key == self._current_color_stroke:
                return
            self._current_color_stroke = key
        else:
            if key == self._current_color:
                return
            self._current_color = key
        self.set_color_rgb(*(c or 0 for c in color.coordinates), stroke)

    svg_mod.color, Stream.set_color = color, set_color
    try:
        yield
    finally:
        svg_mod.color, Stream.set_color = own_color, own_set


def write(document) -> bytes:
    """The laid-out document as PDF bytes."""
    with _no_gc(), _whole_svg_texts(), _cheap_colors():
        return document.write_pdf()


def html_to_pdf(html: str) -> bytes:
    """The HTML as PDF bytes."""
    return write(layout(html))


def report_pdf(report: CommitteeReport) -> bytes:
    return html_to_pdf(report_html(report))
