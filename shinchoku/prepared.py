"""Querysets compiled to SQL once per process and run with new values (issue 16).

Building a queryset and compiling its SQL costs Django more CPU than PostgreSQL spends running
it: a third of the sheet page and of its autosave went to it. A `Prepared` query is written as
an ordinary queryset by a function of its values; it is built and compiled once per database
(with stand-in values that it finds again among the compiled parameters) and then run with the
request's values through the same compiled SQL and the same field converters, building model
instances (with their select_related objects and annotations) or rows as the ORM would.

Only the values passed to the function may vary: a queryset whose shape depends on them (an
`IN` list of varying length, a filter added or not) is not one prepared query; `run` keeps one
per shape (the caller names it). Only SQL text is kept, never a row: nothing read can be stale.
tests/rounds/test_sheet_page_writers.py compares a prepared query with the ORM's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import sql
from django.db.models.query import get_related_populators

# Stand-in values: unlikely to be written in a query by anyone (checked when compiled).
_INT_BASE = 32_651  # within every integer field's range, small ones too (else no SQL is made)


def _stand_in(kind: type, n: int) -> Any:
    if kind is int:
        if _INT_BASE + n > 32_767:
            raise ValueError("too many values for a prepared query")
        return _INT_BASE + n
    if kind is str:
        return f"\x1eprepared-{n}\x1e"
    if kind is datetime:  # an aware moment no one writes (microseconds tell the values apart)
        return datetime(1901, 2, 3, 4, 5, 6, 700_000 + n, tzinfo=UTC)
    raise TypeError(f"a prepared value is an int, a str or a datetime, not {kind}")


class _Compiled:
    """One database's SQL of the query, where its values go, and how its rows are read."""

    def __init__(self, qs, stand_ins: Sequence[Any], flat: bool):
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = list(params)
        # Where each value goes among the parameters, and its type there (psycopg marks an
        # integer's size: Int2, Int4).
        self.slots: list[tuple[int, int, type]] = []
        for i, p in enumerate(self.params):
            for n, s in enumerate(stand_ins):
                if isinstance(p, type(s)) and p == s:
                    self.slots.append((i, n, type(p)))
        found = {n for _i, n, _t in self.slots}
        if found != set(range(len(stand_ins))):
            raise ValueError("a prepared value is not a parameter of the compiled query")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = list(compiler.get_converters(fields).items())
        self.db = qs.db
        self.flat = flat
        if flat:
            query = qs.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            wanted = list(qs._fields) if qs._fields else names
            self.order = [names.index(f) for f in wanted] if wanted != names else None
            return
        klass_info = compiler.klass_info
        select = compiler.select
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.span = (start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.related = get_related_populators(klass_info, select, qs.db)
        self.annotations = list(compiler.annotation_col_map.items())

    def rows(self, values: Sequence[Any]) -> list[list]:
        params = list(self.params)
        for i, n, kind in self.slots:
            params[i] = kind(values[n])
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        out = []
        for row in rows:
            row = list(row)
            for pos, (convs, expression) in self.converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
            out.append(row)
        return out


class Prepared:
    """A queryset of the values `kinds` (int or str), compiled once per database.

    `make(*values)` returns the queryset (a model queryset, or values_list for rows).
    """

    def __init__(self, make: Callable[..., Any], *kinds: type):
        self.make = make
        self.kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, flat: bool) -> _Compiled:
        alias = "default"
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                stand_ins = [_stand_in(k, n) for n, k in enumerate(self.kinds)]
                qs = self.make(*stand_ins)
                compiled = self._compiled[alias] = _Compiled(qs, stand_ins, flat)
        if compiled.flat != flat:
            raise TypeError("a prepared query gives either rows or objects, not both")
        return compiled

    def rows(self, *values: Any) -> list:
        """The rows of a values_list queryset, converted as the ORM converts them."""
        compiled = self._for(True)
        rows = compiled.rows(values)
        if compiled.order is not None:
            return [tuple(r[i] for i in compiled.order) for r in rows]
        return rows

    def objects(self, *values: Any) -> list:
        """The model instances (with select_related objects and annotations) of the rows."""
        c = self._for(False)
        start, end = c.span
        out = []
        for row in c.rows(values):
            obj = c.model.from_db(c.db, c.init_list, row[start:end])
            for populator in c.related:
                populator.populate(row, obj)
            for name, pos in c.annotations:
                setattr(obj, name, row[pos])
            out.append(obj)
        return out

    def first(self, *values: Any):
        found = self.objects(*values)
        return found[0] if found else None


# Queries whose shape depends on the number of values (an `IN` list): compiled once per shape.
_SHAPES: dict[tuple, Prepared] = {}
MAX_VALUES = 24  # past this, the ORM builds the query each time (a shape kept per size)


def run(
    key: tuple,
    make: Callable[..., Any],
    kinds: Sequence[type],
    values: Sequence[Any],
    *,
    rows: bool = False,
) -> list:
    """`make(*values)` compiled once per `key`, which names the query and its shape (the length
    of each list among the values): its model instances, or with `rows` its rows."""
    if len(values) > MAX_VALUES:
        return list(make(*values))
    prepared = _SHAPES.get(key)
    if prepared is None:
        prepared = _SHAPES.setdefault(key, Prepared(make, *kinds))
    return prepared.rows(*values) if rows else prepared.objects(*values)


class PreparedUpdate:
    """An UPDATE of one table, compiled once per database and run with new values (issue 16).

    `make(*values)` returns the queryset to update and the new values of its fields, as given
    to QuerySet.update (expressions too). Its WHERE must name only columns of the table itself
    (no join, so the statement is a single UPDATE everywhere). Values of kind datetime are
    adapted as a DateTimeField adapts them. `run` returns the number of rows changed. It writes
    past the model's manager: a caller of a covered model (shinchoku.covered) raises the plan's
    cache version itself.
    """

    def __init__(self, make: Callable[..., Any], *kinds: type):
        self.make = make
        self.kinds = kinds
        self._compiled: dict[str, tuple[str, list, list[tuple[int, int, Any]]]] = {}
        self._lock = threading.Lock()

    def _for(self, alias: str):
        found = self._compiled.get(alias)
        if found is None:
            with self._lock:
                stand_ins = [_stand_in(k, n) for n, k in enumerate(self.kinds)]
                qs, values = self.make(*stand_ins)
                query = qs.query.chain(sql.UpdateQuery)
                query.add_update_values(values)
                query.get_initial_alias()
                if query.count_active_tables() != 1 or query.related_updates:
                    raise ValueError("a prepared update names one table only")
                text, params = query.get_compiler(qs.db).as_sql()
                ops = connections[qs.db].ops
                seen = [
                    ops.adapt_datetimefield_value(s) if k is datetime else s
                    for k, s in zip(self.kinds, stand_ins, strict=True)
                ]
                slots = []
                for i, p in enumerate(params):
                    for n, s in enumerate(seen):
                        if type(p) is not bool and isinstance(p, type(s)) and p == s:
                            slots.append((i, n, type(p)))
                if {n for _i, n, _t in slots} != set(range(len(stand_ins))):
                    raise ValueError("a prepared value is not a parameter of the compiled update")
                found = self._compiled[alias] = (text, list(params), slots)
        return found

    def run(self, *values: Any, using: str = "default") -> int:
        text, params, slots = self._for(using)
        params = list(params)
        connection = connections[using]
        for i, n, kind in slots:
            value = values[n]
            if self.kinds[n] is datetime:
                value = connection.ops.adapt_datetimefield_value(value)
            params[i] = value if kind in (str, datetime) else kind(value)
        with connection.cursor() as cursor:
            cursor.execute(text, params)
            return cursor.rowcount
