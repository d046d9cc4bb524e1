"""Opinions as rows to show: each with what it concerns, its goal and its status in Japanese.

A fixed number of queries whatever the number of opinions: the opinions with their departments
(one), the plan's nodes and indicators (two, in Targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shinchoku.plans.models import Node, Plan
from shinchoku.reviews.models import Opinion
from shinchoku.reviews.targets import Targets

# 未対応 / 対応中 / 対応済 / 見送り in Japanese (the catalogue's translations of the labels).
STATUS_NAMES = {status: status.label for status in Opinion.Status}
PLAN_WIDE = "計画全体"


def status_name(status: str) -> str:
    """未対応 … in Japanese, the label in the reader's language; a plain str (spreadsheets)."""
    return str(STATUS_NAMES.get(status, status))


@dataclass
class OpinionRow:
    opinion: Opinion
    target: str  # 基本目標1 …, 1 事業名, 指標: …, or 計画全体
    goal: Node | None

    @property
    def status_name(self) -> str:
        return status_name(self.opinion.status)

    @property
    def department(self) -> str:
        d = self.opinion.department
        return d.name if d else ""


def rows(
    plan: Plan, opinions: QuerySet[Opinion] | list[Opinion], targets: Targets
) -> list[OpinionRow]:
    out = []
    for o in opinions:
        o.plan = plan
        out.append(
            OpinionRow(
                opinion=o,
                target=targets.label(o.node_key, o.indicator_key, PLAN_WIDE),
                goal=targets.goal(o.node_key, o.indicator_key),
            )
        )
    return out


def plan_opinions(plan: Plan) -> QuerySet[Opinion]:
    return Opinion.objects.filter(plan=plan).select_related("department").order_by("-fy", "number")


@dataclass
class Filters:
    fy: int | None = None
    status: str = ""
    goal: str = ""  # key of a top-level node
    department: int | None = None

    @classmethod
    def read(cls, params: Any) -> Filters:
        def number(name: str) -> int | None:
            try:
                return int(params.get(name, ""))
            except (TypeError, ValueError):
                return None

        status = params.get("status", "")
        return cls(
            fy=number("fy"),
            status=status if status in Opinion.Status.values else "",
            goal=(params.get("goal") or "")[:100],
            department=number("department"),
        )

    def query(self) -> str:
        """The filters as a query string (for the xlsx link)."""
        from urllib.parse import urlencode

        pairs = {
            "fy": self.fy or "",
            "status": self.status,
            "goal": self.goal,
            "department": self.department or "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def filtered(plan: Plan, filters: Filters, targets: Targets) -> list[OpinionRow]:
    """The plan's opinions that pass the filters (FY, status, department in SQL; goal here)."""
    qs = plan_opinions(plan)
    if filters.fy:
        qs = qs.filter(fy=filters.fy)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    out = rows(plan, qs, targets)
    if filters.goal:
        out = [r for r in out if r.goal is not None and r.goal.key == filters.goal]
    return out
