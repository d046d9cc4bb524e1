"""Load a plan *for this user*: the one door every view that takes a plan slug goes through.

A plan of another organization is a 404 exactly like a slug that does not exist, so that no
answer tells which plans other organizations have. Anonymous users go to the login page first,
whatever the slug; a member whose role does not allow the action gets 403 (PermissionDenied).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest

from shinchoku.accounts.permissions import can_see_draft_plans, can_view, require
from shinchoku.plans.cache_version import version_read
from shinchoku.plans.models import Indicator, Plan


def visible_plan(request: HttpRequest, slug: str, *, versioned: bool = False) -> Plan:
    """The plan called `slug` if the user may read it; else login (anonymous) or 404.

    `versioned`: read its cache version along (plan.cache_v, for a page cached under it).
    """
    require(request, request.user.is_authenticated)
    plans = Plan.objects.select_related("organization", "progress_settings")
    if versioned:
        version_read()
        plans = plans.annotate(cache_v=Coalesce("cache_version__version", 0))
    plan = plans.annotate(has_numbers=HAS_NUMBERS).filter(slug=slug).first()
    if plan is None or not may_see(request.user, plan):
        raise Http404("no such plan")
    return with_settings(plan, plan.has_numbers)


# Whether a plan has an indicator: read along with the plan (and its progress settings, through
# select_related("progress_settings")) so that PlanSettings.of needs no query of its own.
HAS_NUMBERS = Exists(Indicator.objects.filter(node__plan=OuterRef("pk")))


def with_settings(plan: Plan, has_numbers: bool) -> Plan:
    """Mark a plan read with select_related("progress_settings") and whether it has an indicator,
    for the first PlanSettings.of(plan) of the request (issue 16: one read of the plan)."""
    plan.has_numbers = has_numbers
    plan._settings_preloaded = True
    return plan


def may_see(user, plan: Plan) -> bool:
    """Members see their organization's plans; a draft only its 管理者 and approvers."""
    if not can_view(user, plan.organization):
        return False
    return not plan.is_draft or can_see_draft_plans(user, plan.organization)
