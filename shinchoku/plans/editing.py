"""Writes behind the plan editor: optimistic concurrency, tree order, schedule and target cells.

Each function is called inside the caller's transaction; views wrap one user action in one
`transaction.atomic()` together with its history record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q

from shinchoku.plans.models import (
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    Plan,
    ProgressNote,
    ScheduleSpan,
)
from shinchoku.plans.signals import plan_written

T = TypeVar("T")


class EditConflict(Exception):
    """Somebody else saved the record after this form was opened."""


class KeyTaken(Exception):
    """A new record's key or slug kept colliding with ones saved at the same time."""


def lock_plan(plan: Plan) -> None:
    """Take the plan's row lock, first, in every write to a plan's structure.

    A workbook or JSON load (plans.services.apply) takes the same lock first, so an editor
    save and a load wait for each other instead of deadlocking on the rows below the plan, and
    two adds in one plan take their keys one after the other.
    """
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).first()
    # Once the write has committed, apps that follow the plan (the rounds) catch up with it.
    plan_id = plan.pk
    transaction.on_commit(lambda: plan_written.send(sender=Plan, plan_id=plan_id))


def insert_with_retry(insert: Callable[[], T], attempts: int = 5) -> T:
    """Run `insert` in a savepoint; when the database refuses a key taken meanwhile, try again.

    `insert` must choose its key afresh each time. Raises KeyTaken after the last attempt.
    """
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                return insert()
        except IntegrityError:
            continue
    raise KeyTaken


def claim_version(obj: Model, expected: int) -> None:
    """Move obj's version on by one if it is still `expected`; else raise EditConflict.

    One UPDATE … WHERE version = expected: under concurrent saves exactly one succeeds, on
    SQLite and on PostgreSQL alike (the second waits for the first's row lock, then finds the
    version changed).
    """
    model = type(obj)
    updated = model.objects.filter(pk=obj.pk, version=expected).update(version=F("version") + 1)
    if not updated:
        raise EditConflict
    obj.version = expected + 1


def renumber(plan: Plan) -> None:
    """Recompute every node's seq (document order), level and sibling order after a change."""
    nodes = list(Node.objects.filter(plan=plan).order_by("order", "id"))
    children: dict[int | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)
    changed: list[Node] = []
    seq = 0

    def walk(parent_id: int | None, level: int) -> None:
        nonlocal seq
        for order, n in enumerate(children.get(parent_id, [])):
            seq += 1
            if (n.seq, n.level, n.order) != (seq, level, order):
                n.seq, n.level, n.order = seq, level, order
                changed.append(n)
            walk(n.id, level + 1)

    walk(None, 1)
    if changed:
        Node.objects.bulk_update(changed, ["seq", "level", "order"])


def subtree_ids(node: Node) -> list[int]:
    """The ids of a node and every node below it."""
    rows = list(Node.objects.filter(plan_id=node.plan_id).values_list("id", "parent_id"))
    below: dict[int | None, list[int]] = {}
    for node_id, parent_id in rows:
        below.setdefault(parent_id, []).append(node_id)
    out, stack = [], [node.id]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(below.get(current, []))
    return out


@dataclass
class Impact:
    """What a deletion takes with it, so the editor can ask before it drops anything."""

    nodes: int = 0
    contents: int = 0
    indicators: int = 0
    actuals: int = 0
    reports: int = 0
    linked_from_other_plans: int = 0

    @property
    def progress(self) -> int:
        """Numbers and texts already reported (実績・取組報告)."""
        return self.actuals + self.reports


def node_impact(node: Node) -> Impact:
    """Count what deleting a node would remove."""
    ids = subtree_ids(node)
    return Impact(
        nodes=len(ids),
        contents=Content.objects.filter(node_id__in=ids).count(),
        indicators=Indicator.objects.filter(node_id__in=ids).count(),
        actuals=IndicatorValue.objects.filter(
            indicator__node_id__in=ids, role=IndicatorValue.Role.ACTUAL
        ).count(),
        reports=ProgressNote.objects.filter(indicator__node_id__in=ids).count(),
        # Only the organization's own plans protect a goal; another organization's link into
        # it is a reference that is left dangling (plans/links.py).
        linked_from_other_plans=ContentGoal.objects.filter(node_id__in=ids)
        .exclude(content__node_id__in=ids)
        .filter(content__node__plan__organization__plans=node.plan_id)
        .count(),
    )


def indicator_impact(indicator: Indicator) -> Impact:
    """Count the progress data an indicator carries."""
    return Impact(
        indicators=1,
        actuals=indicator.values.filter(role=IndicatorValue.Role.ACTUAL).count(),
        reports=indicator.reports.count(),
    )


def new_node_key(plan: Plan) -> str:
    """A key not used in the plan yet: n1, n2, …"""
    used = set(Node.objects.filter(plan=plan).values_list("key", flat=True))
    n = len(used) + 1
    while f"n{n}" in used:
        n += 1
    return f"n{n}"


def new_indicator_key(plan: Plan) -> str:
    """An indicator key not used in the plan yet: i1, i2, …"""
    used = set(Indicator.objects.filter(node__plan=plan).values_list("key", flat=True))
    n = len(used) + 1
    while f"i{n}" in used:
        n += 1
    return f"i{n}"


def swap(obj: Model, siblings: Q, direction: str) -> bool:
    """Move obj one place up or down among siblings (by `order`); False at either end."""
    model = type(obj)
    rows = list(model.objects.filter(siblings).order_by("order", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == obj.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    for order, row in enumerate(rows):
        row.order = order
    model.objects.bulk_update(rows, ["order"])
    return True


def phase_grid(content: Content, track: str, years: list[int]) -> dict[int, str]:
    """The phase written for each FY on one track of a content's schedule."""
    grid = dict.fromkeys(years, "")
    for span in content.schedule.filter(track=track):
        for fy in range(span.from_fy, span.to_fy + 1):
            if fy in grid:
                grid[fy] = span.phase
    return grid


def set_phase(content: Content, track: str, fy: int, phase: str) -> None:
    """Write the phase of one FY: the span holding it is split around it, other FYs keep theirs."""
    spans = list(content.schedule.filter(track=track).order_by("from_fy"))
    pieces: list[tuple[int, int, str]] = []
    for span in spans:
        if span.from_fy <= fy <= span.to_fy:
            if span.from_fy < fy:
                pieces.append((span.from_fy, fy - 1, span.phase))
            if fy < span.to_fy:
                pieces.append((fy + 1, span.to_fy, span.phase))
        else:
            pieces.append((span.from_fy, span.to_fy, span.phase))
    if phase:
        pieces.append((fy, fy, phase))
    pieces.sort()
    kept_order = min((s.order for s in spans), default=content.schedule.count())
    content.schedule.filter(track=track).delete()
    ScheduleSpan.objects.bulk_create(
        ScheduleSpan(
            content=content, track=track, from_fy=a, to_fy=b, phase=p, order=kept_order + i
        )
        for i, (a, b, p) in enumerate(pieces)
    )


def set_value(indicator: Indicator, role: str, fy: int, text: str) -> None:
    """Write (or clear, with "") the target or actual of one FY, keeping the text as typed."""
    if not text:
        indicator.values.filter(role=role, fy=fy).delete()
        return
    value, _created = IndicatorValue.objects.get_or_create(
        indicator=indicator, role=role, fy=fy, defaults={"text": text}
    )
    if value.text != text:
        value.text = text
        value.save()
