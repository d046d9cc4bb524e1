"""Public pages (no login): plan list, plan overview, node (goal / item) page, indicator page.

Every view loads its plan through `data.get_public_plan`, which 404s a plan without a published
round, and reads values only through `data`, which filters them to the published FYs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from shinchoku.core import wareki
from shinchoku.orgs.filters import filter_form, filter_plans, page_of
from shinchoku.plans import links
from shinchoku.plans.models import IndicatorValue, Node
from shinchoku.plans.schedule import Row, grid
from shinchoku.plans.views import node_page_prefetches, value_html
from shinchoku.public import data, no_figures
from shinchoku.public.data import PublicIndicator, PublicPlan
from shinchoku.public.summary import summary_available
from shinchoku.reviews.public import public_opinions
from shinchoku.rounds.models import PlanSettings

ROLE = IndicatorValue.Role


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Every organization's public plans, 50 a page, by prefecture and kind of organization."""
    form = filter_form(request, rounds=False)
    page = page_of(request, filter_plans(data.public_plans(), form.choices()))
    groups: dict[int, dict] = {}
    for plan in page:
        org = plan.organization
        groups.setdefault(org.id, {"organization": org, "plans": []})["plans"].append(plan)
    context = {"groups": list(groups.values()), "page": page, "form": form}
    return render(request, "public/index.html", context)


@dataclass
class ValueCell:
    """One FY of an indicator row: its target and its published actual, and both as HTML in
    the indicator's unit (formatted here once, not by a filter per cell: issue 16)."""

    fy: int
    target: IndicatorValue | None
    actual: IndicatorValue | None
    target_html: str = ""
    actual_html: str = ""


@dataclass
class IndicatorRow:
    item: PublicIndicator
    cells: list[ValueCell]
    baseline_html: str = ""


def _years(plan_fys: list[int], indicators: list[PublicIndicator]) -> list[int]:
    """The plan's FYs plus any FY with a target or a published actual."""
    years = set(plan_fys)
    for i in indicators:
        years.update(i.any.targets)
        years.update(i.any.actuals)
    return sorted(years)


def _rows(indicators: list[PublicIndicator], years: list[int]) -> list[IndicatorRow]:
    rows = []
    for i in indicators:
        unit = i.any.unit
        cells = []
        for fy in years:
            target, actual = i.any.targets.get(fy), i.any.actuals.get(fy)
            cells.append(
                ValueCell(fy, target, actual, value_html(target, unit), value_html(actual, unit))
            )
        rows.append(IndicatorRow(i, cells, value_html(i.any.baseline, unit)))
    return rows


def _fy_choices(public: PublicPlan) -> list[tuple[int, str]]:
    """The published FYs, newest first, as (value, label) choices of the FY field."""
    return [(f, wareki.fy_label(f)) for f in reversed(public.fys)]


@require_safe
def plan_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A plan's philosophy and goals, with the bands per goal for the chosen published FY."""
    public = data.get_public_plan(slug)
    fy = public.pick_fy(request.GET.get("fy"))
    pd = data.plan_data(public)
    plan = public.plan
    goals = [
        {
            "node": g.node,
            "rows": [(band, n, pd.band_class(band)) for band, n in g.tallies[fy].rows()],
            "total": g.tallies[fy].total,
        }
        for g in pd.goals
    ]
    history = [
        {
            "fy": f,
            "rows": [(band, n, pd.band_class(band)) for band, n in pd.totals[f].rows()],
            "total": pd.totals[f].total,
        }
        for f in reversed(public.fys)
    ]
    context = {
        "plan": plan,
        "public": public,
        "fy": fy,
        "fy_choices": _fy_choices(public),
        "band_names": pd.band_names,
        "goals": goals,
        "history": history,
        "sections": list(plan.sections.filter(node=None).order_by("order")),
        "top_level_name": plan.level_name(1),
        "tree": _subtree(None, pd.nodes),
        "published_at": public.published_at(fy),
        "figures": True,
        "summary": summary_available(public, fy),
        "opinions": public_opinions(plan, fy),  # issue 13: marked public by the 管理者
    }
    if not pd.indicators:  # a plan without indicators: its 事業's self-evaluations (issue 12)
        context.update(no_figures.plan_context(pd, fy))
        context["chart"] = goals_chart_svg(
            context["evaluation_goals"],
            no_figures.chart_names(context["evaluation_names"]),
            gettext("Self-evaluations per %(level)s, %(fy)s")
            % {"level": plan.level_name(1), "fy": wareki.fy_label(fy)},
            empty=gettext("No report"),
        )
    else:
        context["chart"] = goals_chart_svg(
            goals,
            pd.band_names,
            gettext("Results per %(level)s, %(fy)s")
            % {"level": plan.level_name(1), "fy": wareki.fy_label(fy)},
        )
    return render(request, "public/plan.html", context)


def _outline(plan) -> tuple[list[Node], dict[str, Node]]:
    # Every field (issue 16): the node page takes its node from here with no query of its own.
    outline = list(Node.objects.filter(plan=plan).order_by("seq"))
    return outline, {n.key: n for n in outline}


def _ancestors(node: Node, outline: list[Node]) -> list[Node]:
    by_id = {n.id: n for n in outline}
    out: list[Node] = []
    parent_id = node.parent_id
    while parent_id in by_id:
        out.insert(0, by_id[parent_id])
        parent_id = by_id[parent_id].parent_id
    return out


def _subtree(node_id: int | None, outline: list[Node]) -> list[dict]:
    kids: dict[int | None, list[Node]] = {}
    for n in outline:
        kids.setdefault(n.parent_id, []).append(n)

    def walk(parent_id: int | None) -> list[dict]:
        return [{"node": n, "children": walk(n.id)} for n in kids.get(parent_id, [])]

    return walk(node_id)


def _kicker(level_name: str, label: str) -> str:
    """基本目標 + 1, but not 基本目標 + 基本目標１; "・" is no label."""
    label = "" if label.strip() in ("", "・") else label.strip()
    if label.startswith(level_name):
        return label
    return f"{level_name} {label}".strip()


def _content_entries(contents, fys: list[int]) -> tuple[list[dict], list[int]]:
    """Pair contents with their schedule rows; no FY columns when nothing is scheduled."""
    contents = list(contents)
    if not any(c.schedule.all() for c in contents):
        fys = []
    entries = [
        {"content": c, "rows": grid(c.schedule.all(), fys) or [Row("", [])]} for c in contents
    ]
    return entries, fys


@require_safe
def node_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A goal or an item: sections, contents with schedule, indicators, published progress."""
    public = data.get_public_plan(slug)
    plan, fys = public.plan, public.fys
    outline, by_key = _outline(plan)
    if key not in by_key:
        raise Http404("no such node")
    # Content.note is in the model but never in the public templates.
    node = by_key[key]
    settings = PlanSettings.of(plan)
    bands = data.bands_of(plan, settings)
    # A plan without indicators shows its 事業's self-evaluations instead (issue 12).
    figures = settings.plan_has_indicators
    pd = None
    if node.parent_id is None and figures:
        # A goal shows its bands: every node and indicator of the plan, read once, gives the
        # goal's own indicators too.
        prefetch_related_objects(outline, data.node_departments())
        pd = data.plan_data(public, bands=bands, nodes=outline)
    prefetch_related_objects([node], *node_page_prefetches())
    if pd is not None:
        indicators = [i for i in pd.indicators if i.indicator.node_id == node.id]
    else:
        found = data.indicators_queryset(fys).filter(node=node)
        indicators = data.judge_indicators(list(found), fys, bands)
    years = _years(plan.fiscal_years, indicators)
    contents, content_fys = _content_entries(node.contents.all(), plan.fiscal_years)
    # Goals of another organization's plan are named only once it accepted the link.
    links.mark_goal_refs(node.contents.all(), plan.organization_id, plan)
    for c in node.contents.all():
        c.shown_goals = [g for g in c.contentgoal_set.all() if g.ref_state in ("link", "text")]
    goal_bands = None
    if pd is not None:
        goal = next(g for g in pd.goals if g.node.id == node.id)
        goal_bands = [
            {
                "fy": f,
                "rows": [(band, n, pd.band_class(band)) for band, n in goal.tallies[f].rows()],
                "total": goal.tallies[f].total,
            }
            for f in reversed(fys)
        ]
    progress = [
        {
            "item": i,
            "years": [
                {
                    "fy": f,
                    "progress": i.by_fy[f],
                    "band_class": data.band_class(i.by_fy[f].judgement.band, bands.names),
                }
                for f in reversed(fys)
            ],
        }
        for i in indicators
    ]
    context = {
        "plan": plan,
        "public": public,
        "node": node,
        "kicker": _kicker(plan.level_name(node.level), node.label),
        "ancestors": _ancestors(node, outline),
        "children": _subtree(node.id, outline),
        "child_level_name": plan.level_name(node.level + 1),
        "contents": contents,
        "content_fys": content_fys,
        "indicator_years": years,
        "indicator_rows": _rows(indicators, years),
        "progress": progress,
        "item_texts": (
            data.item_texts(plan, fys, [node.key])
            if figures
            # a plan without indicators: with evaluations and content statuses (issue 12)
            else data.project_reports(plan, fys, [node.key])
        ).get(node.key, []),
        "goal_bands": goal_bands,
        "band_names": bands.names,
        "figures": figures,
    }
    if not figures and node.parent_id is None:
        context.update(no_figures.goal_context(plan, node, outline, fys))
    return render(request, "public/node.html", context)


def chart_svg(ip) -> str | None:
    """The indicator's chart (reports app) from published values only; None without the app."""
    charts = _charts()
    return charts.indicator_chart_svg(ip) if charts else None


def goals_chart_svg(
    goals: list[dict], band_names: list[str], title: str, empty: str | None = None
) -> str | None:
    """One stacked bar of bands per goal (reports app); None without the app."""
    charts = _charts()
    if charts is None:
        return None
    rows = [
        (f"{g['node'].label} {g['node'].title}".strip(), [(b, n) for b, n, _cls in g["rows"]])
        for g in goals
    ]
    if empty is None:
        return charts.goals_bands_chart_svg(rows, band_names, title)
    return charts.goals_bands_chart_svg(rows, band_names, title, empty=empty)


def _charts():
    try:
        from shinchoku.reports import charts
    except ImportError:  # the charts are another app's work; the pages stand without them
        return None
    return charts


@require_safe
def indicator_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One indicator over the years: chart and data table of published values."""
    public = data.get_public_plan(slug)
    plan, fys = public.plan, public.fys
    found = list(data.indicators_queryset(fys).filter(node__plan=plan, key=key)[:1])
    if not found:
        raise Http404("no such indicator")
    bands = data.bands_of(plan)
    item = data.judge_indicators(found, fys, bands)[0]
    latest = item.by_fy[public.latest]
    data.check_published(latest, fys)
    outline, _by_key = _outline(plan)
    node = next(n for n in outline if n.id == item.indicator.node_id)
    years = _years(plan.fiscal_years, [item])
    unit = item.any.unit
    rows = []
    for f in years:
        judged = item.by_fy.get(f)
        target, actual = item.any.targets.get(f), item.any.actuals.get(f)
        rows.append(
            {
                "fy": f,
                "target": target,
                "actual": actual,
                "target_html": value_html(target, unit),
                "actual_html": value_html(actual, unit),
                "published": f in fys,
                "judgement": judged.judgement if judged else None,
                "band_class": data.band_class(judged.judgement.band, bands.names) if judged else "",
                "note": item.any.notes.get(f),
            }
        )
    svg = chart_svg(latest)
    context = {
        "plan": plan,
        "public": public,
        "item": item,
        "indicator": item.indicator,
        "node": node,
        "ancestors": [*_ancestors(node, outline), node],
        "rows": rows,
        "baseline_html": value_html(item.any.baseline, unit),
        "chart": svg,
        "notes": [r for r in reversed(rows) if r["note"]],
    }
    return render(request, "public/indicator.html", context)
