"""The header's link to the user's notifications, with the unread count (one query)."""

from __future__ import annotations

from django import template

from shinchoku.notify.models import Notification

register = template.Library()


@register.inclusion_tag("notify/_badge.html", takes_context=True)
def notification_badge(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    return {"show": True, "unread": unread}


@register.filter
def wareki_moment(moment) -> str:
    """令和8年12月3日(2026年12月3日) 21:18: a notification's time in 和暦 with the western year."""
    from django.utils import timezone

    from shinchoku.plans.templatetags.shinchoku import wareki_date

    if not moment:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{wareki_date(local.date())} {local:%H:%M}"
