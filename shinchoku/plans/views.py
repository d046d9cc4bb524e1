"""Browsing pages: plan list, plan tree, node (item) page, roadmap, indicators.

Every page loads a fixed number of queries whatever the size of the plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Prefetch,
    Q,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import (
    can_edit_structure,
    can_see_draft_plans,
    is_federation,
    membership,
    require,
    visible_organizations,
)
from shinchoku.core.figures import in_unit_html, indicator_unit
from shinchoku.core.node_names import level_heading
from shinchoku.orgs.filters import filter_form, filter_plans, labels, page_of, prefecture_labels
from shinchoku.orgs.models import Department
from shinchoku.plans import item_html, item_page, links
from shinchoku.plans.access import visible_plan
from shinchoku.plans.goals import by_goal, plan_nodes
from shinchoku.plans.history import loads_snapshot
from shinchoku.plans.item_page import item_parts
from shinchoku.plans.models import (
    ChangeRecord,
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    NodeDepartment,
    NodeKind,
    Plan,
    ScheduleSpan,
    Section,
)
from shinchoku.plans.schedule import Row, grid, phase_in


def _get_plan(request: HttpRequest, slug: str) -> Plan:
    """Load a plan by slug or 404; the user must belong to its organization."""
    return visible_plan(request, slug)


@dataclass
class TreeNode:
    node: Node
    children: list[TreeNode] = field(default_factory=list)


def _tree(nodes: list[Node]) -> list[TreeNode]:
    by_id = {n.id: TreeNode(n) for n in nodes}
    roots = []
    for n in nodes:
        (by_id[n.parent_id].children if n.parent_id in by_id else roots).append(by_id[n.id])
    return roots


def _level_counts(plan: Plan, nodes: list[Node]) -> list[tuple[str, int]]:
    counts: dict[int, int] = defaultdict(int)
    for n in nodes:
        counts[n.level] += 1
    return [(plan.level_name(level), counts[level]) for level in sorted(counts)]


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    """The user's plans, 50 a page, filtered by prefecture, kind and round state, with the
    number of nodes per level; registered plans of other bodies come last, in their own section.

    A fixed number of queries whatever the number of organizations and plans: the nodes are
    counted for the plans of the page only.
    """
    require(request, request.user.is_authenticated)
    user = request.user
    plans = Plan.objects.select_related("organization").filter(
        organization__in=visible_organizations(user)
    )
    member = membership(user)
    if not is_federation(user) and not (member and can_see_draft_plans(user, member.organization)):
        plans = plans.exclude(status=Plan.Status.DRAFT)  # drafts: 管理者 and approvers only
    form = filter_form(request)
    plans = filter_plans(plans, form.choices()).order_by(
        ExpressionWrapper(~Q(owner_name=""), output_field=BooleanField()),
        "organization__name",
        "first_fy",
        "title",
        "id",
    )
    page = page_of(request, plans)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        Node.objects.filter(plan_id__in=[p.id for p in page])
        .order_by()
        .values("plan_id", "level")
        .annotate(n=Count("id"))
    ):
        counts[row["plan_id"]][row["level"]] = row["n"]
    prefectures, kinds = prefecture_labels(), labels(Plan.Kind.choices)
    rows = [
        {
            "plan": p,
            "levels": [(p.level_name(lv), n) for lv, n in sorted(counts[p.id].items())],
            "prefecture": prefectures.get(p.organization.prefecture, "―"),
            "kind": kinds.get(p.kind, p.kind),
        }
        for p in page
    ]
    context = {
        "rows": [r for r in rows if not r["plan"].is_external],
        # Plans of other bodies the organization registered (outside.py), in their own section.
        "outside_rows": [r for r in rows if r["plan"].is_external],
        "editable": {p.id for p in page if can_edit_structure(user, p.organization)},
        "can_create": can_create_plan(user),
        "operator": is_federation(user),
        "form": form,
        "page": page,
    }
    return render(request, "plans/plan_list.html", context)


@require_safe
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a plan: its philosophy, sections, issues and its tree with counts per level."""
    plan = _get_plan(request, slug)
    nodes = list(
        Node.objects.filter(plan=plan)
        .annotate(n_contents=Count("contents", distinct=True))
        .annotate(n_indicators=Count("indicators", distinct=True))
        .order_by("seq")
    )
    context = {
        "plan": plan,
        "tree": _tree(nodes),
        "level_counts": _level_counts(plan, nodes),
        "n_contents": sum(n.n_contents for n in nodes),
        "n_indicators": sum(n.n_indicators for n in nodes),
        "sections": plan.sections.filter(node=None).order_by("order"),
        "issues": plan.welfare_issues.order_by("number"),
        "evaluations": plan.previous_evaluations.order_by("order", "id"),
        "relations": links.mark_relations(
            plan, plan.relations.select_related("other__organization").order_by("order")
        ),
        "can_edit": can_edit_structure(request.user, plan.organization),
    }
    # Read once: the links shown, the next plans ({% plan_lineage %}) and the incoming links.
    context["relations_into"] = into = links.relations_into(plan)
    context["related_from"] = links.shown_into(plan, into)
    if context["can_edit"]:
        context["incoming"] = links.incoming(plan, into)
    return render(request, "plans/plan_detail.html", context)


def node_page_queryset():
    """A node with what its page shows: departments, kinds, SDGs, sections, contents."""
    return Node.objects.prefetch_related(*node_page_prefetches())


def node_page_prefetches() -> tuple:
    """What a node's page shows beside the node, as prefetches (one query each)."""
    return (
        Prefetch(
            "nodedepartment_set",
            queryset=NodeDepartment.objects.select_related("department").order_by("order"),
        ),
        Prefetch("nodekind_set", queryset=NodeKind.objects.select_related("kind")),
        "sdgs",
        Prefetch("sections", queryset=Section.objects.order_by("order")),
        Prefetch("contents", queryset=contents_queryset().order_by("order")),
    )


def contents_queryset():
    """Contents with their schedule and the goals they serve, in one query each."""
    return Content.objects.select_related("shared").prefetch_related(
        Prefetch(
            "contentgoal_set",
            queryset=ContentGoal.objects.select_related("node__plan").order_by("order"),
        ),
        Prefetch("schedule", queryset=ScheduleSpan.objects.order_by("order")),
    )


def _indicators_queryset():
    return Indicator.objects.select_related("department").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("fy")),
        "reports",
    )


@dataclass
class IndicatorRow:
    indicator: Indicator
    baseline: IndicatorValue | None
    cells: list[tuple[int, IndicatorValue | None, IndicatorValue | None]]  # fy, target, actual
    final: IndicatorValue | None

    @cached_property
    def unit(self) -> str:
        """The unit the row's figures are shown in (one unit per indicator: core.figures)."""
        texts = [self.baseline.text] if self.baseline else []
        texts += [v.text for _fy, t, a in self.cells for v in (t, a) if v is not None]
        return indicator_unit(self.indicator.unit, texts)

    @cached_property
    def baseline_html(self) -> str:
        """The baseline in the row's unit, as HTML (core.figures.in_unit_html)."""
        return self._html(self.baseline)

    @cached_property
    def cells_shown(self) -> list[tuple]:
        """(fy, target, actual, target HTML, actual HTML) per FY: the figures formatted once
        here, not by a filter per cell in the template (issue 16)."""
        return [(fy, t, a, self._html(t), self._html(a)) for fy, t, a in self.cells]

    def _html(self, value: IndicatorValue | None) -> SafeString | str:
        return value_html(value, self.unit)


def value_html(value: IndicatorValue | None, unit: str) -> SafeString | str:
    """A value in its indicator's unit as HTML, as the `in_unit` filter shows it: formatted in
    Python (core.figures.in_unit_html, memoized), for tables that would call it per cell."""
    if value is None:
        return ""
    return mark_safe(in_unit_html(value.text, unit, gettext("as reported: %(text)s")))


def _indicator_years(indicators: list[Indicator], fys: list[int]) -> list[int]:
    """Return the plan's FYs plus any earlier or later FY that has a target or an actual."""
    years = set(fys)
    for ind in indicators:
        years.update(v.fy for v in ind.values.all() if v.role != IndicatorValue.Role.BASELINE)
    return sorted(years)


def _indicator_rows(indicators: list[Indicator], years: list[int]) -> list[IndicatorRow]:
    rows = []
    for ind in indicators:
        values = list(ind.values.all())
        baseline = next((v for v in values if v.role == IndicatorValue.Role.BASELINE), None)
        targets = {v.fy: v for v in values if v.role == IndicatorValue.Role.TARGET}
        actuals = {v.fy: v for v in values if v.role == IndicatorValue.Role.ACTUAL}
        final = targets[max(targets)] if targets else None
        cells = [(fy, targets.get(fy), actuals.get(fy)) for fy in years]
        rows.append(IndicatorRow(ind, baseline, cells, final))
    return rows


@require_safe
def node_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Show one node as the plan document prints it: sections, contents, schedule, indicators.

    What every reader sees alike comes from the cache until the plan or a neighbour changes
    (plans.item_page); the lineage, progress and businesses are the reader's, read per request.
    """
    plan, others, rows = item_page.item_plan(request, slug, key)
    parts = item_parts(plan, key, lambda: _item_parts(plan, key), others)
    if parts is None:
        raise Http404("no such node")
    context = {
        "plan": plan,
        "node": parts["node"],
        "crumbs": parts["crumbs"],
        "lineage_key": parts["cache_key"] + ":lineage",
        "level_heading": parts["level_heading"],
        "body": mark_safe(parts["body"]),
        "below": mark_safe(parts["below"]),
        "item_rows": rows,
    }
    return render(request, "plans/node_detail.html", context)


def _item_parts(plan: Plan, key: str) -> dict | None:
    """Read and render the item page's parts that do not depend on the reader."""
    # Every row in one query (issue 16): the outline, the node with what it shows, the
    # contents serving it, and the lineage (kept for node_lineage beside the parts).
    found = item_page.read_item(plan, key)
    if found is None:
        return None
    outline, node = found.outline, found.node
    by_id = {n.id: n for n in outline}
    ancestors = []
    parent_id = node.parent_id
    while parent_id in by_id:
        ancestors.insert(0, by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    kids: dict[int | None, list[Node]] = {}
    for n in outline:
        kids.setdefault(n.parent_id, []).append(n)

    def subtree(parent_id: int) -> list[dict]:
        return [{"node": n, "children": subtree(n.id)} for n in kids.get(parent_id, [])]

    children = subtree(node.id)  # every level below, so a 4-level plan reads from its goal
    fys = plan.fiscal_years
    contents, content_fys = _entries(node.contents.all(), fys)
    refs = {"plans_by_slug": found.plans_by_slug, "accepted": found.accepted}
    links.mark_goal_refs(node.contents.all(), plan.organization_id, plan, **refs)
    served_by = found.served_by
    links.mark_goal_refs(served_by, plan.organization_id, None, **refs)
    served_entries, served_fys = _entries(served_by, _span_years(served_by))
    context = {
        "plan": plan,
        "node": node,
        "children": children,
        "child_level_name": plan.level_name(node.level + 1),
        "fys": fys,
        "contents": contents,
        "indicator_years": (years := _indicator_years(list(node.indicators.all()), fys)),
        "indicator_rows": _indicator_rows(list(node.indicators.all()), years),
        "content_fys": content_fys,
        "served_by": served_entries,
        "served_fys": served_fys,
    }
    # The repeated rows in Python once (plans.item_html), as the templates would print them.
    context["contents_table"] = mark_safe(
        item_html.content_table(
            contents, gettext("Contents and their phase per fiscal year"), False, content_fys, plan
        )
    )
    if context["indicator_rows"]:
        context["indicator_table"] = mark_safe(
            item_html.indicator_table(
                context["indicator_rows"],
                years,
                gettext("Baseline and targets per fiscal year"),
                plan,
            )
        )
    if n := len(served_entries):
        served_caption = ngettext(
            "%(n)s content serves this goal", "%(n)s contents serve this goal", n
        ) % {"n": n}
        context["served_table"] = mark_safe(
            item_html.content_table(served_entries, served_caption, True, served_fys, plan)
        )
    if children:
        context["subtree"] = mark_safe(item_html.subtree(children, plan))
    return {
        "node": node,
        "lineage": found.lineage,
        "crumbs": item_page.crumbs(ancestors),
        "level_heading": level_heading(plan.level_name(node.level), node.label),
        "body": render_to_string("plans/_node_body.html", context),
        "below": render_to_string("plans/_node_below.html", context),
    }


def _entries(contents, fys: list[int]) -> tuple[list[dict], list[int]]:
    """Pair contents with their schedule rows; drop the FY columns when nothing is scheduled."""
    contents = list(contents)
    if not any(c.schedule.all() for c in contents):
        fys = []
    entries = [
        {"content": c, "rows": grid(c.schedule.all(), fys) or [Row("", [])]} for c in contents
    ]
    return entries, fys


def _span_years(contents: list[Content]) -> list[int]:
    """Return the FYs covered by the contents' plans (they may belong to another plan)."""
    plans = {c.node.plan_id: c.node.plan for c in contents}
    years = {fy for p in plans.values() for fy in p.fiscal_years}
    return sorted(years)


@require_safe
def roadmap(request: HttpRequest, slug: str) -> HttpResponse:
    """Every content × FY with its phase, filtered by department and by linked goal."""
    plan = _get_plan(request, slug)
    fys = plan.fiscal_years
    contents = contents_queryset().filter(node__plan=plan).select_related("node")
    departments = list(
        Department.objects.filter(nodes__plan=plan).distinct().order_by("order", "id")
    )
    goal_nodes = list(
        Node.objects.filter(served_by__node__plan=plan)
        .filter(links.shown_outgoing(plan, "plan"))
        .select_related("plan")
        .distinct()
        .order_by("plan__title", "seq")
    )
    dept_id = _int_param(request, "department")
    goal_id = _int_param(request, "goal")
    if dept_id:
        contents = contents.filter(node__nodedepartment__department_id=dept_id)
    if goal_id:
        contents = contents.filter(contentgoal__node_id=goal_id)
    contents = contents.distinct().order_by("node__seq", "order")
    rows = []
    for c in contents:
        spans = list(c.schedule.all())
        tracks = list(dict.fromkeys(s.track for s in spans)) or [""]
        for track in tracks:
            rows.append(
                {
                    "content": c,
                    "track": track,
                    "phases": [phase_in(spans, fy, track) for fy in fys],
                }
            )
    by_id = plan_nodes(plan)
    context = {
        "plan": plan,
        "fys": fys,
        "rows": rows,
        "groups": by_goal(rows, lambda r: r["content"].node, by_id),
        "goal_level": _goal_level(plan, by_id),
        "department_choices": [(d.id, d.name) for d in departments],
        "goal_choices": [(g.id, f"{g.label} {g.title}") for g in goal_nodes],
        "dept_id": dept_id,
        "goal_id": goal_id,
    }
    return render(request, "plans/roadmap.html", context)


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


@require_safe
def indicator_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every indicator of a plan with baseline, targets per FY and known actuals."""
    plan = _get_plan(request, slug)
    indicators = list(
        _indicators_queryset()
        .filter(node__plan=plan)
        .select_related("node")
        .order_by("node__seq", "order")
    )
    years = _indicator_years(indicators, plan.fiscal_years)
    rows = _indicator_rows(indicators, years)
    by_id = plan_nodes(plan)
    context = {
        "plan": plan,
        "years": years,
        "rows": rows,
        "groups": by_goal(rows, lambda r: r.indicator.node, by_id),
        "goal_level": _goal_level(plan, by_id),
    }
    return render(request, "plans/indicator_list.html", context)


def _goal_level(plan: Plan, by_id: dict) -> str:
    """The name of the plan's top level (基本目標, 施策の柱 …), for the in-page contents."""
    return plan.level_name(min((n.level for n in by_id.values()), default=1))


def can_create_plan(user) -> bool:
    """管理者 of an organization may create plans for it."""
    member = membership(user)
    return member is not None and can_edit_structure(user, member.organization)


HISTORY_PAGE = 200


@require_safe
def plan_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every recorded change to a plan, newest first."""
    plan = _get_plan(request, slug)
    records = ChangeRecord.objects.filter(plan_slug=plan.slug)[:HISTORY_PAGE]
    return _history_page(request, plan, None, records)


@require_safe
def node_history(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The changes to one node and to what it holds (sections, contents, indicators)."""
    plan = _get_plan(request, slug)
    node = Node.objects.filter(plan=plan, key=key).first()
    records = ChangeRecord.objects.filter(plan_slug=plan.slug, node_key=key)[:HISTORY_PAGE]
    if node is None and not records:
        raise Http404
    return _history_page(request, plan, node, records)


def _history_page(request, plan, node, records) -> HttpResponse:
    rows = []
    for r in records:
        before, after = loads_snapshot(r.before), loads_snapshot(r.after)
        fields = [
            (name, before.get(name, ""), after.get(name, ""))
            for name in dict.fromkeys([*before, *after])
            if before.get(name, "") != after.get(name, "") or r.action != "change"
        ]
        rows.append({"record": r, "fields": fields})
    context = {"plan": plan, "node": node, "rows": rows, "limit": HISTORY_PAGE}
    return render(request, "plans/history.html", context)
