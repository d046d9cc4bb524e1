"""The evaluation rounds of 事務事業評価: the list, a round's page, and starting and closing one.

Every member reads the list and the round page (a sheet's judgements before it is completed only
where can_see_drafts allows); the 管理者 starts and closes rounds through confirmation pages that
say what will happen (as rounds/confirm.html does for the plan's rounds). The sheets themselves
are the evaluation sheet's views (businesses:evaluation_sheet, rounds.sheet_url).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import can_edit_structure, draft_scope, require
from shinchoku.businesses import rounds as services
from shinchoku.businesses.access import organization_for
from shinchoku.businesses.models import BusinessEvaluation, EvaluationRound, Rotation, Stage
from shinchoku.businesses.rotation import business_label, round_years
from shinchoku.businesses.rotation_forms import CloseForm, RoundFilterForm, StartForm
from shinchoku.businesses.rotation_views import register_url
from shinchoku.core.rotation import cycle_years
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Organization

STAGE_LABELS = dict(Stage.choices)


def round_for(request: HttpRequest, org: str, fy: int) -> EvaluationRound:
    """The organization's round of the FY for this user; login, or 404."""
    organization = organization_for(request, org)
    round_ = EvaluationRound.objects.filter(organization=organization, fiscal_year=fy).first()
    if round_ is None:
        raise Http404("no such evaluation round")
    round_.organization = organization
    return round_


def startable_years(organization: Organization) -> list[int]:
    """The FYs a rotation covers whose round has not started, earliest first."""
    started = round_years(organization)
    years = {
        fy
        for first in Rotation.objects.filter(organization=organization).values_list(
            "first_fy", flat=True
        )
        for fy in cycle_years(first)
    }
    return sorted(years - started)


@require_safe
def round_list(request: HttpRequest, org: str) -> HttpResponse:
    """The organization's rounds with how many evaluations are completed; start one (管理者)."""
    organization = organization_for(request, org)
    admin = can_edit_structure(request.user, organization)
    rounds = list(
        EvaluationRound.objects.filter(organization=organization).annotate(
            n=Count("evaluations"),
            done=Count("evaluations", filter=Q(evaluations__stage=Stage.DONE)),
        )
    )
    context = {
        "organization": organization,
        "rounds": rounds,
        "admin": admin,
        "register_url": register_url(organization.slug),
    }
    if admin:
        years = startable_years(organization)
        if years:
            context["start_form"] = StartForm({"fy": str(years[0])}, fys=years)
    return render(request, "businesses/round_list.html", context)


def _start_page(
    request: HttpRequest, organization: Organization, fy: int, *, status: int = 200, error=""
) -> HttpResponse:
    businesses = services.slotted(organization, fy)
    departments: dict[int, dict] = {}
    for b in businesses:
        departments.setdefault(b.department_id, {"department": b.department, "n": 0})["n"] += 1
    exists = EvaluationRound.objects.filter(organization=organization, fiscal_year=fy).exists()
    context = {
        "organization": organization,
        "fy": fy,
        "businesses": businesses,
        "departments": sorted(
            departments.values(), key=lambda d: (d["department"].order, d["department"].pk)
        ),
        "rotation": services.rotation_for(organization, fy),
        "exists": exists,
        "error": error,
        "register_url": register_url(organization.slug),
    }
    return render(request, "businesses/round_start.html", context, status=status)


def round_start(request: HttpRequest, org: str) -> HttpResponse:
    """What starting the FY's round will do (GET ?fy=), and starting it (POST)."""
    organization = organization_for(request, org)
    require(request, can_edit_structure(request.user, organization))
    source = request.POST if request.method == "POST" else request.GET
    try:
        fy = int(source.get("fy", ""))
    except ValueError:
        fy = 0
    if not 1989 <= fy <= 2200:  # no FY to start (an empty or odd value): back to the list
        return redirect("businesses:round_list", organization.slug)
    if request.method != "POST":
        return _start_page(request, organization, fy)
    try:
        round_ = services.start_round(organization, fy, request.user)
    except services.RoundError as e:
        return _start_page(request, organization, fy, status=422, error=str(e))
    n = round_.evaluations.count()
    messages.success(
        request,
        ngettext(
            "The evaluation round of %(fy)s was started with %(n)s sheet.",
            "The evaluation round of %(fy)s was started with %(n)s sheets.",
            n,
        )
        % {"fy": fy_label(fy), "n": n},
    )
    return redirect("businesses:round", organization.slug, fy)


@dataclass
class Progress:
    """A department's sheets in the round: completed / all."""

    department: object
    done: int = 0
    total: int = 0
    cycle: services.DepartmentProgress | None = None  # the department's part of the cycle


@require_safe
def round_page(request: HttpRequest, org: str, fy: int) -> HttpResponse:
    """Each business of the round with its stage, judgements and direction; progress per
    department; filtered by department and stage."""
    round_ = round_for(request, org, fy)
    organization = round_.organization
    user = request.user
    evaluations = list(
        BusinessEvaluation.objects.filter(round=round_)
        .select_related("business__department")
        .order_by("business__department__order", "business__department_id", "business__order", "id")
    )
    scope = draft_scope(user, organization)
    progress: dict[int, Progress] = {}
    for e in evaluations:
        department = e.business.department
        p = progress.setdefault(department.pk, Progress(department))
        p.total += 1
        p.done += e.stage == Stage.DONE
        e.readable = e.stage == Stage.DONE or scope.covers(department)
        e.url = services.sheet_url(organization.slug, round_.fiscal_year, e.pk)
        e.stage_label = STAGE_LABELS.get(e.stage, e.stage)
    departments = [p.department for p in progress.values()]
    department = request.GET.get("department", "")
    stage = request.GET.get("stage", "")
    shown = [
        e
        for e in evaluations
        if (not department or str(e.business.department_id) == department)
        and (not stage or e.stage == stage)
    ]
    cycle = services.rotation_progress(organization, round_.fiscal_year)
    for row in cycle.rows:
        if row.department.pk in progress:
            progress[row.department.pk].cycle = row
    context = {
        "organization": organization,
        "round": round_,
        "rows": shown,
        "all": len(evaluations),
        "done": sum(p.done for p in progress.values()),
        "progress": list(progress.values()),
        "cycle": cycle,
        "filter_form": RoundFilterForm(
            {"department": department, "stage": stage}, departments=departments
        ),
        "filtered": bool(department or stage),
        "admin": can_edit_structure(user, organization),
        "register_url": register_url(organization.slug),
    }
    return render(request, "businesses/round_page.html", context)


def _close_page(
    request: HttpRequest, round_: EvaluationRound, *, status: int = 200, error=None
) -> HttpResponse:
    if round_.status == EvaluationRound.Status.CLOSED and error is None:
        return redirect("businesses:round", round_.organization.slug, round_.fiscal_year)
    pending = services.unfinished(round_)
    for e in pending:
        e.label = business_label(e.business)
        e.stage_label = STAGE_LABELS.get(e.stage, e.stage)
    context = {
        "organization": round_.organization,
        "round": round_,
        "pending": pending,
        "form": CloseForm({}, error=error) if pending else None,
        "error": error if not pending else None,
        "register_url": register_url(round_.organization.slug),
    }
    return render(request, "businesses/round_close.html", context, status=status)


def round_close(request: HttpRequest, org: str, fy: int) -> HttpResponse:
    """What closing the round will do, listing the evaluations not completed (GET); closing it
    (POST, with the version the page showed)."""
    round_ = round_for(request, org, fy)
    require(request, can_edit_structure(request.user, round_.organization))
    if request.method != "POST":
        return _close_page(request, round_)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.close_round(
            round_,
            request.user,
            version=version,
            unfinished_ok=request.POST.get("unfinished_ok") in ("on", "1", "true"),
        )
    except services.RoundError as e:
        conflict = isinstance(e, services.RoundConflict)
        round_.refresh_from_db()
        return _close_page(request, round_, status=409 if conflict else 422, error=e)
    messages.success(request, _("The evaluation round of %(fy)s is closed.") % {"fy": fy_label(fy)})
    return redirect("businesses:round", round_.organization.slug, fy)
