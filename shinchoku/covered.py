"""The manager of every model whose rows show on a plan's cached pages (plans.cache_version).

A plan's cached pages are kept under its cache version, raised in the same transaction as any
write to what they show. save() and delete() of one row send signals (plans.cache_version has
receivers for them); QuerySet.update, delete, bulk_create and bulk_update do not, so the covered
models declare `objects = CoveredManager()` and these statements raise the version of the plans
they touch themselves, in the statement's transaction. tests/public/test_cache.py fails for a
covered model without it.

How to find the plans of a model's rows is plans.cache_version's business: it connects itself
here when the apps are ready (this module sits below every app, the organizations' too). A
caller that knows the plan says so, `Model.objects.of_plan(plan_id).update(…)`, and the raise
then looks nothing up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction


class Raiser:
    """What plans.cache_version lends this module (connect)."""

    plans_of_queryset: Callable[[models.QuerySet], set[int]]
    plans_of_objects: Callable[[type[models.Model], list[models.Model], str], set[int]]
    moves: Callable[[type[models.Model], Iterable[str]], bool]
    bump: Callable[[Iterable[int], str], None]


_raiser: Raiser | None = None


def connect(raiser: Any) -> None:
    """Use `raiser` to find and raise the plans of the covered writes (AppConfig.ready)."""
    global _raiser
    _raiser = raiser


def _connected() -> Raiser:
    if _raiser is None:
        raise ImproperlyConfigured("plans.cache_version is not installed (PlansConfig.ready)")
    return _raiser


class CoveredQuerySet(models.QuerySet):
    """Bulk writes that raise the cache version of the plans of their rows."""

    _plan_ids: frozenset[int] | None = None

    def of_plan(self, *plan_ids: int) -> CoveredQuerySet:
        """The rows belong to these plans: their writes raise them without looking them up."""
        qs = self._chain()
        qs._plan_ids = frozenset(plan_ids)
        return qs

    def _clone(self):
        clone = super()._clone()
        clone._plan_ids = self._plan_ids
        return clone

    def _plans_of_rows(self) -> set[int]:
        if self._plan_ids is not None:
            return set(self._plan_ids)
        return _connected().plans_of_queryset(self)

    def _plans_of(self, objs: list[models.Model]) -> set[int]:
        if self._plan_ids is not None:
            return set(self._plan_ids)
        return _connected().plans_of_objects(self.model, objs, self.db)

    def _rows(self, pks: list) -> models.QuerySet:
        return self.model._base_manager.using(self.db).filter(pk__in=pks)

    def update(self, **kwargs):
        raiser = _connected()
        moved = self._plan_ids is None and raiser.moves(self.model, kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            raiser.bump(self._plans_of_rows(), self.db)
            pks = list(self.values_list("pk", flat=True)) if moved else []
            updated = super().update(**kwargs)
            if pks:  # the rows moved to other parents: their plans show them now
                raiser.bump(raiser.plans_of_queryset(self._rows(pks)), self.db)
            return updated

    update.alters_data = True

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            _connected().bump(self._plans_of_rows(), self.db)
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            _connected().bump(self._plans_of(objs), self.db)
            return created

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        raiser = _connected()
        with transaction.atomic(using=self.db, savepoint=False):
            if self._plan_ids is None and raiser.moves(self.model, fields):
                # The parents the rows leave show them until now.
                pks = [o.pk for o in objs if o.pk is not None]
                raiser.bump(raiser.plans_of_queryset(self._rows(pks)), self.db)
            raiser.bump(self._plans_of(objs), self.db)
            return super().bulk_update(objs, fields, *args, **kwargs)

    bulk_update.alters_data = True


CoveredManager = models.Manager.from_queryset(CoveredQuerySet, "CoveredManager")
