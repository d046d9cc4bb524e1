"""The item page's parts that are the same for every reader, cached until they change (issue 16).

The node's title, breadcrumbs, facts, sections, contents with their schedule and linked goals,
indicators, the levels below it and the contents of other plans that serve it are rendered once
and kept in Django's cache under a key made of the plan's cache version (plans.cache_version,
raised in the same transaction as any write to them), the versions of the plans it shows rows
of (its neighbours: the plans it relates to or that relate to it, and the plans on either side
of its contents' goal links — the goal names, the serving contents), the node and the language.
Nothing in these parts depends on who reads them: the reader's parts (the lineage links, the
yearly progress with its drafts, the businesses) are rendered per request by their own tags.

A hit costs no query besides the plan's own read (which brings its version along) and, when the
plan has neighbours, one read of their versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import get_language

from shinchoku.core.node_names import node_name
from shinchoku.plans.models import ContentGoal, Node, Plan, PlanRelation

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


def bare(node: Node) -> Node:
    """The node's own fields only (no prefetched rows), to keep in the cache."""
    return Node(**{f.attname: getattr(node, f.attname) for f in Node._meta.concrete_fields})


def item_parts(plan: Plan, key: str, build: Callable[[], dict[str, Any] | None]) -> dict | None:
    """The reader-independent parts of the item page of `key`, from the cache or from `build`
    (None: no such node; not cached, so a node made later shows).

    `cache_key` among them: the key they are kept under, for the tags to keep their own
    reader-independent reads beside them (`cache_key` + ":lineage").
    """
    cache_key = PARTS.format(
        plan=plan.pk,
        version=plan.cache_v,
        others=neighbour_versions(plan),
        key=key,
        language=get_language(),
    )
    parts = cache.get(cache_key)
    if parts is None:
        parts = build()
        if parts is None:
            return None
        cache.set(cache_key, {**parts, "node": bare(parts["node"])})
    return {**parts, "cache_key": cache_key}


def crumbs(ancestors: list[Node]) -> list[tuple[str, str]]:
    """(key, name) of each ancestor, top first, for the breadcrumbs."""
    return [(a.key, node_name(a.label, a.title)) for a in ancestors]
