"""The evaluation sheet of one business in a round, and the forms of its three stages.

Every view loads the sheet through `sheet_for` (login for anonymous users, 404 for another
organization's); every change goes through businesses.evaluation, which checks the user, the
stage, the round and the version again.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import can_view, require
from shinchoku.businesses import evaluation
from shinchoku.businesses.evaluation_forms import stage_forms
from shinchoku.businesses.models import (
    BusinessEvaluation,
    BusinessNode,
    BusinessYear,
    EvaluationRound,
    RegisterSettings,
    Stage,
)
from shinchoku.core import evaluation_stages as stages
from shinchoku.core.values import format_number
from shinchoku.plans.history import user_name

STAGES = (Stage.SELF, Stage.CHIEF, Stage.DIRECTOR)
# The badge of each stage (components/status_badge.html's colours).
BADGES = {
    Stage.SELF: "draft",
    Stage.CHIEF: "submitted",
    Stage.DIRECTOR: "submitted",
    Stage.DONE: "approved",
}


def sheet_for(request: HttpRequest, org: str, fy: int, pk: int) -> BusinessEvaluation:
    """The sheet for this user: login when anonymous, 404 for another organization's."""
    require(request, request.user.is_authenticated)
    found = (
        BusinessEvaluation.objects.select_related(
            "round__organization",
            "business__department",
            "business__kind",
            "self_by",
            "chief_by",
            "director_by",
        )
        .filter(pk=pk, round__organization__slug=org, round__fiscal_year=fy)
        .annotate(staff_rate=RegisterSettings.rate_column(OuterRef("round__organization_id")))
        .first()
    )
    if found is None or not can_view(request.user, found.round.organization):
        raise Http404("no such evaluation sheet")
    return found


def _shown(value: Decimal | None) -> str:
    """A figure as documents write it (1,400 / 1.2 / △3.5), 「―」 when none."""
    if value is None:
        return "―"
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return format_number(value)


def _figures(sheet: BusinessEvaluation) -> tuple[list[dict], BusinessYear | None]:
    """The business's figures of the round's FY and the two before (with full cost), and the
    next FY's row (where the 方向性 is carried)."""
    fy = sheet.round.fiscal_year
    rate = RegisterSettings.rate_of(sheet.round.organization, sheet.staff_rate)
    rows, carried = [], None
    for year in BusinessYear.objects.filter(
        business=sheet.business, fiscal_year__range=(fy - 2, fy + 1)
    ):
        if year.fiscal_year == fy + 1:
            carried = year
            continue
        cost = evaluation.cost_of(year.settlement, year.staff_years, rate, year.output)
        shown = (year.budget, year.settlement, year.staff_years, cost.staff, cost.full)
        rows.append(
            {
                "fy": year.fiscal_year,
                "cells": [_shown(v) for v in shown],
                "output": _shown(year.output),
                "per_output": _shown(cost.per_output),
            }
        )
    return rows, carried


def _stage_rows(request: HttpRequest, sheet: BusinessEvaluation, readable: bool) -> list[dict]:
    rows = []
    for stage in STAGES:
        by = getattr(sheet, f"{stage}_by")
        rows.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "state": stages.state_of(stage, sheet.stage),
                "judgement": getattr(sheet, f"get_{stage}_judgement_display")() if readable else "",
                "reason": getattr(sheet, f"{stage}_reason") if readable else "",
                "by": user_name(by) if by else "",
                "at": getattr(sheet, f"{stage}_at"),
                "may_act": evaluation.may_act(request.user, sheet, stage),
            }
        )
    return rows


def _page(
    request: HttpRequest,
    sheet: BusinessEvaluation,
    *,
    status: int = 200,
    error: Exception | None = None,
    posted=None,
    returning: bool = False,
) -> HttpResponse:
    user = request.user
    readable = evaluation.may_read_texts(user, sheet)
    is_open = sheet.round.status == EvaluationRound.Status.OPEN
    stages = _stage_rows(request, sheet, readable)
    working = next(
        (s for s in stages if s["state"] == "current" and s["may_act"] and is_open), None
    )
    figures, carried = _figures(sheet)
    nodes = list(
        BusinessNode.objects.filter(business=sheet.business)
        .select_related("node__plan")
        .order_by("order", "id")
    )
    context = {
        "sheet": sheet,
        "business": sheet.business,
        "organization": sheet.round.organization,
        "fy": sheet.round.fiscal_year,
        "readable": readable,
        "is_open": is_open,
        "stages": stages,
        "working": working,
        "badge": BADGES[Stage(sheet.stage)],
        "stage_name": Stage(sheet.stage).label,
        "figures": figures,
        "carried": carried,
        "next_fy": sheet.round.fiscal_year + 1,
        "nodes": [bn.node for bn in nodes],
        "error": error,
    }
    if working is not None:
        context.update(
            stage_forms(sheet, working["stage"], posted=posted, error=error, returning=returning)
        )
    return render(request, "businesses/sheet_detail.html", context, status=status)


@require_safe
def evaluation_sheet(request: HttpRequest, org: str, fy: int, pk: int) -> HttpResponse:
    """A business's evaluation sheet: the business, its figures, the texts and the three
    stages, with the form of the stage the user may work on."""
    return _page(request, sheet_for(request, org, fy, pk))


def _version(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _stage_of(stage: str) -> str:
    if stage not in STAGES:
        raise Http404("no such stage")
    return stage


DONE_MESSAGES = {
    Stage.SELF: gettext_lazy("The self-evaluation was submitted to the section chief."),
    Stage.CHIEF: gettext_lazy(
        "The section chief's evaluation was signed and sent to the secretary general."
    ),
    Stage.DIRECTOR: gettext_lazy(
        "The evaluation is completed; its direction was carried into the next year."
    ),
}


def _change(
    request: HttpRequest, org: str, fy: int, pk: int, stage: str, step, done, *, returning: bool
):
    sheet = sheet_for(request, org, fy, pk)
    if not evaluation.may_act(request.user, sheet, stage):
        return HttpResponse(status=403)
    try:
        step(sheet, _version(request))
    except evaluation.SheetDenied:
        return HttpResponse(status=403)
    except evaluation.SheetError as e:
        sheet = sheet_for(request, org, fy, pk)
        conflict = isinstance(e, evaluation.SheetConflict)
        return _page(
            request,
            sheet,
            status=409 if conflict else 422,
            error=e,
            posted=request.POST,
            returning=returning,
        )
    messages.success(request, done)
    return redirect("businesses:evaluation_sheet", org, fy, pk)


@require_POST
def evaluation_stage(request: HttpRequest, org: str, fy: int, pk: int, stage: str) -> HttpResponse:
    """Save the stage's judgement and reasons (and, at self, the texts); `sign` hands it on."""
    stage = _stage_of(stage)
    post = request.POST
    sign = post.get("action") == "sign"

    def step(sheet, version):
        evaluation.save_stage(
            sheet,
            stage,
            user=request.user,
            version=version,
            judgement=post.get("judgement", ""),
            reason=post.get("reason", ""),
            texts={name: post.get(name, "") for name in evaluation.TEXTS},
            sign=sign,
        )

    done = str(DONE_MESSAGES[stage]) if sign else _("Saved as a draft.")
    return _change(request, org, fy, pk, stage, step, done, returning=False)


@require_POST
def evaluation_return(request: HttpRequest, org: str, fy: int, pk: int, stage: str) -> HttpResponse:
    """Send the sheet at the chief's or director's stage back to the stage before."""
    stage = _stage_of(stage)
    if stage == Stage.SELF:
        raise Http404("the self-evaluation has no stage before it")

    def step(sheet, version):
        evaluation.send_back(
            sheet,
            stage,
            user=request.user,
            version=version,
            reason=request.POST.get("returned_reason", ""),
        )

    done = _("The sheet was sent back.")
    return _change(request, org, fy, pk, stage, step, done, returning=True)
