"""The consistency matrix and the SDG table as Excel workbooks, printed on A4 landscape."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from shinchoku.core.wareki import fy_label
from shinchoku.plans.consistency import DIRECT, THROUGH, Matrix, SdgTable
from shinchoku.plans.xlsx_print import landscape_a4, workbook_bytes
from shinchoku.plans.xlsx_safety import xml_text

BAND = PatternFill("solid", fgColor="E8EEF5")
UNSERVED = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center")
VERTICAL = Alignment(text_rotation=255, horizontal="center", vertical="top", wrap_text=True)


def _cell(ws: Any, row: int, col: int, value: Any, **style: Any) -> Any:
    cell = ws.cell(row=row, column=col, value=xml_text(value) if isinstance(value, str) else value)
    cell.border = BOX
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _period(plan: Any) -> str:
    return f"{fy_label(plan.first_fy)}〜{fy_label(plan.last_fy)}"


def goal_name(node: Any) -> str:
    return f"{node.label} {node.title}".strip()


def _list_sheet(
    wb: Workbook, name: str, heading: str, what: str, rows: list[tuple[str, str]]
) -> None:
    """A sheet listing (番号, `what`) rows under a bold heading, printed landscape."""
    ws = wb.create_sheet(name)
    ws["A1"] = xml_text(heading)
    ws["A1"].font = Font(bold=True)
    _cell(ws, 3, 1, "番号", fill=BAND)
    _cell(ws, 3, 2, what, fill=BAND)
    for r, (label, title) in enumerate(rows, start=4):
        _cell(ws, r, 1, label)
        _cell(ws, r, 2, title, alignment=WRAP)
    ws.column_dimensions["B"].width = 70
    landscape_a4(ws, 3)


def matrix_workbook(m: Matrix) -> bytes:
    """Sheet 整合表 (goals × items with ● and ○, unserved goals filled) and the idle items."""
    wb = Workbook()
    ws = wb.active
    ws.title = "整合表"
    ws["A1"] = xml_text(f"{m.other.title} の目標 × {m.plan.title} の項目")
    ws["A1"].font = Font(bold=True, size=12)
    ws["A2"] = xml_text(
        f"{DIRECT}: 項目の実施内容がこの目標に結び付く　{THROUGH}: 下位の目標を通じて結び付く"
        f"　色付きの行: どの項目も結び付かない目標　（{_period(m.plan)}）"
    )
    header = 4
    _cell(ws, header, 1, "番号", fill=BAND, font=Font(bold=True), alignment=CENTER)
    _cell(ws, header, 2, "目標", fill=BAND, font=Font(bold=True), alignment=CENTER)
    for i, item in enumerate(m.items, start=3):
        _cell(ws, header, i, goal_name(item), fill=BAND, alignment=VERTICAL)
        ws.column_dimensions[get_column_letter(i)].width = 4.5
    total_col = len(m.items) + 3
    _cell(ws, header, total_col, "項目数", fill=BAND, font=Font(bold=True), alignment=CENTER)
    ws.row_dimensions[header].height = 150
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 44
    for r, row in enumerate(m.rows, start=header + 1):
        fill = {} if row.served else {"fill": UNSERVED}
        indent = "　" * (row.goal.level - 1)
        _cell(ws, r, 1, row.goal.label, alignment=WRAP, **fill)
        _cell(ws, r, 2, indent + row.goal.title, alignment=WRAP, **fill)
        for i, mark in enumerate(row.cells, start=3):
            _cell(ws, r, i, mark, alignment=CENTER, **fill)
        _cell(ws, r, total_col, sum(1 for c in row.cells if c == DIRECT), alignment=CENTER, **fill)
    ws.freeze_panes = ws.cell(row=header + 1, column=3)
    landscape_a4(ws, header)

    _list_sheet(
        wb,
        "結び付かない項目",
        f"{m.other.title} のどの目標にも結び付かない {m.plan.title} の項目",
        "項目",
        [(item.label, item.title) for item in m.idle_items],
    )
    _list_sheet(
        wb,
        "結び付く項目のない目標",
        f"{m.plan.title} のどの項目も結び付かない {m.other.title} の目標",
        "目標",
        [(row.goal.label, row.goal.title) for row in m.unserved],
    )
    return workbook_bytes(wb)


def sdg_workbook(t: SdgTable) -> bytes:
    """Sheet SDGs: each top-level goal × the 17 SDGs, with how many of its items name each."""
    wb = Workbook()
    ws = wb.active
    ws.title = "SDGs"
    ws["A1"] = xml_text(f"{t.plan.title} 目標ごとのSDGs（数字はそのSDGを掲げる項目の数）")
    ws["A1"].font = Font(bold=True, size=12)
    header = 3
    _cell(ws, header, 1, "目標", fill=BAND, font=Font(bold=True), alignment=CENTER)
    for i, sdg in enumerate(t.sdgs, start=2):
        _cell(ws, header, i, f"{sdg.number} {sdg.name}", fill=BAND, alignment=VERTICAL)
        ws.column_dimensions[get_column_letter(i)].width = 5
    total = len(t.sdgs) + 2
    _cell(ws, header, total, "SDGの数", fill=BAND, font=Font(bold=True), alignment=CENTER)
    ws.row_dimensions[header].height = 170
    ws.column_dimensions["A"].width = 40
    for r, row in enumerate(t.rows, start=header + 1):
        _cell(ws, r, 1, goal_name(row.goal), alignment=WRAP)
        for i, n in enumerate(row.counts, start=2):
            _cell(ws, r, i, n or None, alignment=CENTER)
        _cell(ws, r, total, row.total, alignment=CENTER)
    ws.freeze_panes = ws.cell(row=header + 1, column=2)
    landscape_a4(ws, header)
    return workbook_bytes(wb)
