"""`{% load reasons %}{{ judgement.note|reason }}`: a core reason in the reader's language."""

from __future__ import annotations

from django import template

from shinchoku.core.values import Reason
from shinchoku.rounds.reasons import reason_text

register = template.Library()


@register.filter
def reason(value: Reason | None) -> str:
    """The reason or note of a judgement, worded in the active language."""
    return reason_text(value)
