"""Load a plan, round or department sheet *for this user*, or stop the view (404 / 403 / login).

Every rounds view goes through these helpers: nothing else decides who sees a sheet.
A department's sheet is seen and changed by the staff and approvers of that department (or of
the 課 above it) and by the organization's 管理者; other members see only its status.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest

from shinchoku.accounts.permissions import can_approve, can_report, require
from shinchoku.plans.access import may_see, visible_plan, with_settings
from shinchoku.plans.models import Indicator, Plan
from shinchoku.prepared import Prepared
from shinchoku.rounds.lastyear import has_previous
from shinchoku.rounds.models import Report, Round

# Whether the sheet's plan has an indicator, read with the sheet (see plans/access.with_settings).
PLAN_HAS_NUMBERS = Exists(Indicator.objects.filter(node__plan=OuterRef("round__plan")))


def plan_for(request: HttpRequest, slug: str) -> Plan:
    """The plan for this user: another organization's plan is a 404 like a missing one."""
    return visible_plan(request, slug)


def round_for(request: HttpRequest, slug: str, fy: int) -> Round:
    plan = plan_for(request, slug)
    # The yearly round of the FY; the final evaluation of the same FY is final_round_for.
    round_ = (
        Round.objects.filter(plan=plan, fy=fy, kind=Round.Kind.YEARLY)
        .select_related("plan__organization")
        .first()
    )
    if round_ is None:
        raise Http404("no such round")
    return round_


def _sheet_query(slug: str, fy: int, department_id: int):
    return (
        Report.objects.filter(
            round__plan__slug=slug,
            round__fy=fy,
            round__kind=Round.Kind.YEARLY,
            department_id=department_id,
        )
        .select_related("department", "round__plan__organization", "round__plan__progress_settings")
        .annotate(plan_has_numbers=PLAN_HAS_NUMBERS, previous_exists=has_previous())
        .order_by("pk")[:1]
    )


# Compiled once (issue 16): building this query cost more CPU than running it.
SHEET_QUERY = Prepared(_sheet_query, str, int, int)


def report_for(request: HttpRequest, slug: str, fy: int, department_id: int) -> Report:
    """The sheet, when the user may see it: its department's staff and approvers, 管理者.

    One query for the plan, the round and the sheet (issue 16); every refusal is the 404 (or
    the login) that loading them one by one gives.
    """
    require(request, request.user.is_authenticated)
    report = SHEET_QUERY.first(slug, int(fy), int(department_id))
    if report is None or not may_see(request.user, report.round.plan):
        raise Http404("no such sheet")
    with_settings(report.round.plan, report.plan_has_numbers)
    report.round.previous_exists = report.previous_exists  # for rounds/lastyear.last_year
    require(request, can_report(request.user, report.round.plan.organization, report.department))
    return report


def _sheet_of(request: HttpRequest, round_: Round, department_id: int) -> Report:
    """A department's sheet of a round (yearly or final), when the user may report for it."""
    report = (
        Report.objects.filter(round=round_, department_id=department_id)
        .select_related("department", "round__plan__organization")
        .first()
    )
    if report is None:
        raise Http404("no such sheet")
    require(request, can_report(request.user, round_.plan.organization, report.department))
    return report


def final_round_for(request: HttpRequest, slug: str) -> Round:
    """The plan's final evaluation round (最終評価), for anyone who may see the plan."""
    plan = plan_for(request, slug)
    round_ = (
        Round.objects.filter(plan=plan, kind=Round.Kind.FINAL)
        .select_related("plan__organization")
        .first()
    )
    if round_ is None:
        raise Http404("no final evaluation")
    return round_


def final_report_for(request: HttpRequest, slug: str, department_id: int) -> Report:
    """A department's final sheet, when the user may see it (as report_for)."""
    return _sheet_of(request, final_round_for(request, slug), department_id)


def may_edit(request: HttpRequest, report: Report) -> bool:
    return can_report(request.user, report.round.plan.organization, report.department)


def may_approve(request: HttpRequest, report: Report) -> bool:
    return can_approve(request.user, report.round.plan.organization, report.department)
