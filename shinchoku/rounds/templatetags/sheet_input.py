"""Filters for the department's sheet (issue 12 parts 3 and 5): row labels, refused fields."""

from __future__ import annotations

from django import template

from shinchoku.rounds.labels import content_label

register = template.Library()


@register.filter
def row_label(line) -> str:
    """A content line's label as the screen and the Excel sheet show it (1, 事業共通3)."""
    return content_label(line.content, line.position)


@register.simple_tag
def field_error(errors: dict | None, prefix: str, name: str) -> str:
    """The message of the refused field `prefix|name`, "" when the field was saved.

    {% field_error field_errors prefix "actual" as err %}
    """
    return (errors or {}).get(f"{prefix}|{name}", "")
