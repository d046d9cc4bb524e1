"""Template filters for fiscal years and plan values."""

from django import template

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
