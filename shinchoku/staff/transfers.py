"""人事異動: record a transfer, apply it when its date has come (at once, or by the daily job).

Applying one changes only membership.departments (and the role when asked): the sheets of past
and current rounds belong to their departments, so the person sees the new department's sheets
and no longer the old one's, and everything they wrote stays where it is, under their name.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shinchoku.accounts.models import Membership, Role
from shinchoku.audit.models import Action
from shinchoku.orgs.models import Department
from shinchoku.staff.events import person_event
from shinchoku.staff.models import Transfer
from shinchoku.staff.services import StaffError, active_admins


def _names(departments) -> list[dict]:
    return [{"id": d.pk, "name": d.name} for d in departments]


def _detail(transfer: Transfer) -> dict:
    """What the audit event shows of a transfer: its date, departments and role."""
    detail = {
        "effective": transfer.effective.isoformat(),
        "departments": {
            "before": [d["name"] for d in transfer.departments_before],
            "after": [d["name"] for d in transfer.departments_after],
        },
    }
    if transfer.role_after:
        detail["role"] = {"before": transfer.role_before, "after": transfer.role_after}
    return detail


def _event(action: str, transfer: Transfer, *, by=None, request=None) -> None:
    person_event(
        action,
        transfer.user,
        transfer.organization_id,
        by=by,
        request=request,
        detail=_detail(transfer),
    )


def today() -> datetime.date:
    return timezone.localdate()


@transaction.atomic
def record_transfer(
    member: Membership,
    *,
    effective: datetime.date,
    departments: list[Department],
    role: str = "",
    by=None,
    request=None,
) -> Transfer:
    """Store the transfer; apply it now when its date is today or earlier."""
    if any(d.organization_id != member.organization_id for d in departments):
        raise StaffError(_("Choose departments of this organization only."), "departments")
    if role and role not in Role.values:
        raise StaffError(_("Choose a role from the list."), "role")
    transfer = Transfer.objects.create(
        user=member.user,
        organization=member.organization,
        effective=effective,
        departments_before=_names(member.departments.all()),
        departments_after=_names(departments),
        role_before=member.role,
        role_after=role if role and role != member.role else "",
        created_by=by if getattr(by, "is_authenticated", False) else None,
        created_by_name=(by.get_full_name() or by.get_username()) if by is not None else "",
    )
    _event(Action.TRANSFER_RECORDED, transfer, by=by, request=request)
    if effective <= today():
        _apply(transfer, by=by, request=request)
    return transfer


def _apply(transfer: Transfer, *, by=None, request=None) -> bool:
    """Apply one transfer inside the caller's transaction; False when already applied."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.applied_at is not None:
        return False
    member = (
        Membership.objects.select_for_update()
        .filter(user_id=transfer.user_id, organization_id=transfer.organization_id)
        .first()
    )
    if member is not None:
        if (
            transfer.role_after
            and member.role == Role.ADMIN
            and transfer.role_after != Role.ADMIN
            and active_admins(member.organization) <= 1
        ):
            raise StaffError(
                _(
                    "This is the last active administrator of the organization. Make someone "
                    "else an administrator first."
                ),
                "role",
            )
        transfer.departments_before = _names(member.departments.all())
        wanted = [d["id"] for d in transfer.departments_after]
        member.departments.set(
            Department.objects.filter(organization_id=transfer.organization_id, pk__in=wanted)
        )
        if transfer.role_after:
            member.role = transfer.role_after
            member.save(update_fields=["role"])
        Membership.objects.filter(pk=member.pk).update(version=F("version") + 1)
    transfer.applied_at = timezone.now()
    transfer.save(update_fields=["applied_at", "departments_before"])
    _event(Action.TRANSFER_APPLIED, transfer, by=by, request=request)
    return True


def apply_due(day: datetime.date) -> int:
    """The daily job: apply every transfer dated `day` or earlier not yet applied (idempotent)."""
    applied = 0
    due = Transfer.objects.filter(applied_at__isnull=True, effective__lte=day).order_by(
        "effective", "id"
    )
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                if _apply(Transfer.objects.get(pk=pk)):
                    applied += 1
        except StaffError:
            continue  # refused (last administrator): stays pending, shown on the person's page
    return applied


@transaction.atomic
def cancel(transfer: Transfer, *, by=None, request=None) -> None:
    """Remove a transfer that has not been applied yet."""
    if Transfer.objects.filter(pk=transfer.pk, applied_at__isnull=True).delete()[0] != 1:
        raise StaffError(_("This transfer has already been applied and cannot be cancelled."))
    _event(Action.TRANSFER_CANCELLED, transfer, by=by, request=request)
