"""Plans of other bodies an organization registers (他の計画): the city, prefecture, nation.

A registered plan is a Plan of the registering organization with `owner_name` set (the body that
made it). Its plans can then name it (整合, 前計画, 具現化) and their contents serve its goals. It
has no rounds and is never public. Its tree is optional: none, a plan workbook or interchange
file, or goals typed as a numbered list (core.goal_list). A tree loaded from a file keeps its
goals, texts and indicators; the departments, relations and links of the other body are left out
so that nothing of it lands in the registering organization's own lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext

from shinchoku.core.goal_list import Goal
from shinchoku.orgs.models import Organization
from shinchoku.plans import history
from shinchoku.plans.editing import EditConflict, claim_version, lock_plan
from shinchoku.plans.interchange import (
    FORMAT,
    VERSION,
    InvalidDocument,
    load_documents,
    schema_problems,
)
from shinchoku.plans.models import ChangeRecord, ContentGoal, Node, Plan, PlanRelation
from shinchoku.plans.workbook import read_workbook

BROWSER = ChangeRecord.Source.BROWSER
# The kinds a registered plan usually is (the form offers these first).
OUTSIDE_KINDS = [
    Plan.Kind.CITY_PLAN,
    Plan.Kind.PREFECTURAL,
    Plan.Kind.NATIONAL,
    Plan.Kind.OTHER,
]


class OutsideError(Exception):
    """A refusal with a Japanese message saying what to do."""


@dataclass
class Fields:
    """What the 管理者 types for a registered plan."""

    slug: str
    title: str
    owner_name: str
    kind: str
    first_fy: int
    last_fy: int


def outside_plans(organization: Organization):
    """The plans of other bodies the organization registered, with their number of goals."""
    return (
        Plan.objects.filter(organization=organization)
        .exclude(owner_name="")
        .annotate(n_goals=Count("nodes"))
        .order_by("owner_name", "first_fy", "title")
    )


def registered(organization: Organization, slug: str) -> Plan | None:
    """The organization's registered plan called `slug`, or None (any other plan alike)."""
    return (
        Plan.objects.select_related("organization")
        .filter(organization=organization, slug=slug)
        .exclude(owner_name="")
        .first()
    )


def referable_plans(organization: Organization) -> set[str]:
    """Plan IDs an organization's workbook may name in 関連計画.

    Its own plans (registered ones included) and every ID its plans already name, so that a
    plan downloaded and uploaded again loads as it was. Nothing of other organizations is read.
    """
    own = set(Plan.objects.filter(organization=organization).values_list("slug", flat=True))
    named = PlanRelation.objects.filter(plan__organization=organization)
    return own | set(named.values_list("other_slug", flat=True))


# --------------------------------------------------------------------------- trees


def tree_from_file(name: str, data: bytes) -> tuple[dict | None, list[str]]:
    """Read a plan workbook (.xlsx) or interchange file (.json) into a document, or say why not."""
    if name.lower().endswith(".xlsx"):
        result = read_workbook(data, {})
        if result.doc is None:
            return None, [str(p) for p in result.problems]
        return result.doc, []
    if name.lower().endswith(".json"):
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            return None, [
                gettext("The file cannot be read as JSON. Choose a file made with “Export”.")
            ]
        problems = schema_problems(doc)
        if problems:
            return None, [str(p) for p in problems]
        return doc, []
    return None, [gettext("Choose the plan's Excel file (.xlsx) or an exported JSON file (.json).")]


def _bare(node: dict) -> dict:
    """A node of another body's plan without its departments and its links to other plans."""
    return {
        **node,
        "departments": [],
        "kinds": [],
        "contents": [
            {**c, "goals": [], "shared": None}
            for c in node.get("contents", [])
            if c.get("shared") is None
        ],
        "indicators": [{**i, "department": ""} for i in node.get("indicators", [])],
        "children": [_bare(child) for child in node.get("children", [])],
    }


def _typed_nodes(goals: list[Goal], level: int = 1) -> list[dict]:
    return [
        {
            "key": g.key,
            "level": level,
            "label": g.label,
            "title": g.title,
            "subtitle": "",
            "sections": [],
            "departments": [],
            "kinds": [],
            "sdgs": [],
            "contents": [],
            "indicators": [],
            "children": _typed_nodes(g.children, level + 1),
        }
        for g in goals
    ]


@dataclass
class Tree:
    """A registered plan's tree: its level names and nodes as in the interchange format."""

    level_names: list[str]
    nodes: list[dict]
    philosophy: str = ""
    sections: list[dict] | None = None

    @classmethod
    def from_goals(cls, goals: list[Goal], depth: int) -> Tree:
        names = ["基本目標", "施策", "取組", "事業", "細目"][: max(depth, 1)]
        return cls(names, _typed_nodes(goals))

    @classmethod
    def from_document(cls, doc: dict) -> Tree:
        plan = doc["plan"]
        return cls(
            list(plan["level_names"]),
            [_bare(n) for n in plan["nodes"]],
            plan.get("philosophy", ""),
            plan.get("sections", []),
        )


def _document(organization: Organization, fields: Fields, tree: Tree) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "organization": {
            "slug": organization.slug,
            "name": organization.name,
            "kind": organization.kind,
        },
        "departments": [],
        "plan": {
            "slug": fields.slug,
            "title": fields.title,
            "kind": fields.kind,
            "owner": fields.owner_name,
            "first_fy": fields.first_fy,
            "last_fy": fields.last_fy,
            "philosophy": tree.philosophy,
            "level_names": tree.level_names,
            "relations": [],
            "sections": tree.sections or [],
            "welfare_issues": [],
            "shared_contents": [],
            "previous_evaluations": [],
            "nodes": tree.nodes,
        },
    }


def _problems(error: InvalidDocument) -> str:
    return " ".join(str(p) for p in error.problems[:5])


def _record(plan: Plan, user: Any, action: str, before: dict | None, after: dict | None) -> None:
    history.record(
        plan,
        user=user,
        source=BROWSER,
        action=action,
        kind="plan",
        key=plan.slug,
        label=plan.title,
        before=before,
        after=after,
    )


def snapshot(plan: Plan) -> dict[str, str]:
    """How a registered plan reads in its history."""
    return {
        "計画名": plan.title,
        "策定主体": plan.owner_name,
        "種類": str(plan.get_kind_display()),
        "期間": f"{plan.first_fy}〜{plan.last_fy}年度",
    }


# --------------------------------------------------------------------------- writes


def register(organization: Organization, fields: Fields, tree: Tree | None, user: Any) -> Plan:
    """Register another body's plan for `organization`, with its tree when given; all or nothing."""
    if Plan.objects.filter(slug=fields.slug).exists():
        raise OutsideError(
            gettext("The plan ID “%(plan)s” is taken. Choose another plan ID.")
            % {"plan": fields.slug}
        )
    doc = _document(organization, fields, tree or Tree(["目標"], []))
    try:
        with transaction.atomic():
            (plan,) = load_documents([doc])
            _record(plan, user, "add", None, snapshot(plan))
    except InvalidDocument as error:
        raise OutsideError(_problems(error)) from None
    return plan


def update(plan: Plan, fields: Fields, tree: Tree | None, version: int, user: Any) -> Plan:
    """Change a registered plan's name, owner, kind, period and (when given) its tree."""
    before = snapshot(plan)
    try:
        with transaction.atomic():
            lock_plan(plan)
            claim_version(plan, version)
            if tree is not None:
                fields.slug = plan.slug
                load_documents([_document(plan.organization, fields, tree)], replace=True)
                plan.refresh_from_db()
            plan.title, plan.owner_name, plan.kind = fields.title, fields.owner_name, fields.kind
            plan.first_fy, plan.last_fy = fields.first_fy, fields.last_fy
            plan.save(update_fields=["title", "owner_name", "kind", "first_fy", "last_fy"])
            if snapshot(plan) != before or tree is not None:
                _record(plan, user, "change", before, snapshot(plan))
    except EditConflict:
        raise
    except InvalidDocument as error:
        raise OutsideError(_problems(error)) from None
    return plan


def references(plan: Plan) -> list[str]:
    """The plans that name `plan` (relations, contents serving its goals), for the refusal.

    Plans of other organizations are counted, never named.
    """
    relations = PlanRelation.objects.filter(Q(other=plan) | Q(other_slug=plan.slug)).exclude(
        plan=plan
    )
    goals = ContentGoal.objects.filter(Q(plan_slug=plan.slug) | Q(node__plan=plan)).exclude(
        content__node__plan=plan
    )
    rows = set(relations.values_list("plan__organization_id", "plan__title"))
    rows |= set(
        goals.values_list("content__node__plan__organization_id", "content__node__plan__title")
    )
    own = sorted(title for org_id, title in rows if org_id == plan.organization_id)
    others = len({title for org_id, title in rows if org_id != plan.organization_id})
    return own + ([gettext("a plan of another organization")] if others else [])


def delete(plan: Plan, version: int, user: Any) -> None:
    """Delete a registered plan, refused while other plans refer to it."""
    with transaction.atomic():
        lock_plan(plan)
        claim_version(plan, version)
        names = references(plan)
        if names:
            quoted = gettext("“%(value)s”")
            raise OutsideError(
                gettext(
                    "“%(plan)s” cannot be deleted: these plans refer to it: %(names)s. First "
                    "take it out of their related plans and linked goals."
                )
                % {
                    "plan": plan.title,
                    "names": gettext("、").join(quoted % {"value": n} for n in names),
                }
            )
        _record(plan, user, "remove", snapshot(plan), None)
        plan.delete()


def goal_count(plan: Plan) -> int:
    return Node.objects.filter(plan=plan).count()
