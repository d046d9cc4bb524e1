"""How our workbooks print and leave: A4 landscape one page wide, and the bytes of a workbook."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from shinchoku.core.cell_text import DEFAULT_FONT_SIZE, fitting_height
from shinchoku.plans.xlsx_safety import no_formulas

DEFAULT_COLUMN_WIDTH = 8.43  # Excel's width of a column without one of its own


def landscape_a4(ws: Any, title_row: int | None = None) -> None:
    """Print the sheet on A4 landscape, one page wide; `title_row` repeats on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row is not None:
        ws.print_title_rows = f"{title_row}:{title_row}"


def column_width(ws: Any, column: int) -> float:
    """The width of a column in Excel's unit (0 when hidden)."""
    dim = ws.column_dimensions.get(get_column_letter(column))  # .get: no dimension is created
    if dim is None:
        return DEFAULT_COLUMN_WIDTH
    return 0.0 if dim.hidden else float(dim.width or DEFAULT_COLUMN_WIDTH)


def fit_row_heights(ws: Any, min_row: int = 1, max_row: int | None = None) -> None:
    """Give each row a height tall enough for its text in Excel and in LibreOffice.

    A wrapped cell needs the lines its text takes in its column (merged cells: in the columns
    they span); the row takes the tallest cell (core.cell_text). Rows of merged cells spanning
    rows keep their height.
    """
    spans: dict[tuple[int, int], float] = {}
    skip: set[tuple[int, int]] = set()
    tall_rows: set[int] = set()
    for merged in ws.merged_cells.ranges:
        width = sum(column_width(ws, c) for c in range(merged.min_col, merged.max_col + 1))
        spans[(merged.min_row, merged.min_col)] = width
        if merged.max_row > merged.min_row:
            tall_rows.update(range(merged.min_row, merged.max_row + 1))
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if (r, c) != (merged.min_row, merged.min_col):
                    skip.add((r, c))
    widths = {c: column_width(ws, c) for c in range(1, ws.max_column + 1)}
    for row in ws.iter_rows(min_row=min_row, max_row=max_row or ws.max_row):
        if not row or row[0].row in tall_rows:
            continue
        cells = []
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in skip:
                continue
            width = spans.get((cell.row, cell.column), widths.get(cell.column, 0.0))
            if width <= 0:
                continue
            if isinstance(cell.value, int | float):
                text = f"{cell.value:,}"
            else:
                text = str(cell.value)
            wrap = bool(cell.alignment is not None and cell.alignment.wrap_text)
            size = (
                float(cell.font.sz) if cell.font is not None and cell.font.sz else DEFAULT_FONT_SIZE
            )
            cells.append((text, width, wrap, size))
        ws.row_dimensions[row[0].row].height = fitting_height(cells)


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file, after checking that no cell holds a formula."""
    no_formulas(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
