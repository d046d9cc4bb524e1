"""The to-do page (やること): where a user lands after logging in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import membership, require
from shinchoku.todo.lists import todo_for


@require_safe
def todo_page(request: HttpRequest) -> HttpResponse:
    """The user's sheets, approvals, rounds to watch and reports to read; anonymous → login."""
    require(request, request.user.is_authenticated)
    todo = todo_for(request.user, timezone.localdate())
    member = membership(request.user)
    if member is not None:  # the header's menu reads it: the one already loaded, with its org
        request.user.membership = member
    return render(request, "todo/page.html", {"todo": todo})
