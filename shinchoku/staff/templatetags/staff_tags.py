from __future__ import annotations

from django import template

from shinchoku.plans.templatetags.shinchoku import wareki_datetime

register = template.Library()


# The shared filter, under the name the staff templates use.
register.filter("wareki_datetime", wareki_datetime)
