"""The report's SVG charts made cheaper for WeasyPrint to draw, for the PDF only (issue 16).

The picture stays the same; what changes is how much WeasyPrint has to do for it:

- a centred or right-aligned <text> (text-anchor middle/end) is drawn by WeasyPrint into a group
  of its own (a form XObject in the PDF, measured after drawing): here its start is computed
  from the font's advances (IPAexGothic, the font the PDF uses, letter by letter as WeasyPrint
  places them) and the text is drawn where it starts;
- <title>/<desc> (the web page's accessible names: the PDF's <img> carries the chart's alt text)
  and the patterns no shape uses are dropped;
- consecutive <line> siblings of one style (the grid) become one <path>.

A text with a character the font lacks, or with tspans, keeps its anchor.
"""

from __future__ import annotations

import functools
from pathlib import Path
from xml.etree import ElementTree as ET

NS = "http://www.w3.org/2000/svg"
Q = f"{{{NS}}}"  # ElementTree's prefix of the SVG names, taken off after parsing
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"
_DROP = {"title", "desc"}


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") or "0"


@functools.cache
def _metrics() -> tuple[dict[int, str], object, int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONT_PATH), lazy=True)
    return font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def text_width(text: str, size: float) -> float | None:
    """The advance of `text` at `size` (user units), or None if the font lacks a character."""
    cmap, hmtx, upem = _metrics()
    total = 0
    for char in text:
        name = cmap.get(ord(char))
        if name is None:
            return None
        total += hmtx[name][0]
    return total * size / upem


def _font_size(value: str | None, inherited: float) -> float:
    if value is None:
        return inherited
    try:
        return float(value.removesuffix("px"))
    except ValueError:
        return inherited


def _merge_lines(parent) -> None:
    """Consecutive <line> children of one style → one <path> (drawn the same: a line is stroked,
    never filled, and the path gets fill="none")."""
    run: list = []

    def flush():
        if len(run) > 1:
            first = run[0]
            d = "".join(
                f"M{e.get('x1', '0')} {e.get('y1', '0')}L{e.get('x2', '0')} {e.get('y2', '0')}"
                for e in run
            )
            style = {k: v for k, v in first.attrib.items() if k not in ("x1", "y1", "x2", "y2")}
            first.tag = "path"
            first.attrib.clear()
            first.attrib.update(style, d=d, fill="none")
            for e in run[1:]:
                parent.remove(e)
        run.clear()

    def style(e):
        return {k: v for k, v in e.attrib.items() if k not in ("x1", "y1", "x2", "y2")}

    for el in list(parent):
        if el.tag == "line" and not len(el) and (not run or style(run[0]) == style(el)):
            run.append(el)
            continue
        flush()
        if el.tag == "line" and not len(el):
            run.append(el)
    flush()


def print_svg(svg: str) -> str:
    """The chart's SVG, drawn the same with less work (see the module's docstring)."""
    # Our own markup (charts.py writes every element and escapes every text; no DOCTYPE).
    root = ET.fromstring(svg)  # noqa: S314
    for el in root.iter():  # plain tag names, written back without a namespace prefix
        el.tag = el.tag.removeprefix(Q)

    def walk(parent, size: float, anchor: str) -> None:
        for el in list(parent):
            if el.tag in _DROP:
                parent.remove(el)
                continue
            if el.tag == "defs":
                continue
            el_size = _font_size(el.get("font-size"), size)
            el_anchor = el.get("text-anchor", anchor)
            if el.tag == "text":
                for child in list(el):
                    if child.tag in _DROP:
                        el.remove(child)
                if el_anchor in ("middle", "end") and not len(el) and el.get("x") is not None:
                    width = text_width(el.text or "", el_size)
                    try:
                        x = float(el.get("x"))
                    except ValueError:
                        width = None
                    if width is not None:
                        el.set("x", _n(x - (width / 2 if el_anchor == "middle" else width)))
                        el.set("text-anchor", "start")
                continue
            walk(el, el_size, el_anchor)
        _merge_lines(parent)

    walk(root, _font_size(root.get("font-size"), 16.0), root.get("text-anchor", "start"))
    text = ET.tostring(root, encoding="unicode")
    for defs in root.iter("defs"):
        for pattern in list(defs):
            if f"url(#{pattern.get('id')})" not in text:
                defs.remove(pattern)
    for name in ("role", "aria-label", "aria-labelledby"):
        root.attrib.pop(name, None)
    root.set("xmlns", NS)
    return ET.tostring(root, encoding="unicode")
