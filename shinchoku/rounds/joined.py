"""Model instances from one joined read: a row and the rows below it in one query (issue 16).

`prefetch_related` reads each relation in a query of its own. Where a page reads a few small
related tables together (a plan's nodes with their departments, its indicators with their
notes, a round with its sheets and their contents), one LEFT JOIN read as `values_list` rows
gives the same instances: `columns` names every concrete field of a model along a path,
`instance` builds the model from its slice of a row (None where the LEFT JOIN found nothing);
`plans.rows.prefetched` hands a list to a relation as if `prefetch_related` had read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def columns(model: type[models.Model], path: str = "") -> list[str]:
    """The concrete fields of `model` as `values_list` names, reached along `path`."""
    prefix = f"{path}__" if path else ""
    return [prefix + f.attname for f in model._meta.concrete_fields]


class Slicer:
    """Cuts rows read with `columns(model_a, …), columns(model_b, …)` into instances."""

    def __init__(self, *models_: type[models.Model], using: str = "default") -> None:
        self.using = using
        self.parts: list[tuple[type[models.Model], int, int, list[str], int]] = []
        start = 0
        for model in models_:
            names = [f.attname for f in model._meta.concrete_fields]
            pk = names.index(model._meta.pk.attname)
            self.parts.append((model, start, start + len(names), names, pk))
            start += len(names)
        self.seen: list[dict[Any, models.Model]] = [{} for _ in self.parts]

    def names(self, *paths: str) -> list[str]:
        """The `values_list` names of the models, each along its path ("" for the first)."""
        out: list[str] = []
        for (model, *_rest), path in zip(self.parts, paths, strict=True):
            out += columns(model, path)
        return out

    def cut(self, row: Sequence[Any]) -> list[models.Model | None]:
        """The row's instances, in the models' order (None where a LEFT JOIN found none).

        A row seen before (the same primary key, repeated by the join) is the same instance,
        built once.
        """
        out: list[models.Model | None] = []
        for (model, start, end, names, pk), seen in zip(self.parts, self.seen, strict=True):
            key = row[start + pk]
            if key is None:
                out.append(None)
            elif key in seen:
                out.append(seen[key])
            else:
                seen[key] = model.from_db(self.using, names, row[start:end])
                out.append(seen[key])
        return out
