"""Open opinions on a department's sheet: beside the item or indicator they concern, read-only.

An opinion of an earlier FY that is still 未対応 or 対応中 and assigned to the sheet's department
is shown on that department's sheets of the later rounds. Each is attached to the sheet's lines
(`opinions` on an ItemLines or IndicatorLine); the ones about the plan as a whole, or about a goal
or item not on the sheet, are returned to be shown at the top. Two queries per sheet at most.
"""

from __future__ import annotations

from typing import Any

from shinchoku.core.wareki import fy_short
from shinchoku.prepared import Prepared
from shinchoku.reviews.listing import OpinionRow, rows
from shinchoku.reviews.models import Opinion
from shinchoku.reviews.targets import Targets
from shinchoku.reviews.xlsx import header, put, title

OPEN = (Opinion.Status.OPEN, Opinion.Status.IN_PROGRESS)
SHEET_NAME = "委員会の意見"


def _open_query(plan_id: int, fy: int, department_id: int):
    return (
        Opinion.objects.filter(
            plan_id=plan_id, fy__lt=fy, department_id=department_id, status__in=OPEN
        )
        .select_related("department")
        .order_by("fy", "number")
    )


_OPEN = Prepared(_open_query, int, int, int)  # compiled once (issue 16: the sheet page)


def open_opinions(report: Any) -> list[Opinion]:
    plan, fy = report.round.plan, report.round.fy
    if plan.is_draft or plan.is_external:
        return []
    return _OPEN.objects(plan.pk, fy, report.department_id)


def sheet_opinions(report: Any, lines: list[Any]) -> list[OpinionRow]:
    """Attach the open opinions to the lines; those shown at the top of the sheet are returned."""
    for item in lines:
        item.opinions = []
        for ln in item.indicators:
            ln.opinions = []
    opinions = open_opinions(report)
    if not opinions:
        return []
    plan = report.round.plan
    found = rows(plan, opinions, Targets.load(plan))
    items = {item.node.key: item for item in lines}
    indicators = {ln.indicator.key: ln for item in lines for ln in item.indicators}
    top = []
    for row in found:
        o = row.opinion
        if o.indicator_key and o.indicator_key in indicators:
            indicators[o.indicator_key].opinions.append(row)
        elif o.node_key and o.node_key in items and not o.indicator_key:
            items[o.node_key].opinions.append(row)
        elif o.indicator_key and o.node_key in items:
            items[o.node_key].opinions.append(row)
        else:
            top.append(row)
    return top


HEADERS = [
    ("年度", 14),
    ("番号", 6),
    ("対象", 36),
    ("意見・助言", 60),
    ("状況", 10),
    ("対応方針", 40),
    ("対応内容", 40),
]


def add_xlsx_sheet(wb: Any, report: Any) -> None:
    """A read-only sheet 「委員会の意見」 of the open opinions; the sheet reader ignores it."""
    opinions = open_opinions(report)
    if not opinions:
        return
    plan = report.round.plan
    found = rows(plan, opinions, Targets.load(plan))
    ws = wb.create_sheet(SHEET_NAME)
    title(ws, "委員会の意見・助言（参照のみ。このシートへの入力は読み込まれません）")
    header(ws, 3, HEADERS)
    for r, row in enumerate(found, start=4):
        o = row.opinion
        values = [fy_short(o.fy), o.number, row.target, o.text, row.status_name, o.policy, o.action]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value)
    ws.protection.sheet = True
