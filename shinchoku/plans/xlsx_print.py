"""How our workbooks print and leave: A4 landscape one page wide, and the bytes of a workbook."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from shinchoku.plans.xlsx_safety import no_formulas


def landscape_a4(ws: Any, title_row: int | None = None) -> None:
    """Print the sheet on A4 landscape, one page wide; `title_row` repeats on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row is not None:
        ws.print_title_rows = f"{title_row}:{title_row}"


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file, after checking that no cell holds a formula."""
    no_formulas(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
