"""Which organization's 事務事業 the user reads: one helper for every page of the app."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from shinchoku.accounts.permissions import can_view, membership, require
from shinchoku.orgs.models import Organization


def organization_for(request: HttpRequest, slug: str) -> Organization:
    """The organization whose businesses the user reads: login when anonymous, 404 for an
    organization that does not exist or is not the user's.

    A member's own organization is the one their membership has read already (every page's
    header reads it), so it costs no query; the operator's, or another slug, is looked up.
    """
    require(request, request.user.is_authenticated)
    member = membership(request.user)
    if member is not None and member.organization.slug == slug:
        organization = member.organization
    else:
        organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not can_view(request.user, organization):
        raise Http404("no such organization")
    return organization
