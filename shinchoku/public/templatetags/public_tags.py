"""Template filters of the public pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from shinchoku.core import signed

register = template.Library()


@register.filter
def percent(rate: Decimal | None) -> str:
    """A rate as a percentage with one decimal: 0.9567 → 95.7%, -0.5 → △50.0% (core.signed)."""
    return signed.percent(rate)
