"""Rounds in the browser: list and open (管理者), the board, closing, publishing, reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.mail import send_mail
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from shinchoku.accounts.models import Membership, Role
from shinchoku.accounts.permissions import can_approve, can_edit_structure, can_report, require
from shinchoku.core.wareki import fy_label
from shinchoku.rounds import services
from shinchoku.rounds.access import plan_for, round_for
from shinchoku.rounds.models import Report, Round
from shinchoku.rounds.services import RoundConflict, RoundError

NO_VERSION = gettext_lazy(
    "This form was sent without its version. Reload the page and enter it again."
)


class OpenRoundForm(forms.Form):
    fy = forms.TypedChoiceField(label=gettext_lazy("Fiscal year"), coerce=int)
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

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
                services.open_round(plan, fy, form.cleaned_data["deadline"], request.user)
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
    return {
        "plan": plan,
        "round": round_,
        "reports": reports,
        "counts": _counts(reports),
        "admin": can_edit_structure(user, plan.organization),
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


def _run(request: HttpRequest, round_: Round, step, done: str) -> HttpResponse:
    """Run a step with the version the board showed: none → 400, stale → 409 on the board."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    if version < 0:
        return _board(request, round_, 400, error=str(NO_VERSION), **_typed(request))
    return run_step(
        request,
        round_,
        lambda: step(version),
        done,
        refused=lambda error: _board(request, round_, 409, error=error, **_typed(request)),
        back=reverse("rounds:board", args=[round_.plan.slug, round_.fy]),
    )


def _typed(request: HttpRequest) -> dict:
    return {"reopen_input": request.POST.get("comment", "")}


@require_POST
def close(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    round_ = _admin_round(request, slug, fy)
    return _run(
        request,
        round_,
        lambda v: services.close_round(round_, request.user, version=v),
        _("The round is closed. Its sheets can no longer be changed."),
    )


@require_POST
def reopen(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    round_ = _admin_round(request, slug, fy)
    return _run(
        request,
        round_,
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
            lambda v: services.unpublish_round(round_, request.user, version=v),
            _("The round is no longer shown on the public pages."),
        )
    return _run(
        request,
        round_,
        lambda v: services.publish_round(round_, request.user, version=v),
        _("The round's approved values are now on the public pages."),
    )


def _recipients(report: Report) -> list[str]:
    """E-mail addresses of the staff and approvers who cover the sheet's department."""
    dept = report.department
    covering = Q(departments=dept)
    if dept.parent_id:
        covering |= Q(departments=dept.parent_id)
    members = (
        Membership.objects.filter(
            organization_id=dept.organization_id, role__in=[Role.STAFF, Role.APPROVER]
        )
        .filter(covering)
        .select_related("user")
        .distinct()
    )
    return sorted({m.user.email for m in members if m.user.email and m.user.is_active})


@require_POST
def remind(request: HttpRequest, slug: str, fy: int) -> HttpResponse:
    """E-mail the departments whose sheets still wait for them.

    The reminder is recorded, with its recipients, in its own committed transaction before any
    mail leaves, so a crash while or after sending cannot lose the record; the record says
    "送信中" until the sending ends, and names the departments whose mail could not be sent.
    """
    import logging

    from django.db import transaction

    from shinchoku.plans.history import user_name
    from shinchoku.rounds.models import RoundEvent

    round_ = _admin_round(request, slug, fy)
    pending = services.pending_reports(round_)
    if not round_.is_open or not pending:
        messages.error(request, _("No department is waiting for a reminder."))
        return redirect("rounds:board", slug, fy)
    letters, without = [], []
    subject = _("[Shinchoku] Reminder: progress sheet for %(fy)s") % {"fy": fy_label(fy)}
    for report in pending:
        to = _recipients(report)
        if not to:
            without.append(report.department.name)
            continue
        link = request.build_absolute_uri(
            reverse("rounds:sheet", args=[slug, fy, report.department_id])
        )
        body = _(
            "Please enter and submit the progress sheet of %(dept)s for %(plan)s, "
            "%(fy)s, by %(deadline)s.\n\nCurrent status: %(status)s\n%(comment)s\n%(link)s\n"
        ) % {
            "dept": report.department.name,
            "plan": round_.plan.title,
            "fy": fy_label(fy),
            "deadline": round_.deadline.strftime("%Y-%m-%d"),
            "status": report.get_status_display(),
            "comment": report.return_comment if report.status == Report.Status.RETURNED else "",
            "link": link,
        }
        letters.append((report.department.name, to, body))
    if letters:
        recipients = "、".join(f"{name}（{', '.join(to)}）" for name, to, _body in letters)
        with transaction.atomic():
            event = RoundEvent.objects.create(
                round=round_,
                user=request.user,
                user_name=user_name(request.user),
                action="remind",
                comment=f"{recipients} — 送信中",
            )
        sent, failed = [], []
        for name, to, body in letters:
            try:
                send_mail(subject, body, None, to)
            except OSError:  # smtplib's errors included; the others still get theirs
                logging.getLogger(__name__).exception("reminder to %s failed", name)
                failed.append(name)
            else:
                sent.append(name)
        event.comment = recipients
        if failed:
            event.comment += " — 送信できませんでした：" + "、".join(failed)
        event.save(update_fields=["comment"])
        if sent:
            messages.success(request, _("Reminder sent to: %(names)s") % {"names": "、".join(sent)})
        if failed:
            messages.error(
                request,
                _("The reminder could not be sent to: %(names)s. Check the mail settings.")
                % {"names": "、".join(failed)},
            )
    if without:
        messages.error(
            request,
            _("Nobody with an e-mail address covers: %(names)s. Add addresses in the admin.")
            % {"names": "、".join(without)},
        )
    return redirect("rounds:board", slug, fy)
