"""Parts of staff pages kept in Django's cache until their plan changes (issue 16).

The progress view, the committee report and the dashboard show what `rounds.progress` judges
from the plan's data. That data changes only with a write that raises the plan's cache version
(plans.cache_version, in the write's own transaction), so what they render from it is kept under
a key holding the version, and also the language and whatever else makes it differ between
readers: the drafts the reader may see (`scope_key`), the day when it counts days. A change
makes the stored copy unreachable; nothing stale is shown.

Only the parts rendered from the plan's data are kept: the page around them (the header, the
user's menu, forms with their CSRF token) is rendered on every request, and every permission
check runs before the cache is looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import get_language

from shinchoku.accounts.permissions import DraftScope
from shinchoku.plans import cache_version
from shinchoku.plans.access import visible_plan
from shinchoku.plans.models import Plan

MISSING = object()


def scope_key(drafts: DraftScope) -> str:
    """The drafts a reader may see, as a key part: every, none, or the departments."""
    if drafts.every:
        return "all"
    return "d" + "-".join(str(d) for d in sorted(drafts.departments)) if drafts.departments else "0"


def plan_version(plan: Plan) -> int:
    """The plan's cache version: read along with the plan (`with_versions`) or one query."""
    if getattr(plan, "cached_version", None) is None:
        plan.cached_version = cache_version.current(plan.pk)
    else:
        cache_version.version_read()
    return plan.cached_version


def plan_for(request: HttpRequest, slug: str) -> Plan:
    """`rounds.access.plan_for`, with the plan's cache version read in the same query."""
    plan = visible_plan(request, slug, versioned=True)
    plan.cached_version = plan.cache_v
    return plan


def with_versions(plans: Any) -> Any:
    """A queryset of plans, each with its cache version (`cached_version`) in the same query."""
    return plans.annotate(cached_version=F("cache_version__version"))


def key(kind: str, plan: Plan, *parts: object) -> str:
    """The cache key of a part of a plan's page, under the plan's current version."""
    rest = ":".join(str(p) for p in parts)
    version = plan_version(plan) or 0
    return f"shinchoku:page:{kind}:{plan.pk}:v{version}:{get_language()}:{rest}"


def kept(cache_key: str, make: Callable[[], Any]) -> Any:
    """The value stored under the key, else `make()`'s, stored."""
    found = cache.get(cache_key, MISSING)
    if found is MISSING:
        found = make()
        cache.set(cache_key, found)
    return found


def kept_many(keys: dict[Any, str]) -> dict[Any, Any]:
    """What is stored under each of `keys` (name → cache key), by name; the missing left out."""
    found = cache.get_many(list(keys.values()))
    return {name: found[k] for name, k in keys.items() if k in found}


def keep_many(values: Iterable[tuple[str, Any]]) -> None:
    cache.set_many(dict(values))
