"""A department's sheet: what it holds (rounds.services.sheet) and the reads behind it.

The items a department reports on in a round, each with its contents (and their schedule for
the FY), its indicators (with last year's figures and this year's entries) and the entries
already saved; read in a fixed number of queries, their SQL compiled once per process
(shinchoku.prepared). Split from rounds/services.py, which keeps the round's rules and re-exports
these names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Exists, F, FilteredRelation, OuterRef, Q

from shinchoku import prepared
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Department
from shinchoku.plans.models import (
    Content,
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    Plan,
)
from shinchoku.prepared import Prepared
from shinchoku.rounds import lastyear
from shinchoku.rounds.models import (
    ContentEntry,
    IndicatorEntry,
    ItemEntry,
    Report,
)


@dataclass
class ContentLine:
    position: int
    content: Content
    planned: str  # the phase planned for the FY ("" when nothing is planned)
    status: str = ""
    note: str = ""


@dataclass
class IndicatorLine:
    indicator: Indicator
    baseline: str
    earlier: list[tuple[int, str]]  # (fy, actual) of earlier years
    target: str  # this FY's target
    final: str  # the last target of the plan
    actual: str = ""
    note: str = ""
    done: str = ""  # 取組状況 for this indicator
    next: str = ""  # 今後の展開 for this indicator
    # --- indicator owner (issue 12): one department reports the indicator (ownership.py)
    readonly: bool = False  # another department reports it: shown, not asked
    reporter: Department | None = None  # the department that reports it
    approved: str = ""  # the plan's approved actual for the FY, if any
    earlier_entry: str = ""  # on a read-only line: this department's own entry made before
    # Last year's approved texts (rounds.lastyear.attach); last_fy is None without a round FY − 1.
    last_fy: int | None = None
    last_year: list[Any] = field(default_factory=list)  # lastyear.LastText per department
    last_done: str = ""  # what 「前年度の内容を写す」 copies
    last_next: str = ""
    # Figures a later stage knows for this indicator, shown beside the actual (indicator_hints).
    hints: list[Any] = field(default_factory=list)


@dataclass
class ItemLines:
    node: Node
    contents: list[ContentLine] = field(default_factory=list)
    indicators: list[IndicatorLine] = field(default_factory=list)
    done: str = ""
    next: str = ""
    evaluation: str = ""
    # Last year's approved texts, as on IndicatorLine (rounds.lastyear.attach).
    last_fy: int | None = None
    last_year: list[Any] = field(default_factory=list)
    last_done: str = ""
    last_next: str = ""


@dataclass(frozen=True)
class SheetKeys:
    """The item (node) keys and indicator keys a partial post names (issue 16).

    `items` and `contents` say which of `nodes` carry item fields and content fields (None:
    all of them); the entries of the other kind are not read.
    """

    nodes: frozenset[str]
    indicators: frozenset[str]
    items: frozenset[str] | None = None
    contents: frozenset[str] | None = None


def departments_of(plan: Plan) -> list[Department]:
    """Departments with something to report: 担当 of items with contents or indicators.

    Every leaf item (no children) with a 担当 counts too, with or without contents and
    indicators: a plan without numbers reports each 事業's status and texts (see `sheet`).
    """
    ids = set(
        Node.objects.filter(plan=plan)
        # issue 12 (a round for any plan): leaf items, in the same query as items with contents.
        .filter(Q(contents__isnull=False) | Q(children__isnull=True))
        .values_list("departments", flat=True)
    )
    ids |= set(
        Node.objects.filter(plan=plan)
        .filter(indicators__isnull=False)
        .values_list("departments", flat=True)
    )
    ids |= set(
        Indicator.objects.filter(node__plan=plan, department__isnull=False).values_list(
            "department", flat=True
        )
    )
    ids.discard(None)
    return list(Department.objects.filter(id__in=ids).order_by("order", "id"))


class _ItemRow(NamedTuple):
    """An ItemEntry as the sheet reads it (issue 16: a row, not a model instance)."""

    report_id: int
    node_key: str
    done: str
    next: str
    evaluation: str
    department: str  # its sheet's department (last year's texts are headed by it)


class _IndicatorRow(NamedTuple):
    report_id: int
    indicator_key: str
    actual: str
    note: str
    done: str
    next: str
    department: str


class _ContentRow(NamedTuple):
    node_key: str
    position: int
    status: str
    note: str


def _own_and_last_query(row: type[NamedTuple], model):
    """The entries of a sheet of `model` and last year's approved ones (lastyear.ORDER), of
    the values (report id, plan id, FY − 1), as `row`s."""

    def make(report_id: int, plan_id: int, last_fy: int):
        return (
            model.objects.filter(
                Q(report_id=report_id) | lastyear.approved_entries(plan_id, last_fy)
            )
            .order_by(*lastyear.ORDER)
            .values_list(*row._fields[:-1], "report__department__name")
        )

    return Prepared(make, int, int, int)


_OWN_AND_LAST = {
    ItemEntry: (_ItemRow, _own_and_last_query(_ItemRow, ItemEntry)),
    IndicatorEntry: (_IndicatorRow, _own_and_last_query(_IndicatorRow, IndicatorEntry)),
}
_CONTENT_ENTRIES = Prepared(
    lambda report_id: (
        ContentEntry.objects.filter(report_id=report_id)
        .order_by("pk")
        .values_list(*_ContentRow._fields)
    ),
    int,
)


def _own_and_last(model, report: Report) -> tuple[list, list]:
    """The sheet's entries of `model`, and last year's approved ones (lastyear.ORDER)."""
    row, query = _OWN_AND_LAST[model]
    own, others = [], []
    for e in query.rows(report.pk, report.round.plan_id, report.round.fy - 1):
        e = row(*e)
        (own if e.report_id == report.pk else others).append(e)
    return own, others


def _partial_nodes(plan_id: int, department_id: int, only: SheetKeys) -> list[Node]:
    """The nodes a partial post names (by item or indicator key), with whether each has
    children, contents and indicators (one the department reports itself among them), and
    whether the department is its 担当課: a save reads only the kinds of rows it posts."""
    node_keys, indicator_keys = sorted(only.nodes), sorted(only.indicators)
    n, m = len(node_keys), len(indicator_keys)
    if not n and not m:
        return []

    def make(plan_id: int, department_id: int, *keys: str):
        indicators = Indicator.objects.filter(node_id=OuterRef("pk"))
        return (
            Node.objects.filter(plan_id=plan_id)
            .filter(Q(key__in=keys[:n]) | Q(indicators__key__in=keys[n:]))
            .distinct()
            .annotate(
                has_children=Exists(Node.objects.filter(parent_id=OuterRef("pk"))),
                has_contents=Exists(Content.objects.filter(node_id=OuterRef("pk"))),
                has_indicators=Exists(indicators),
                reports_indicator=Exists(indicators.filter(department_id=department_id)),
                is_responsible=Exists(
                    NodeDepartment.objects.filter(
                        node_id=OuterRef("pk"), department_id=department_id
                    )
                ),
            )
            .order_by("seq")
        )

    kinds = (int, int, *(str,) * (n + m))
    values = (plan_id, department_id, *node_keys, *indicator_keys)
    return prepared.run(("sheet-nodes", n, m), make, kinds, values)


def _entries(model, key_field: str, report_id: int, keys: frozenset[str] | None) -> list:
    """The sheet's entries of `model` whose `key_field` is one of `keys`."""
    if not keys:
        return []
    keys = sorted(keys)

    def make(report_id: int, *keys: str):
        return model.objects.filter(report_id=report_id, **{f"{key_field}__in": keys}).order_by(
            "pk"
        )

    kinds = (int, *(str,) * len(keys))
    return prepared.run((model.__name__, len(keys)), make, kinds, (report_id, *keys))


def sheet(
    report: Report, *, only: SheetKeys | None = None, last_year: bool = True
) -> list[ItemLines]:
    """Everything the department reports for the FY, with what it has entered so far.

    `only` (a draft save that posts only the changed fields, issue 16) narrows the sheet to
    the items and indicators named: the same lines, read for those rows alone, without last
    year's texts (a save does not show them). `last_year=False` leaves last year's texts out
    of the whole sheet too (a draft save that answers with its status line only).
    """
    last_year = last_year and only is None
    plan, fy = report.round.plan, report.round.fy
    dept = report.department
    items_q, contents_q, indicators_q = [], [], []
    content_keys: frozenset[str] | None = None
    if only is not None:
        # issue 16: each query compiled once for its shape (shinchoku/prepared.run).
        nodes = _partial_nodes(plan.pk, dept.pk, only)
        item_keys = only.nodes if only.items is None else only.items
        content_keys = only.nodes if only.contents is None else only.contents
        items_q = _entries(ItemEntry, "node_key", report.pk, item_keys)
        contents_q = _entries(ContentEntry, "node_key", report.pk, content_keys)
        indicators_q = _entries(IndicatorEntry, "indicator_key", report.pk, only.indicators)
    # A partial save that posts no content field reads no content (has_contents says whether
    # an item is on the sheet for its contents).
    with_contents = content_keys is None or bool(content_keys)
    # One that posts no indicator field reads no indicator and no 担当課 link (the annotations
    # above say whether an item is on the sheet).
    with_indicators = only is None or bool(only.indicators)
    if only is None:
        # issue 16: the whole sheet in queries compiled once (shinchoku/prepared.py).
        nodes, rows = _whole_plan(plan.pk, fy, dept.pk)
    else:
        # issue 16: the contents, indicators and 担当課 of these nodes in three queries, kept
        # in plain lists (a prefetch builds a queryset per node, content and indicator).
        rows = _node_rows(
            fy, [n.pk for n in nodes], contents=with_contents, indicators=with_indicators
        )
    # issue 12 (a round for any plan): a leaf item of the department is on its sheet even
    # without contents and indicators (its status is the self-evaluation, with its texts).
    if only is None:
        parents = {n.parent_id for n in nodes}
        # Every node of the plan, for the sheet's contents by goal (no second query, issue 16).
        report.plan_outline = {n.pk: n for n in nodes}
    else:
        parents = {n.pk for n in nodes if n.has_children}
    last_items: list[ItemEntry] = []
    last_indicators: list[IndicatorEntry] = []
    if only is None:
        # Last year's approved entries with the sheet's own: one query for each kind (issue
        # 16: compiled once; without last year's texts they are left aside).
        items_q, last_items = _own_and_last(ItemEntry, report)
        indicators_q, last_indicators = _own_and_last(IndicatorEntry, report)
        contents_q = [_ContentRow(*e) for e in _CONTENT_ENTRIES.rows(report.pk)]
    items_e = {e.node_key: e for e in items_q} if only is None or only.nodes else {}
    contents_e = (
        {(e.node_key, e.position): e for e in contents_q} if only is None or only.nodes else {}
    )
    indicators_e = (
        {e.indicator_key: e for e in indicators_q} if only is None or only.indicators else {}
    )
    out = []
    for node in nodes:
        # 担当課 from the links prefetched for the indicator owner (one query for both).
        links = rows.links.get(node.pk, [])
        if with_indicators:
            responsible = any(nd.department_id == dept.pk for nd in links)
        else:
            responsible = node.is_responsible
        lines = ItemLines(node)
        if responsible:
            for position, (content, planned) in enumerate(rows.contents.get(node.pk, []), 1):
                entry = contents_e.get((node.key, position))
                lines.contents.append(
                    ContentLine(
                        position,
                        content,
                        planned,
                        entry.status if entry else "",
                        entry.note if entry else "",
                    )
                )
        for ind, values in rows.indicators.get(node.pk, []):
            # --- indicator owner (issue 12): the reporter gets the input; the item's other
            # 担当課 see the line read-only. The rule of plans.reporting.reporter: the
            # indicator's 担当部署, else the item's first 担当課.
            reporter = ind.department if ind.department_id is not None else _first(links)
            mine = reporter is not None and reporter.pk == dept.pk
            if not mine and not responsible:
                continue
            line = _indicator_line(ind, fy, indicators_e.get(ind.key), values)
            line.reporter = reporter
            if not mine:
                line.readonly, line.earlier_entry = True, line.actual
                line.actual = line.note = line.done = line.next = ""
            lines.indicators.append(line)
            # --- end indicator owner
        leaf_of_dept = responsible and node.pk not in parents
        # On the sheet for rows not read: its contents, or indicators shown to a 担当課 and
        # those the department reports itself (the rule above).
        unread = (responsible and not with_contents and node.has_contents) or (
            not with_indicators
            and ((responsible and node.has_indicators) or node.reports_indicator)
        )
        if lines.contents or lines.indicators or leaf_of_dept or unread:
            entry = items_e.get(node.key)
            if entry:
                lines.done, lines.next, lines.evaluation = entry.done, entry.next, entry.evaluation
            out.append(lines)
    # --- last year beside this year (issue 12, part 7): a fixed number of queries.
    if last_year:
        lastyear.attach(
            report,
            out,
            item_entries=last_items,
            indicator_entries=last_indicators,
            notes=rows.notes,
        )
    # --- end of last year
    return out


@dataclass
class _NodeRows:
    """A sheet's nodes' rows, by node id (issue 16)."""

    contents: dict[int, list[tuple[Content, str]]]  # (content, its phases planned for the FY)
    indicators: dict[int, list[tuple[Indicator, list[_Value]]]]
    links: dict[int, list[Any]]  # 担当課 (NodeDepartment or _Link), in the document's order
    # The plan's ProgressNote of FY − 1 (done, next) by indicator key (the whole sheet only).
    notes: dict[str, tuple[str, str]] | None = None


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _nodes_query(plan_id: int):
    """The plan's nodes, one row per node and 担当課 (none: one row without)."""
    return (
        Node.objects.filter(plan_id=plan_id)
        .order_by("seq", "pk", "nodedepartment__order", "nodedepartment__id")
        .values_list(
            *_fields(Node),
            *(f"nodedepartment__{name}" for name in _fields(NodeDepartment)),
            *(f"nodedepartment__department__{name}" for name in _fields(Department)),
        )
    )


def _planned(fy: int) -> FilteredRelation:
    """A content's spans planned for the FY."""
    return FilteredRelation(
        "schedule", condition=Q(schedule__from_fy__lte=fy, schedule__to_fy__gte=fy)
    )


def _contents_query(plan_id: int, fy: int, department_id: int):
    """The plan's contents of the items the department is 担当課 of, with their spans of the
    FY (one row per content and span; none: one row without a span)."""
    return (
        Content.objects.filter(node__plan_id=plan_id)
        .filter(
            Exists(
                NodeDepartment.objects.filter(
                    node_id=OuterRef("node_id"), department_id=department_id
                )
            )
        )
        .select_related("shared")
        .annotate(fy_span=_planned(fy))
        .annotate(span_id=F("fy_span__id"), span_phase=F("fy_span__phase"))
        .order_by("node_id", "order", "pk", "fy_span__order", "fy_span__id")
    )


def _indicators_query(plan_id: int, last_fy: int):
    """The plan's indicators with their 担当部署 and values (one row per indicator and value)
    and the plan's ProgressNote of FY − 1 (last year's texts fall back on it)."""
    note = FilteredRelation("reports", condition=Q(reports__fy=last_fy))
    return (
        Indicator.objects.filter(node__plan_id=plan_id)
        .annotate(last_note=note)
        .order_by("node_id", "order", "pk", "values__role", "values__fy")
        .values_list(
            *_INDICATOR_COLUMNS,
            "last_note__done",
            "last_note__next",
        )
    )


_INDICATOR_COLUMNS = (
    *_fields(Indicator),
    *(f"department__{name}" for name in _fields(Department)),
    "values__id",
    "values__role",
    "values__fy",
    "values__text",
)
_NODES = Prepared(_nodes_query, int)
_CONTENTS = Prepared(_contents_query, int, int, int)
_INDICATORS = Prepared(_indicators_query, int, int)


class _Link(NamedTuple):
    """A 担当課 of a node as the sheet uses it (a NodeDepartment's fields)."""

    department_id: int
    department: Department


def _whole_plan(plan_id: int, fy: int, department_id: int) -> tuple[list[Node], _NodeRows]:
    """The plan's nodes and their rows for the whole sheet (contents of the department's items
    only), in three queries compiled once (issue 16)."""
    out = _NodeRows({}, {}, {}, {})
    node_names, link_names, dept_names = _fields(Node), _fields(NodeDepartment), _fields(Department)
    n, m = len(node_names), len(link_names)
    nodes: list[Node] = []
    db = "default"
    last = None
    departments: dict[int, Department] = {}  # a few departments, linked to many nodes
    at = link_names.index("department_id")
    for row in _NODES.rows(plan_id):
        if last is None or row[0] != last.pk:
            last = Node.from_db(db, node_names, row[:n])
            nodes.append(last)
        if row[n] is not None:
            dept_id = row[n + at]
            dept = departments.get(dept_id)
            if dept is None:
                dept = departments[dept_id] = Department.from_db(db, dept_names, row[n + m :])
            out.links.setdefault(last.pk, []).append(_Link(dept_id, dept))
    _content_rows(out, _CONTENTS.objects(plan_id, fy, department_id))
    _indicator_rows(out, _INDICATORS.rows(plan_id, fy - 1), db, notes=True)
    return nodes, out


def _node_rows(
    fy: int,
    node_ids: list[int],
    *,
    contents: bool = True,
    indicators: bool = True,
) -> _NodeRows:
    """The contents (with this FY's phases; none unless `contents`), indicators (with their
    values) and 担当課 (neither unless `indicators`) of `node_ids`: a query for each, each row
    joined to what it needs, compiled once for the number of nodes (shinchoku/prepared.run)."""
    out = _NodeRows({}, {}, {})
    if not node_ids:
        return out
    n = len(node_ids)
    if contents:
        found = prepared.run(
            ("sheet-contents", n), _contents_of, (int, *(int,) * n), (fy, *node_ids)
        )
        _content_rows(out, found)
    if not indicators:
        return out
    found = prepared.run(("sheet-indicators", n), _indicators_of, (int,) * n, node_ids, rows=True)
    _indicator_rows(out, found, "default")
    links = prepared.run(("sheet-links", n), _links_of, (int,) * n, node_ids)
    for nd in links:
        out.links.setdefault(nd.node_id, []).append(nd)
    return out


def _contents_of(fy: int, *node_ids: int):
    # One row per content and span planned for the FY (none: one row without a span).
    return (
        Content.objects.filter(node_id__in=node_ids)
        .select_related("shared")
        .annotate(fy_span=_planned(fy))
        .annotate(span_id=F("fy_span__id"), span_phase=F("fy_span__phase"))
        .order_by("node_id", "order", "pk", "fy_span__order", "fy_span__id")
    )


def _indicators_of(*node_ids: int):
    # One row per indicator and value (none: one row without a value), read as tuples: an
    # Indicator (and its 担当部署) is built once, not once per value.
    return (
        Indicator.objects.filter(node_id__in=node_ids)
        .order_by("node_id", "order", "pk", "values__role", "values__fy")
        .values_list(*_INDICATOR_COLUMNS)
    )


def _links_of(*node_ids: int):
    return (
        NodeDepartment.objects.filter(node_id__in=node_ids)
        .select_related("department")
        .order_by("node_id", "order", "id")
    )


def _content_rows(out: _NodeRows, contents) -> None:
    phases: dict[int, list[str]] = {}
    for c in contents:
        if c.pk not in phases:
            phases[c.pk] = []
            out.contents.setdefault(c.node_id, []).append(c)
        if c.span_id is not None:
            phases[c.pk].append(c.span_phase)
    for node_id, found in out.contents.items():
        out.contents[node_id] = [(c, " / ".join(phases[c.pk])) for c in found]


class _Value(NamedTuple):
    """An indicator's value as the sheet shows it (role, FY, text as written)."""

    role: str
    fy: int
    text: str


def _indicator_rows(out: _NodeRows, rows, db: str, *, notes: bool = False) -> None:
    ind_names, dept_names = _fields(Indicator), _fields(Department)
    n, m = len(ind_names), len(dept_names)
    if notes:
        out.notes = {}
    seen: dict[int, list[_Value]] = {}
    for row in rows:
        values = seen.get(row[0])
        if values is None:
            ind = Indicator.from_db(db, ind_names, row[:n])
            if ind.department_id is not None:
                ind.department = Department.from_db(db, dept_names, row[n : n + m])
            values = seen[ind.pk] = []
            out.indicators.setdefault(ind.node_id, []).append((ind, values))
            if notes and (row[-2] is not None or row[-1] is not None):
                out.notes[ind.key] = (row[-2] or "", row[-1] or "")
        if row[n + m] is not None:
            values.append(_Value(*row[n + m + 1 : n + m + 4]))


def _first(links: list) -> Department | None:
    """The item's first 担当課 (plans.reporting.first_department, from loaded links)."""
    return links[0].department if links else None


def _indicator_line(
    ind: Indicator, fy: int, entry: IndicatorEntry | None, values: list[_Value]
) -> IndicatorLine:
    base = next((v for v in values if v.role == IndicatorValue.Role.BASELINE), None)
    targets = sorted((v for v in values if v.role == IndicatorValue.Role.TARGET), key=_fy)
    actuals = sorted((v for v in values if v.role == IndicatorValue.Role.ACTUAL), key=_fy)
    this = next((t.text for t in targets if t.fy == fy), "")
    approved = next((a.text for a in actuals if a.fy == fy), "")  # indicator owner (issue 12)
    return IndicatorLine(
        ind,
        baseline=f"{fy_label(base.fy)} {base.text}" if base else "",
        earlier=[(a.fy, a.text) for a in actuals if a.fy < fy],
        target=this,
        final=targets[-1].text if targets else "",
        actual=entry.actual if entry else "",
        note=entry.note if entry else "",
        done=entry.done if entry else "",
        next=entry.next if entry else "",
        approved=approved,
    )


def _fy(v: _Value) -> int:
    return v.fy
