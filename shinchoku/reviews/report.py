"""「前回の意見への対応」 in the committee report: the previous FY's opinions and their answers.

The report of FY n lists the opinions recorded for FY n-1, whatever their status, with the
department's 対応方針 and 対応内容 (or the reason for 見送り).
"""

from __future__ import annotations

from typing import Any

from shinchoku.core.wareki import fy_short
from shinchoku.plans.models import Plan
from shinchoku.reviews.listing import OpinionRow, plan_opinions, rows
from shinchoku.reviews.targets import Targets
from shinchoku.reviews.xlsx import header, put, title

SECTION_TITLE = "前回の意見への対応"


def previous_opinions(plan: Plan, fy: int) -> list[OpinionRow]:
    """The opinions recorded for FY `fy - 1`, in number order."""
    if plan.is_draft or plan.is_external:
        return []
    opinions = list(plan_opinions(plan).filter(fy=fy - 1).order_by("number"))
    if not opinions:
        return []
    return rows(plan, opinions, Targets.load(plan))


HEADERS = [
    ("番号", 6),
    ("対象", 34),
    ("意見・助言", 50),
    ("担当部署", 16),
    ("状況", 10),
    ("対応方針", 40),
    ("対応内容", 40),
    ("見送りの理由", 30),
]


def add_xlsx_sheet(wb: Any, fy: int, found: list[OpinionRow]) -> None:
    """The section as its own sheet of the report workbook, when there are such opinions."""
    if not found:
        return
    ws = wb.create_sheet(SECTION_TITLE)
    title(ws, f"{SECTION_TITLE}（{fy_short(fy - 1)}の意見・助言）")
    header(ws, 3, HEADERS)
    for r, row in enumerate(found, start=4):
        o = row.opinion
        values = [
            o.number,
            row.target,
            o.text,
            row.department,
            row.status_name,
            o.policy,
            o.action,
            o.reason if o.status == o.Status.DECLINED else "",
        ]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value)
