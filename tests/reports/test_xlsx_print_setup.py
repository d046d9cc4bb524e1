"""The xlsx committee report and the department's Excel sheet print readably (issue 15 part 4).

For the demo action plan (every sheet of FY2019 approved, actuals as its targets) and for the
fixture council's plan (tests/fixtures/other_shape_plan.xlsx, no indicators): each printed sheet
is set to A4, one page wide (fitToWidth 1, fitToHeight 0), its header row repeated, narrow enough
to print at a readable scale, and every row at least as tall as its text needs. The lower bound
of a row's height is counted here on its own (a full-width character two digits wide, a line at
least 1.2 times the font size), not with the writer's helper.
"""

from __future__ import annotations

import io
import math
import unicodedata

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from shinchoku.plans.models import Plan
from shinchoku.reports.report import committee_report
from shinchoku.reports.xlsx import report_xlsx
from shinchoku.rounds.sheet_xlsx_write import write_sheet
from tests.rounds.no_figures import FY as COUNCIL_FY
from tests.rounds.no_figures import load_plan, make_round

from .approved_rounds import approve_round
from .conftest import ACTION

pytestmark = pytest.mark.django_db

A4 = 9
PRINTABLE_PX = 1040  # A4 landscape less 0.4" margins, at 96 dpi
MIN_SCALE = 0.6  # below this, 11 pt text prints smaller than 7 pt


def width_in_digits(text: str) -> float:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def least_height(text: str, column_width: float, font_size: float, wrap: bool) -> float:
    """The smallest height that shows the text: lines × 1.2 × the font size."""
    if wrap:
        lines = sum(max(1, math.ceil(width_in_digits(p) / column_width)) for p in text.split("\n"))
    else:
        lines = 1
    return lines * 1.2 * font_size


def printed_columns(ws) -> list[int]:
    """The columns of the print area that are not hidden."""
    area = ws.print_area
    area = area[0] if isinstance(area, list) else area
    first_col, _first_row, last_col, _last_row = range_boundaries(
        area.split("!")[-1].replace("$", "")
    )
    return [
        c
        for c in range(first_col, last_col + 1)
        if not ws.column_dimensions[get_column_letter(c)].hidden
    ]


def check_printable(ws, title_row: str) -> None:
    setup = ws.page_setup
    assert setup.paperSize == A4, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
    assert ws.print_title_rows.replace("$", "") == title_row.replace("$", ""), ws.title
    columns = printed_columns(ws)
    pixels = sum(ws.column_dimensions[get_column_letter(c)].width * 7 + 5 for c in columns)
    scale = min(1.0, PRINTABLE_PX / pixels)
    assert scale >= MIN_SCALE, f"{ws.title}: prints at {scale:.0%}"
    for row in ws.iter_rows():
        r = row[0].row
        height = ws.row_dimensions[r].height
        for cell in row:
            if cell.value is None or cell.column not in columns:
                continue
            width = ws.column_dimensions[get_column_letter(cell.column)].width
            size = cell.font.sz or 11
            wrap = bool(cell.alignment and cell.alignment.wrap_text)
            text = cell.value if isinstance(cell.value, str) else f"{cell.value:,}"
            need = least_height(text, width, size, wrap)
            assert height is not None and height >= need, (
                f"{ws.title}!{cell.coordinate}: {height} pt for {text[:30]!r} (needs {need:.1f})"
            )


def reopen(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.fixture
def action_fy2019(db):
    return approve_round(Plan.objects.get(slug=ACTION), 2019)


@pytest.fixture
def council_round(db):
    return make_round(load_plan())


def test_the_action_plans_report_prints_one_page_wide_with_rows_tall_enough(action_fy2019):
    book = reopen(report_xlsx(committee_report(action_fy2019.plan, 2019)))
    goal_sheets = [ws for ws in book.worksheets if ws.title != "概要" and ws.print_title_rows]
    assert goal_sheets
    for ws in [book["概要"], *goal_sheets]:
        check_printable(ws, "4:4")
    # The cell of issue 15: 「年1回(年4~6回)」 wraps in its column and its row is tall enough.
    found = [
        c
        for ws in goal_sheets
        for row in ws.iter_rows()
        for c in row
        if c.value == "年1回(年4~6回)"
    ]
    assert found and all(c.alignment.wrap_text for c in found)


def test_the_council_plans_report_prints_one_page_wide_with_rows_tall_enough(council_round):
    book = reopen(report_xlsx(committee_report(council_round.plan, COUNCIL_FY)))
    for ws in book.worksheets:
        if ws.print_title_rows:
            check_printable(ws, "4:4")


def test_the_action_plans_department_sheet_shows_its_header_and_baselines_whole(action_fy2019):
    report = action_fy2019.reports.get(department__name="福祉活動推進課")
    book = reopen(write_sheet(report))
    printed = [ws for ws in book.worksheets if ws.print_title_rows]
    assert len(printed) >= 2
    for ws in printed:
        check_printable(ws, ws.print_title_rows)
    # 「平成30年度(2018年度) 22法人」 (現状値) shows both lines, not a cut baseline.
    indicators = next(
        ws for ws in printed if any(c.value == "現状値" for row in ws.iter_rows() for c in row)
    )
    cells = [
        c for row in indicators.iter_rows() for c in row if c.value and "22法人" in str(c.value)
    ]
    assert cells and all(indicators.row_dimensions[c.row].height >= 33 for c in cells)


def test_the_council_plans_department_sheet_prints_one_page_wide(db):
    round_ = make_round(load_plan(), approved=False, closed=False, published=False)
    for report in round_.reports.all()[:2]:
        for ws in reopen(write_sheet(report)).worksheets:
            if ws.print_title_rows:
                check_printable(ws, ws.print_title_rows)
