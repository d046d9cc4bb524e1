"""「次期計画を作る」 and 策定: an evaluated plan becomes its next plan (管理者 only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.core.wareki import fy_label
from shinchoku.evaluations.forms import NextPlanForm
from shinchoku.evaluations.succession import (
    Keep,
    SuccessionError,
    adopt_plan,
    create_next_plan,
    refusal,
)
from shinchoku.plans.access import visible_plan
from shinchoku.plans.models import Content, Indicator, Node, Plan

NO_VERSION = (
    "この画面は古い版のまま送られました。ページを読み込み直してから、もう一度操作してください。"
)
STALE = (
    "画面を開いた後に、この計画が変更されています。"
    "今の内容を確かめてから、もう一度操作してください。"
)


def _admin_plan(request: HttpRequest, slug: str) -> Plan:
    """The plan, for its organization's 管理者 only (others: 403; outsiders: 404)."""
    plan = visible_plan(request, slug)
    require(request, can_edit_structure(request.user, plan.organization))
    return plan


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@dataclass
class Row:
    """A node of the choice tree with its contents and indicators, and whether each is kept."""

    node: Node
    depth: int
    kept: bool
    expanded: bool
    is_item: bool
    contents: list[tuple[int, Content, bool]] = field(default_factory=list)
    indicators: list[tuple[Indicator, bool]] = field(default_factory=list)


def _rows(plan: Plan, keep: Keep) -> list[Row]:
    """The plan's tree in document order for the checkboxes, in three queries."""
    nodes = list(
        Node.objects.filter(plan=plan)
        .order_by("seq")
        .prefetch_related(
            Prefetch("contents", queryset=Content.objects.order_by("order", "id")),
            Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id")),
        )
    )
    has_children = {n.parent_id for n in nodes}
    depth: dict[int, int] = {}
    rows = []
    for n in nodes:
        depth[n.id] = depth.get(n.parent_id, -1) + 1
        rows.append(
            Row(
                node=n,
                depth=depth[n.id],
                kept=n.key in keep.nodes,
                expanded=n.key in keep.expanded,
                is_item=n.id not in has_children,
                contents=[
                    (pos, c, (n.key, pos) in keep.contents)
                    for pos, c in enumerate(n.contents.all(), start=1)
                ],
                indicators=[(i, i.key in keep.indicators) for i in n.indicators.all()],
            )
        )
    return rows


def _posted_keep(request: HttpRequest, plan: Plan) -> Keep:
    """What the form keeps: a record whose box and every box above it are ticked (unticking an
    item drops its contents and indicators, as the form says)."""
    ticked = set(request.POST.getlist("node"))
    parent_of = {
        key: parent
        for key, parent in Node.objects.filter(plan=plan).values_list("key", "parent__key")
    }
    nodes = {k for k in ticked if k in parent_of and _above_ticked(k, parent_of, ticked)}
    contents = set()
    for value in request.POST.getlist("content"):
        key, _sep, pos = value.rpartition("|")
        if key in nodes and pos.isdigit():
            contents.add((key, int(pos)))
    node_of = dict(Indicator.objects.filter(plan=plan).values_list("key", "node__key"))
    return Keep(
        nodes=nodes,
        contents=contents,
        indicators={k for k in request.POST.getlist("indicator") if node_of.get(k) in nodes},
        expanded=set(request.POST.getlist("expanded")) & nodes,
    )


def _above_ticked(key: str, parent_of: dict[str, str | None], ticked: set[str]) -> bool:
    parent = parent_of.get(key)
    while parent is not None:
        if parent not in ticked:
            return False
        parent = parent_of.get(parent)
    return True


def _suggested_slug(plan: Plan, first_fy: int) -> str:
    """The old plan's ID with its first year replaced, or with -next added."""
    slug = re.sub(rf"{plan.first_fy}$", str(first_fy), plan.slug)
    return slug if slug != plan.slug else f"{plan.slug}-next"[:100]


@require_http_methods(["GET", "POST"])
def next_plan(request: HttpRequest, slug: str) -> HttpResponse:
    """「次期計画を作る」: period, ID, name and what continues; creates the draft next plan."""
    plan = _admin_plan(request, slug)
    length = plan.last_fy - plan.first_fy
    years = list(range(plan.last_fy - 1, plan.last_fy + 16))
    if request.method == "POST":
        values = {
            "slug": request.POST.get("slug", "").strip(),
            "title": request.POST.get("title", "").strip(),
            "first_fy": _int(request.POST.get("first_fy")),
            "last_fy": _int(request.POST.get("last_fy")),
        }
        keep = _posted_keep(request, plan)
        version = _int(request.POST.get("version"))
        errors: dict[str, str] = {}
        if version is None:
            errors[""] = NO_VERSION
        elif version != plan.version:
            errors[""] = STALE
        else:
            try:
                draft = create_next_plan(plan, keep=keep, user=request.user, **values)
            except SuccessionError as refused:
                errors = refused.errors
            else:
                messages.success(
                    request,
                    _("The draft of the next plan was created. Adopt it once it is written."),
                )
                return HttpResponseRedirect(reverse("plans:detail", args=[draft.slug]))
    else:
        first = plan.last_fy + 1
        values = {
            "slug": _suggested_slug(plan, first),
            "title": plan.title,
            "first_fy": first,
            "last_fy": first + length,
        }
        keep = Keep.everything(plan)
        keep.expanded = set()
        errors = {"": why} if (why := refusal(plan)) else {}
    context = {
        "plan": plan,
        "values": values,
        "errors": errors,
        "form_error": errors.get("", ""),
        "form": NextPlanForm(values, years=[(fy, fy_label(fy)) for fy in years], errors=errors),
        "rows": _rows(plan, keep),
        "blocked": bool(errors.get("")) and request.method == "GET",
    }
    return render(request, "evaluations/next_plan.html", context, status=200)


@require_POST
def adopt(request: HttpRequest, slug: str) -> HttpResponse:
    """策定: the draft becomes the plan in force (rounds can be opened, it can go public)."""
    plan = _admin_plan(request, slug)
    version = _int(request.POST.get("version"))
    if version is None:
        messages.error(request, NO_VERSION)
    else:
        try:
            adopt_plan(plan, request.user, version=version)
        except SuccessionError as refused:
            messages.error(request, " ".join(refused.errors.values()))
        else:
            messages.success(request, _("The plan was adopted."))
    return HttpResponseRedirect(reverse("plans:detail", args=[plan.slug]))
