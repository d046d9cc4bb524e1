"""The header's link to the user's notifications, with the unread count (one query)."""

from __future__ import annotations

from django import template

from shinchoku.notify.models import Notification
from shinchoku.plans.templatetags.shinchoku import wareki_datetime

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def notification_badge(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    return {"show": True, "unread": unread}


# A notification's time: the shared filter, under the name the notify templates use.
register.filter("wareki_moment", wareki_datetime)
