"""The final evaluation (最終評価) in the browser: open it, its board, the departments' sheets.

The same permissions as the yearly sheets (rounds.access): a department's staff see and fill
only their own sheet, approvers of the department return and approve it, the 管理者 opens,
closes and reopens the round, other members see the board only, an outsider gets a 404.
Form fields: ``i|<node key>|followup``, ``i|<node key>|issues``, ``i|<node key>|final_status``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.date_fields import WarekiDateField
from shinchoku.notify.forms import ReminderDaysField
from shinchoku.plans.models import Plan
from shinchoku.rounds import confirm_views, final_services, services
from shinchoku.rounds.access import (
    final_report_for,
    final_round_for,
    may_approve,
    may_edit,
    plan_for,
)
from shinchoku.rounds.final import final_round_of
from shinchoku.rounds.final_services import FinalLine
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import RoundConflict, RoundError
from shinchoku.rounds.sheet_views import saved
from shinchoku.rounds.views import NO_VERSION, _counts, board_context, run_step


class OpenFinalForm(forms.Form):
    deadline = WarekiDateField(label=gettext_lazy("Deadline"))
    reminder_days = ReminderDaysField()  # notifications (issue 14)


def list_context(plan: Plan, admin: bool, form: OpenFinalForm | None = None) -> dict:
    """What the round list shows of the final evaluation: the round, or the offer to start it."""
    round_ = final_round_of(plan)
    offer = admin and round_ is None and not final_services.refusal(plan)
    if offer and form is None:
        deadline = max(date(plan.last_fy + 1, 5, 31), timezone.localdate() + timedelta(days=30))
        # Its ids start with final- (final-deadline): the yearly round's form is on the same page.
        form = OpenFinalForm(initial={"deadline": deadline}, auto_id="final-%s")
    if round_ is not None:
        round_.counts = _counts(round_.reports.all())
    return {"round": round_, "form": form if offer else None}


@require_POST
def final_open(request: HttpRequest, slug: str) -> HttpResponse:
    """The 管理者 starts the final evaluation with a deadline."""
    plan = plan_for(request, slug)
    require(request, can_edit_structure(request.user, plan.organization))
    form = OpenFinalForm(request.POST)
    if form.is_valid():
        try:
            final_services.open_final_round(
                plan,
                form.cleaned_data["deadline"],
                request.user,
                reminder_days=form.cleaned_data["reminder_days"],
            )
        except RoundError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The final evaluation is open."))
            return redirect("rounds:final_board", plan.slug)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("rounds:list", plan.slug)


@require_safe
def final_board(request: HttpRequest, slug: str) -> HttpResponse:
    return _board(request, final_round_for(request, slug))


def _board(request: HttpRequest, round_: Round, status: int = 200, **extra) -> HttpResponse:
    context = {**board_context(request, round_), **extra}
    return render(request, "rounds/final_board.html", context, status=status)


def _run(request: HttpRequest, slug: str, action: str, step, done: str) -> HttpResponse:
    round_ = final_round_for(request, slug)
    require(request, can_edit_structure(request.user, round_.plan.organization))

    refused = confirm_views.refusal(
        request,
        round_,
        action,
        final=True,
        board=lambda status, error: _board(request, round_, status, error=error),
    )

    version = _posted_version(request)
    if version is None:
        return refused(400, str(NO_VERSION))
    return run_step(
        request,
        round_,
        lambda: step(round_, version),
        done,
        refused=lambda error: refused(409, error),
        back=reverse("rounds:final_board", args=[slug]),
    )


@require_POST
def final_close(request: HttpRequest, slug: str) -> HttpResponse:
    return _run(
        request,
        slug,
        "close",
        lambda r, v: services.close_round(r, request.user, version=v),
        _("The final evaluation is closed. Its sheets can no longer be changed."),
    )


@require_POST
def final_reopen(request: HttpRequest, slug: str) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _run(
        request,
        slug,
        "reopen",
        lambda r, v: services.reopen_round(r, request.user, comment, version=v),
        _("The final evaluation is open again."),
    )


# --------------------------------------------------------------------------- a department's sheet


def _posted_version(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _context(request: HttpRequest, report: Report, lines: list[FinalLine], **extra) -> dict:
    plan = report.round.plan
    editable = report.editable and may_edit(request, report)
    return {
        "plan": plan,
        "round": report.round,
        "report": report,
        "lines": lines,
        "statuses": final_services.settings_of(report).final_statuses,
        "editable": editable,
        "may_edit": editable,
        "may_approve": may_approve(request, report),
        "missing": final_services.missing(report, lines) if editable else [],
        "version": report.version,
        **extra,
    }


def _apply(lines: list[FinalLine], data: dict[str, dict[str, str]]) -> None:
    """Put the user's input back on the lines, so a refused form shows what was typed."""
    for ln in lines:
        for f, v in data.get(ln.node.key, {}).items():
            setattr(ln, f, v)


def final_sheet(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    """Show the final sheet; a POST saves it as a draft (whole page, or the status for htmx)."""
    report = final_report_for(request, slug, dept)
    if request.method == "POST":
        return _save(request, report)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    lines = final_services.final_sheet(report)
    return render(request, "rounds/final_sheet.html", _context(request, report, lines))


def _save(request: HttpRequest, report: Report, *, then_submit: bool = False) -> HttpResponse:
    if not may_edit(request, report):
        return HttpResponse(status=403)
    # The lines without their history: a save that succeeds shows no page (issue 16).
    lines = final_services.final_sheet(report, history=False)
    data = final_services.read_post(request.POST, lines)
    htmx = bool(getattr(request, "htmx", False)) and not then_submit
    version = _posted_version(request)
    status, error = 0, ""
    if version is None:
        status, error = 400, str(NO_VERSION)
    else:
        try:
            report = final_services.save(
                report, data, version=version, user=request.user, lines=lines
            )
        except RoundConflict as e:
            status, error = 409, str(e)
        except RoundError as e:
            status, error = 422, str(e)
    if status:
        report.refresh_from_db()
        context = {"report": report, "error": error, "conflict": status == 409, "diffs": []}
        if htmx:
            return render(request, "rounds/_save_status.html", context, status=status)
        lines = final_services.final_sheet(report)  # the page: with the history
        _apply(lines, data)
        page = _context(request, report, lines, error=error, conflict=status == 409)
        page["version"] = report.version if status == 409 else request.POST.get("version", "")
        return render(request, "rounds/final_sheet.html", page, status=status)
    if then_submit:
        return _review(
            request,
            report,
            lambda: final_services.submit(report, request.user, version=report.version),
            _("Submitted. The approver has been asked to review it."),
        )
    back = reverse("rounds:final_sheet", args=[report.round.plan.slug, report.department_id])
    return saved(request, report, htmx=htmx, back=back)


@require_POST
def final_submit(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    """Save what the form holds, then submit the sheet for approval."""
    report = final_report_for(request, slug, dept)
    if not may_edit(request, report):
        return HttpResponse(status=403)
    if report.editable:
        return _save(request, report, then_submit=True)
    version = _posted_version(request)
    return _review(
        request,
        report,
        lambda: final_services.submit(report, request.user, version=version),
        _("Submitted. The approver has been asked to review it."),
    )


def _review(request: HttpRequest, report: Report, step, done: str) -> HttpResponse:
    """Run a review step; a stale page is refused (409) with the sheet as it is now."""

    def refused(error: str) -> HttpResponse:
        lines = final_services.final_sheet(report)
        context = _context(
            request, report, lines, error=error, return_input=request.POST.get("comment", "")
        )
        return render(request, "rounds/final_sheet.html", context, status=409)

    back = reverse("rounds:final_sheet", args=[report.round.plan.slug, report.department_id])
    return run_step(request, report, step, done, refused=refused, back=back)


def _approver_step(request: HttpRequest, slug: str, dept: int, step, done: str) -> HttpResponse:
    report = final_report_for(request, slug, dept)
    if not may_approve(request, report):
        return HttpResponse(status=403)
    version = _posted_version(request)
    if version is None:
        lines = final_services.final_sheet(report)
        context = _context(request, report, lines, error=str(NO_VERSION))
        return render(request, "rounds/final_sheet.html", context, status=400)
    return _review(request, report, lambda: step(report, version), done)


@require_POST
def final_return(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _approver_step(
        request,
        slug,
        dept,
        lambda r, v: final_services.return_report(r, request.user, comment, version=v),
        _("Returned to the department with your comment."),
    )


@require_POST
def final_approve(request: HttpRequest, slug: str, dept: int) -> HttpResponse:
    return _approver_step(
        request,
        slug,
        dept,
        lambda r, v: final_services.approve(r, request.user, version=v),
        _("Approved."),
    )
