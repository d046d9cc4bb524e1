"""Rounds in the browser: list and open (管理者), the board, closing, publishing, reminders."""

from __future__ import annotations

from collections.abc import Callable
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

from shinchoku.accounts.permissions import can_approve, can_edit_structure, can_report, require
from shinchoku.core.wareki import fy_label
from shinchoku.date_fields import WarekiDateField
from shinchoku.notify.forms import ReminderDaysField
from shinchoku.notify.reminders import remind_now, reminder_messages
from shinchoku.notify.services import board_mail_failures
from shinchoku.rounds import confirm_views, services
from shinchoku.rounds.access import plan_for, round_for
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import RoundConflict, RoundError

NO_VERSION = gettext_lazy(
    "This form was sent without its version. Reload the page and enter it again."
)


class OpenRoundForm(forms.Form):
    fy = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int)
    deadline = WarekiDateField(label=gettext_lazy("Deadline"))
    reminder_days = ReminderDaysField()  # notifications (issue 14)

    def __init__(self, *args, fys: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fy"].choices = [(fy, fy_label(fy)) for fy in fys]


def _open_fys(plan) -> list[int]:
    taken = set(
        Round.objects.filter(plan=plan, kind=Round.Kind.YEARLY).values_list("fy", flat=True)
    )
    return [fy for fy in plan.fiscal_years if fy not in taken]


def round_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's rounds; 管理者 open a new one for a FY with a deadline."""
    plan = plan_for(request, slug)
    admin = can_edit_structure(request.user, plan.organization)
    fys = _open_fys(plan)
    form = None
    if admin and fys and not plan.is_external:  # registered plans of other bodies: no rounds
        # The sheets come after the FY closes; a late round gets a month from today.
        deadline = max(date(fys[0] + 1, 5, 31), timezone.localdate() + timedelta(days=30))
        initial = {"fy": fys[0], "deadline": deadline}
        # A POST is checked against every FY of the plan, so that a FY somebody opened since the
        # page was shown gets the service's message (既にあります / 同時に), not "not a choice".
        offered = plan.fiscal_years if request.method == "POST" else fys
        form = OpenRoundForm(request.POST or None, fys=offered, initial=initial)
    if request.method == "POST":
        require(request, admin)
        if form is not None and form.is_valid():
            fy = form.cleaned_data["fy"]
            try:
                services.open_round(
                    plan,
                    fy,
                    form.cleaned_data["deadline"],
                    request.user,
                    reminder_days=form.cleaned_data["reminder_days"],
                )
            except RoundError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("The round for %(fy)s is open.") % {"fy": fy_label(fy)})
                return redirect("rounds:board", plan.slug, fy)
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    if form is not None and request.method == "POST":  # shown again: only the FYs still open
        form.fields["fy"].choices = [(fy, fy_label(fy)) for fy in _open_fys(plan)]
    rounds = list(
        Round.objects.filter(plan=plan, kind=Round.Kind.YEARLY).prefetch_related("reports")
    )
    for r in rounds:
        r.counts = _counts(r.reports.all())
    from shinchoku.rounds.final_views import list_context  # the final evaluation (最終評価)

    return render(
        request,
        "rounds/round_list.html",
        {
            "plan": plan,
            "rounds": rounds,
            "form": form,
            "admin": admin,
            "final": list_context(plan, admin),
        },
        status=422 if form is not None and form.errors else 200,
    )


def _counts(reports) -> list[tuple[str, int]]:
    counts = {s: 0 for s, _label in Report.Status.choices}
    for r in reports:
        counts[r.status] += 1
    return [(label, counts[s]) for s, label in Report.Status.choices if counts[s]]


@require_safe
def board(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """Every department's sheet with its status against the deadline."""
    return _board(request, round_for(request, slug, fy))


def board_context(request: HttpRequest, round_: Round) -> dict:
    """What a board (yearly or final) shows: each department's sheet against the deadline."""
    plan = round_.plan
    user = request.user
    reports = list(round_.reports.select_related("department"))
    for r in reports:
        r.may_open = can_report(user, plan.organization, r.department)
        r.may_approve = can_approve(user, plan.organization, r.department)
    today = timezone.localdate()
    admin = can_edit_structure(user, plan.organization)
    # The 管理者 sees the round's e-mails that could not be sent (shinchoku.notify): one query.
    failures = board_mail_failures(round_, reports) if admin else []
    return {
        "mail_failures": failures,
        "round_mail_failures": [n for n in failures if n.sheet_pk is None],
        "plan": plan,
        "round": round_,
        "reports": reports,
        "counts": _counts(reports),
        "admin": admin,
        "days_left": (round_.deadline - today).days,
        "days_over": (today - round_.deadline).days,
        "overdue": today > round_.deadline and round_.is_open,
        "events": round_.events.all()[:20],
        "pending": [r for r in reports if r.status != Report.Status.APPROVED],
    }


def _board(request: HttpRequest, round_: Round, status: int = 200, **extra) -> HttpResponse:
    context = {**board_context(request, round_), **extra}
    return render(request, "rounds/board.html", context, status=status)


def run_step(
    request: HttpRequest,
    obj: Round | Report,
    step: Callable[[], object],
    done: str,
    *,
    refused: Callable[[str], HttpResponse],
    back: str,
) -> HttpResponse:
    """Run a step of a round or of a sheet (close, reopen, submit, return, approve …).

    A stale page (RoundConflict) is answered by `refused(error)` after `obj` is read again;
    another refusal is a message; either way but the conflict, the user goes `back`.
    """
    try:
        step()
    except RoundConflict as e:
        obj.refresh_from_db()
        return refused(str(e))
    except RoundError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)
    return redirect(back)


def _admin_round(request: HttpRequest, slug: str, fy: int) -> Round:
    round_ = round_for(request, slug, fy)
    require(request, can_edit_structure(request.user, round_.plan.organization))
    return round_


def _run(request: HttpRequest, round_: Round, action: str, step, done: str) -> HttpResponse:
    """Run a step with the version its confirmation page showed: none → 400, stale → 409.

    Refused, the step's confirmation page comes back (error, typed reason, current version) when
    the step is still possible, else the board.
    """

    refused = confirm_views.refusal(
        request,
        round_,
        action,
        final=False,
        board=lambda status, error: _board(request, round_, status, error=error),
    )

    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    if version < 0:
        return refused(400, str(NO_VERSION))
    return run_step(
        request,
        round_,
        lambda: step(version),
        done,
        refused=lambda error: refused(409, error),
        back=reverse("rounds:board", args=[round_.plan.slug, round_.fy]),
    )


@require_POST
def close(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    round_ = _admin_round(request, slug, fy)
    return _run(
        request,
        round_,
        "close",
        lambda v: services.close_round(round_, request.user, version=v),
        _("The round is closed. Its sheets can no longer be changed."),
    )


@require_POST
def reopen(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    round_ = _admin_round(request, slug, fy)
    return _run(
        request,
        round_,
        "reopen",
        lambda v: services.reopen_round(
            round_, request.user, request.POST.get("comment", ""), version=v
        ),
        _("The round is open again."),
    )


@require_POST
def publish(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    round_ = _admin_round(request, slug, fy)
    if request.POST.get("action") == "unpublish":
        return _run(
            request,
            round_,
            "unpublish",
            lambda v: services.unpublish_round(round_, request.user, version=v),
            _("The round is no longer shown on the public pages."),
        )
    return _run(
        request,
        round_,
        "publish",
        lambda v: services.publish_round(round_, request.user, version=v),
        _("The round's approved values are now on the public pages."),
    )


@require_POST
def remind(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """Remind the departments whose sheets still wait for them (shinchoku.notify).

    Each department's staff get a notification in the product, and an e-mail sent by the mail
    queue once the reminder is committed; it is recorded as the round's "remind" event.
    """
    round_ = _admin_round(request, slug, fy)
    if not round_.is_open or not services.pending_reports(round_):
        messages.error(request, _("No department is waiting for a reminder."))
        return redirect("rounds:board", slug, fy)
    done = remind_now(round_, request.user)
    for level, text in reminder_messages(done):
        messages.add_message(request, level, text)
    return redirect("rounds:board", slug, fy)
