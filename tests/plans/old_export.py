"""The plan export as it was before issue 16's one-query read (commit 32a8ae1), kept verbatim as
the reference the new read must match byte for byte (tests/plans/test_export_one_read.py).

Do not edit: it is the old reader, with Django's prefetch_related (17 queries).
"""

# ruff: noqa

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch

from shinchoku.orgs.models import Organization
from shinchoku.plans import lineage_format
from shinchoku.plans.interchange import FORMAT, VERSION
from shinchoku.plans.loading import EVALUATION_FIELDS
from shinchoku.plans.models import (
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    NodeKind,
    Plan,
    ProgressNote,
    ScheduleSpan,
    Section,
)


def old_export_plan(plan: Plan) -> dict:
    """Return the interchange document of a plan, in a fixed number of queries."""
    nodes = list(
        Node.objects.filter(plan=plan)
        .order_by("seq")
        .prefetch_related(
            Prefetch(
                "nodedepartment_set",
                queryset=NodeDepartment.objects.select_related("department").order_by("order"),
            ),
            Prefetch("nodekind_set", queryset=NodeKind.objects.select_related("kind")),
            "sdgs",
            Prefetch("sections", queryset=Section.objects.order_by("order")),
            Prefetch(
                "contents",
                queryset=Content.objects.select_related("shared")
                .order_by("order")
                .prefetch_related(
                    Prefetch(
                        "contentgoal_set",
                        queryset=ContentGoal.objects.order_by("order"),
                    ),
                    Prefetch("schedule", queryset=ScheduleSpan.objects.order_by("order")),
                ),
            ),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("department")
                .order_by("order")
                .prefetch_related(
                    Prefetch("values", queryset=IndicatorValue.objects.order_by("fy")),
                    Prefetch("reports", queryset=ProgressNote.objects.order_by("fy")),
                ),
            ),
        )
    )
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    used_departments: set[int] = set()

    def node_doc(node: Node) -> dict:
        for nd in node.nodedepartment_set.all():
            used_departments.add(nd.department_id)
        indicators = []
        for ind in node.indicators.all():
            if ind.department_id:
                used_departments.add(ind.department_id)
            indicators.append(_indicator_doc(ind))
        return {
            "key": node.key,
            "level": node.level,
            "label": node.label,
            "title": node.title,
            "subtitle": node.subtitle,
            "sections": [_section_doc(s) for s in node.sections.all()],
            "departments": [nd.department.name for nd in node.nodedepartment_set.all()],
            "kinds": [nk.kind.name for nk in sorted(node.nodekind_set.all(), key=_order)],
            "sdgs": sorted(goal.number for goal in node.sdgs.all()),
            "contents": [_content_doc(c) for c in node.contents.all()],
            "indicators": indicators,
            "children": [node_doc(child) for child in children[node.id]],
            **lineage_format.node_fields(node),  # issue 13: optional lineage
        }

    tree = [node_doc(node) for node in children[None]]
    departments = _departments_doc(plan.organization, used_departments)
    return {
        "format": FORMAT,
        "version": VERSION,
        "organization": {
            "slug": plan.organization.slug,
            "name": plan.organization.name,
            "kind": plan.organization.kind,
        },
        "departments": departments,
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "kind": plan.kind,
            # A registered plan of another body names its owner (outside.py); own plans do not.
            **({"owner": plan.owner_name} if plan.owner_name else {}),
            "first_fy": plan.first_fy,
            "last_fy": plan.last_fy,
            "philosophy": plan.philosophy,
            "level_names": list(plan.level_names),
            **lineage_format.plan_fields(plan),  # issue 13: optional status (draft)
            "relations": [
                {"type": r.type, "plan": r.other_slug} for r in plan.relations.order_by("order")
            ],
            "sections": [
                _section_doc(s) for s in plan.sections.filter(node=None).order_by("order")
            ],
            "welfare_issues": [
                {"number": w.number, "title": w.title, "voices": list(w.voices)}
                for w in plan.welfare_issues.order_by("number")
            ],
            "shared_contents": [
                {"key": s.key, "label": s.label, "text": s.text, "tag": s.tag}
                for s in plan.shared_contents.order_by("order")
            ],
            "previous_evaluations": [
                {f: getattr(e, f) for f in EVALUATION_FIELDS} | lineage_format.evaluation_fields(e)
                for e in plan.previous_evaluations.order_by("order", "id")
            ],
            "nodes": tree,
        },
    }


def _order(row: Any) -> int:
    return row.order


def _departments_doc(org: Organization, used: set[int]) -> list[dict]:
    by_id = {d.id: d for d in org.departments.order_by("order", "id")}
    wanted = set()
    for dept_id in used:
        current = by_id.get(dept_id)
        while current is not None and current.id not in wanted:
            wanted.add(current.id)
            current = by_id.get(current.parent_id) if current.parent_id else None
    return [
        {"name": d.name, "parent": by_id[d.parent_id].name if d.parent_id else None}
        for d in by_id.values()
        if d.id in wanted
    ]


def _section_doc(section: Section) -> dict:
    return {"heading": section.heading, "style": section.style, "body": list(section.body)}


def _content_doc(content: Content) -> dict:
    return {
        "label": content.label,
        "text": content.text,
        "tag": content.tag,
        "repost": content.repost,
        "shared": content.shared.key if content.shared_id else None,
        # As written: a goal since deleted stays a reference by slug and key.
        "goals": [
            {"plan": cg.plan_slug, "node": cg.node_key} for cg in content.contentgoal_set.all()
        ],
        "schedule": [
            {"track": s.track, "from": s.from_fy, "to": s.to_fy, "phase": s.phase}
            for s in content.schedule.all()
        ],
        "note": content.note,
        **lineage_format.content_fields(content),
    }


def _indicator_doc(ind: Indicator) -> dict:
    values = list(ind.values.all())
    baseline = next((v for v in values if v.role == IndicatorValue.Role.BASELINE), None)
    return {
        "key": ind.key,
        "label": ind.label,
        "name": ind.name,
        "unit": ind.unit,
        "direction": ind.direction,
        "department": ind.department.name if ind.department_id else "",
        "baseline": None
        if baseline is None
        else {
            "fy": baseline.fy,
            "value": baseline.text,
            "label": baseline.label,
            "estimate": baseline.estimate,
            "as_of": baseline.as_of.isoformat() if baseline.as_of else None,
        },
        "targets": [
            {"fy": v.fy, "value": v.text} for v in values if v.role == IndicatorValue.Role.TARGET
        ],
        "actuals": [
            {"fy": v.fy, "value": v.text, "note": v.note}
            for v in values
            if v.role == IndicatorValue.Role.ACTUAL
        ],
        "reports": [{"fy": r.fy, "done": r.done, "next": r.next} for r in ind.reports.all()],
        "notes": ind.notes,
        **lineage_format.indicator_fields(ind),
    }
