"""Open data of a public plan: CSV for Excel and JSON, for the whole plan or one published FY.

Both are built from `data.plan_data`, so they hold exactly what the pages show: the plan's
structure, baselines and targets, and only the published FYs' actuals and texts. The formats
are documented in docs/public.md.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from shinchoku.core import wareki
from shinchoku.core.figures import figure
from shinchoku.core.filenames import plan_fy_name
from shinchoku.core.tree import top_of
from shinchoku.downloads import set_download_name
from shinchoku.plans.models import Content, IndicatorValue, Node, NodeDepartment, Section
from shinchoku.plans.views import contents_queryset
from shinchoku.public import data
from shinchoku.public.data import PlanData, PublicIndicator
from shinchoku.rounds.reasons import in_japanese

ROLE = IndicatorValue.Role
ROLE_NAMES = {ROLE.BASELINE: "現状値", ROLE.TARGET: "目標値", ROLE.ACTUAL: "実績"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JSON_FORMAT = "shinchoku-public"
JSON_VERSION = 1

CSV_HEADER = [
    "組織",
    "計画",
    "上位項目",
    "項目番号",
    "項目",
    "指標キー",
    "指標",
    "担当部署",
    "区分",
    "年度",
    "年度（和暦）",
    "数値",
    "数値（上限）",
    "単位",
    "記載どおりの値",
    "値の見出し",
    "見込み",
    "基準日",
    "達成状況",
    "達成率（%）",
    "最終目標への進捗（%）",
    "取組状況",
    "今後の展開",
]


def safe_text(value: str) -> str:
    """Neutralise a text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR)."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plain_number(number: Decimal | None) -> str:
    """A number as spreadsheets read it: no separators, no exponent, no trailing zeros."""
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def percent(rate: Decimal | None) -> str:
    """A rate as a plain percentage with one decimal (0.9567 → 95.7), "" when there is none."""
    return "" if rate is None else plain_number((rate * 100).quantize(Decimal("0.1")))


def json_number(number: Decimal | None) -> int | float | None:
    if number is None:
        return None
    n = number.normalize()
    return int(n) if n == n.to_integral_value() else float(n)


def json_rate(rate: Decimal | None) -> float | None:
    """A rate as a fraction rounded to 4 decimals (0.9567 = 95.67%)."""
    return None if rate is None else float(rate.quantize(Decimal("0.0001")))


def _fys_in_scope(pd: PlanData, fy: int | None) -> list[int]:
    return [fy] if fy is not None else pd.public.fys


def _node_name(node: Node) -> str:
    return f"{node.label} {node.title}".strip()


def _values(i: PublicIndicator, fys: list[int], fy: int | None) -> list[IndicatorValue]:
    """Baseline, targets (of the FY when one is asked for) and published actuals, by FY."""
    out: list[IndicatorValue] = [i.any.baseline] if i.any.baseline else []
    out += [v for f, v in sorted(i.any.targets.items()) if fy is None or f == fy]
    out += [v for f, v in sorted(i.any.actuals.items()) if f in fys]
    return out


def csv_rows(pd: PlanData, fy: int | None = None) -> list[list[str]]:
    """The header and one row per value; cells are text, numbers plain, formulas neutralised."""
    fys = _fys_in_scope(pd, fy)
    goal_of = top_of(pd.nodes)
    org, plan = pd.plan.organization.name, pd.plan.title
    rows = [CSV_HEADER]
    for i in pd.indicators:
        ind, node = i.indicator, i.indicator.node
        data.check_published(i.any, pd.public.fys)
        values = _values(i, fys, fy)
        # A published FY with 取組状況 but no actual still gets its row.
        for f in fys:
            if f not in i.any.actuals and f in i.any.notes:
                values.append(IndicatorValue(indicator=ind, role=ROLE.ACTUAL, fy=f, text=""))
        values.sort(key=lambda v: (list(ROLE_NAMES).index(v.role), v.fy))
        for v in values:
            judged = i.by_fy.get(v.fy) if v.role == ROLE.ACTUAL else None
            note = i.any.notes.get(v.fy) if v.role == ROLE.ACTUAL else None
            rate = judged.judgement.rate if judged else None
            progress = judged.judgement.progress if judged else None
            fig = figure(v.text, i.any.unit)
            rows.append(
                [
                    safe_text(org),
                    safe_text(plan),
                    safe_text(_node_name(goal_of[node.id])),
                    safe_text(node.label),
                    safe_text(node.title),
                    safe_text(ind.key),
                    safe_text(ind.name),
                    safe_text(i.department_name),
                    ROLE_NAMES[v.role],
                    str(v.fy),
                    wareki.fy_short(v.fy),
                    # One unit per indicator: the figure in the indicator's unit (core.figures),
                    # the text as reported beside it; nothing when the unit cannot be converted.
                    plain_number(fig.number) if v.text else "",
                    plain_number(fig.high) if v.text else "",
                    safe_text(fig.converted.unit) if fig.number is not None else "",  # type: ignore[union-attr]
                    safe_text(v.text),
                    safe_text(v.label),
                    "見込み" if v.estimate else "",
                    v.as_of.isoformat() if v.as_of else "",
                    safe_text(judged.judgement.band) if judged else "",
                    percent(rate),
                    percent(progress),
                    safe_text(note.done) if note else "",
                    safe_text(note.next) if note else "",
                ]
            )
    if not pd.indicators:
        rows += project_rows(pd, fys)
    return rows


# --- plans without figures (issue 12) ------------------------------------------------------

EVALUATION_ROLE = "自己評価"


def project_rows(pd: PlanData, fys: list[int]) -> list[list[str]]:
    """A plan without indicators: one row per 事業, published FY and department, its
    self-evaluation (code as written, code and name as 達成状況) and texts."""
    goal_of = top_of(pd.nodes)
    org, plan = pd.plan.organization.name, pd.plan.title
    reports = data.project_reports(pd.plan, fys)
    rows = []
    for node in pd.nodes:
        for r in reports.get(node.key, []):
            rows.append(
                [
                    safe_text(org),
                    safe_text(plan),
                    safe_text(_node_name(goal_of[node.id])),
                    safe_text(node.label),
                    safe_text(node.title),
                    "",
                    "",
                    safe_text(r.department),
                    EVALUATION_ROLE,
                    str(r.fy),
                    wareki.fy_short(r.fy),
                    "",
                    "",
                    "",
                    safe_text(r.evaluation),
                    "",
                    "",
                    "",
                    safe_text(r.evaluation_label),
                    "",
                    "",
                    safe_text(r.done),
                    safe_text(r.next),
                ]
            )
    return rows


def _project_json(r: data.ProjectReport) -> dict:
    return {
        "fy": r.fy,
        "department": r.department,
        "done": r.done,
        "next": r.next,
        "evaluation": r.evaluation,
        "evaluation_label": r.evaluation_label,
        "statuses": [{"content": text, "status": status} for text, status in r.statuses],
    }


# --- end of plans without figures ----------------------------------------------------------


def csv_bytes(pd: PlanData, fy: int | None = None) -> bytes:
    """UTF-8 with a BOM (so Excel reads it as UTF-8) and CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(csv_rows(pd, fy))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _value_json(v: IndicatorValue | None, unit: str = "") -> dict | None:
    """A value: its text as reported, and its figure in the indicator's `unit` (null when the
    text is no figure or its unit cannot be converted: one unit per indicator)."""
    if v is None:
        return None
    fig = figure(v.text, unit)
    return {
        "fy": v.fy,
        "fy_label": wareki.fy_label(v.fy),
        "text": v.text,
        "kind": v.kind,
        "number": json_number(fig.number),
        "high": json_number(fig.high),
        "unit": fig.converted.unit if fig.number is not None else "",  # type: ignore[union-attr]
        "label": v.label,
        "estimate": v.estimate,
        "as_of": v.as_of.isoformat() if v.as_of else None,
    }


def plan_json(pd: PlanData, request: HttpRequest, fy: int | None = None) -> dict:
    """The documented JSON structure (docs/public.md)."""
    plan, public = pd.plan, pd.public
    fys = _fys_in_scope(pd, fy)
    node_ids = [n.id for n in pd.nodes]
    sections: dict[int, list[Section]] = {}
    for s in Section.objects.filter(node_id__in=node_ids).order_by("order"):
        sections.setdefault(s.node_id, []).append(s)
    contents: dict[int, list[Content]] = {}
    for c in contents_queryset().filter(node_id__in=node_ids).order_by("order"):
        contents.setdefault(c.node_id, []).append(c)
    texts = data.item_texts(plan, fys)
    # A plan without indicators: its 事業's evaluations and content statuses (issue 12).
    projects = data.project_reports(plan, fys) if not pd.indicators else {}
    nodes = []
    for n in pd.nodes:
        depts: list[NodeDepartment] = list(n.nodedepartment_set.all())
        nodes.append(
            {
                "key": n.key,
                "parent": next((p.key for p in pd.nodes if p.id == n.parent_id), None),
                "level": n.level,
                "level_name": plan.level_name(n.level),
                "label": n.label,
                "title": n.title,
                "subtitle": n.subtitle,
                "departments": [d.department.name for d in depts],
                "url": request.build_absolute_uri(reverse("public:node", args=[plan.slug, n.key])),
                "sections": [
                    {"heading": s.heading, "style": s.style, "body": s.body}
                    for s in sections.get(n.id, [])
                ],
                "contents": [
                    {
                        "label": c.label,
                        "text": c.text,
                        "tag": c.effective_tag,
                        "repost": c.repost,
                        "schedule": [
                            {
                                "from_fy": s.from_fy,
                                "to_fy": s.to_fy,
                                "phase": s.phase,
                                "track": s.track,
                            }
                            for s in c.schedule.all()
                        ],
                    }
                    for c in contents.get(n.id, [])
                ],
                "progress": [
                    {"fy": t.fy, "department": t.department, "done": t.done, "next": t.next}
                    for t in texts.get(n.key, [])
                ]
                if pd.indicators
                else [_project_json(r) for r in projects.get(n.key, [])],
            }
        )
    indicators = []
    for i in pd.indicators:
        data.check_published(i.any, public.fys)
        ind = i.indicator
        indicators.append(
            {
                "key": ind.key,
                "node": ind.node.key,
                "label": ind.label,
                "name": ind.name,
                "unit": ind.unit,
                "direction": ind.direction,
                "department": i.department_name,
                "notes": ind.notes,
                "url": request.build_absolute_uri(
                    reverse("public:indicator", args=[plan.slug, ind.key])
                ),
                "baseline": _value_json(i.any.baseline, i.any.unit),
                "targets": [
                    _value_json(v, i.any.unit)
                    for f, v in sorted(i.any.targets.items())
                    if fy is None or f == fy
                ],
                "actuals": [
                    _value_json(v, i.any.unit) for f, v in sorted(i.any.actuals.items()) if f in fys
                ],
                "reports": [
                    {"fy": f, "done": n.done, "next": n.next}
                    for f, n in sorted(i.any.notes.items())
                    if f in fys
                ],
                "judgements": [
                    {
                        "fy": f,
                        "band": i.by_fy[f].judgement.band,
                        "rate": json_rate(i.by_fy[f].judgement.rate),
                        "progress": json_rate(i.by_fy[f].judgement.progress),
                        "reason": in_japanese(i.by_fy[f].judgement.reason),
                    }
                    for f in fys
                ],
            }
        )
    out = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "organization": {"slug": plan.organization.slug, "name": plan.organization.name},
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "kind": plan.kind,
            "first_fy": plan.first_fy,
            "last_fy": plan.last_fy,
            "philosophy": plan.philosophy,
            "level_names": plan.level_names,
            "url": request.build_absolute_uri(reverse("public:plan", args=[plan.slug])),
        },
        "fy": fy,
        "published": [
            {
                "fy": r.fy,
                "fy_label": wareki.fy_label(r.fy),
                "published_at": r.published_at.isoformat() if r.published_at else None,
            }
            for r in public.rounds
            if r.fy in fys
        ],
        "bands": pd.band_names,
        "nodes": nodes,
        "indicators": indicators,
    }
    if not pd.indicators:  # a plan without indicators is evaluated on its scale (issue 12)
        out["evaluation_scale"] = data.plan_scale(plan)
    return out


def _filename(pd: PlanData, fy: int | None, ext: str) -> str:
    return plan_fy_name(pd.plan.title, fy, "公開データ", ext)


def _ascii(pd: PlanData, fy: int | None) -> str:
    return f"{pd.plan.slug}{'' if fy is None else f'-{fy}'}"


def _load(slug: str, fy: int | None) -> tuple[PlanData, int | None]:
    public = data.get_public_plan(slug)
    if fy is not None:
        fy = public.pick_fy(fy)
    return data.plan_data(public), fy


@require_safe
def plan_csv(request: HttpRequest, slug: str, fy: int | None = None) -> HttpResponse:
    """The plan's indicator values as CSV (UTF-8 with BOM), for the plan or one published FY."""
    pd, fy = _load(slug, fy)
    response = HttpResponse(csv_bytes(pd, fy), content_type="text/csv; charset=utf-8")
    set_download_name(response, _filename(pd, fy, "csv"), fallback=_ascii(pd, fy))
    return response


@require_safe
def plan_json_view(request: HttpRequest, slug: str, fy: int | None = None) -> HttpResponse:
    """The plan, its values and published progress as JSON, for the plan or one published FY."""
    pd, fy = _load(slug, fy)
    body = json.dumps(plan_json(pd, request, fy), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    set_download_name(response, _filename(pd, fy, "json"), fallback=_ascii(pd, fy), inline=True)
    response["Access-Control-Allow-Origin"] = "*"
    return response
