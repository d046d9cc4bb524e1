"""The search page: /search/?q=… across the plans the user may read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from shinchoku.accounts.permissions import membership, require
from shinchoku.core.search import MIN_TERM_LENGTH, split_terms
from shinchoku.search.finder import find, grouped

PER_PAGE = 20


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Search items, contents, indicators, texts and opinions; anonymous → login."""
    require(request, request.user.is_authenticated)
    raw = request.GET.get("q", "").strip()
    query = split_terms(raw)
    context = {"q": raw, "query": query, "min_length": MIN_TERM_LENGTH, "searched": False}
    if not query.empty:
        hits = find(request.user, query.terms)
        page = Paginator(hits, PER_PAGE).get_page(request.GET.get("page"))
        for hit in page.object_list:
            hit.cut(query.terms)
        context.update(
            searched=True, page=page, total=len(hits), groups=grouped(list(page.object_list))
        )
    member = membership(request.user)
    if member is not None:  # the header's menu reads it: the one already loaded, with its org
        request.user.membership = member
    return render(request, "search/page.html", context)
