"""Confirmation pages for a round's close, reopen, publish and withdraw (yearly and final).

The board links here; the page says what will happen and posts to the step's own endpoint (which
keeps its version check). Only a 管理者 of the plan's organization (or the federation operator)
sees these pages; another organization's users get 404 from the round lookup.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.rounds.access import final_round_for, round_for
from shinchoku.rounds.models import Report, Round

YEARLY_ACTIONS = ("close", "reopen", "publish", "unpublish")
FINAL_ACTIONS = ("close", "reopen")


def _allowed(round_: Round, action: str) -> bool:
    """Whether the step makes sense in the round's state (else the board is shown instead)."""
    if action == "close":
        return round_.is_open
    if action == "reopen":
        return not round_.is_open
    if action == "publish":
        return not round_.is_open and not round_.published
    return action == "unpublish" and round_.published


def _not_approved(round_: Round) -> list[Report]:
    return list(
        round_.reports.exclude(status=Report.Status.APPROVED)
        .select_related("department")
        .order_by("department__order", "department__id")
    )


def consequences(round_: Round, action: str, *, final: bool) -> list[str]:
    """What the step will do, in the order a 管理者 needs to read it."""
    if action == "close":
        lines = [
            _("Departments can no longer enter or change their sheets."),
            _(
                "The approved values become the results of the round: the committee report and "
                "the progress pages use them."
            )
            if not final
            else _("The approved evaluations become the final evaluation's results and report."),
        ]
        if not final:
            lines.append(
                _("Nothing is published yet: the public pages change only when you publish.")
            )
        lines.append(_("You can reopen it later, giving a reason."))
        return lines
    if action == "reopen":
        lines = [
            _("Sheets can be returned to departments, corrected and approved again."),
            _("The reason you give is recorded in the history."),
        ]
        if round_.published:
            lines.append(
                _(
                    "The round is withdrawn from the public pages until it is closed and "
                    "published again."
                )
            )
        return lines
    if action == "publish":
        return [
            _(
                "The approved values of this round appear on the public pages, which anyone can "
                "read without logging in."
            ),
            _("The public CSV and JSON downloads include them."),
            _("You can withdraw them later."),
        ]
    return [
        _("The values of this round are removed from the public pages and their downloads."),
        _("Nothing stored is changed: you can publish them again."),
    ]


TITLES = {
    ("close", False): gettext_lazy("Close the round"),
    ("reopen", False): gettext_lazy("Reopen the round"),
    ("publish", False): gettext_lazy("Publish the approved values"),
    ("unpublish", False): gettext_lazy("Withdraw from the public pages"),
    ("close", True): gettext_lazy("Close the final evaluation"),
    ("reopen", True): gettext_lazy("Reopen the final evaluation"),
}


def _page(
    request: HttpRequest,
    round_: Round,
    action: str,
    *,
    final: bool,
    status: int = 200,
    error: str = "",
    typed: str = "",
) -> HttpResponse:
    plan = round_.plan
    if final:
        board = reverse("rounds:final_board", args=[plan.slug])
        post_url = reverse(f"rounds:final_{action}", args=[plan.slug])
    else:
        board = reverse("rounds:board", args=[plan.slug, round_.fy])
        name = "publish" if action == "unpublish" else action
        post_url = reverse(f"rounds:{name}", args=[plan.slug, round_.fy])
    if not _allowed(round_, action):
        return redirect(board)
    blocked = _not_approved(round_) if action == "close" else []
    context = {
        "plan": plan,
        "round": round_,
        "final": final,
        "action": action,
        "title": TITLES[(action, final)],
        "consequences": consequences(round_, action, final=final),
        "blocked": blocked,
        "board_url": board,
        "post_url": post_url,
        "error": error,
        "typed": typed,
    }
    return render(request, "rounds/confirm.html", context, status=status)


def refusal(
    request: HttpRequest,
    round_: Round,
    action: str,
    *,
    final: bool,
    board: Callable[[int, str], HttpResponse],
) -> Callable[[int, str], HttpResponse]:
    """`refused` bound to one step: called with (status, error) by the step's view."""
    return lambda status, error: refused(
        request,
        round_,
        action,
        final=final,
        status=status,
        error=error,
        board=lambda: board(status, error),
    )


def refused(
    request: HttpRequest,
    round_: Round,
    action: str,
    *,
    final: bool,
    status: int,
    error: str,
    board: Callable[[], HttpResponse],
) -> HttpResponse:
    """A step refused for a missing or stale version (400/409).

    When the step is still possible in the round's current state, its confirmation page comes
    back with the error, the reason the user typed and the current version, so confirming again
    is one deliberate click and nothing typed is lost; otherwise `board()` (which shows the error
    and leads to the step now possible).
    """
    if _allowed(round_, action):
        typed = request.POST.get("comment", "") if action == "reopen" else ""
        return _page(request, round_, action, final=final, status=status, error=error, typed=typed)
    return board()


@require_safe
def confirm(request: HttpRequest, slug: str, fy: int, action: str) -> HttpResponse:
    round_ = round_for(request, slug, fy)
    require(request, can_edit_structure(request.user, round_.plan.organization))
    if action not in YEARLY_ACTIONS:
        raise Http404("no such step")
    return _page(request, round_, action, final=False)


@require_safe
def final_confirm(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    round_ = final_round_for(request, slug)
    require(request, can_edit_structure(request.user, round_.plan.organization))
    if action not in FINAL_ACTIONS:
        raise Http404("no such step")
    return _page(request, round_, action, final=True)
