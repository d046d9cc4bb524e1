"""Who may do what. Every view asks here; nothing else decides.

Roles are per organization: 管理者 (admin) changes plan structure and users, 部署担当 (staff)
reports progress for its departments, 承認者 (approver) approves them, 閲覧 (viewer) reads.
An active superuser is a federation operator and sees every organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shinchoku.accounts.models import Membership, Role
from shinchoku.orgs.models import Department, Organization


class LoginRequired(Exception):
    """Raised for an anonymous user; the middleware sends them to the login page."""


_CACHE = "_shinchoku_membership"
_DEPARTMENT_IDS = "_shinchoku_department_ids"  # (the prefetch they hold for, the ids)


def membership(user: Any) -> Membership | None:
    """The user's membership, or None (anonymous, inactive or without one); cached per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, _CACHE):
        found = (
            Membership.objects.select_related("organization")
            .prefetch_related("departments")
            .filter(user=user)
            .first()
        )
        setattr(user, _CACHE, found)
    return getattr(user, _CACHE)


def remember_membership(
    user: Any, found: Membership | None, department_ids: frozenset[int] | None = None
) -> None:
    """The user's membership (with its organization), read along with the user.

    Its departments are read once, when a page first asks for them: the manager's prefetch
    cache holds a query that is evaluated on first use and kept (an add or set clears it).
    `department_ids`, read with the user too, answer the department checks without a query
    for as long as that prefetch cache stands.
    """
    if found is not None and "departments" not in getattr(found, "_prefetched_objects_cache", {}):
        # The filter is built when the query is first run, as related managers defer theirs:
        # most pages never run it.
        lazy = Department.objects.all()
        lazy._defer_next_filter = True
        lazy = lazy.filter(members=found)
        found._prefetched_objects_cache = {
            **getattr(found, "_prefetched_objects_cache", {}),
            "departments": lazy,
        }
        if department_ids is not None:
            setattr(found, _DEPARTMENT_IDS, (lazy, department_ids))
    setattr(user, _CACHE, found)


def department_ids(user: Any) -> frozenset[int]:
    """The ids of the departments the user works in (none without a membership)."""
    member = membership(user)
    if member is None:
        return frozenset()
    known = getattr(member, _DEPARTMENT_IDS, None)
    # Read with the user, unless the membership's departments were changed since (that clears
    # the prefetch cache the ids were stored with).
    if known is not None and member._prefetched_objects_cache.get("departments") is known[0]:
        return known[1]
    return frozenset(d.pk for d in member.departments.all())


def membership_known(user: Any) -> bool:
    """Whether this request has read the user's membership already."""
    return hasattr(user, _CACHE)


def remember_no_membership(user: Any) -> None:
    """The user was found to have no membership (read along with something else)."""
    setattr(user, _CACHE, None)


def is_federation(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def _role_in(user: Any, organization: Organization) -> str | None:
    member = membership(user)
    if member is None or member.organization_id != organization.pk:
        return None
    return member.role


def can_view(user: Any, organization: Organization) -> bool:
    return is_federation(user) or _role_in(user, organization) is not None


def can_edit_structure(user: Any, organization: Organization) -> bool:
    return is_federation(user) or _role_in(user, organization) == Role.ADMIN


def can_see_draft_plans(user: Any, organization: Organization) -> bool:
    """A draft plan (策定中, the next plan) is read by the 管理者 and the approvers only."""
    return is_federation(user) or _role_in(user, organization) in (Role.ADMIN, Role.APPROVER)


def _covers(user: Any, department: Department | None) -> bool:
    """The user works in the department, or in the 課 above it."""
    if department is None:
        return True
    mine = department_ids(user)
    return department.pk in mine or (
        department.parent_id is not None and department.parent_id in mine
    )


def can_report(user: Any, organization: Organization, department: Department | None = None) -> bool:
    if is_federation(user):
        return True
    role = _role_in(user, organization)
    if role == Role.ADMIN:
        return True
    return role in (Role.STAFF, Role.APPROVER) and _covers(user, department)


def can_approve(
    user: Any, organization: Organization, department: Department | None = None
) -> bool:
    if is_federation(user):
        return True
    role = _role_in(user, organization)
    if role == Role.ADMIN:
        return True
    return role == Role.APPROVER and _covers(user, department)


@dataclass(frozen=True)
class DraftScope:
    """Whose unapproved sheets (drafts, submitted, returned) a user may read.

    Figures and texts of a sheet not yet approved are seen by its department's staff and
    approvers (or those of the 課 above it), the organization's 管理者 and the federation
    operator; everyone else sees only the sheet's status.
    """

    every: bool = False
    departments: frozenset[int] = frozenset()

    def covers(self, department: Department | None) -> bool:
        if self.every:
            return True
        if department is None:
            return False
        return department.pk in self.departments or (
            department.parent_id is not None and department.parent_id in self.departments
        )


APPROVED_ONLY = DraftScope()  # public pages and the committee report: no draft for anyone


def draft_scope(user: Any, organization: Organization) -> DraftScope:
    """The departments of the organization whose unapproved sheets the user may read."""
    if is_federation(user):
        return DraftScope(every=True)
    role = _role_in(user, organization)
    if role == Role.ADMIN:
        return DraftScope(every=True)
    if role in (Role.STAFF, Role.APPROVER):
        return DraftScope(departments=department_ids(user))
    return APPROVED_ONLY


def can_see_drafts(user: Any, organization: Organization, department: Department) -> bool:
    """The user may read the department's unapproved figures and texts (not only its status)."""
    return draft_scope(user, organization).covers(department)


def visible_organizations(user: Any) -> QuerySet[Organization]:
    if is_federation(user):
        return Organization.objects.all()
    member = membership(user)
    if member is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=member.organization_id)


def require(request: Any, allowed: bool) -> None:
    """Stop the view: to the login page when anonymous, 403 when logged in but not allowed."""
    from django.core.exceptions import PermissionDenied

    if allowed:
        return
    if not request.user.is_authenticated:
        raise LoginRequired
    raise PermissionDenied
