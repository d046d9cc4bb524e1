"""Write one audit event: a single INSERT, never an error for the user's request.

The organization, the user of a failed login and the department are resolved by subqueries
inside that INSERT, so recording costs no extra round trip. Every event is also logged on the
`shinchoku.audit` logger (one structured line, see logfmt.py).
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from shinchoku.accounts.models import Membership
from shinchoku.audit.models import AuditEvent
from shinchoku.orgs.models import Department
from shinchoku.plans.models import Plan

logger = logging.getLogger("shinchoku.audit")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    With N trusted proxies in front (SHINCHOKU_TRUSTED_PROXY_COUNT), each appends the address it
    received the request from, so the N-th entry from the right was written by our outermost
    proxy and is the client; anything left of it is whatever the client sent and is ignored.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "SHINCHOKU_TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(hops) >= count:
            address = hops[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _cut(value: Any, length: int) -> str:
    return str(value or "")[:length]


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    url_name: str = "",
    plan_slug: str = "",
    fiscal_year: int | None = None,
    department_id: int | None = None,
    object_key: str = "",
    filename: str = "",
    status: int | None = None,
    organization_id: int | None = None,
    target: Any = None,
    detail: dict | None = None,
) -> None:
    """Record an event; a failure is logged and swallowed (the request goes on).

    organization_id, when given, is the organization the event belongs to (a change to one of
    its people, also when made by an operator or by the daily job); target is that person.
    """
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    if user_id is not None and not username:
        username = user.get_username()
    fields = {
        "action": action,
        "username": _cut(username, 150),
        "ip": client_ip(request),
        "method": _cut(getattr(request, "method", ""), 10),
        "path": _cut(getattr(request, "path", ""), 500),
        "url_name": _cut(url_name, 100),
        "plan_slug": _cut(plan_slug, 80),
        "fiscal_year": fiscal_year if fiscal_year and 0 < fiscal_year < 32768 else None,
        "object_key": _cut(object_key, 100),
        "filename": _cut(filename, 255),
        "status": status,
    }
    if target is not None:
        fields["target_id"] = target.pk
        fields["target_name"] = _cut(target.get_full_name() or target.get_username(), 150)
    if detail:
        fields["detail"] = detail
    _log(fields, user_id)
    try:
        _insert(fields, user_id, department_id, organization_id)
    except Exception:
        logger.exception("audit event not stored: action=%s", action)


def _log(fields: dict[str, Any], user_id: int | None) -> None:
    shown = {key: value for key, value in fields.items() if value not in ("", None)}
    if user_id is not None:
        shown["user_id"] = user_id
    logger.info("audit %s", fields["action"], extra={"audit": shown})


def _insert(
    fields: dict[str, Any],
    user_id: int | None,
    department_id: int | None,
    organization_id: int | None = None,
) -> None:
    values = dict(fields)
    if user_id is not None:
        values["user_id"] = user_id
        members = Membership.objects.filter(user_id=user_id)
    elif fields["username"]:
        # A failed login or a lockout: link the account that was tried, if there is one.
        User = get_user_model()
        typed = {User.USERNAME_FIELD: fields["username"]}
        values["user_id"] = Subquery(User.objects.filter(**typed).values("pk")[:1])
        members = Membership.objects.filter(**{f"user__{User.USERNAME_FIELD}": fields["username"]})
    else:
        members = None
    sources = []
    if fields["plan_slug"]:
        sources.append(
            Subquery(Plan.objects.filter(slug=fields["plan_slug"]).values("organization_id")[:1])
        )
    if members is not None:
        sources.append(Subquery(members.values("organization_id")[:1]))
    if organization_id is not None:
        values["organization_id"] = organization_id
    elif len(sources) == 1:
        values["organization_id"] = sources[0]
    elif sources:
        values["organization_id"] = Coalesce(*sources)
    if department_id is not None:
        values["department_id"] = Subquery(
            Department.objects.filter(pk=department_id).values("pk")[:1]
        )
    if connection.in_atomic_block:
        # A failed INSERT would spoil the caller's transaction on PostgreSQL: use a savepoint.
        with transaction.atomic():
            AuditEvent.objects.create(**values)
    else:
        AuditEvent.objects.create(**values)


def retention_days() -> int:
    return getattr(settings, "SHINCHOKU_AUDIT_RETENTION_DAYS", 1825)


def prune(days: int | None = None, *, now=None) -> int:
    """Delete the events older than the retention period; the number deleted."""
    days = retention_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _per_model = AuditEvent.objects.filter(created__lt=cutoff).delete()
    return deleted
