"""The item page's parts that are the same for every reader, cached until they change (issue 16).

The node's title, breadcrumbs, facts, sections, contents with their schedule and linked goals,
indicators, the levels below it and the contents of other plans that serve it are rendered once
and kept in Django's cache under a key made of the plan's cache version (plans.cache_version,
raised in the same transaction as any write to them), the versions of the plans it shows rows
of (its neighbours: the plans it relates to or that relate to it, and the plans on either side
of its contents' goal links — the goal names, the serving contents), the node and the language.
Nothing in these parts depends on who reads them: the reader's parts (the lineage links, the
yearly progress with its drafts, the businesses) are rendered per request by their own tags.

A hit costs no query besides the plan's own read (`item_plan`: the plan with its version, its
neighbours' versions and the ITEM_ROWS other apps show beside the item, one query). A miss reads
every row of the parts and of the lineage in one query more (`read_item`, a UNION ALL of JSON
rows: plans.rows), whatever the plan's size (issue 16).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest
from django.utils.translation import get_language

from shinchoku.accounts.permissions import require
from shinchoku.core.node_names import node_name
from shinchoku.evaluations.succession import successors
from shinchoku.plans import links, rows
from shinchoku.plans.access import HAS_NUMBERS, may_see, with_settings
from shinchoku.plans.cache_version import version_read
from shinchoku.plans.models import (
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    LinkAcceptance,
    Node,
    NodeDepartment,
    NodeKind,
    Plan,
    PlanRelation,
    ProgressNote,
    ScheduleSpan,
    Section,
)
from shinchoku.plans.rows import Part, prefetched

NEIGHBOURS = "shinchoku:item-neighbours:{plan}:{version}"
PARTS = "shinchoku:item:{plan}:{version}:{others}:{key}:{language}"


def neighbours(plan: Plan) -> tuple[list[int], list[str]]:
    """Ids of the plans whose rows the plan's item pages may show, and the slugs its goal links
    name without a goal (a plan made later under that slug changes how they read)."""
    key = NEIGHBOURS.format(plan=plan.pk, version=plan.cache_v)
    found = cache.get(key)
    if found is None:
        # The links themselves belong to the plan: any change to them raises its version.
        ids = (
            PlanRelation.objects.filter(plan=plan, other__isnull=False)
            .order_by()
            .values_list("other_id")
            .union(
                PlanRelation.objects.filter(other=plan).order_by().values_list("plan_id"),
                ContentGoal.objects.filter(content__node__plan=plan, node__isnull=False)
                .order_by()
                .values_list("node__plan_id"),
                ContentGoal.objects.filter(node__plan=plan)
                .order_by()
                .values_list("content__node__plan_id"),
            )
        )
        slugs = ContentGoal.objects.filter(content__node__plan=plan, node__isnull=True).order_by()
        found = (
            sorted({i for (i,) in ids} - {plan.pk}),
            sorted(set(slugs.values_list("plan_slug", flat=True)) - {plan.slug}),
        )
        cache.set(key, found)
    return found


def neighbour_versions(plan: Plan) -> str:
    """The ids and cache versions of the plan's neighbours, as part of a cache key."""
    ids, slugs = neighbours(plan)
    if not ids and not slugs:
        return "-"
    rows = (
        Plan.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs))
        .order_by("pk")
        .values_list("pk", "cache_version__version")
    )
    return ".".join(f"{pk}v{version or 0}" for pk, version in rows) or "none"


# Rows other apps show beside the item, read with the plan (issue 16): name → a function of the
# plan's ids and organization ids (querysets of one row, by slug) and the node's key giving a
# Part. Registered at start-up (AppConfig.ready), before the first page; the rows found are the
# page's `item_rows[name]`, for every reader alike (a tag decides who sees them).
ITEM_ROWS: dict[str, Callable[[QuerySet, QuerySet, str], Part]] = {}


def item_plan(request: HttpRequest, slug: str, key: str) -> tuple[Plan, str, dict[str, list]]:
    """access.visible_plan(request, slug, versioned=True) in one query with the cache versions
    of the plan's neighbours (as part of a cache key) and the ITEM_ROWS of node `key`."""
    require(request, request.user.is_authenticated)
    version_read()
    found = rows.read_compiled("item-plan", _plan_parts, slug, key)
    plan = found[0][0] if found[0] else None
    if plan is None or not may_see(request.user, plan):
        raise Http404("no such plan")
    plan.cache_v = plan.cache_v or 0
    with_settings(plan, bool(plan.has_numbers))
    others = ".".join(f"{p.pk}v{p.v or 0}" for p in found[1]) or "-"
    return plan, others, dict(zip(ITEM_ROWS, found[2:], strict=True))


def _plan_parts(slug: str, key: str) -> list[Part]:
    the_plan = Plan.objects.filter(slug=slug)
    plan_ids = the_plan.values("pk")
    # Its neighbours: the plans it relates to or that relate to it, those on either side of its
    # contents' goal links, and the plans of the slugs its links name without a goal.
    mine = {"content__node__plan__slug": slug}
    neighbours = Plan.objects.filter(
        Q(pk__in=PlanRelation.objects.filter(plan__in=plan_ids).values("other_id"))
        | Q(pk__in=PlanRelation.objects.filter(other__in=plan_ids).values("plan_id"))
        | Q(pk__in=ContentGoal.objects.filter(**mine, node__isnull=False).values("node__plan_id"))
        | Q(
            pk__in=ContentGoal.objects.filter(node__plan__in=plan_ids).values(
                "content__node__plan_id"
            )
        )
        | Q(slug__in=ContentGoal.objects.filter(**mine, node__isnull=True).values("plan_slug"))
    ).exclude(slug=slug)
    version = {"v": F("cache_version__version")}
    org_ids = the_plan.values("organization_id")
    return [
        Part(
            the_plan,
            ("organization", "progress_settings"),
            extra={"cache_v": F("cache_version__version"), "has_numbers": HAS_NUMBERS},
        ),
        Part(neighbours, extra=version),
        *(make(plan_ids, org_ids, key) for make in ITEM_ROWS.values()),
    ]


def bare(node: Node) -> Node:
    """The node's own fields only (no prefetched rows), to keep in the cache."""
    return Node(**{f.attname: getattr(node, f.attname) for f in Node._meta.concrete_fields})


def item_parts(
    plan: Plan, key: str, build: Callable[[], dict[str, Any] | None], others: str | None = None
) -> dict | None:
    """The reader-independent parts of the item page of `key`, from the cache or from `build`
    (None: no such node; not cached, so a node made later shows).

    `cache_key` among them: the key they are kept under, for the tags to keep their own
    reader-independent reads beside them (`cache_key` + ":lineage").
    """
    cache_key = PARTS.format(
        plan=plan.pk,
        version=plan.cache_v,
        others=neighbour_versions(plan) if others is None else others,
        key=key,
        language=get_language(),
    )
    parts = cache.get(cache_key)
    if parts is None:
        parts = build()
        if parts is None:
            return None
        lineage = parts.pop("lineage", None)
        if lineage is not None:  # read with the parts: node_lineage finds it beside them
            cache.set(cache_key + ":lineage", lineage)
        cache.set(cache_key, {**parts, "node": bare(parts["node"])})
    return {**parts, "cache_key": cache_key}


def crumbs(ancestors: list[Node]) -> list[tuple[str, str]]:
    """(key, name) of each ancestor, top first, for the breadcrumbs."""
    return [(a.key, node_name(a.label, a.title)) for a in ancestors]


@dataclass
class ItemRows:
    """What the item page shows of the plan and its neighbours, read in one query (rows.read)."""

    outline: list[Node]  # every node of the plan, by seq
    node: Node  # with its facts, sections, contents (goals, schedule) and indicators prefetched
    served_by: list[Content]  # contents of other plans serving it, with node__plan, goals, schedule
    plans_by_slug: dict[str, Plan]  # plans named by goal links that found no goal
    accepted: set[tuple[int, int]]  # (linked plan, linking plan) of accepted links
    lineage: dict  # evaluations' node_lineage_rows, read here


def read_item(plan: Plan, key: str) -> ItemRows | None:
    """The item page's rows of node `key` (None: no such node), in one query."""
    found = rows.read_compiled("item", _item_parts, plan.pk, plan.organization_id, key)
    return _assemble(plan, key, *found)


def _item_parts(plan_id: int, organization_id: int, key: str) -> list[Part]:
    """The querysets of read_item, for the plan and node given (stand-ins: rows.read_compiled)."""
    plan = Plan(pk=plan_id, organization_id=organization_id)
    at = {"node__plan": plan, "node__key": key}
    in_content = {"content__node__plan": plan, "content__node__key": key}
    in_indicator = {"indicator__node__plan": plan, "indicator__node__key": key}
    node_id = Subquery(Node.objects.filter(plan=plan, key=key).values("pk")[:1])
    serving = links.serving_contents(plan, node_id, Content.objects.all())
    serving_ids = serving.values("pk")
    goal = ("node", "node__plan")
    previous = PlanRelation.objects.filter(plan=plan, type=PlanRelation.Type.PREVIOUS)
    successor_ids = successors(plan).values("pk")
    Sdgs = Node.sdgs.through
    return [
        Part(Node.objects.filter(plan=plan), order=("seq", "pk")),
        Part(NodeDepartment.objects.filter(**at), ("department",), ("order", "pk")),
        Part(NodeKind.objects.filter(**at), ("kind",), ("order", "pk")),
        Part(Sdgs.objects.filter(**at), ("sdggoal",), ("sdggoal_id",)),
        Part(Section.objects.filter(**at), order=("order", "pk")),
        Part(Content.objects.filter(**at), ("shared",), ("order", "pk")),
        Part(ContentGoal.objects.filter(**in_content), goal, ("content_id", "order", "pk")),
        Part(ScheduleSpan.objects.filter(**in_content), order=("content_id", "order", "pk")),
        Part(Indicator.objects.filter(**at), ("department",), ("order", "pk")),
        Part(IndicatorValue.objects.filter(**in_indicator), order=("fy", "pk")),
        Part(ProgressNote.objects.filter(**in_indicator), order=("fy", "pk")),
        Part(serving, ("shared", *goal), ("node__plan__title", "node__seq", "order", "pk")),
        Part(ContentGoal.objects.filter(content__in=serving_ids), goal, ("order", "pk")),
        Part(ScheduleSpan.objects.filter(content__in=serving_ids), order=("order", "pk")),
        Part(
            Plan.objects.filter(
                slug__in=ContentGoal.objects.filter(
                    Q(**in_content) | Q(content__in=serving_ids), node__isnull=True
                ).values("plan_slug")
            )
        ),
        Part(
            LinkAcceptance.objects.filter(decision=links.ACCEPTED).filter(
                Q(from_plan=plan) | Q(from_plan__in=serving.values("node__plan_id"))
            )
        ),
        Part(previous, ("other", "other__organization"), ("order", "pk")),
        Part(
            Node.objects.filter(
                plan_id=Subquery(previous.order_by("order").values("other_id")[:1]),
                key=Subquery(Node.objects.filter(plan=plan, key=key).values("continues_key")[:1]),
            ),
            order=("seq", "pk"),
        ),
        Part(Plan.objects.filter(pk__in=successor_ids), ("organization",), ("first_fy", "pk")),
        Part(
            Node.objects.filter(plan__in=successor_ids, continues_key=key),
            order=("plan_id", "seq", "pk"),
        ),
    ]


def _assemble(
    plan: Plan,
    key: str,
    outline,
    depts,
    kinds,
    sdgs,
    sections,
    contents,
    goals,
    spans,
    indicators,
    values,
    notes,
    served,
    served_goals,
    served_spans,
    dangling,
    accepted,
    relations,
    old,
    later_plans,
    later_nodes,
) -> ItemRows | None:
    """The rows of `_item_parts` put together as prefetch_related and select_related would."""
    node = next((n for n in outline if n.key == key), None)
    if node is None:
        return None
    plan_field = Node._meta.get_field("plan")
    for n in outline:
        plan_field.set_cached_value(n, plan)
    prefetched(node, "nodedepartment_set", depts)
    prefetched(node, "nodekind_set", kinds)
    prefetched(node, "sdgs", [s.sdggoal for s in sdgs])
    prefetched(node, "sections", sections)
    prefetched(node, "contents", contents)
    prefetched(node, "indicators", indicators)
    _children(contents, "contentgoal_set", goals, "content")
    _children(contents, "schedule", spans, "content")
    _children(indicators, "values", values, "indicator")
    _children(indicators, "reports", notes, "indicator")
    _children(served, "contentgoal_set", served_goals, "content")
    _children(served, "schedule", served_spans, "content")
    for c in contents:
        c._meta.get_field("node").set_cached_value(c, node)
    rel = relations[0] if relations and node.continues_key else None
    previous_plan = rel.other if rel is not None else None
    lineage = {
        "previous": previous_plan,
        "old_node": old[0] if old and previous_plan is not None else None,
        "later": [(p, [n for n in later_nodes if n.plan_id == p.pk]) for p in later_plans],
    }
    return ItemRows(
        outline=outline,
        node=node,
        served_by=served,
        plans_by_slug={p.slug: p for p in dangling},
        accepted={(a.plan_id, a.from_plan_id) for a in accepted},
        lineage=lineage,
    )


def _children(parents: list, name: str, children: list, back: str) -> None:
    """Each parent's `name` prefetched with its children, and each child's `back` set to it."""
    by_parent: dict[int, list] = {p.pk: [] for p in parents}
    attname = f"{back}_id"
    for child in children:
        found = by_parent.get(getattr(child, attname))
        if found is not None:
            found.append(child)
    for p in parents:
        prefetched(p, name, by_parent[p.pk])
        for child in by_parent[p.pk]:
            child._meta.get_field(back).set_cached_value(child, p)
