"""The login backend: Django's ModelBackend, with a per-request user load that reads what every
page's header and permission checks need in the same query.

Every signed-in page asked four more times after the user: its membership, the membership's
departments, the membership again for the header's menu, and the unread notification count.
Here the user, the membership and its organization come in one row, with the unread count as a
subquery; the departments are read at most once, only by the page that asks for them (a
管理者's pages never do). Passwords are checked exactly as by ModelBackend.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from shinchoku.accounts.permissions import remember_membership

PATH = "shinchoku.accounts.backends.MemberBackend"
UNREAD = "_shinchoku_unread"  # the header's unread count, read with the user


def unread_count(user: Any) -> int | None:
    """The unread notification count read along with the user, or None (then ask the table)."""
    return getattr(user, UNREAD, None)


def forget_unread_count(user: Any) -> None:
    """The count read with the user no longer holds (the user's notifications just changed)."""
    try:
        delattr(user, UNREAD)
    except AttributeError:
        pass


class MemberBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        notification = apps.get_model("notify", "Notification")
        unread = (
            notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        users = get_user_model()._default_manager
        user = (
            users.select_related("membership__organization")
            .annotate(**{UNREAD: Coalesce(Subquery(unread), 0)})
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_membership(user, getattr(user, "membership", None))
        return user
