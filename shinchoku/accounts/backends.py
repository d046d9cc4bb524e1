"""The login backend: Django's ModelBackend, with a per-request user load that reads what every
page's header and permission checks need in the same query.

Every signed-in page asked four more times after the user: its membership, the membership's
departments, the membership again for the header's menu, and the unread notification count.
Here the user, the membership and its organization come in one read, with the unread count as a
subquery and the ids of the membership's departments joined (one row per department): the
department checks of a 部署担当's or 承認者's page (accounts.permissions) ask nothing more. The
departments themselves are read at most once, only by a page that wants them. The read is
compiled once per process (shinchoku.prepared) and runs on every request, so that a changed
role or department holds from the next request on. Passwords are checked exactly as by
ModelBackend.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from shinchoku.accounts.permissions import remember_membership
from shinchoku.prepared import Prepared

PATH = "shinchoku.accounts.backends.MemberBackend"
UNREAD = "_shinchoku_unread"  # the header's unread count, read with the user
_DEPARTMENT = "_shinchoku_department"  # one department id of the membership per row


def unread_count(user: Any) -> int | None:
    """The unread notification count read along with the user, or None (then ask the table)."""
    return getattr(user, UNREAD, None)


def forget_unread_count(user: Any) -> None:
    """The count read with the user no longer holds (the user's notifications just changed)."""
    try:
        delattr(user, UNREAD)
    except AttributeError:
        pass


def _user_read(user_id: int):
    notification = apps.get_model("notify", "Notification")
    unread = (
        notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        get_user_model()
        ._default_manager.select_related("membership__organization")
        .annotate(
            **{UNREAD: Coalesce(Subquery(unread), 0), _DEPARTMENT: F("membership__departments__id")}
        )
        .filter(pk=user_id)
        .order_by()
    )


_USER = Prepared(_user_read, int)


class MemberBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            rows = _USER.objects(int(user_id))
        except (TypeError, ValueError):
            return None
        if not rows:
            return None
        user = rows[0]
        if not self.user_can_authenticate(user):
            return None
        departments = frozenset(
            d for d in (getattr(row, _DEPARTMENT) for row in rows) if d is not None
        )
        delattr(user, _DEPARTMENT)
        remember_membership(user, getattr(user, "membership", None), departments)
        return user
