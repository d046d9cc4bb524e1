"""The plan interchange format (JSON, version 1): export, validation and import.

See docs/interchange.md. Export is canonical: export → import → export is byte-identical.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from shinchoku.core.schema_check import Check, Unsupported, compile_schema
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans import lineage_format, rows
from shinchoku.plans.limits import MAX_NODE_DEPTH, MAX_NODES
from shinchoku.plans.loading import EVALUATION_FIELDS, forget_own_links, load_plan, walk
from shinchoku.plans.models import (
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    NodeKind,
    Plan,
    PlanRelation,
    PreviousEvaluation,
    ProgressNote,
    ScheduleSpan,
    Section,
    SharedContent,
    WelfareIssue,
)
from shinchoku.plans.rows import Part

FORMAT = "shinchoku-plan"
VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "plan-v1.schema.json"


@cache
def schema() -> dict:
    """Return the JSON Schema of the format."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def dumps(doc: dict) -> str:
    """Serialise a document canonically."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- export


def export_plan(plan: Plan) -> dict:
    """Return the interchange document of a plan, in one query (issue 16: rows.read_compiled)."""
    (
        orgs,
        nodes,
        node_depts,
        node_kinds,
        node_sdgs,
        node_sections,
        contents,
        goals,
        spans,
        indicators,
        values,
        notes,
        relations,
        plan_sections,
        welfare_issues,
        shared_contents,
        evaluations,
        departments,
    ) = rows.read_compiled("export", _export_parts, plan.pk, plan.organization_id)
    organization = orgs[0]
    depts_of = _grouped(node_depts, "node_id")
    kinds_of = _grouped(node_kinds, "node_id")
    sdgs_of = _grouped(node_sdgs, "node_id")
    sections_of = _grouped(node_sections, "node_id")
    contents_of = _grouped(contents, "node_id")
    goals_of = _grouped(goals, "content_id")
    spans_of = _grouped(spans, "content_id")
    indicators_of = _grouped(indicators, "node_id")
    values_of = _grouped(values, "indicator_id")
    notes_of = _grouped(notes, "indicator_id")
    children = _grouped(nodes, "parent_id")

    used_departments: set[int] = set()

    def node_doc(node: Node) -> dict:
        node_departments = depts_of.get(node.id, ())
        for nd in node_departments:
            used_departments.add(nd.department_id)
        indicator_docs = []
        for ind in indicators_of.get(node.id, ()):
            if ind.department_id:
                used_departments.add(ind.department_id)
            indicator_docs.append(
                _indicator_doc(ind, values_of.get(ind.id, ()), notes_of.get(ind.id, ()))
            )
        return {
            "key": node.key,
            "level": node.level,
            "label": node.label,
            "title": node.title,
            "subtitle": node.subtitle,
            "sections": [_section_doc(s) for s in sections_of.get(node.id, ())],
            "departments": [nd.department.name for nd in node_departments],
            "kinds": [nk.kind.name for nk in sorted(kinds_of.get(node.id, ()), key=_order)],
            "sdgs": sorted(s.sdggoal.number for s in sdgs_of.get(node.id, ())),
            "contents": [
                _content_doc(c, goals_of.get(c.id, ()), spans_of.get(c.id, ()))
                for c in contents_of.get(node.id, ())
            ],
            "indicators": indicator_docs,
            "children": [node_doc(child) for child in children.get(node.id, ())],
            **lineage_format.node_fields(node),  # issue 13: optional lineage
        }

    tree = [node_doc(node) for node in children.get(None, ())]
    return {
        "format": FORMAT,
        "version": VERSION,
        "organization": {
            "slug": organization.slug,
            "name": organization.name,
            "kind": organization.kind,
        },
        "departments": _departments_doc(departments, used_departments),
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
            "relations": [{"type": r.type, "plan": r.other_slug} for r in relations],
            "sections": [_section_doc(s) for s in plan_sections],
            "welfare_issues": [
                {"number": w.number, "title": w.title, "voices": list(w.voices)}
                for w in welfare_issues
            ],
            "shared_contents": [
                {"key": s.key, "label": s.label, "text": s.text, "tag": s.tag}
                for s in shared_contents
            ],
            "previous_evaluations": [
                {f: getattr(e, f) for f in EVALUATION_FIELDS} | lineage_format.evaluation_fields(e)
                for e in evaluations
            ],
            "nodes": tree,
        },
    }


def _export_parts(plan_id: int, organization_id: int) -> list[Part]:
    """The querysets export_plan reads as one (stand-ins: rows.read_compiled). Each part is in
    the order the document lists its rows (grouped by parent in `_grouped`, which keeps it)."""
    in_plan = {"node__plan_id": plan_id}
    in_content = {"content__node__plan_id": plan_id}
    in_indicator = {"indicator__node__plan_id": plan_id}
    Sdgs = Node.sdgs.through
    return [
        Part(Organization.objects.filter(pk=organization_id)),
        Part(Node.objects.filter(plan_id=plan_id), order=("seq", "pk")),
        Part(NodeDepartment.objects.filter(**in_plan), ("department",), ("order", "pk")),
        Part(NodeKind.objects.filter(**in_plan), ("kind",), ("order", "pk")),
        Part(Sdgs.objects.filter(**in_plan), ("sdggoal",), ("pk",)),
        Part(Section.objects.filter(**in_plan), order=("order", "pk")),
        Part(Content.objects.filter(**in_plan), ("shared",), ("order", "pk")),
        Part(ContentGoal.objects.filter(**in_content), order=("order", "pk")),
        Part(ScheduleSpan.objects.filter(**in_content), order=("order", "pk")),
        Part(Indicator.objects.filter(**in_plan), ("department",), ("order", "pk")),
        Part(IndicatorValue.objects.filter(**in_indicator), order=("fy", "pk")),
        Part(ProgressNote.objects.filter(**in_indicator), order=("fy", "pk")),
        Part(PlanRelation.objects.filter(plan_id=plan_id), order=("order", "pk")),
        Part(Section.objects.filter(plan_id=plan_id, node=None), order=("order", "pk")),
        Part(WelfareIssue.objects.filter(plan_id=plan_id), order=("number", "pk")),
        Part(SharedContent.objects.filter(plan_id=plan_id), order=("order", "pk")),
        Part(PreviousEvaluation.objects.filter(plan_id=plan_id), order=("order", "pk")),
        Part(Department.objects.filter(organization_id=organization_id), order=("order", "pk")),
    ]


def _grouped(items: list, attname: str) -> dict[Any, list]:
    """The items by the value of one field, each group in the items' order."""
    out: dict[Any, list] = defaultdict(list)
    for item in items:
        out[getattr(item, attname)].append(item)
    return out


def _order(row: Any) -> int:
    return row.order


def _departments_doc(departments: list[Department], used: set[int]) -> list[dict]:
    by_id = {d.id: d for d in departments}
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


def _content_doc(content: Content, goals: Iterable[ContentGoal], spans: Iterable) -> dict:
    return {
        "label": content.label,
        "text": content.text,
        "tag": content.tag,
        "repost": content.repost,
        "shared": content.shared.key if content.shared_id else None,
        # As written: a goal since deleted stays a reference by slug and key.
        "goals": [{"plan": cg.plan_slug, "node": cg.node_key} for cg in goals],
        "schedule": [
            {"track": s.track, "from": s.from_fy, "to": s.to_fy, "phase": s.phase} for s in spans
        ],
        "note": content.note,
        **lineage_format.content_fields(content),
    }


def _indicator_doc(ind: Indicator, values: Sequence[IndicatorValue], notes: Iterable) -> dict:
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
        "reports": [{"fy": r.fy, "done": r.done, "next": r.next} for r in notes],
        "notes": ind.notes,
        **lineage_format.indicator_fields(ind),
    }


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (a path in the file) and what, in the language
    active when it was found."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InvalidDocument(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or gettext("(the whole document)")


def _schema_message(error: jsonschema.ValidationError) -> str:
    v = error.validator
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return gettext("The required field “%(field)s” is missing.") % {"field": missing}
    if v == "additionalProperties":
        return gettext("There are unknown fields (%(detail)s). Check the field names.") % {
            "detail": error.message
        }
    if v == "enum":
        quoted = gettext("“%(value)s”")
        allowed = gettext("、").join(quoted % {"value": x} for x in error.validator_value)
        return gettext("“%(value)s” cannot be used. Use one of: %(allowed)s") % {
            "value": error.instance,
            "allowed": allowed,
        }
    if v == "const":
        return gettext("It must be “%(expected)s”, not “%(value)s”.") % {
            "expected": error.validator_value,
            "value": error.instance,
        }
    if v == "type":
        return gettext("The value has the wrong type (%(type)s is needed).") % {
            "type": error.validator_value
        }
    if v == "minLength":
        return gettext("It cannot be empty.")
    if v == "maxLength":
        return gettext("Too long (%(max)s characters at most).") % {"max": error.validator_value}
    if v == "pattern":
        return gettext(
            "“%(value)s” is not in the right form (lower-case letters, digits, hyphens…)."
        ) % {"value": error.instance}
    if v in ("minimum", "maximum"):
        return gettext("%(value)s is out of range.") % {"value": error.instance}
    return gettext("The value is not valid (%(detail)s).") % {"detail": error.message}


def validate(doc: Any, known_plans: dict[str, set[str]] | None = None) -> list[Problem]:
    """Check a document against the schema and the format's rules; return every problem.

    known_plans maps plan slugs (in the database or in the same import run) to their node keys.
    """
    return schema_problems(doc) or rule_problems(doc, known_plans or {})


def schema_problems(doc: Any) -> list[Problem]:
    """Check a document's size, then against the JSON Schema."""
    too_big = size_problems(doc)
    if too_big:
        return too_big
    quick = _quick_check()
    if quick is not None and quick(doc):
        return []  # valid: jsonschema's walk would find nothing
    validator = jsonschema.Draft202012Validator(schema())
    return [
        Problem(_path(e.absolute_path), _schema_message(e))
        for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    ]


@cache
def _quick_check() -> Check | None:
    """The schema compiled into a yes/no check (core/schema_check.py); None if it cannot be."""
    try:
        return compile_schema(schema())
    except Unsupported:
        return None


def size_problems(doc: Any) -> list[Problem]:
    """Refuse a tree deeper or larger than the limits, before any work grows with it.

    Reads the document as it came (not yet checked against the schema), without recursion, and
    stops at the first node past a limit.
    """
    plan = doc.get("plan") if isinstance(doc, dict) else None
    nodes = plan.get("nodes") if isinstance(plan, dict) else None
    if not isinstance(nodes, list):
        return []
    stack: list[tuple[list, int, str]] = [(nodes, 1, "plan.nodes")]
    count = 0
    while stack:
        items, depth, where = stack.pop()
        if depth > MAX_NODE_DEPTH:
            return [
                Problem(
                    where,
                    gettext(
                        "The items nest too deep (%(max)s levels at most). Check how each item's "
                        "children (the items under it) are linked."
                    )
                    % {"max": MAX_NODE_DEPTH},
                )
            ]
        for i, node in enumerate(items):
            count += 1
            if count > MAX_NODES:
                return [
                    Problem(
                        "plan.nodes",
                        gettext(
                            "Too many items (%(max)s at most). Split the plan and load it in parts."
                        )
                        % {"max": MAX_NODES},
                    )
                ]
            children = node.get("children") if isinstance(node, dict) else None
            if isinstance(children, list) and children:
                stack.append((children, depth + 1, f"{where}[{i}].children"))
    return []


def rule_problems(doc: dict, known_plans: dict[str, set[str]]) -> list[Problem]:
    """Check the rules a schema cannot say: unique keys, links, periods, levels.

    Links are checked only into the document's own organization's plans. A link to any other
    slug is a reference to another organization's plan (or one not loaded yet): accepted as it
    is, whether or not such a plan exists, so that a message never tells which plans and goals
    other organizations have.
    """
    problems: list[Problem] = []
    plan = doc["plan"]
    known = _own_plans(known_plans, doc["organization"]["slug"])
    own_keys = {n["key"] for n in walk(plan["nodes"])}
    known[plan["slug"]] = own_keys

    if plan["first_fy"] > plan["last_fy"]:
        problems.append(
            Problem("plan.last_fy", gettext("The plan's period ends before it starts."))
        )
    dept_names = [d["name"] for d in doc["departments"]]
    for i, dept in enumerate(doc["departments"]):
        if dept_names.count(dept["name"]) > 1:
            problems.append(
                Problem(
                    f"departments[{i}]",
                    gettext("The department “%(name)s” is listed twice.") % {"name": dept["name"]},
                )
            )
        if dept["parent"] is not None and dept["parent"] not in dept_names:
            problems.append(
                Problem(
                    f"departments[{i}].parent",
                    gettext("There is no parent department “%(name)s”.") % {"name": dept["parent"]},
                )
            )
    for i, rel in enumerate(plan["relations"]):
        if rel["plan"] == plan["slug"]:
            problems.append(
                Problem(f"plan.relations[{i}]", gettext("A plan cannot be related to itself."))
            )
    shared_keys = [s["key"] for s in plan["shared_contents"]]
    for i, key in enumerate(shared_keys):
        if shared_keys.count(key) > 1:
            problems.append(Problem(f"plan.shared_contents[{i}]", twice(key)))
    seen_nodes: set[str] = set()
    seen_indicators: set[str] = set()
    depth = len(plan["level_names"])

    def check(stack: list[tuple[dict, str, int]]) -> None:
        """Depth-first in document order, without recursion (the tree's size is checked first)."""
        while stack:
            node, here, parent_level = stack.pop()
            if node["key"] in seen_nodes:
                problems.append(Problem(f"{here}.key", twice(node["key"])))
            seen_nodes.add(node["key"])
            if node["level"] <= parent_level or node["level"] > depth:
                problems.append(
                    Problem(
                        f"{here}.level",
                        gettext(
                            "The level %(level)s cannot be used (the item above is at "
                            "%(parent)s, the plan has %(depth)s levels)."
                        )
                        % {"level": node["level"], "parent": parent_level, "depth": depth},
                    )
                )
            for name in node["departments"]:
                if name not in dept_names:
                    problems.append(Problem(f"{here}.departments", not_a_department(name)))
            for j, content in enumerate(node["contents"]):
                _check_content(content, f"{here}.contents[{j}]", plan, shared_keys, known, problems)
            for j, ind in enumerate(node["indicators"]):
                _check_indicator(
                    ind, f"{here}.indicators[{j}]", dept_names, seen_indicators, problems
                )
            stack.extend(
                (child, f"{here}.children[{j}]", node["level"])
                for j, child in reversed(list(enumerate(node["children"])))
            )

    check([(node, f"plan.nodes[{i}]", 0) for i, node in reversed(list(enumerate(plan["nodes"])))])
    return problems


def twice(key: str) -> str:
    return gettext("The key “%(key)s” is used twice.") % {"key": key}


def not_a_department(name: str) -> str:
    return gettext("The department “%(name)s” is not in departments.") % {"name": name}


def _check_content(
    content: dict,
    where: str,
    plan: dict,
    shared_keys: list[str],
    known: dict[str, set[str]],
    problems: list[Problem],
) -> None:
    if content["shared"] is not None and content["shared"] not in shared_keys:
        problems.append(
            Problem(
                f"{where}.shared",
                gettext("There is no shared content “%(key)s”.") % {"key": content["shared"]},
            )
        )
    for k, goal in enumerate(content["goals"]):
        if goal["plan"] in known and goal["node"] not in known[goal["plan"]]:
            problems.append(
                Problem(
                    f"{where}.goals[{k}]",
                    gettext("The plan “%(plan)s” has no “%(key)s”.")
                    % {"plan": goal["plan"], "key": goal["node"]},
                )
            )
    for k, span in enumerate(content["schedule"]):
        if span["from"] > span["to"]:
            problems.append(
                Problem(f"{where}.schedule[{k}]", gettext("The period ends before it starts."))
            )
        if span["from"] < plan["first_fy"] or span["to"] > plan["last_fy"]:
            problems.append(
                Problem(
                    f"{where}.schedule[{k}]",
                    gettext(
                        "FY%(from)s to FY%(to)s is outside the plan's period "
                        "(FY%(first)s to FY%(last)s)."
                    )
                    % {
                        "from": span["from"],
                        "to": span["to"],
                        "first": plan["first_fy"],
                        "last": plan["last_fy"],
                    },
                )
            )


def _check_indicator(
    ind: dict, where: str, dept_names: list[str], seen: set[str], problems: list[Problem]
) -> None:
    if ind["key"] in seen:
        problems.append(Problem(f"{where}.key", twice(ind["key"])))
    seen.add(ind["key"])
    if ind["department"] and ind["department"] not in dept_names:
        problems.append(Problem(f"{where}.department", not_a_department(ind["department"])))
    for field in ("targets", "actuals", "reports"):
        years = [row["fy"] for row in ind[field]]
        if len(years) != len(set(years)):
            problems.append(
                Problem(f"{where}.{field}", gettext("The same fiscal year appears twice."))
            )
    baseline = ind["baseline"]
    if baseline and baseline["as_of"]:
        try:
            date.fromisoformat(baseline["as_of"])
        except ValueError:
            problems.append(Problem(f"{where}.baseline.as_of", gettext("The date is not valid.")))


# --------------------------------------------------------------------------- import


class PlanExists(Exception):
    """The plan's slug is taken and replacing was not asked for."""


def load_documents(docs: list[dict], replace: bool = False, checked: bool = False) -> list[Plan]:
    """Validate and load documents as one transaction: all of them, or nothing.

    A plan that exists is updated in place by its keys (plans/loading.py): it keeps its id and
    everything hanging from it (rounds, sheets, settings, history). `checked`: the caller has
    already checked every document against the schema (the rules are checked here all the same:
    they depend on the plans in the database).
    """
    problems: list[Problem] = []

    def prefixed(i: int, found: list[Problem]) -> None:
        prefix = f"[{i + 1}] " if len(docs) > 1 else ""
        problems.extend(Problem(prefix + p.where, p.message) for p in found)

    for i, doc in enumerate(docs):
        prefixed(i, [] if checked else schema_problems(doc))
    if problems:
        raise InvalidDocument(problems)
    in_run = {d["plan"]["slug"]: {n["key"] for n in walk(d["plan"]["nodes"])} for d in docs}
    # The rules check links against the plans of each document's own organization only.
    # (Plans of other organizations never count; those named by slug keep their owner.)
    known = _known_plans(
        organization_slugs={d["organization"]["slug"] for d in docs}, plan_slugs=set(in_run)
    )
    known.update(in_run)
    for i, doc in enumerate(docs):
        prefixed(i, rule_problems(doc, known))
    if problems:
        raise InvalidDocument(problems)
    with transaction.atomic():
        existing = {p.slug: p for p in Plan.objects.select_for_update().filter(slug__in=in_run)}
        if existing and not replace:
            raise PlanExists(
                "次の計画は既にあります: "
                + "、".join(sorted(existing))
                + "。置き換えるときは --replace を付けてください。"
            )
        old_goals = forget_own_links(set(existing))
        plans = []
        for i, doc in enumerate(docs):
            plan, refused = load_plan(doc, existing.get(doc["plan"]["slug"]), old_goals)
            plans.append(plan)
            prefixed(i, [Problem(where, message) for where, message in refused])
        if problems:
            raise InvalidDocument(problems)
        by_slug = {p.slug: p for p in plans}
        for doc in docs:
            _link(doc, by_slug)
    return plans


class KnownPlans(dict):
    """Plan slug → node keys, with each plan's organization slug in `org_of`."""

    def __init__(self, *args: Any, org_of: dict[str, str] | None = None):
        super().__init__(*args)
        self.org_of: dict[str, str] = dict(org_of or {})
        # The plan IDs a workbook's 関連計画 may name (outside.referable_plans); None: any.
        self.referable: set[str] | None = None


def _own_plans(known_plans: dict[str, set[str]], org_slug: str) -> dict[str, set[str]]:
    """The plans links are checked against: those of `org_slug` (all, when not told)."""
    org_of = getattr(known_plans, "org_of", {})
    return {
        slug: keys for slug, keys in known_plans.items() if org_of.get(slug, org_slug) == org_slug
    }


def known_plans(organization: Organization | None = None) -> KnownPlans:
    """The plans in the database with their node keys, for checking links.

    With an organization: only its own plans, so that checking a file never looks into (or
    tells about) another organization's plans; its relations may name only the plans it has
    (its own and those it registered, outside.py) or already names.
    """
    known = _known_plans(organization)
    if organization is not None:
        from shinchoku.plans.outside import referable_plans

        known.referable = referable_plans(organization)
    return known


def known_for_import(in_run: dict[str, set[str]]) -> Callable[[str], KnownPlans]:
    """For `shinchoku import`: given a workbook's organization slug, the plans it may link to.

    Those are what `load_documents` checks its links against: that organization's plans in the
    database and the plans of the same run (`in_run`: slug → node keys), read once the workbook
    has said whose it is (issue 16: not every node of every plan, which grew with the councils).
    """

    def known(organization_slug: str) -> KnownPlans:
        found = _known_plans(organization_slugs={organization_slug}, plan_slugs=set(in_run))
        found.update(in_run)
        return found

    return known


def _known_plans(
    organization: Organization | None = None,
    organization_slugs: set[str] | None = None,
    plan_slugs: set[str] | None = None,
) -> KnownPlans:
    if organization is not None:
        plans = organization.plans.all()
    elif organization_slugs is not None:
        plans = Plan.objects.filter(
            Q(organization__slug__in=organization_slugs) | Q(slug__in=plan_slugs or ())
        )
    else:
        plans = Plan.objects.all()
    # One query (issue 16): each plan with each of its node keys (None for a plan without one).
    org_of: dict[str, str] = {}
    known: dict[str, set[str]] = {}
    for slug, org_slug, key in plans.values_list("slug", "organization__slug", "nodes__key"):
        org_of[slug] = org_slug
        keys = known.setdefault(slug, set())
        if key is not None:
            keys.add(key)
    return KnownPlans(known, org_of=org_of)


def _link(doc: dict, by_slug: dict[str, Plan]) -> None:
    """Create the links that may point into other plans: relations and served goals.

    Each is a reference by slug (and node key), resolved to the plan or goal when there is one
    and left unresolved otherwise; references from other plans that name this plan resolve now.
    """
    plan = by_slug[doc["plan"]["slug"]]
    named = {rel["plan"] for rel in doc["plan"]["relations"]}
    others = dict(Plan.objects.filter(slug__in=named).values_list("slug", "id")) if named else {}
    for i, rel in enumerate(doc["plan"]["relations"]):
        PlanRelation.objects.create(
            plan=plan,
            other_id=others.get(rel["plan"]),
            other_slug=rel["plan"],
            type=rel["type"],
            order=i,
        )
    _resolve_references_to(plan)
    wanted = {
        (g["plan"], g["node"])
        for n in walk(doc["plan"]["nodes"])
        for c in n["contents"]
        for g in c["goals"]
    }
    if not wanted:
        return
    node_ids = {
        (slug, key): nid
        for nid, slug, key in Node.objects.filter(
            plan__slug__in={slug for slug, _ in wanted}
        ).values_list("id", "plan__slug", "key")
    }
    contents = {
        (c.node.key, c.order): c.id
        for c in Content.objects.filter(node__plan=plan).select_related("node")
    }
    rows = []
    for n in walk(doc["plan"]["nodes"]):
        for i, c in enumerate(n["contents"]):
            for k, g in enumerate(dict.fromkeys((g["plan"], g["node"]) for g in c["goals"])):
                rows.append(
                    ContentGoal(
                        content_id=contents[(n["key"], i)],
                        node_id=node_ids.get(g),
                        plan_slug=g[0],
                        node_key=g[1],
                        order=k,
                    )
                )
    ContentGoal.objects.bulk_create(rows)


def _resolve_references_to(plan: Plan) -> None:
    """Point unresolved references naming `plan` (loaded after them) at it and its goals."""
    PlanRelation.objects.filter(other=None, other_slug=plan.slug).update(other=plan)
    waiting = list(ContentGoal.objects.filter(node=None, plan_slug=plan.slug))
    if waiting:
        ids = dict(Node.objects.filter(plan=plan).values_list("key", "id"))
        for cg in waiting:
            cg.node_id = ids.get(cg.node_key)
        ContentGoal.objects.bulk_update([cg for cg in waiting if cg.node_id], ["node"])
