"""Public pages and open data served from Django's cache until their plan changes (issue 16).

A cached response is looked up under a key made of the plan's cache version (plans.cache_version,
raised in the same transaction as any write to what the page shows), the language, the host and
the full path with its query, and today's date (the summary prints it). A hit costs one query,
the version; the plan's own tables are not read.

Cached: only GET/HEAD answers of 200 to visitors who are not logged in, without cookies set by
the view. The page's one per-visitor piece is the CSRF token of the language form: it is cut out
of the stored body and a fresh one is put in on every hit (so the CSRF cookie is set as before).
No CSP nonce is used on these pages (settings.CONTENT_SECURITY_POLICY has none: no inline script
anywhere), and the CSP and other security headers are added by the middleware after the view, on
every response, cached or not.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from shinchoku.plans.cache_version import version_read
from shinchoku.plans.models import Plan, PlanCacheVersion

TOKEN_SLOT = b"\x00csrf-token\x00"
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
_HEADERS = ("Content-Type", "Content-Disposition", "Access-Control-Allow-Origin")
View = Callable[..., HttpResponse]


def _anonymous(request: HttpRequest) -> bool:
    """Not logged in: no session cookie at all (no query), else the session says so."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


def _key(request: HttpRequest, scope: str) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"shinchoku:public:{scope}:{get_language()}:{timezone.localdate()}:{digest}"


def _store(key: str, response: HttpResponse) -> None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    body = response.content
    found = _TOKEN.search(body)
    if found:
        body = body.replace(found.group(1), TOKEN_SLOT)
    elif b"csrfmiddlewaretoken" in body:
        return  # a token we cannot cut out: never store it
    headers = {h: response[h] for h in _HEADERS if h in response}
    cache.set(key, (body, headers, bool(found)))


def _replay(request: HttpRequest, stored: tuple) -> HttpResponse:
    body, headers, has_token = stored
    if has_token:
        body = body.replace(TOKEN_SLOT, get_token(request).encode())
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    return response


def _serve(request: HttpRequest, scope: str | None, view: View, *args, **kwargs) -> HttpResponse:
    if scope is None or request.method not in ("GET", "HEAD") or not _anonymous(request):
        return view(request, *args, **kwargs)
    key = _key(request, scope)
    stored = cache.get(key)
    if stored is not None:
        return _replay(request, stored)
    response = view(request, *args, **kwargs)
    _store(key, response)
    return response


# Table names from the models, the slug a parameter.
_SCOPE_SQL = (
    f"SELECT p.id, v.version FROM {Plan._meta.db_table} p"  # noqa: S608
    f" LEFT JOIN {PlanCacheVersion._meta.db_table} v ON v.plan_id = p.id WHERE p.slug = %s"
)


def plan_scope(slug: str) -> str | None:
    """The plan's id and cache version (one query), or None for no such plan."""
    version_read()
    # Plain SQL: on a cache hit this is the only work besides the middleware, and the ORM would
    # spend more time building the statement than the database spends answering it.
    with connection.cursor() as cursor:
        cursor.execute(_SCOPE_SQL, [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    return f"plan{row[0]}v{row[1] or 0}"


def index_scope() -> str:
    """Every plan's version at once: their sum, with the number and the newest id of plans."""
    version_read()
    found = Plan.objects.order_by().aggregate(
        v=Sum("cache_version__version"), n=Count("id"), last=Max("id")
    )
    return f"all{found['v'] or 0}-{found['n']}-{found['last'] or 0}"


def cached_plan_page(view: View) -> View:
    """Serve a page or download of one plan (the `slug` argument) from the cache."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        return _serve(request, plan_scope(slug), view, *args, slug=slug, **kwargs)

    return wrapper


def cached_index(view: View) -> View:
    """Serve the list of public plans from the cache until any plan changes."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return _serve(request, index_scope(), view, *args, **kwargs)

    return wrapper
