"""Writing a checked plan document into the database in place, matched by its keys.

A plan loaded again keeps its identity: the Plan row and every record the document still has
under the same key keep their ids, only what changed is written (and only a changed record's
`version` is raised), and only what the document no longer has is deleted. Rounds, sheets,
settings and history hang from the plan and stay. Records are matched exactly the way the
preview (plans/diff.py) matches them, so the preview's counts are what happens:

- nodes by key anywhere in the tree (a node may move to another parent);
- sections, contents and indicators under their own node (or the plan), by heading, by
  number or text, and by key; schedule spans by position; values by role and year;
- shared contents by key, welfare issues by number, previous evaluations by goal and item.

The plan's own outgoing links (related plans, goals its contents serve) are recreated by the
caller; links from other plans into nodes that stay are untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.db import router
from django.db.models import Model, Prefetch
from django.db.models.signals import pre_save

from shinchoku.orgs.models import Department, Organization
from shinchoku.plans import cache_version, lineage_format
from shinchoku.plans.diff import content_key, keyed
from shinchoku.plans.models import (
    BusinessKind,
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

EVALUATION_FIELDS = ("goal", "category", "item", "followup", "evaluation", "status")
# Fields that only place a record: rewriting them is bookkeeping, not a change of the record.
PLACEMENT = frozenset({"order", "seq"})

GoalsByContent = dict[int, list[tuple[str, str]]]


def walk(nodes: list[dict]) -> Iterator[dict]:
    """Every node of a (checked) tree in document order, without recursion."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node["children"]))


def forget_own_links(slugs: set[str]) -> GoalsByContent:
    """Delete the outgoing links of these plans (recreated after loading); return their goals.

    The goals each content served, as (plan slug, node key) in order, tell whether a content
    changed. Links from other plans into these plans are kept.
    """
    goals: GoalsByContent = {}
    if not slugs:  # plans loaded for the first time have no links yet
        return goals
    rows = (
        ContentGoal.objects.filter(content__node__plan__slug__in=slugs)
        .order_by("content_id", "order", "id")
        .values_list("content_id", "node__plan__slug", "node__key")
    )
    for content_id, slug, key in rows:
        goals.setdefault(content_id, []).append((slug, key))
    ContentGoal.objects.filter(content__node__plan__slug__in=slugs).delete()
    PlanRelation.objects.filter(plan__slug__in=slugs).delete()
    return goals


def load_plan(
    doc: dict, plan: Plan | None, old_goals: GoalsByContent
) -> tuple[Plan, list[tuple[str, str]]]:
    """Create the plan or update it in place; return it with the removals that were refused.

    A refusal (where, message) is a node the document drops while another plan's content
    serves it; then nothing is deleted and the caller must roll back.
    """
    org = _organization(doc["organization"])
    departments = _ensure_departments(org, doc["departments"])
    p = doc["plan"]
    values = {
        "organization_id": org.pk,
        "title": p["title"],
        "kind": p["kind"],
        "first_fy": p["first_fy"],
        "last_fy": p["last_fy"],
        "philosophy": p["philosophy"],
        "level_names": p["level_names"],
        "status": lineage_format.plan_status(p, plan.status if plan else None),
    }
    if "owner" in p:  # a registered plan of another body (outside.py); absent: kept as it is
        values["owner_name"] = p["owner"]
    fresh = plan is None
    if plan is None:
        plan = Plan.objects.create(slug=p["slug"], **values)
    else:
        _save(plan, _assign(plan, values))
    loader = _Loader(plan, org, departments, old_goals, fresh=fresh)
    loader.sections(None, p["sections"], [] if fresh else list(plan.sections.filter(node=None)))
    loader.welfare_issues(p["welfare_issues"])
    loader.evaluations(p.get("previous_evaluations", []))
    loader.shared_contents(p["shared_contents"])
    removed = loader.nodes(p["nodes"])
    # The rows created together (bulk) are covered by the plan's cache version all the same.
    cache_version.bump([plan.pk])
    refused = _refused_removals(plan, removed)
    if refused:
        return plan, refused
    Node.objects.filter(pk__in=[n.pk for n in removed]).delete()
    SharedContent.objects.filter(pk__in=loader.removed_shared).delete()
    return plan, []


def _organization(doc: dict) -> Organization:
    org, created = Organization.objects.get_or_create(
        slug=doc["slug"], defaults={"name": doc["name"], "kind": doc["kind"]}
    )
    if not created and (org.name, org.kind) != (doc["name"], doc["kind"]):
        org.name, org.kind = doc["name"], doc["kind"]
        org.save(update_fields=["name", "kind"])
    return org


def _ensure_departments(org: Organization, docs: list[dict]) -> dict[str, Department]:
    """The organization's departments by name, the document's new ones added (one INSERT) and
    every one placed under the parent the document names (one UPDATE)."""
    existing = {d.name: d for d in org.departments.all()}
    next_order = max((d.order for d in existing.values()), default=-1) + 1
    new = []
    for d in docs:
        if d["name"] not in existing:
            existing[d["name"]] = Department(organization=org, name=d["name"], order=next_order)
            new.append(existing[d["name"]])
            next_order += 1
    Department.objects.bulk_create(new)
    moved = []
    for d in docs:
        dept = existing[d["name"]]
        parent_id = existing[d["parent"]].id if d["parent"] else None
        if d["parent"] is not None and dept.parent_id != parent_id:
            dept.parent_id = parent_id
            moved.append(dept)
    if moved:
        Department.objects.bulk_update(moved, ["parent"])
    return existing


def _refused_removals(plan: Plan, removed: list[Node]) -> list[tuple[str, str]]:
    """Nodes about to be removed that another plan of the same organization still serves.

    A link from another organization's plan never stops a removal: it stays as a reference by
    plan slug and node key (its node becomes empty), and it is never named here.
    """
    if not removed:
        return []
    keys = {n.pk: n.key for n in removed}
    links = (
        ContentGoal.objects.filter(
            node_id__in=keys, content__node__plan__organization_id=plan.organization_id
        )
        .select_related("content__node__plan")
        .order_by("node_id", "content_id")
    )
    return [
        (
            f"{plan.slug}/{keys[link.node_id]}",
            f"計画「{link.content.node.plan.slug}」の実施内容「{link.content}」がこの目標に"
            "結び付いているため、消すことはできません。",
        )
        for link in links
    ]


# --------------------------------------------------------------------------- writing rows


def _assign(row: Model, values: dict[str, Any]) -> list[str]:
    """Set the values that differ on the row; return the names of the fields set."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _save(row: Model, changed: list[str], also_changed: bool = False) -> bool:
    """Write the fields set; raise `version` when more than the placement changed.

    Returns whether the record itself changed (not only where it is placed).
    """
    real = also_changed or any(name not in PLACEMENT for name in changed)
    fields = [name.removesuffix("_id") for name in changed]
    if real and hasattr(row, "version"):
        row.version += 1
        fields.append("version")
    if fields:
        row.save(update_fields=fields)
    return real


def _sync(
    old_rows: list[Any],
    old_key: Callable[[Any], Any],
    docs: list[dict],
    new_key: Callable[[dict], Any],
    create: Callable[[dict, int], Any],
    update: Callable[[Any, dict, int], Any],
) -> list[Any]:
    """Match rows and documents by key (repeats by position); return the rows left over."""
    old = keyed(old_rows, old_key)
    new = keyed(docs, new_key)
    for position, (name, doc) in enumerate(new.items()):
        if name in old:
            update(old[name], doc, position)
        else:
            create(doc, position)
    return [row for name, row in old.items() if name not in new]


class _Pending:
    """Rows nothing hangs from, created together when the plan's tree is loaded.

    One INSERT per model instead of one per row: a plan of 38 nodes and 98 contents has some 400
    such rows (spans, values, reports, the links to departments, kinds and SDGs, sections).
    Their parents are created before (nodes, contents and indicators in one INSERT each, ids
    returned), so every foreign key is set. All of them belong to the plan being loaded: its
    cache version is raised without looking their plans up.
    """

    def __init__(self, plan_id: int) -> None:
        self.plan_id = plan_id
        self.rows: dict[type[Model], list[Model]] = {}

    def add(self, row: Model) -> None:
        self.rows.setdefault(type(row), []).append(row)

    def flush(self) -> None:
        for model, rows in self.rows.items():
            _of_plan(model, self.plan_id).bulk_create(rows, batch_size=500)
        self.rows.clear()


def _as_created(model: type[Model], rows: list[Any]) -> list[Any]:
    """Rows about to be inserted together, told so as create() tells them (pre_save).

    bulk_create sends no signal; the receivers see each new row as they would one by one (a
    record added to a draft plan without lineage is tagged 新規: evaluations/signals.py).
    """
    using = router.db_for_write(model)
    for row in rows:
        pre_save.send(sender=model, instance=row, raw=False, using=using, update_fields=None)
    return rows


def _of_plan(model: type[Model], plan_id: int) -> Any:
    """The model's manager, told that the rows written belong to this plan (covered.py)."""
    manager = model.objects
    return manager.of_plan(plan_id) if hasattr(manager, "of_plan") else manager


def _delete(model: type[Model], rows: list[Any]) -> None:
    if rows:
        model.objects.filter(pk__in=[r.pk for r in rows]).delete()


class _Loader:
    """The state of loading one plan: its rows as they were, and the lookups for the document."""

    def __init__(
        self,
        plan: Plan,
        org: Organization,
        departments: dict[str, Department],
        old_goals: GoalsByContent,
        fresh: bool = False,
    ):
        self.plan = plan
        self.org = org
        self.departments = departments
        self.old_goals = old_goals
        # A plan just created has no rows to read back.
        self.fresh = fresh
        self.kinds = {k.name: k for k in BusinessKind.objects.filter(organization=org)}
        self.shared: dict[str, SharedContent] = {}
        self.removed_shared: list[int] = []
        self.pending = _Pending(plan.pk)
        # New contents and indicators of every node, inserted together once the nodes are.
        self.new_contents: list[tuple[Content, dict]] = []
        self.new_indicators: list[tuple[Indicator, dict]] = []

    # ------------------------------------------------------------------ plan-level records

    def sections(self, node: Node | None, docs: list[dict], rows: list[Section]) -> None:
        rows = sorted(rows, key=lambda s: (s.order, s.pk))

        def values(d: dict, order: int) -> dict:
            return {"order": order, "heading": d["heading"], "style": d["style"], "body": d["body"]}

        def create(d: dict, order: int) -> None:
            self.pending.add(
                Section(plan_id=self.plan.pk, node_id=node.pk if node else None, **values(d, order))
            )

        def update(row: Section, d: dict, order: int) -> None:
            _save(row, _assign(row, values(d, order)))

        _delete(
            Section,
            _sync(rows, lambda s: s.heading, docs, lambda d: d["heading"], create, update),
        )

    def welfare_issues(self, docs: list[dict]) -> None:
        rows = [] if self.fresh else list(self.plan.welfare_issues.order_by("number", "id"))

        def values(d: dict) -> dict:
            return {"title": d["title"], "voices": d["voices"]}

        def create(d: dict, _order: int) -> None:
            self.pending.add(WelfareIssue(plan=self.plan, number=d["number"], **values(d)))

        def update(row: WelfareIssue, d: dict, _order: int) -> None:
            _save(row, _assign(row, values(d)))

        _delete(
            WelfareIssue,
            _sync(rows, lambda w: w.number, docs, lambda d: d["number"], create, update),
        )

    def evaluations(self, docs: list[dict]) -> None:
        rows = [] if self.fresh else list(self.plan.previous_evaluations.order_by("order", "id"))

        def values(d: dict, order: int) -> dict:
            return {
                "order": order,
                **{f: d[f] for f in EVALUATION_FIELDS},
                **lineage_format.evaluation_values(d),
            }

        def create(d: dict, order: int) -> None:
            self.pending.add(PreviousEvaluation(plan=self.plan, **values(d, order)))

        def update(row: PreviousEvaluation, d: dict, order: int) -> None:
            _save(row, _assign(row, values(d, order)))

        _delete(
            PreviousEvaluation,
            _sync(
                rows,
                lambda e: f"{e.goal} › {e.item}",
                docs,
                lambda d: f"{d['goal']} › {d['item']}",
                create,
                update,
            ),
        )

    def shared_contents(self, docs: list[dict]) -> None:
        rows = [] if self.fresh else list(self.plan.shared_contents.order_by("order", "id"))
        created: list[SharedContent] = []

        def values(d: dict, order: int) -> dict:
            return {"order": order, "label": d["label"], "text": d["text"], "tag": d["tag"]}

        def create(d: dict, order: int) -> None:
            row = SharedContent(plan=self.plan, key=d["key"], **values(d, order))
            self.shared[d["key"]] = row
            created.append(row)

        def update(row: SharedContent, d: dict, order: int) -> None:
            _save(row, _assign(row, values(d, order)))
            self.shared[d["key"]] = row

        left = _sync(rows, lambda s: s.key, docs, lambda d: d["key"], create, update)
        SharedContent.objects.of_plan(self.plan.pk).bulk_create(created)  # their ids come back
        # Deleted after the contents that placed them have moved or gone (a protected link).
        self.removed_shared = [row.pk for row in left]

    # ------------------------------------------------------------------ the tree

    def nodes(self, docs: list[dict]) -> list[Node]:
        """Create or update every node in document order; return the nodes left over.

        The new nodes are inserted together (in document order, so their ids follow it), then
        given their new parents in one UPDATE; the new contents and indicators of all nodes
        follow in one INSERT each, then the rows hanging from them (_Pending).
        """
        old = {} if self.fresh else self._old_nodes()
        self._ensure_kinds(docs)
        placed: list[tuple[dict, Node | None, int, int, Node, bool]] = []
        stack: list[tuple[dict, Node | None, int]] = [
            (d, None, i) for i, d in reversed(list(enumerate(docs)))
        ]
        while stack:
            doc, parent, order = stack.pop()
            seq = len(placed)
            node = old.get(doc["key"])
            created = node is None
            if node is None:
                values = _node_values(doc, parent, order, seq)
                node = Node(plan=self.plan, key=doc["key"], **values)
            placed.append((doc, parent, order, seq, node, created))
            stack.extend((c, node, i) for i, c in reversed(list(enumerate(doc["children"]))))
        nodes = Node.objects.of_plan(self.plan.pk)
        nodes.bulk_create(_as_created(Node, [node for *_, node, created in placed if created]))
        orphans = []
        for _doc, parent, _order, _seq, node, created in placed:
            if created and parent is not None and node.parent_id != parent.pk:
                node.parent_id = parent.pk  # the parent was new too: its id is known now
                orphans.append(node)
        if orphans:
            nodes.bulk_update(orphans, ["parent"])
        for doc, parent, order, seq, node, created in placed:
            if created:
                self._new_node(node, doc)
            else:
                self._update_node(node, doc, _node_values(doc, parent, order, seq))
        self._insert_contents_and_indicators()
        self.pending.flush()
        seen = {doc["key"] for doc, *_ in placed}
        return [n for key, n in old.items() if key not in seen]

    def _old_nodes(self) -> dict[str, Node]:
        nodes = {
            n.key: n
            for n in Node.objects.filter(plan=self.plan).prefetch_related(
                "nodedepartment_set",
                "nodekind_set",
                "sdgs",
                "sections",
                Prefetch("contents", queryset=Content.objects.prefetch_related("schedule")),
                Prefetch(
                    "indicators",
                    queryset=Indicator.objects.prefetch_related("values", "reports"),
                ),
            )
        }
        for node in nodes.values():
            node.plan = self.plan  # the new contents' pre_save reads it (_as_created)
        return nodes

    def _ensure_kinds(self, docs: list[dict]) -> None:
        """Create the 種別 the tree names that the organization lacks, in one INSERT."""
        names = dict.fromkeys(name for doc in walk(docs) for name in doc["kinds"])
        missing = [name for name in names if name not in self.kinds]
        if not missing:
            return
        # Another import may create the same kind meanwhile: theirs is used then.
        BusinessKind.objects.bulk_create(
            [BusinessKind(organization=self.org, name=name) for name in missing],
            ignore_conflicts=True,
        )
        for kind in BusinessKind.objects.filter(organization=self.org, name__in=missing):
            self.kinds[kind.name] = kind

    def _new_node(self, node: Node, doc: dict) -> None:
        self._departments(node, doc["departments"], [])
        self._kinds(node, doc["kinds"], [])
        for number in sorted(set(doc["sdgs"])):
            self.pending.add(Node.sdgs.through(node_id=node.pk, sdggoal_id=number))
        self.sections(node, doc["sections"], [])
        self._contents(node, doc["contents"], [])
        self._indicators(node, doc["indicators"], [])

    def _update_node(self, node: Node, doc: dict, values: dict[str, Any]) -> None:
        changed = _assign(node, values)
        parts = self._departments(node, doc["departments"], list(node.nodedepartment_set.all()))
        parts |= self._kinds(node, doc["kinds"], list(node.nodekind_set.all()))
        parts |= self._sdgs(node, doc["sdgs"])
        # A node's place among its siblings is part of it (the preview's 順序); seq is not.
        _save(node, changed, also_changed=parts or "order" in changed)
        self.sections(node, doc["sections"], list(node.sections.all()))
        self._contents(node, doc["contents"], list(node.contents.all()))
        self._indicators(node, doc["indicators"], list(node.indicators.all()))

    def _insert_contents_and_indicators(self) -> None:
        """The new contents and indicators of every node (ids returned), then their rows."""
        contents = _as_created(Content, [c for c, _ in self.new_contents])
        Content.objects.of_plan(self.plan.pk).bulk_create(contents)
        for content, d in self.new_contents:
            _sync_schedule(content, d["schedule"], [], self.pending)
        Indicator.objects.of_plan(self.plan.pk).bulk_create([i for i, _ in self.new_indicators])
        for ind, d in self.new_indicators:
            _sync_values(ind, d, [], self.pending)
            _sync_notes(ind, d["reports"], [], self.pending)
        self.new_contents, self.new_indicators = [], []

    def _departments(self, node: Node, names: list[str], rows: list[NodeDepartment]) -> bool:
        wanted = [self.departments[name].pk for name in dict.fromkeys(names)]
        return _sync_ordered_links(
            NodeDepartment,
            node,
            "department_id",
            wanted,
            rows,
            lambda r: r.department_id,
            self.pending,
        )

    def _kinds(self, node: Node, names: list[str], rows: list[NodeKind]) -> bool:
        wanted = []
        for name in dict.fromkeys(names):
            if name not in self.kinds:
                self.kinds[name], _ = BusinessKind.objects.get_or_create(
                    organization=self.org, name=name
                )
            wanted.append(self.kinds[name].pk)
        return _sync_ordered_links(
            NodeKind, node, "kind_id", wanted, rows, lambda r: r.kind_id, self.pending
        )

    def _sdgs(self, node: Node, numbers: list[int]) -> bool:
        old = {g.number for g in node.sdgs.all()}
        new = set(numbers)
        if old == new:
            return False
        if old - new:
            node.sdgs.remove(*sorted(old - new))
        if new - old:
            node.sdgs.add(*sorted(new - old))
        return True

    def _contents(self, node: Node, docs: list[dict], rows: list[Content]) -> None:
        rows = sorted(rows, key=lambda c: (c.order, c.pk))

        def values(d: dict, order: int) -> dict:
            return {
                "order": order,
                "shared_id": self.shared[d["shared"]].pk if d["shared"] else None,
                "label": d["label"],
                "text": d["text"],
                "tag": d["tag"],
                "repost": d["repost"],
                "note": d["note"],
                **lineage_format.content_values(d),
            }

        def create(d: dict, order: int) -> None:
            self.new_contents.append((Content(node=node, **values(d, order)), d))

        def update(row: Content, d: dict, order: int) -> None:
            changed = _assign(row, values(d, order))
            spans = _sync_schedule(row, d["schedule"], list(row.schedule.all()), self.pending)
            goals = list(dict.fromkeys((g["plan"], g["node"]) for g in d["goals"]))
            _save(row, changed, also_changed=spans or goals != self.old_goals.get(row.pk, []))

        left = _sync(
            rows,
            lambda c: content_key({"label": c.label, "text": c.text}),
            docs,
            content_key,
            create,
            update,
        )
        _delete(Content, left)

    def _indicators(self, node: Node, docs: list[dict], rows: list[Indicator]) -> None:
        rows = sorted(rows, key=lambda i: (i.order, i.pk))

        def values(d: dict, order: int) -> dict:
            dept = self.departments[d["department"]] if d["department"] else None
            return {
                "order": order,
                "label": d["label"],
                "name": d["name"],
                "unit": d["unit"],
                "direction": d["direction"],
                "department_id": dept.pk if dept else None,
                "notes": d["notes"],
                **lineage_format.indicator_values(d),
            }

        def create(d: dict, order: int) -> None:
            ind = Indicator(node_id=node.pk, plan_id=self.plan.pk, key=d["key"], **values(d, order))
            self.new_indicators.append((ind, d))

        def update(row: Indicator, d: dict, order: int) -> None:
            changed = _assign(row, values(d, order))
            parts = _sync_values(row, d, list(row.values.all()), self.pending)
            parts |= _sync_notes(row, d["reports"], list(row.reports.all()), self.pending)
            _save(row, changed, also_changed=parts)

        _delete(Indicator, _sync(rows, lambda i: i.key, docs, lambda d: d["key"], create, update))


def _node_values(doc: dict, parent: Node | None, order: int, seq: int) -> dict[str, Any]:
    """A node's own fields from its document and its place in the tree."""
    return {
        "parent_id": parent.pk if parent else None,
        "level": doc["level"],
        "order": order,
        "seq": seq,
        "label": doc["label"],
        "title": doc["title"],
        "subtitle": doc["subtitle"],
        **lineage_format.node_values(doc),
    }


def _sync_ordered_links(
    model: type[Model],
    node: Node,
    field: str,
    wanted: list[int],
    rows: list[Any],
    target: Callable[[Any], int],
    pending: _Pending,
) -> bool:
    """Keep a node's ordered links (departments, kinds) equal to `wanted`; return if changed."""
    by_target = {target(r): r for r in rows}
    changed = False
    for order, pk in enumerate(wanted):
        row = by_target.pop(pk, None)
        if row is None:
            pending.add(model(node_id=node.pk, order=order, **{field: pk}))
            changed = True
        elif row.order != order:
            row.order = order
            row.save(update_fields=["order"])
            changed = True
    if by_target:
        _delete(model, list(by_target.values()))
        changed = True
    return changed


def _sync_schedule(
    content: Content, docs: list[dict], rows: list[ScheduleSpan], pending: _Pending
) -> bool:
    """Spans by position; return whether any span changed."""
    rows = sorted(rows, key=lambda s: (s.order, s.pk))
    changed = False
    for order, d in enumerate(docs):
        values = {
            "track": d["track"],
            "from_fy": d["from"],
            "to_fy": d["to"],
            "phase": d["phase"],
            "order": order,
        }
        if order < len(rows):
            changed |= _save(rows[order], _assign(rows[order], values))
        else:
            pending.add(ScheduleSpan(content_id=content.pk, **values))
            changed = True
    if len(rows) > len(docs):
        _delete(ScheduleSpan, rows[len(docs) :])
        changed = True
    return changed


def _wanted_values(doc: dict) -> dict[tuple[str, int], dict[str, Any]]:
    """The values an indicator document holds, by (role, FY), with the fields it carries."""
    wanted: dict[tuple[str, int], dict[str, Any]] = {}
    base = doc["baseline"]
    if base is not None:
        wanted[(IndicatorValue.Role.BASELINE, base["fy"])] = {
            "text": base["value"],
            "label": base["label"],
            "estimate": base["estimate"],
            "as_of": date.fromisoformat(base["as_of"]) if base["as_of"] else None,
        }
    for t in doc["targets"]:
        wanted[(IndicatorValue.Role.TARGET, t["fy"])] = {"text": t["value"]}
    for a in doc["actuals"]:
        wanted[(IndicatorValue.Role.ACTUAL, a["fy"])] = {"text": a["value"], "note": a["note"]}
    return wanted


def _sync_values(ind: Indicator, doc: dict, rows: list[IndicatorValue], pending: _Pending) -> bool:
    """Baseline, targets and actuals by role and FY; return whether any changed."""
    by_key = {(r.role, r.fy): r for r in rows}
    changed = False
    created = []
    for (role, fy), values in _wanted_values(doc).items():
        row = by_key.pop((role, fy), None)
        if row is None:
            row = IndicatorValue(indicator_id=ind.pk, role=role, fy=fy, **values)
            row.apply_parse()
            pending.add(row)
            created.append(row)
            continue
        fields = _assign(row, values)
        if fields:
            row.save()  # the parse follows the text
            changed = True
    if by_key:
        _delete(IndicatorValue, list(by_key.values()))
    return changed or bool(created) or bool(by_key)


def _sync_notes(
    ind: Indicator, docs: list[dict], rows: list[ProgressNote], pending: _Pending
) -> bool:
    """取組状況 / 今後の展開 by FY; return whether any changed."""
    by_fy = {r.fy: r for r in rows}
    changed = False
    for d in docs:
        row = by_fy.pop(d["fy"], None)
        if row is None:
            pending.add(
                ProgressNote(indicator_id=ind.pk, fy=d["fy"], done=d["done"], next=d["next"])
            )
            changed = True
        else:
            changed |= _save(row, _assign(row, {"done": d["done"], "next": d["next"]}))
    if by_fy:
        _delete(ProgressNote, list(by_fy.values()))
        changed = True
    return changed
