"""Template filters for fiscal years and plan values."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from shinchoku.core import wareki

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
    return f"{wareki_date(local.date())} {local:%H:%M}"


@register.filter
def wareki_date(day: date | None) -> str:
    """平成30年3月31日 (2018年3月31日), or "" when there is no date."""
    if not day:
        return ""
    era, year = wareki.era_of(day)
    return (
        f"{era}{wareki.era_year_text(year)}年{day.month}月{day.day}日"
        f"({day.year}年{day.month}月{day.day}日)"
    )


@register.filter
def level_name(plan, level: int) -> str:
    """The plan's own name for a level: 基本目標, 施策, 事業…"""
    return plan.level_name(int(level))
