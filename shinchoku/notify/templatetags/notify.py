"""The header's link to the user's notifications, with the unread count: read with the user by
the login backend (no query here), or else one query.

When the page has not read the user's membership yet (a federation operator's pages, which
need none), the same query says whether there is one, and the header's name (accounts_ui)
asks nothing more when there is none.
"""

from __future__ import annotations

from django import template
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from shinchoku.accounts.backends import unread_count
from shinchoku.accounts.models import Membership
from shinchoku.accounts.permissions import membership_known, remember_no_membership
from shinchoku.notify.models import Notification
from shinchoku.plans.templatetags.shinchoku import wareki_datetime

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def notification_badge(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    known = unread_count(user)
    if known is not None:  # read with the user (shinchoku.accounts.backends)
        return {"show": True, "unread": known}
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if membership_known(user):
        return {"show": True, "unread": unread.count()}
    counted = unread.order_by().values("recipient_id").annotate(n=Count("pk")).values("n")
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            unread=Coalesce(Subquery(counted), 0),
            member=Exists(Membership.objects.filter(user_id=OuterRef("pk"))),
        )
        .first()
    )
    if row is None:
        return {"show": False}
    if not row["member"]:
        remember_no_membership(user)
    return {"show": True, "unread": row["unread"]}


# A notification's time: the shared filter, under the name the notify templates use.
register.filter("wareki_moment", wareki_datetime)
