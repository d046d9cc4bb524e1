"""Template filters for fiscal years and plan values."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from shinchoku.core import node_names, wareki
from shinchoku.date_fields import date_input_text

register = template.Library()

TAG_CLASSES = {"新規": "tag-new", "継続": "tag-continued", "充実・強化": "tag-expanded"}


@register.filter
def fy_label(fy: int) -> str:
    """令和元年度(2019年度)."""
    return wareki.fy_label(int(fy))


@register.filter
def fy_short(fy: int) -> str:
    """令和元年度."""
    return wareki.fy_short(int(fy))


@register.filter
def fy_western(fy: int) -> str:
    """2019年度."""
    return wareki.fy_western(int(fy))


@register.filter
def tag_class(tag: str) -> str:
    """CSS class for a 新規 / 継続 / 充実・強化 tag."""
    return TAG_CLASSES.get(tag, "tag-other")


@register.filter
def wareki_datetime(moment: datetime | None) -> str:
    """令和8年12月3日(2026年12月3日) 21:18 in local time; ― when there is none."""
    if not moment:
        return "―"
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return wareki.moment_label(local)


@register.filter
def wareki_date(day: date | datetime | None) -> str:
    """平成30年3月31日(2018年3月31日) (a moment's local day), or "" when there is no date."""
    if isinstance(day, datetime) and timezone.is_aware(day):
        day = timezone.localtime(day)
    if isinstance(day, datetime):
        day = day.date()
    return wareki.date_label(day) if day else ""


@register.filter
def wareki_input(value) -> str:
    """The text of a date input: 令和元年5月31日(2019年5月31日), or what was typed."""
    return date_input_text(value)


@register.filter
def level_name(plan, level: int) -> str:
    """The plan's own name for a level: 基本目標, 施策, 事業…"""
    return plan.level_name(int(level))


@register.filter
def node_name(node) -> str:
    """A node's number and title, the number left out when it is a bare bullet (「・」)."""
    return node_names.node_name(node.label, node.title)


@register.filter
def shown_label(label: str) -> str:
    """A node's number as shown: "" for a bare bullet (「・」)."""
    return node_names.shown_label(label)


@register.filter
def email_breaks(address: str):
    """An e-mail address that may break only before its 「@」 and its dots, never mid-word."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    local, at, domain = str(address).partition("@")
    if not at:
        return address
    domain_html = "<wbr>.".join(escape(part) for part in domain.split("."))
    return mark_safe(f"{escape(local)}<wbr>@{domain_html}")  # every part escaped
