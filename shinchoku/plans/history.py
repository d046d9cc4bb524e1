"""The change history of plans: who changed what, when, and the values before and after.

Every write to a plan's structure goes through `record` (browser edits) or `record_changes`
(workbook and command-line imports, from the document diff).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from shinchoku.plans.models import (
    ChangeRecord,
    Content,
    Indicator,
    IndicatorValue,
    Node,
    Plan,
    Section,
)
from shinchoku.plans.vocabulary import DIRECTIONS, PLAN_KINDS, STYLES


def user_name(user: Any) -> str:
    """The name shown for a user in the history: full name, else user name."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name() or user.get_username()


def dumps_snapshot(snapshot: dict[str, str] | None) -> str:
    """Serialise a snapshot (field label → text) for a record; "" for none."""
    return "" if snapshot is None else json.dumps(snapshot, ensure_ascii=False)


def loads_snapshot(text: str) -> dict[str, str]:
    """Read a snapshot back; plain text (from a document diff) becomes one field."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"": text}
    return value if isinstance(value, dict) else {"": str(value)}


def record(
    plan: Plan,
    *,
    user: Any,
    source: str,
    action: str,
    kind: str,
    key: str,
    label: str,
    node_key: str = "",
    before: dict[str, str] | None = None,
    after: dict[str, str] | None = None,
    batch: str = "",
) -> ChangeRecord:
    """Write one history record."""
    return ChangeRecord.objects.create(
        organization_id=plan.organization_id,
        plan_slug=plan.slug,
        user=user if getattr(user, "is_authenticated", False) else None,
        user_name=user_name(user),
        source=source,
        batch=batch,
        action=action,
        kind=kind,
        node_key=node_key,
        key=key[:300],
        label=label[:500],
        before=dumps_snapshot(before),
        after=dumps_snapshot(after),
    )


def record_changes(
    plan: Plan, changes: Iterable[Any], *, user: Any, source: str
) -> list[ChangeRecord]:
    """Record the changes of a document diff (shinchoku.plans.diff.Change) as one batch."""
    batch = uuid.uuid4().hex
    name = user_name(user)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    rows = [
        ChangeRecord(
            organization_id=plan.organization_id,
            plan_slug=plan.slug,
            user_id=user_id,
            user_name=name,
            source=source,
            batch=batch,
            action=c.action,
            kind=c.kind,
            node_key=getattr(c, "node_key", "") or "",
            key=c.key[:300],
            label=c.label[:500],
            before=dumps_snapshot(c.before) if c.before else "",
            after=dumps_snapshot(c.after) if c.after else "",
        )
        for c in changes
    ]
    return ChangeRecord.objects.bulk_create(rows)


def last_change(plan_slug: str, kind: str, key: str) -> ChangeRecord | None:
    """The newest record about one object, to show who changed it last."""
    return ChangeRecord.objects.filter(plan_slug=plan_slug, kind=kind, key=key).first()


# Snapshots: the fields of an object as a person reads them, for before/after.


def _lines(items: Iterable[str]) -> str:
    return "\n".join(items)


def snapshot_plan(plan: Plan) -> dict[str, str]:
    return {
        "計画名": plan.title,
        "種類": PLAN_KINDS.get(plan.kind, plan.kind),
        "計画期間": f"{plan.first_fy}〜{plan.last_fy}年度",
        "基本理念": plan.philosophy,
        "階層名": "、".join(plan.level_names),
    }


def snapshot_node(node: Node) -> dict[str, str]:
    return {
        "番号": node.label,
        "タイトル": node.title,
        "サブタイトル": node.subtitle,
        "担当部署": "、".join(nd.department.name for nd in node.nodedepartment_set.all()),
        "種別": "、".join(nk.kind.name for nk in node.nodekind_set.all()),
        "SDGs": "、".join(str(g.number) for g in node.sdgs.all()),
    }


def snapshot_section(section: Section) -> dict[str, str]:
    return {
        "見出し": section.heading,
        "形式": STYLES.get(section.style, section.style),
        "本文": _lines(section.body),
    }


def snapshot_content(content: Content) -> dict[str, str]:
    schedule = [
        f"{s.track + ': ' if s.track else ''}{s.from_fy}"
        + (f"〜{s.to_fy}" if s.to_fy != s.from_fy else "")
        + f" {s.phase}"
        for s in content.schedule.all()
    ]
    goals = [f"{g.plan_slug}:{g.node_key}" for g in content.contentgoal_set.order_by("order")]
    return {
        "番号": content.label,
        "実施内容": content.text,
        "区分": content.tag,
        "再掲": "○" if content.repost else "",
        "結び付く目標": "、".join(goals),
        "実施時期": _lines(schedule),
        "備考": content.note,
    }


def snapshot_indicator(indicator: Indicator) -> dict[str, str]:
    values = list(indicator.values.all())

    def of(role: str) -> list[IndicatorValue]:
        return [v for v in values if v.role == role]

    baseline = next(iter(of(IndicatorValue.Role.BASELINE)), None)
    out = {
        "番号": indicator.label,
        "指標名": indicator.name,
        "単位": indicator.unit,
        "方向": DIRECTIONS.get(indicator.direction, indicator.direction),
        "担当部署": indicator.department.name if indicator.department else "",
        "備考": indicator.notes,
        "現状値": f"{baseline.fy}年度 {baseline.text}" if baseline else "",
        "目標": _lines(f"{v.fy}年度 {v.text}" for v in of(IndicatorValue.Role.TARGET)),
    }
    actuals = of(IndicatorValue.Role.ACTUAL)
    if actuals:
        out["実績"] = _lines(f"{v.fy}年度 {v.text}" for v in actuals)
    reports = list(indicator.reports.all())
    if reports:
        out["取組報告"] = _lines(f"{r.fy}年度 {r.done} / {r.next}" for r in reports)
    return out
