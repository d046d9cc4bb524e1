"""Audit events for changes to people (shinchoku.audit): who changed whom, in which organization.

Each is recorded inside the change's transaction (a savepoint), so a change that is rolled back
leaves no event; the organization is the person's, also when an operator or the daily job acts.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shinchoku.audit.recorder import record


def _url_name(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def person_event(
    action: str,
    person: Any,
    organization_id: int,
    *,
    by: Any = None,
    request: HttpRequest | None = None,
    detail: dict | None = None,
) -> None:
    """Record `action` by `by` (None: the daily job) on `person` of the organization."""
    record(
        action,
        request=request,
        user=by if getattr(by, "is_authenticated", False) else None,
        url_name=_url_name(request),
        organization_id=organization_id,
        target=person,
        detail=detail,
    )


def department_names(departments) -> list[str]:
    return sorted(d.name for d in departments)
