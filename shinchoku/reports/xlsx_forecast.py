"""The committee workbook's sheet 「見通し」: 最終目標の達成見通し, the indicators at risk.

One row per indicator whose final target is at risk as of the report's FY (report.at_risk,
worst first): the latest actual, the linear trend's value in the final FY and the final target
as numbers in the indicator's unit, and the judgement in words, filled like the goal sheets.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from shinchoku.core.wareki import fy_short
from shinchoku.reports.report import CommitteeReport
from shinchoku.reports.xlsx import (
    BOLD,
    BORDER,
    RIGHT,
    WRAP,
    _title_rows,
    number_format,
    print_setup,
    set_text,
    write_header,
)

SHEET = "見通し"
FILLS = {"band-1": "FDF1D2", "band-2": "F8DCDA"}


def _number(cell, value: Decimal | None, unit: str, places: int) -> None:
    if value is None:
        set_text(cell, "―")
        return
    rounded = round(value, places)
    cell.value = int(rounded) if places == 0 else float(rounded)
    cell.number_format = number_format(unit, places)


def add_forecast_sheet(wb: Workbook, report: CommitteeReport) -> None:
    """Add 「見通し」 after 概要 (plans with indicators only)."""
    if not report.has_figures:
        return
    ws = wb.create_sheet(SHEET, index=1)
    _title_rows(ws, report, "最終目標の達成見通し")
    header = 4  # as on every sheet of the workbook: the rows repeated on each printed page
    headings = [
        ("No.", 4.5),
        ("指標", 44.0),
        ("担当部署", 16.0),
        ("最新の実績", 14.0),
        ("実績の年度", 11.0),
        ("見込み値(傾向)", 14.0),
        ("最終目標", 14.0),
        ("目標年度", 11.0),
        ("見通し", 11.0),
    ]
    write_header(ws, header, headings)
    row = header
    for r in report.at_risk:
        row += 1
        f = r.forecast
        fc = f.forecast
        places = f.places
        cells = [ws.cell(row=row, column=col) for col in range(1, len(headings) + 1)]
        cells[0].value = r.number
        set_text(
            cells[1], r.name + ("\n(値が小さいほど良い)" if f.indicator.direction == "down" else "")
        )
        set_text(cells[2], r.department or "―")
        _number(cells[3], fc.latest, f.unit, places)
        set_text(cells[4], fy_short(fc.latest_fy) if fc.latest_fy else "―")
        _number(cells[5], fc.linear, f.unit, places)
        cells[5].font = BOLD
        _number(cells[6], fc.target, f.unit, places)
        set_text(cells[7], fy_short(fc.final_fy) if fc.final_fy else "―")
        set_text(cells[8], f.label)
        cells[8].fill = PatternFill("solid", fgColor=FILLS[r.band_class])
        for cell in cells:
            cell.border = BORDER
            cell.alignment = RIGHT if isinstance(cell.value, int | float) else WRAP
    if not report.at_risk:
        row += 1
        set_text(ws.cell(row=row, column=1), "最終目標の達成が危ぶまれる指標はありません。")
    # How the outlook is judged, one sentence a line (as 概要 writes 判定の方法).
    row += 2
    set_text(ws.cell(row=row, column=1), "見通しの判定").font = BOLD
    for sentence in report.forecast_rules_text.split("。"):
        if sentence.strip():
            row += 1
            set_text(ws.cell(row=row, column=1), sentence.strip() + "。")
    print_setup(ws, header, len(headings))
