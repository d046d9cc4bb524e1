"""The header's account tags: who is signed in, said once."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from shinchoku.accounts.permissions import membership

register = template.Library()


def identity(user: Any) -> dict[str, str]:
    """The user's name, and the organization and role only where the name does not say them.

    Demo and imported accounts are often named after their post (「西東京市社会福祉協議会 管理者」):
    repeating the organization and role after such a name reads as a stutter. What is visible
    (the name, then the detail on a smaller second line) always says all three.
    """
    # Family name first, as Japanese names are written (get_full_name() puts the given name first).
    parts_of_name = (getattr(user, "last_name", ""), getattr(user, "first_name", ""))
    name = " ".join(p.strip() for p in parts_of_name if p and p.strip()) or user.get_username()
    parts: list[str] = []
    m = membership(user)
    if m is not None:
        parts = [m.organization.name, str(m.get_role_display())]
    elif user.is_superuser:
        parts = [_("Federation operator")]
    detail = [p for p in parts if p and p not in name]
    return {"name": name, "detail": "・".join(detail)}


@register.simple_tag
def user_identity(user: Any) -> dict[str, str]:
    return identity(user)
