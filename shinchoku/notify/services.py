"""Write notifications in the caller's transaction; their e-mails leave from a task after commit.

`notify` is the one way in: it drops the acting user, inactive users and duplicates, writes one
row per recipient (a row already written for the same recipient and key is kept as it is) and,
when the transaction commits, enqueues one task on the "mail" queue that sends the e-mails of
that key's rows whose recipient has an address and wants that kind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shinchoku.accounts.models import Role
from shinchoku.accounts.permissions import membership
from shinchoku.jobs.compat import task
from shinchoku.notify.models import Kind, MailPreference, Notification

log = logging.getLogger(__name__)
User = get_user_model()


def absolute(link: str) -> str:
    """The link as an e-mail shows it: settings.SHINCHOKU_BASE_URL + the path."""
    return f"{settings.SHINCHOKU_BASE_URL}{link}" if link.startswith("/") else link


def notify(
    recipients: Iterable[Any],
    kind: str,
    subject: str,
    body: str,
    link: str,
    key: str,
    *,
    actor: Any = None,
) -> list[Notification]:
    """Notify each recipient once for `key`; return the rows written now (not those before)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind: {kind}")
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    users = {u.pk: u for u in recipients if u is not None and u.is_active and u.pk != actor_id}
    if not users:
        return []
    done = set(
        Notification.objects.filter(recipient_id__in=users, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    muted = dict(MailPreference.objects.filter(user_id__in=users).values_list("user_id", "muted"))
    rows = []
    for pk in sorted(users):
        if pk in done:
            continue
        user = users[pk]
        wanted = bool(user.email) and kind not in muted.get(pk, [])
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                subject=subject[:300],
                body=body,
                link=link,
                key=key,
                mail=Notification.Mail.QUEUED if wanted else Notification.Mail.NOT_WANTED,
            )
        )
    if not rows:
        return []
    # A row written meanwhile by another run for the same recipient and key is left as it is
    # (no IntegrityError that would break the caller's transaction).
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.mail == Notification.Mail.QUEUED for r in rows):
        transaction.on_commit(lambda: send_notifications.enqueue(key))
    return rows


@task(queue_name="mail")
def send_notifications(key: str) -> dict[str, int]:
    """Send the e-mail of every queued row of `key`, one message per recipient.

    Each row is claimed under its row lock, so a task retried or run twice sends nothing twice;
    an SMTP error fails only its row (logged, kept on the row).
    """
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    ids = list(
        Notification.objects.filter(key=key, mail=Notification.Mail.QUEUED).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        counts[_send_one(pk)] += 1
    return counts


def _send_one(pk: int) -> str:
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=pk, mail=Notification.Mail.QUEUED)
            .first()
        )
        if row is None:
            return "skipped"
        user = row.recipient
        pref = MailPreference.objects.filter(user=user).first()
        if not user.is_active or not user.email or (pref and not pref.wants(row.kind)):
            row.mail = Notification.Mail.NOT_WANTED
            row.save(update_fields=["mail"])
            return "skipped"
        body = row.body
        if row.link:
            body = f"{body}\n\n{absolute(row.link)}\n"
        try:
            EmailMessage(subject=row.subject, body=body, to=[user.email]).send(fail_silently=False)
        except Exception as e:  # SMTP errors and OSError: this row fails, the others go on
            log.exception("notification %s to user %s failed", row.key, user.pk)
            row.mail, row.mail_error = Notification.Mail.FAILED, f"{type(e).__name__}: {e}"[:2000]
            row.save(update_fields=["mail", "mail_error"])
            return "failed"
        row.mail, row.mailed_at = Notification.Mail.SENT, timezone.now()
        row.save(update_fields=["mail", "mailed_at"])
        return "sent"


# --------------------------------------------------------------------------- who is told


def _members(organization_id: int, roles: Iterable[str], department: Any = None):
    """Active users of the organization with one of the roles (covering the department)."""
    qs = User.objects.filter(
        is_active=True,
        membership__organization_id=organization_id,
        membership__role__in=list(roles),
    )
    if department is not None:
        covering = Q(membership__departments=department.pk)
        if department.parent_id:
            covering |= Q(membership__departments=department.parent_id)
        qs = qs.filter(covering)
    return list(qs.distinct().order_by("pk"))


def staff_of(department: Any) -> list[Any]:
    """The department's 部署担当 (of it or of the 課 above it); its 承認者 when it has none."""
    found = _members(department.organization_id, [Role.STAFF], department)
    return found or _members(department.organization_id, [Role.APPROVER], department)


def approvers_of(department: Any) -> list[Any]:
    """The department's 承認者; the organization's 管理者 when it has none."""
    found = _members(department.organization_id, [Role.APPROVER], department)
    return found or admins_of(department.organization_id)


def admins_of(organization_id: int) -> list[Any]:
    return _members(organization_id, [Role.ADMIN])


# The kinds each role can receive, from who the events above tell (events.py): staff_of (部署担当;
# a department's 承認者 when it has none), approvers_of (承認者; the 管理者 when there is none) and
# admins_of. The preferences page offers only these; 閲覧 and the operator receive nothing.
_STAFF_KINDS = (
    Kind.ROUND_OPENED,  # staff_of
    Kind.RETURNED,  # staff_of
    Kind.APPROVED,  # staff_of
    Kind.DEADLINE_NEAR,  # staff_of
    Kind.DEADLINE_PASSED,  # staff_of
    Kind.REMINDER,  # staff_of
    Kind.OPINION_ASSIGNED,  # staff_of
)
KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.STAFF: _STAFF_KINDS,
    Role.APPROVER: (*_STAFF_KINDS, Kind.SUBMITTED),  # approvers_of; staff_of's fallback
    Role.ADMIN: (
        Kind.SUBMITTED,  # approvers_of's fallback
        Kind.DEADLINE_PASSED,  # admins_of, once per round
        Kind.OPINION_ANSWERED,  # admins_of
    ),
    Role.VIEWER: (),
}


def kinds_for(user: Any) -> list[str]:
    """The kinds of notification the user's role can receive, in the order of Kind."""
    member = membership(user)
    allowed = KINDS_BY_ROLE.get(member.role, ()) if member is not None else ()
    return [k for k in Kind.values if k in allowed]


# --------------------------------------------------------------------------- failed e-mails


def round_mail_failures(round_: Any, sheet_pks: list[int]) -> list[Notification]:
    """The round's notifications whose e-mail failed (one query), oldest first, recipient loaded.

    Each row gets `sheet_pk`: the sheet it is about, None for the round's own (to the 管理者).
    """
    from shinchoku.notify.events import round_key_pattern, sheet_of_key  # events imports us

    rows = list(
        Notification.objects.filter(
            mail=Notification.Mail.FAILED, key__regex=round_key_pattern(round_.pk, sheet_pks)
        )
        .select_related("recipient")
        .order_by("created", "pk")
    )
    for row in rows:
        row.sheet_pk = sheet_of_key(row.key)
    return rows


def retry_round_mail(round_: Any) -> int:
    """Queue again the failed e-mails of the round; the mail task sends them after commit."""
    from shinchoku.notify.events import round_key_pattern  # events imports this module

    sheet_pks = list(round_.reports.values_list("pk", flat=True))
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(mail=Notification.Mail.FAILED)
            .filter(key__regex=round_key_pattern(round_.pk, sheet_pks))
            .values_list("pk", "key")
        )
        if not rows:
            return 0
        Notification.objects.filter(pk__in=[pk for pk, _ in rows]).update(
            mail=Notification.Mail.QUEUED, mail_error=""
        )
        keys = sorted({key for _, key in rows})

        def enqueue() -> None:
            for key in keys:
                send_notifications.enqueue(key)

        transaction.on_commit(enqueue)
    return len(rows)


def board_mail_failures(round_: Any, reports: list[Any]) -> list[Notification]:
    """The round's failed e-mails for its board (one query): each report gets `mail_failed`, its
    department's rows; the rows about the round itself (to the 管理者) have `sheet_pk` None."""
    rows = round_mail_failures(round_, [r.pk for r in reports])
    by_sheet: dict[int | None, list[Notification]] = {}
    for row in rows:
        by_sheet.setdefault(row.sheet_pk, []).append(row)
    for report in reports:
        report.mail_failed = by_sheet.get(report.pk, [])
    return rows
