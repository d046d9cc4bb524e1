"""Several tables' rows in one query, made back into model instances (issue 16).

Each `Part` is a queryset of one model, with the foreign keys to follow (as select_related
would) and its order. `read` sends them as one UNION ALL, each row as a JSON object of every
concrete field of the model and of the related rows, with its part's number and its place in
the part's order (ROW_NUMBER() in the database, so that texts sort by the database's collation
as an ORDER BY would), on SQLite and PostgreSQL alike. Decimals travel as text (no float in
between). The instances are complete (no deferred field): reading any field costs no query.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import CharField, F, Func, IntegerField, Value, Window
from django.db.models.functions import Cast, JSONObject, RowNumber
from django.utils import timezone


@dataclass(frozen=True)
class Part:
    queryset: models.QuerySet
    related: Sequence[str] = ()  # forward foreign keys to follow: "department", "node__plan"
    order: Sequence[str] = ("pk",)
    extra: dict[str, Any] | None = None  # annotations, set as attributes (values as JSON has them)


def _model_at(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__") if path else ():
        model = model._meta.get_field(name).related_model
    return model


def _columns(model: type[models.Model], related: Sequence[str], extra=None) -> dict[str, Any]:
    columns: dict[str, Any] = {f"={name}": expr for name, expr in (extra or {}).items()}
    for path in ("", *related):
        prefix = f"{path}__" if path else ""
        for f in _model_at(model, path)._meta.concrete_fields:
            expr: Any = F(prefix + f.attname)
            if isinstance(f, models.DecimalField):
                expr = Cast(expr, CharField())
            elif isinstance(f, models.JSONField) and connection.vendor == "sqlite":
                expr = Func(expr, function="JSON")  # embedded as JSON, not as its text
            columns[prefix + f.attname] = expr
    return columns


def _value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DecimalField):
        found = Decimal(str(value))
        return found.quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.DateTimeField):
        found = field.to_python(value)
        if settings.USE_TZ and timezone.is_naive(found):
            found = timezone.make_aware(found, datetime.UTC)
        return found
    return field.to_python(value)


# Fields whose JSON value is already what the model holds (ints, texts): no conversion.
_AS_IS = (models.IntegerField, models.CharField, models.TextField, models.ForeignKey)


@functools.cache
def _shape_of(model: type[models.Model], prefix: str) -> tuple:
    """(pk key, [(key, field or None when taken as is)]) of the model's fields in a row."""
    fields = [
        (prefix + f.attname, None if isinstance(f, _AS_IS) else f)
        for f in model._meta.concrete_fields
    ]
    return prefix + model._meta.pk.attname, fields


def _instance(model: type[models.Model], row: dict, prefix: str) -> models.Model | None:
    pk_key, fields = _shape_of(model, prefix)
    if row.get(pk_key) is None:
        return None
    values = [row.get(key) if f is None else _value(f, row.get(key)) for key, f in fields]
    return model.from_db(connection.alias, None, values)


def build(model: type[models.Model], row: dict, related: Sequence[str], extra=()) -> models.Model:
    """An instance of `model` from a row of `read`, its related rows cached on it."""
    obj = _instance(model, row, "")
    for name in extra or ():
        setattr(obj, name, row.get(f"={name}"))
    made: dict[str, models.Model | None] = {"": obj}
    for path in sorted(related, key=lambda p: p.count("__")):
        parent_path, _, name = path.rpartition("__")
        parent = made.get(parent_path)
        rel = _instance(_model_at(model, path), row, path + "__") if parent is not None else None
        made[path] = rel
        if parent is not None:
            parent._meta.get_field(name).set_cached_value(parent, rel)
    return obj


def _union(parts: Sequence[Part]) -> models.QuerySet:
    queries = []
    for i, part in enumerate(parts):
        model = part.queryset.model
        queries.append(
            part.queryset.order_by()
            .annotate(
                _part=Value(i, output_field=IntegerField()),
                _n=Window(RowNumber(), order_by=[_order(o) for o in part.order]),
                _row=JSONObject(**_columns(model, part.related, part.extra)),
            )
            .values_list("_part", "_n", "_row")
        )
    return queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]


def _instances(parts: Sequence[tuple], fetched) -> list[list[models.Model]]:
    found: list[list[tuple[int, dict]]] = [[] for _ in parts]
    for i, n, row in fetched:
        found[i].append((n, json.loads(row) if isinstance(row, str) else row))
    out = []
    for (model, related, extra), rows in zip(parts, found, strict=True):
        rows.sort(key=lambda r: r[0])
        out.append([build(model, row, related, extra) for _n, row in rows])
    return out


def read(parts: Sequence[Part]) -> list[list[models.Model]]:
    """The instances of each part, in the part's order: one query for all of them."""
    with connection.cursor() as cursor:
        cursor.execute(*_union(parts).query.sql_with_params())
        fetched = cursor.fetchall()
    return _instances([_shape(p) for p in parts], fetched)


def _shape(part: Part) -> tuple:
    return (part.queryset.model, part.related, tuple(part.extra or ()))


# The SQL of each reader, made once per process and database: building and compiling a union
# of twenty querysets costs more than running it (issue 16).
_compiled: dict[tuple, tuple[str, list, list]] = {}


def read_compiled(name: str, make: Callable[..., Sequence[Part]], *args: int | str):
    """`read(make(*args))`, with the SQL compiled once for every `args`.

    `make` is called with stand-ins for `args` (unlikely numbers, odd texts); each parameter of
    its SQL that equals a stand-in takes the real value. Its SQL must depend on nothing else.
    The stand-in numbers are positive and small enough for every integer field (a filter on a
    positive field with a negative number compiles to nothing, and the part would be left out).
    """
    key = (name, connection.alias, connection.vendor)
    found = _compiled.get(key)
    if found is None:
        stand_ins = [
            32_001 + i if isinstance(a, int) else f"~stand-in {i}~" for i, a in enumerate(args)
        ]
        parts = make(*stand_ins)
        for i, part in enumerate(parts):
            try:
                part.queryset.query.sql_with_params()
            except EmptyResultSet as e:
                raise ValueError(
                    f"{name}: part {i} reads nothing with stand-ins {stand_ins}"
                ) from e
        sql, params = _union(parts).query.sql_with_params()
        slots = [next((j for j, s in enumerate(stand_ins) if _same(s, p)), None) for p in params]
        missing = set(range(len(args))) - set(slots)
        if missing:
            raise ValueError(f"{name}: arguments {sorted(missing)} are not parameters of its SQL")
        found = (sql, [(p, slot) for p, slot in zip(params, slots, strict=True)], parts)
        found = (sql, found[1], [_shape(p) for p in parts])
        _compiled[key] = found
    sql, params, shapes = found
    values = [args[slot] if slot is not None else p for p, slot in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        fetched = cursor.fetchall()
    return _instances(shapes, fetched)


def _same(stand_in: int | str, param: Any) -> bool:
    """A parameter is the stand-in (psycopg may wrap a small number: Int2(32001))."""
    if isinstance(stand_in, int):
        return isinstance(param, int) and not isinstance(param, bool) and param == stand_in
    return isinstance(param, str) and param == stand_in


def _order(name: str):
    return F(name[1:]).desc() if name.startswith("-") else F(name).asc()


def prefetched(obj: models.Model, name: str, items: list[models.Model]) -> None:
    """Set what `obj.<name>.all()` returns without a query, as prefetch_related would."""
    qs = getattr(obj, name).get_queryset()
    qs._result_cache = items
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs
