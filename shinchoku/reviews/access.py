"""Who may do what with the committee's opinions; every reviews view and service asks here.

- 管理者 (admin): everything on the organization's plans; records opinions from the minutes,
  assigns them, answers for any department, marks them public.
- 閲覧 (viewer, a committee member): reads every opinion; enters their own (origin member) and
  edits them while 未対応; never answers.
- 部署担当 / 承認者 (staff, approver): read every opinion; answer and move the status only of the
  opinions assigned to one of their departments (or to a 係 under their 課).
- Another organization's user: 404 on every URL, like a missing plan; anonymous: login page.
Draft plans and registered plans of other bodies have no opinions (404).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import (
    can_edit_structure,
    department_ids,
    is_federation,
    membership,
)
from shinchoku.plans.access import visible_plan
from shinchoku.plans.models import Plan
from shinchoku.reviews.models import Opinion


def has_opinions(plan: Plan) -> bool:
    """Draft plans and plans of other bodies have no committee opinions."""
    return not plan.is_draft and not plan.is_external


def plan_for(request: HttpRequest, slug: str) -> Plan:
    """The plan for this user, if it can have opinions; else login (anonymous) or 404."""
    plan = visible_plan(request, slug)
    if not has_opinions(plan):
        raise Http404("this plan has no opinions")
    return plan


def opinion_for(request: HttpRequest, slug: str, fy: int, number: int) -> Opinion:
    """The opinion of the plan for this user, or 404."""
    plan = plan_for(request, slug)
    opinion = (
        Opinion.objects.filter(plan=plan, fy=fy, number=number)
        .select_related("department", "author")
        .first()
    )
    if opinion is None:
        raise Http404("no such opinion")
    opinion.plan = plan
    return opinion


def _role(user: Any, plan: Plan) -> str | None:
    member = membership(user)
    if member is None or member.organization_id != plan.organization_id:
        return None
    return member.role


def is_admin(user: Any, plan: Plan) -> bool:
    return can_edit_structure(user, plan.organization)


def may_record(user: Any, plan: Plan) -> bool:
    """May enter a new opinion: the 管理者 (from the minutes) or a committee member (閲覧)."""
    return is_admin(user, plan) or _role(user, plan) == Role.VIEWER


def origin_for(user: Any, plan: Plan) -> str:
    """A committee member's opinions are their own; the 管理者's come from the minutes."""
    return Opinion.Origin.MINUTES if is_admin(user, plan) else Opinion.Origin.MEMBER


def may_edit(user: Any, opinion: Opinion) -> bool:
    """May change the text and what it concerns: 管理者, or its author (閲覧) while 未対応."""
    if is_admin(user, opinion.plan):
        return True
    return (
        _role(user, opinion.plan) == Role.VIEWER
        and opinion.origin == Opinion.Origin.MEMBER
        and opinion.author_id is not None
        and opinion.author_id == getattr(user, "pk", None)
        and opinion.status == Opinion.Status.OPEN
    )


def _covers(user: Any, department: Any) -> bool:
    mine = department_ids(user)
    return department.pk in mine or (
        department.parent_id is not None and department.parent_id in mine
    )


def may_answer(user: Any, opinion: Opinion) -> bool:
    """May answer and move the status: 管理者, or the assigned department's staff / approvers."""
    if is_admin(user, opinion.plan) or is_federation(user):
        return True
    if opinion.department_id is None:
        return False
    return _role(user, opinion.plan) in (Role.STAFF, Role.APPROVER) and _covers(
        user, opinion.department
    )


def may_assign(user: Any, opinion: Opinion) -> bool:
    return is_admin(user, opinion.plan)


def may_publish(user: Any, opinion: Opinion) -> bool:
    return is_admin(user, opinion.plan)
