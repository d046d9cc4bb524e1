"""Opinions in workbooks: the filtered list as a download, and the cells the other sheets share.

Every value is written as text or a number, never as a formula; FYs in 和暦 (core.wareki).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shinchoku.core.wareki import fy_short
from shinchoku.plans.models import Plan
from shinchoku.plans.xlsx_safety import xml_text
from shinchoku.reviews.listing import OpinionRow

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(vertical="top", wrap_text=True)


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """One cell: text stays text (a leading = is not a formula), control characters dropped."""
    if isinstance(value, str):
        value = xml_text(value)
    cell = ws.cell(row=row, column=column, value=value)
    if cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True
    cell.alignment = WRAP
    return cell


def title(ws: Any, text: str) -> None:
    ws.cell(row=1, column=1, value=xml_text(text)).font = Font(bold=True, size=13)


def header(ws: Any, row: int, headers: list[tuple[str, int]]) -> None:
    for col, (text, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    ws.print_title_rows = f"{row}:{row}"
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


LIST_HEADERS = [
    ("年度", 14),
    ("番号", 6),
    ("基本目標", 30),
    ("対象", 34),
    ("意見・助言", 50),
    ("区分", 12),
    ("担当部署", 16),
    ("状況", 10),
    ("対応方針", 40),
    ("対応内容", 40),
    ("見送りの理由", 30),
    ("公開", 6),
]
ORIGINS = {"minutes": "議事録", "member": "委員入力"}


def list_xlsx(plan: Plan, found: list[OpinionRow], heading: str) -> bytes:
    """The filtered list of opinions as a workbook, one row per opinion."""
    wb = Workbook()
    ws = wb.active
    ws.title = "意見・助言"
    title(ws, f"{plan.title} 意見・助言一覧 {heading}".strip())
    header(ws, 3, LIST_HEADERS)
    for r, row in enumerate(found, start=4):
        o = row.opinion
        goal = row.goal
        values = [
            fy_short(o.fy),
            o.number,
            f"{goal.label} {goal.title}".strip() if goal else "",
            row.target,
            o.text,
            ORIGINS.get(o.origin, o.origin),
            row.department,
            row.status_name,
            o.policy,
            o.action,
            o.reason,
            "公開" if o.public else "",
        ]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value)
    wb.properties.title = f"{plan.title} 意見・助言"
    wb.properties.creator = "Shinchoku"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
