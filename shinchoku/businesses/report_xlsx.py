"""The board's report as a workbook: 集計 (directions per department, the rotation's progress)
and 評価結果 (one row per business), printable as it comes like the committee report's workbook:
A4 landscape one page wide, header row repeated, text wrapped, rows tall enough for their text.
Amounts are numbers (千円, △ for negatives) so they can be summed; names and reasons are text and
never become formulas.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from shinchoku.businesses.report import JUDGEMENTS, EvaluationReport, ReportRow
from shinchoku.core.signed import excel_format
from shinchoku.plans.xlsx_print import workbook_bytes
from shinchoku.reports.xlsx import (
    BOLD,
    BORDER,
    CENTER,
    HEAD_FILL,
    RIGHT,
    TITLE,
    WRAP,
    print_setup,
    set_text,
    write_header,
)

PENDING = "評価中"
COUNT = '#,##0"件"'
ROWS_HEADINGS: list[tuple[str, float]] = [
    ("事業番号", 8.0),
    ("事業名", 22.0),
    ("担当課", 11.0),
    ("種別", 11.0),
    ("決算額\n(千円)", 10.0),
    ("人工", 6.5),
    ("フルコスト\n(千円)", 10.0),
    ("自己評価", 8.0),
    ("課長評価", 8.0),
    ("総合評価\n(方向性)", 9.0),
    ("理由", 46.0),
]


def _title(ws: Worksheet, report: EvaluationReport) -> None:
    set_text(ws.cell(row=1, column=1), report.title).font = TITLE
    set_text(
        ws.cell(row=2, column=1),
        f"{report.organization.name}　作成 {report.generated}　"
        f"フルコスト＝決算額＋人工×{report.staff_rate_text}千円　金額の単位は千円",
    )


def _amount(cell: Any, value: Decimal | None) -> None:
    if value is None:
        set_text(cell, "―").alignment = RIGHT
        return
    integral = value == value.to_integral_value()
    cell.value = int(value) if integral else float(value)
    cell.number_format = excel_format("#,##0" if integral else "#,##0.0")
    cell.alignment = RIGHT


def _count_row(ws: Worksheet, row: int, label: str, values: list[int], bold: bool = False) -> None:
    set_text(ws.cell(row=row, column=1), label).alignment = WRAP
    for col, n in enumerate(values, start=2):
        cell = ws.cell(row=row, column=col, value=n)
        cell.number_format = COUNT
    for col in range(1, len(values) + 2):
        cell = ws.cell(row=row, column=col)
        cell.border = BORDER
        if bold:
            cell.font = BOLD


def _summary_sheet(ws: Worksheet, report: EvaluationReport) -> None:
    ws.title = "集計"
    _title(ws, report)
    set_text(ws.cell(row=4, column=1), "担当課別・方向性別の件数").font = BOLD
    header = 5
    headings = [("担当課", 22.0)] + [(j, 10.0) for j in JUDGEMENTS] + [("計", 8.0), (PENDING, 10.0)]
    write_header(ws, header, headings)
    row = header
    for d in report.departments:
        row += 1
        _count_row(ws, row, d.name, [*d.cells, d.total, d.unfinished])
    row += 1
    _count_row(
        ws, row, "計", [*report.totals, report.done_count, report.unfinished_count], bold=True
    )
    if report.unfinished_count:
        row += 1
        set_text(
            ws.cell(row=row, column=1),
            f"※評価中の{report.unfinished_count}件は「{PENDING}」と表示し、方向性の件数に含めていません。",
        )
    p = report.progress
    if p is not None:
        row += 2
        set_text(
            ws.cell(row=row, column=1),
            f"3年間の評価の進み具合（{p.rotation.first_fy}年度〜{p.rotation.last_fy}年度）",
        ).font = BOLD
        row += 1
        for col, text in enumerate(
            ("担当課", "当年度の評価済", "当年度の対象", "評価済(累計)", "全事業"), 1
        ):
            cell = set_text(ws.cell(row=row, column=col), text)
            cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEAD_FILL, CENTER, BORDER
        for d in p.departments:
            row += 1
            _count_row(ws, row, d.name, [d.this_year_done, d.this_year_total, d.done, d.total])
        row += 1
        _count_row(ws, row, "計", [p.this_year_done, p.this_year_total, p.done, p.total], bold=True)
    print_setup(ws, header, len(headings))


def _reasons(r: ReportRow) -> str:
    parts = [
        ("自己評価", r.self_reason),
        ("課長評価", r.chief_reason),
        ("総合評価", r.director_reason),
    ]
    return "\n".join(f"{label}：{text}" for label, text in parts if text)


def _rows_sheet(ws: Worksheet, report: EvaluationReport) -> None:
    ws.title = "評価結果"
    _title(ws, report)
    header = 4
    write_header(ws, header, ROWS_HEADINGS)
    row = header
    for r in report.rows:
        row += 1
        for col, text in enumerate((r.code, r.name, r.department, r.kind or "―"), start=1):
            set_text(ws.cell(row=row, column=col), text).alignment = WRAP
        _amount(ws.cell(row=row, column=5), r.settlement)
        _amount(ws.cell(row=row, column=6), r.staff_years)
        _amount(ws.cell(row=row, column=7), r.full_cost)
        if r.done:
            judged = (r.self_judgement, r.chief_judgement, r.director_judgement, _reasons(r))
            for col, text in enumerate(judged, start=8):
                set_text(ws.cell(row=row, column=col), text).alignment = WRAP
            ws.cell(row=row, column=10).font = Font(bold=True)
        else:  # one cell over the three judgements: 評価中（課長評価）
            set_text(ws.cell(row=row, column=8), f"{PENDING}（{r.stage}）").alignment = CENTER
            ws.merge_cells(start_row=row, start_column=8, end_row=row, end_column=10)
            set_text(ws.cell(row=row, column=11), "―")
        for col in range(1, len(ROWS_HEADINGS) + 1):
            ws.cell(row=row, column=col).border = BORDER
    if not report.rows:
        set_text(ws.cell(row=row + 1, column=1), "評価シートはまだありません。")
    print_setup(ws, header, len(ROWS_HEADINGS))


def workbook(report: EvaluationReport) -> bytes:
    wb = Workbook()
    _summary_sheet(wb.active, report)
    _rows_sheet(wb.create_sheet(), report)
    return workbook_bytes(wb)
