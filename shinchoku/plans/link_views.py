"""A plan's 管理者 accepts or declines the links another organization's plan makes into it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinchoku.accounts.permissions import can_edit_structure, require
from shinchoku.plans import links
from shinchoku.plans.access import visible_plan
from shinchoku.plans.models import LinkAcceptance, Plan


@require_POST
def link_decision(request: HttpRequest, slug: str, from_slug: str) -> HttpResponse:
    """Accept or decline every link of the plan `from_slug` into this plan."""
    plan = visible_plan(request, slug)
    require(request, can_edit_structure(request.user, plan.organization))
    from_plan = Plan.objects.select_related("organization").filter(slug=from_slug).first()
    # Only a plan that links here can be decided on; any other slug is a 404 alike.
    if from_plan is None or not links.links_into(plan, from_plan):
        raise Http404("no such link")
    decision = request.POST.get("decision", "")
    if decision not in LinkAcceptance.Decision.values:
        messages.error(request, _("Choose to accept or to decline."))
        return HttpResponseRedirect(reverse("plans:detail", args=[plan.slug]))
    links.decide(plan, from_plan, decision, user=request.user)
    if decision == LinkAcceptance.Decision.ACCEPTED:
        messages.success(request, _("Accepted: the links now show on this plan's pages."))
    else:
        messages.success(request, _("Declined: the links do not show on this plan's pages."))
    return HttpResponseRedirect(reverse("plans:detail", args=[plan.slug]))
