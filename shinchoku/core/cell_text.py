"""How tall a spreadsheet row must be for its wrapped text, in Excel and in LibreOffice.

Neither program can be trusted to size rows by itself: Excel keeps the height it is given and
LibreOffice sizes rows with a CJK fallback font (Noto Sans CJK) taller than the default one, so a
row of 15 pt cuts the baseline off 「22法人」. The writer gives every row a height computed here:
the lines each cell needs (its text's display width against its column's width) times a line
height that is safe for the CJK fonts of both programs.

Column widths are in Excel's unit: the width of one digit of the default font (Calibri 11 pt). A
full-width character (漢字, かな, full-width digits) takes about two digits, a half-width one about
one; a little is kept for the cell's padding and for wrapping at word ends.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

WIDE = 2.0  # a full-width character, in digit widths
NARROW = 1.1  # a half-width character (letters are a little wider than digits)
PADDING = 1.0  # digit widths lost to the cell's padding on a line
FILL = 0.92  # share of a line that wrapping fills on average (breaks at word ends)
LINE_HEIGHT = 1.5  # line pitch as a multiple of the font size (Noto Sans CJK ≈ 1.45)
ROW_PADDING = 3.0  # points above and below the text
DEFAULT_FONT_SIZE = 11.0


def char_width(ch: str) -> float:
    """The width of one character in digit widths."""
    if unicodedata.combining(ch):
        return 0.0
    return WIDE if unicodedata.east_asian_width(ch) in ("W", "F", "A") else NARROW


def text_width(text: str) -> float:
    """The width of one line of text in digit widths."""
    return sum(char_width(ch) for ch in text)


def lines_needed(text: str, column_width: float, *, wrap: bool = True) -> int:
    """The lines a cell of `column_width` needs to show `text` (1 for an empty cell)."""
    paragraphs = str(text).split("\n") if text not in (None, "") else [""]
    if not wrap:
        return len(paragraphs)
    usable = max((column_width - PADDING) * FILL, 1.0)
    return sum(max(1, math.ceil(text_width(p) / usable)) for p in paragraphs)


def line_height(font_size: float = DEFAULT_FONT_SIZE) -> float:
    """The height in points of one line of text at `font_size`."""
    return font_size * LINE_HEIGHT


def row_height(lines: int, font_size: float = DEFAULT_FONT_SIZE) -> float:
    """The height in points of a row showing `lines` lines at `font_size` (rounded up to 0.5)."""
    height = max(lines, 1) * line_height(font_size) + ROW_PADDING
    return math.ceil(height * 2) / 2


def fitting_height(cells: Iterable[tuple[str, float, bool, float]]) -> float:
    """The height for a row of (text, column width, wrapped, font size) cells: the tallest."""
    return max(
        (row_height(lines_needed(t, w, wrap=wrap), size) for t, w, wrap, size in cells),
        default=row_height(1),
    )
