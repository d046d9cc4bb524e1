"""A version per plan, raised in the same transaction as any write to what its cached pages show.

Public pages, open data and committee reports are cached under keys that hold the plan's version
(public.cache, reports.views). Nothing has to remember to raise it:

- every model with a chain of foreign keys to Plan (found in the model graph at start-up, also
  the many-to-many tables) and the organization's own rows (its name, its departments' names) are
  COVERED: post_save and pre_delete receivers raise the version of the plans they belong to;
- QuerySet.update / delete / bulk_create / bulk_update send no signal per row: the covered
  models declare `objects = CoveredManager()` (shinchoku/covered.py), whose querysets raise the
  version in the statement's transaction with what this module lends them (`install`); a
  many-to-many table (no manager of its own) is raised on m2m_changed;
- a model with a path to Plan that is not shown anywhere public is EXCLUDED, with the reason;
  tests/public/test_cache.py fails for a model in neither list.

The version is raised with UPDATE … SET version = version + 1, so concurrent writers never lose a
raise. Within one transaction a plan is raised once: a marker registered with on_commit tells
whether the raise is still part of the open transaction (Django drops the callbacks of a rolled
back savepoint or transaction, and so the marker with them).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, transaction
from django.db.models import F
from django.db.models.query import QuerySet
from django.db.models.signals import m2m_changed, post_save, pre_delete

from shinchoku import covered
from shinchoku.plans.models import Plan, PlanCacheVersion

# Models with a path to Plan whose rows never show on a cached page, and why.
EXCLUDED = {
    "jobs.ReportJob": "a user's PDF job: its state, not the report's content",
    "plans.PlanCacheVersion": "the version itself",
}
# Rows of the organization shown on a plan's pages: its name, its departments' names.
ORGANIZATION_MODELS = ("orgs.Organization", "orgs.Department")


@dataclass(frozen=True)
class Spec:
    """How to find the plans of a covered model's rows: lookups that end at a plan id."""

    model: type[models.Model]
    paths: tuple[tuple[str, ...], ...]  # field names from the model to Plan ("" for Plan)
    organization: str = ""  # for organization models: the lookup of the organization's id

    def plan_ids_of(self, objs: Iterable[models.Model], using: str) -> set[int]:
        objs = list(objs)
        if self.model is Plan:
            return {o.pk for o in objs if o.pk is not None}
        if self.organization:
            orgs = {getattr(o, self.organization) for o in objs}
            return _plans_of_organizations(orgs, using)
        ids: set[int] = set()
        for path in self.paths:
            first = self.model._meta.get_field(path[0])
            values = {getattr(o, first.attname) for o in objs} - {None}
            if len(path) == 1:
                ids |= values
            elif values:
                ids |= _plans_of_parents(first.related_model, path[1:], values, using)
        return ids

    def plan_ids_of_queryset(self, qs: QuerySet) -> set[int]:
        qs = qs.order_by()
        if self.model is Plan:
            return set(qs.values_list("pk", flat=True))
        if self.organization:
            return _plans_of_organizations(set(qs.values_list(self.organization, flat=True)), qs.db)
        ids: set[int] = set()
        for path in self.paths:
            ids |= set(qs.values_list("__".join(path), flat=True).distinct())
        return ids - {None}


COVERED: dict[type[models.Model], Spec] = {}

# A parent row never moves to another plan (a report stays in its round, a content in its
# plan), so the plan of a parent id is remembered: a covered write costs one UPDATE, no SELECT.
_parent_plan: dict[tuple[str, int], int] = {}
_PARENT_MEMO_LIMIT = 50_000


def forget_parents() -> None:
    """Drop the remembered plans of parent rows: for a database whose rows were rolled back or
    replaced under this process (a test's rollback lets SQLite give an id out again)."""
    _parent_plan.clear()


def _plans_of_parents(model, rest: tuple[str, ...], values: set, using: str) -> set[int]:
    label = model._meta.label
    found = {v: _parent_plan.get((label, v)) for v in values}
    missing = [v for v, p in found.items() if p is None]
    if missing:
        rows = model._base_manager.using(using).filter(pk__in=missing).order_by()
        if len(_parent_plan) > _PARENT_MEMO_LIMIT:
            _parent_plan.clear()
        for pk, plan_id in rows.values_list("pk", "__".join(rest)):
            if plan_id is not None:
                _parent_plan[(label, pk)] = plan_id
                found[pk] = plan_id
    return {p for p in found.values() if p is not None}


def _plans_of_organizations(org_ids: set, using: str) -> set[int]:
    org_ids = org_ids - {None}
    if not org_ids:
        return set()
    plans = Plan._base_manager.using(using).filter(organization_id__in=org_ids).order_by()
    return set(plans.values_list("pk", flat=True))


# --- raising the version ----------------------------------------------------------------------


class _Marker:
    """An on_commit callback that stands for "plan N was raised in the open transaction"."""

    def __init__(self, plan_id: int, using: str):
        self.plan_id, self.using = plan_id, using

    def __call__(self) -> None:
        markers = getattr(connections[self.using], "_shinchoku_cache_markers", {})
        if markers.get(self.plan_id) is self:
            del markers[self.plan_id]


def _raised_in_this_transaction(conn, plan_id: int) -> bool:
    marker = getattr(conn, "_shinchoku_cache_markers", {}).get(plan_id)
    return marker is not None and any(func is marker for _s, func, _r in conn.run_on_commit)


def bump(plan_ids: Iterable[int], using: str = "default") -> None:
    """Raise the cache version of these plans, in the caller's transaction."""
    conn = connections[using]
    todo = sorted({int(i) for i in plan_ids if i is not None})
    if conn.in_atomic_block:
        todo = [i for i in todo if not _raised_in_this_transaction(conn, i)]
    if not todo:
        return
    rows = PlanCacheVersion.objects.using(using)
    with transaction.atomic(using=using, savepoint=False):
        raised = rows.filter(plan_id__in=todo).update(version=F("version") + 1)
        if raised < len(todo):  # the plan's first raise: its row is made, then raised
            have = set(rows.filter(plan_id__in=todo).values_list("plan_id", flat=True))
            new = [i for i in todo if i not in have]
            existing = set(Plan._base_manager.using(using).filter(pk__in=new).values_list("pk"))
            new = [i for i in new if (i,) in existing]
            rows.bulk_create([PlanCacheVersion(plan_id=i) for i in new], ignore_conflicts=True)
            rows.filter(plan_id__in=new).update(version=F("version") + 1)
        if conn.in_atomic_block:
            markers = conn.__dict__.setdefault("_shinchoku_cache_markers", {})
            for i in todo:
                markers[i] = _Marker(i, using)
                transaction.on_commit(markers[i], using=using)


def version_read(using: str = "default") -> None:
    """A cache version was read on this connection: its next write raises again.

    Only a reader in the writer's own transaction (a test, a command) can see a raise before it
    commits; a page it caches under that version must not hide a later write of the transaction.
    """
    getattr(connections[using], "_shinchoku_cache_markers", {}).clear()


def current(plan_id: int) -> int:
    """The plan's cache version (0 before its first raise)."""
    version_read()
    found = PlanCacheVersion.objects.filter(plan_id=plan_id).values_list("version", flat=True)
    return next(iter(found), 0)


# --- receivers -------------------------------------------------------------------------------


def _on_save(sender, instance, raw=False, using="default", **kwargs) -> None:
    spec = COVERED.get(sender)
    if spec is not None:
        bump(spec.plan_ids_of([instance], using), using)


def _on_delete(sender, instance, using="default", **kwargs) -> None:
    # pre_delete runs inside the deletion's own transaction (Collector.delete), while the
    # parents that lead to the plan still exist.
    spec = COVERED.get(sender)
    if spec is not None:
        bump(spec.plan_ids_of([instance], using), using)


def _on_m2m(sender, instance, action, reverse, model, pk_set, using="default", **kwargs):
    # A many-to-many add writes its table's rows with bulk_create, which sends no post_save
    # (a remove deletes them one by one: pre_delete). Inside add()'s own transaction.
    if action != "post_add" or sender not in COVERED:
        return
    ids: set[int] = set()
    if type(instance) in COVERED:
        ids |= COVERED[type(instance)].plan_ids_of([instance], using)
    if model in COVERED and pk_set:
        rows = model._base_manager.using(using).filter(pk__in=pk_set)
        ids |= COVERED[model].plan_ids_of_queryset(rows)
    bump(ids, using)


# --- what shinchoku.covered asks of this module -------------------------------------------------


def plans_of_queryset(qs: QuerySet) -> set[int]:
    """The plans of the rows of a covered model's queryset."""
    return _spec(qs.model).plan_ids_of_queryset(qs)


def plans_of_objects(model: type[models.Model], objs: list[models.Model], using: str) -> set[int]:
    """The plans of these rows of a covered model."""
    return _spec(model).plan_ids_of(objs, using)


def moves(model: type[models.Model], fields: Iterable[str]) -> bool:
    """Whether writing these fields can move rows to a parent of another plan."""
    spec = _spec(model)
    first = {p[0] for p in spec.paths if p} | ({"organization"} if spec.organization else set())
    return any(model._meta.get_field(f).name in first for f in fields)


def _spec(model: type[models.Model]) -> Spec:
    spec = COVERED.get(model)
    if spec is None:
        raise ImproperlyConfigured(f"{model._meta.label} uses CoveredManager but shows on no plan")
    return spec


def paths_to_plan(model: type[models.Model]) -> tuple[tuple[str, ...], ...]:
    """The shortest foreign-key path to Plan through each of the model's foreign keys.

    Only the direct ones when the model has a foreign key to Plan itself (Indicator.plan
    repeats Indicator.node.plan); all of them otherwise (a ContentGoal belongs to the plan
    of its content and names a goal of maybe another plan: both show it).
    """

    def shortest(m, seen) -> tuple[str, ...] | None:
        if m is Plan:
            return ()
        best = None
        for f in m._meta.concrete_fields:
            if not (f.many_to_one or f.one_to_one) or f.related_model in seen:
                continue
            rest = shortest(f.related_model, seen | {m})
            if rest is not None and (best is None or len(rest) + 1 < len(best)):
                best = (f.name, *rest)
        return best

    found = []
    for f in model._meta.concrete_fields:
        if (f.many_to_one or f.one_to_one) and f.related_model is not model:
            rest = shortest(f.related_model, {model})
            if rest is not None:
                found.append((f.name, *rest))
    direct = tuple(p for p in found if len(p) == 1)
    return direct or tuple(found)


def covered_specs() -> dict[type[models.Model], Spec]:
    """Every model whose rows show on a plan's cached pages, from the model graph."""
    specs: dict[type[models.Model], Spec] = {Plan: Spec(Plan, ((),))}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if model is Plan or label in EXCLUDED:
            continue
        if label in ORGANIZATION_MODELS:
            org = "pk" if label == "orgs.Organization" else "organization_id"
            specs[model] = Spec(model, (), organization=org)
            continue
        paths = paths_to_plan(model)
        if paths:
            specs[model] = Spec(model, paths)
    return specs


def install() -> None:
    """Register the receivers for every covered model and lend covered.py the way to its plans
    (AppConfig.ready)."""
    COVERED.clear()
    COVERED.update(covered_specs())
    for model in COVERED:
        post_save.connect(_on_save, sender=model, dispatch_uid=f"cache_version_save_{model}")
        pre_delete.connect(_on_delete, sender=model, dispatch_uid=f"cache_version_del_{model}")
        if model._meta.auto_created:  # a many-to-many table: written by add() with bulk_create
            m2m_changed.connect(_on_m2m, sender=model, dispatch_uid=f"cache_version_m2m_{model}")
    covered.connect(sys.modules[__name__])
