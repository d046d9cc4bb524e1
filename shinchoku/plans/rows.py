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
from django.db.models import CharField, F, Func, IntegerField, Value, Window, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ManyToManyDescriptor
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
    """(pk key, [(key, field or None when taken as is)], attnames) of the model's fields."""
    fields = [
        (prefix + f.attname, None if isinstance(f, _AS_IS) else f)
        for f in model._meta.concrete_fields
    ]
    names = tuple(f.attname for f in model._meta.concrete_fields)
    return prefix + model._meta.pk.attname, fields, names


def _instance(model: type[models.Model], row: dict, prefix: str, alias: str) -> models.Model | None:
    pk_key, fields, names = _shape_of(model, prefix)
    if row.get(pk_key) is None:
        return None
    values = [row.get(key) if f is None else _value(f, row.get(key)) for key, f in fields]
    if _plain(model):
        return _loaded(model, alias, names, values)
    return model.from_db(alias, None, values)


@functools.cache
def _plain(model: type[models.Model]) -> bool:
    """Whether an instance is its fields' values and nothing more: no __init__ or from_db of
    its own and nothing listening to its making (pre_init / post_init)."""
    return (
        model.__init__ is models.Model.__init__
        and model.from_db.__func__ is models.Model.from_db.__func__  # type: ignore[attr-defined]
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
    )


def _loaded(model: type[models.Model], alias: str, names: Sequence[str], values: list) -> Any:
    """What `model.from_db(alias, None, values)` makes, without `Model.__init__`'s per-field
    work (a quarter of a joined read's CPU): every field is set, none deferred."""
    obj = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    obj._state = state
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def build(
    model: type[models.Model], row: dict, related: Sequence[str], extra=(), alias: str = "default"
) -> models.Model:
    """An instance of `model` from a row of `read`, its related rows cached on it."""
    obj = _instance(model, row, "", alias)
    for name in extra or ():
        setattr(obj, name, row.get(f"={name}"))
    made: dict[str, models.Model | None] = {"": obj}
    for path in sorted(related, key=lambda p: p.count("__")):
        parent_path, _, name = path.rpartition("__")
        parent = made.get(parent_path)
        rel = (
            _instance(_model_at(model, path), row, path + "__", alias)
            if parent is not None
            else None
        )
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
    alias = connection.alias
    found: list[list[tuple[int, dict]]] = [[] for _ in parts]
    for i, n, row in fetched:
        found[i].append((n, json.loads(row) if isinstance(row, str) else row))
    out = []
    for (model, related, extra), rows in zip(parts, found, strict=True):
        rows.sort(key=lambda r: r[0])
        out.append([build(model, row, related, extra, alias) for _n, row in rows])
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
        pairs = [(p, slot) for p, slot in zip(params, slots, strict=True)]
        if connection.vendor == "postgresql":
            sql, pairs = _constants_inlined(sql, pairs)
        found = (sql, pairs, [_shape(p) for p in parts])
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


def _constants_inlined(sql: str, pairs: list[tuple[Any, int | None]]) -> tuple[str, list]:
    """The SQL with its constant parameters (column names of the JSON rows, part numbers)
    written in as literals, only the arguments left as parameters.

    psycopg binds parameters on the client for Django and splits a query of more than 4 KB
    anew at each execution (its cache keeps shorter ones): a union's hundred-odd constants
    cost more than running it. Literals are quoted by the driver (`compose_sql`), their "%"
    doubled as the SQL's own are.
    """
    pieces = sql.split("%s")
    if len(pieces) != len(pairs) + 1:  # a literal "%s" in the SQL: leave it as it is
        return sql, pairs
    out = [pieces[0]]
    kept = []
    for (param, slot), rest in zip(pairs, pieces[1:], strict=True):
        if slot is None:
            out.append(connection.ops.compose_sql("%s", [param]).replace("%", "%%"))
        else:
            out.append("%s")
            kept.append((param, slot))
        out.append(rest)
    return "".join(out), kept


def _order(name: str):
    return F(name[1:]).desc() if name.startswith("-") else F(name).asc()


def prefetched(obj: models.Model, name: str, items: list[models.Model]) -> None:
    """Set what `obj.<name>.all()` returns without a query, as prefetch_related would."""
    descriptor = getattr(type(obj), name)
    forward_m2m = isinstance(descriptor, ManyToManyDescriptor) and not descriptor.reverse
    qs = _Ready(model=descriptor.rel.model if forward_m2m else descriptor.rel.related_model)
    qs._result_cache = items
    qs._prefetch_done = True
    qs._owner, qs._name = obj, name
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


class _Ready(models.QuerySet):
    """A relation's rows as `prefetched` set them: read as they are; anything chained on them
    (filter, order_by, all) is asked of the relation itself, as with prefetch_related.

    Made without the relation's manager (its making is most of a prefetch's CPU, issue 16).
    """

    _owner: models.Model
    _name: str

    def _chain(self):
        cache = self._owner._prefetched_objects_cache
        mine = cache.pop(self._name)
        try:
            real = getattr(self._owner, self._name).get_queryset()
        finally:
            cache[self._name] = mine
        return real._chain()
