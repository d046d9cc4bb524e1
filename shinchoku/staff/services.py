"""Adding, changing and (de)activating the people of an organization.

Every change of a membership bumps its version in the same transaction; a form or a roster row
that carries an older version changes nothing (StaleVersion).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shinchoku.accounts.models import Membership, Role
from shinchoku.audit.models import Action
from shinchoku.core.roster import default_login
from shinchoku.orgs.models import Department, Organization
from shinchoku.staff.events import department_names, person_event
from shinchoku.staff.tokens import send_invitation

User = get_user_model()


class StaffError(Exception):
    """A change that cannot be made; the message says why and what to do (Japanese)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersion(StaffError):
    pass


def stale_message() -> str:
    return _(
        "Someone else changed this person since you opened the page. Nothing was saved. "
        "Reload the page, check the current values and make your change again."
    )


@dataclass
class PersonData:
    name: str
    email: str
    username: str
    role: str
    departments: list[Department]


def default_username(email: str) -> str:
    return default_login(email)


def name_problem(name: str) -> str | None:
    if not name.strip():
        return _("Enter the name.")
    if len(name.strip()) > 150:
        return _("The name is too long: 150 characters at most.")
    return None


def email_problem(
    email: str, *, except_user_id: int | None = None, required: bool = True
) -> str | None:
    """Why the address cannot be a person's (None when it can); blank only when not required."""
    email = email.strip()
    if not email:
        if not required:
            return None
        return _("Enter the e-mail address: the invitation and password resets are sent there.")
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(value)s” is not a valid e-mail address. Enter it as name@example.jp.") % {
            "value": email
        }
    taken = User.objects.filter(email__iexact=email)
    if except_user_id is not None:
        taken = taken.exclude(pk=except_user_id)
    if taken.exists():
        return _(
            "The e-mail address “%(value)s” is already used by another user (of this or another "
            "organization). Each person needs an address of their own."
        ) % {"value": email}
    return None


def username_problem(username: str, *, except_user_id: int | None = None) -> str | None:
    username = username.strip()
    if not username:
        return _("Enter the login ID.")
    if len(username) > 150:
        return _("The login ID is too long: 150 characters at most.")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return _(
            "The login ID “%(value)s” may hold only letters, digits and @ . + - _ (no spaces)."
        ) % {"value": username}
    taken = User.objects.filter(username__iexact=username)
    if except_user_id is not None:
        taken = taken.exclude(pk=except_user_id)
    if taken.exists():
        return _(
            "The login ID “%(value)s” is already used by another user (of this or another "
            "organization). Choose another one."
        ) % {"value": username}
    return None


def active_admins(organization: Organization) -> int:
    return Membership.objects.filter(
        organization=organization, role=Role.ADMIN, user__is_active=True
    ).count()


def _bump(member: Membership, version: int | None) -> None:
    """Take the membership's next version, or StaleVersion when it moved on since `version`."""
    rows = Membership.objects.filter(pk=member.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if rows.update(version=F("version") + 1) != 1:
        raise StaleVersion(stale_message())
    member.version = (version if version is not None else member.version) + 1


def _check_departments(organization: Organization, departments: Iterable[Department]) -> None:
    if any(d.organization_id != organization.pk for d in departments):
        raise StaffError(_("Choose departments of this organization only."), "departments")


@transaction.atomic
def add_person(
    organization: Organization,
    data: PersonData,
    *,
    base_url: str | None = None,
    by=None,
    request=None,
) -> Membership:
    """Create the user (no usable password) and membership; the invitation goes after commit."""
    for field, problem in (
        ("name", name_problem(data.name)),
        ("email", email_problem(data.email)),
        ("username", username_problem(data.username)),
    ):
        if problem:
            raise StaffError(problem, field)
    _check_departments(organization, data.departments)
    user = User(
        username=data.username.strip(), email=data.email.strip(), last_name=data.name.strip()
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same login ID added at the same moment by someone else
        raise StaffError(
            username_problem(data.username) or _("This login ID was just taken. Choose another."),
            "username",
        ) from None
    member = Membership.objects.create(user=user, organization=organization, role=data.role)
    member.departments.set(data.departments)
    person_event(
        Action.STAFF_ADDED,
        user,
        organization.pk,
        by=by,
        request=request,
        detail={
            "name": user.last_name,
            "email": user.email,
            "username": user.username,
            "role": member.role,
            "departments": department_names(data.departments),
        },
    )
    send_invitation(user, organization, base_url, by=by, request=request)
    return member


@transaction.atomic
def update_person(
    member: Membership, data: PersonData, *, version: int | None, by, request=None
) -> bool:
    """Change name, e-mail, login ID, role and departments; False when nothing differed."""
    user = member.user
    for field, problem in (
        ("name", name_problem(data.name)),
        # someone made before e-mail addresses were kept may stay without one
        ("email", email_problem(data.email, except_user_id=user.pk, required=False)),
        ("username", username_problem(data.username, except_user_id=user.pk)),
    ):
        if problem:
            raise StaffError(problem, field)
    organization = member.organization
    _check_departments(organization, data.departments)
    _bump(member, version)
    member = Membership.objects.select_for_update().select_related("user").get(pk=member.pk)
    user = member.user
    if member.role == Role.ADMIN and data.role != Role.ADMIN and user.is_active:
        if user.pk == getattr(by, "pk", None) and not by.is_superuser:
            raise StaffError(
                _("You cannot take away your own administrator role. Ask another administrator."),
                "role",
            )
        if active_admins(organization) <= 1:
            raise StaffError(
                _(
                    "This is the last active administrator of the organization. Make someone "
                    "else an administrator first."
                ),
                "role",
            )
    old_departments = list(member.departments.all())
    before = {
        "name": user.last_name,
        "email": user.email,
        "username": user.username,
        "role": member.role,
        "departments": department_names(old_departments),
    }
    after = {
        "name": data.name.strip(),
        "email": data.email.strip(),
        "username": data.username.strip(),
        "role": data.role,
        "departments": department_names(data.departments),
    }
    changes = {
        key: {"before": before[key], "after": after[key]}
        for key in before
        if before[key] != after[key]
    }
    same_departments = {d.pk for d in old_departments} == {d.pk for d in data.departments}
    if same_departments:
        changes.pop("departments", None)
    elif "departments" not in changes:  # other departments of the same names
        changes["departments"] = {"before": before["departments"], "after": after["departments"]}
    if not changes:
        transaction.set_rollback(True)  # the version stays: nothing changed
        return False
    user.last_name, user.first_name = data.name.strip(), ""
    user.email, user.username = data.email.strip(), data.username.strip()
    try:
        with transaction.atomic():
            user.save(update_fields=["last_name", "first_name", "email", "username"])
    except IntegrityError:
        raise StaffError(_("This login ID was just taken. Choose another."), "username") from None
    member.role = data.role
    member.save(update_fields=["role"])
    member.departments.set(data.departments)
    person_event(Action.STAFF_EDITED, user, organization.pk, by=by, request=request, detail=changes)
    return True


@transaction.atomic
def set_active(member: Membership, active: bool, *, version: int | None, by, request=None) -> None:
    """Deactivate (no login; records keep the name) or reactivate a person."""
    user = member.user
    if not active:
        if user.pk == getattr(by, "pk", None):
            raise StaffError(_("You cannot deactivate yourself."))
        if member.role == Role.ADMIN and user.is_active and active_admins(member.organization) <= 1:
            raise StaffError(
                _(
                    "This is the last active administrator of the organization. Make someone "
                    "else an administrator before deactivating this person."
                )
            )
    _bump(member, version)
    user.is_active = active
    user.save(update_fields=["is_active"])
    person_event(
        Action.STAFF_REACTIVATED if active else Action.STAFF_DEACTIVATED,
        user,
        member.organization_id,
        by=by,
        request=request,
    )


def invitation_state(user) -> str:
    """ "pending" until the person chose a password, then "accepted"."""
    return "accepted" if user.has_usable_password() else "pending"
