"""Public pages of a plan without indicators (issue 12): its progress is the self-evaluation and
the content statuses of each 事業, from approved sheets of published, closed rounds.

`data.project_reports` reads them; this module arranges them for the plan and goal pages, so
that `views.py` keeps its indicator pages as they are and calls in here only for such a plan.
"""

from __future__ import annotations

from django.utils.html import format_html

from shinchoku.core.evaluations import UNRATED, Counts, evaluation_counts, shared_keys
from shinchoku.core.tree import top_of
from shinchoku.plans.models import Node
from shinchoku.public import data
from shinchoku.public.data import PlanData, ProjectReport


def projects(nodes: list[Node], reports: dict[str, list[ProjectReport]]) -> list[Node]:
    """The reported items: leaves with a 担当 (prefetched nodedepartment_set), or reported on."""
    parents = {n.parent_id for n in nodes}
    return [
        n for n in nodes if n.key in reports or (n.id not in parents and n.nodedepartment_set.all())
    ]


def _columns(counts: list[Counts], scale: list[dict]) -> tuple[list[str], list[str], Counts]:
    template = evaluation_counts(scale)
    keys = shared_keys([template, *counts])
    return keys, [template.label(k) for k in keys], template


def _rows(counts: Counts | None, keys: list[str]) -> list[tuple[str, int, str]]:
    codes = list(evaluation_counts([]).order) if counts is None else list(counts.order)
    rows = counts.rows(keys) if counts is not None else [(k, k, 0) for k in keys]
    return [(label, n, data.evaluation_class(k, codes)) for k, label, n in rows]


def heads(labels: list[str], keys: list[str]) -> list[str]:
    """Table headings: "A" with its name, the name hidden on narrow screens (public.css)."""
    out = []
    for key, label in zip(keys, labels, strict=True):
        code, sep, name = label.partition(" ")
        ok = sep and code == key
        out.append(format_html('{}<span class="eval-name"> {}</span>', code, name) if ok else label)
    return out


def chart_names(labels: list[str]) -> list[str]:
    """The chart greys its last name: 未評価 is last, added when no column has it."""
    return labels if UNRATED in labels else [*labels, UNRATED]


def plan_context(pd: PlanData, fy: int) -> dict:
    """The plan page of a plan without figures: evaluations per goal and FY, every 事業."""
    plan, fys = pd.plan, pd.public.fys
    scale = data.plan_scale(plan)
    reports = data.project_reports(plan, fys, scale=scale)
    goals = top_of(pd.nodes)
    items = projects(pd.nodes, reports)
    group = {n.key: goals[n.id].id for n in items}
    counts = data.evaluations_by(reports, group, scale)
    top = [n for n in pd.nodes if n.parent_id is None]
    totals: dict[int, Counts] = {}
    for (_g, f), c in counts.items():
        total = totals.setdefault(f, c.fresh())
        for k, n in c.counts.items():
            total.add(k, n)
    keys, labels, template = _columns(list(counts.values()), scale)
    fy_goals = [
        {
            "node": g,
            "rows": _rows(counts.get((g.id, fy), template), keys),
            "total": counts[(g.id, fy)].total if (g.id, fy) in counts else 0,
        }
        for g in top
    ]
    history = [
        {"fy": f, "rows": _rows(totals.get(f, template), keys), "total": totals[f].total}
        for f in reversed(fys)
        if f in totals
    ]
    sections = [
        {
            "goal": g,
            "projects": [
                {"node": n, "reports": [r for r in reports.get(n.key, []) if r.fy == fy]}
                for n in items
                if goals[n.id].id == g.id
            ],
        }
        for g in top
    ]
    return {
        "figures": False,
        "evaluation_names": labels,
        "evaluation_heads": heads(labels, keys),
        "evaluation_goals": fy_goals,
        "evaluation_history": history,
        "project_sections": [s for s in sections if s["projects"]],
        "project_level": plan.level_name(max((n.level for n in items), default=1)),
        "scale": scale,
    }


def goal_context(plan, node: Node, outline: list[Node], fys: list[int]) -> dict:
    """A top-level goal of a plan without figures: its evaluations per published FY."""
    scale = data.plan_scale(plan)
    goals = top_of(outline)
    keys_below = [n.key for n in outline if goals[n.id].id == node.id]
    reports = data.project_reports(plan, fys, keys_below, scale=scale)
    counts = data.evaluations_by(reports, {k: node.id for k in keys_below}, scale)
    keys, labels, template = _columns(list(counts.values()), scale)
    rows = [
        {
            "fy": f,
            "rows": _rows(counts.get((node.id, f), template), keys),
            "total": counts[(node.id, f)].total if (node.id, f) in counts else 0,
        }
        for f in reversed(fys)
    ]
    return {"goal_evaluations": rows, "evaluation_heads": heads(labels, keys)}
