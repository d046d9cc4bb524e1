"""Record denials, uploads and downloads after the response, by URL name (see routes.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from shinchoku.audit.models import Action
from shinchoku.audit.recorder import record
from shinchoku.audit.routes import ROUTES

logger = logging.getLogger("shinchoku.audit")

_DENIED = "_shinchoku_audit_denied"
_EXTENDED = re.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)", re.IGNORECASE)
_PLAIN = re.compile(r'filename\s*=\s*"([^"]*)"', re.IGNORECASE)


def download_name(disposition: str) -> str:
    """The file name in a Content-Disposition header ("" when there is none)."""
    found = _EXTENDED.search(disposition)
    if found:
        return unquote(found.group(1).strip())
    found = _PLAIN.search(disposition)
    return found.group(1) if found else ""


def _authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class AuditMiddleware:
    """One event at most per request, written after the view has answered.

    A view that raises PermissionDenied (403), or Http404 for a logged-in user (how access
    checks hide other organizations' records), is recorded as a refusal; so is any other 403
    (e.g. a CSRF failure). The URL names in ROUTES are recorded as uploads or downloads.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            self._record(request, response)
        except Exception:
            logger.exception("audit middleware failed for %s", request.path)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied) or (
            isinstance(exception, Http404) and _authenticated(request)
        ):
            setattr(request, _DENIED, True)
        return None

    def _record(self, request: HttpRequest, response: HttpResponse) -> None:
        status = response.status_code
        match = request.resolver_match
        url_name = match.view_name if match else ""
        if getattr(request, _DENIED, False) or status == 403:
            action = Action.PERMISSION_DENIED
        elif url_name in ROUTES:
            action = ROUTES[url_name].action
            if action == Action.DOWNLOAD and not 200 <= status < 300:
                return
            if action == Action.UPLOAD and not _authenticated(request):
                return
        else:
            return
        kwargs = match.kwargs if match else {}
        filename = ""
        if action == Action.DOWNLOAD:
            filename = download_name(response.get("Content-Disposition", ""))
        elif action == Action.UPLOAD and hasattr(request, "_files"):
            # Only when the view has read the upload; never parse a body here.
            files = list(request._files.values())
            filename = files[0].name if files else ""
        department = kwargs.get("dept")
        record(
            action,
            request=request,
            user=getattr(request, "user", None),
            url_name=url_name,
            plan_slug=str(kwargs.get("slug", "")),
            fiscal_year=kwargs.get("fy") if isinstance(kwargs.get("fy"), int) else None,
            department_id=department if isinstance(department, int) else None,
            object_key=str(kwargs.get("key", "")),
            filename=filename,
            status=status,
        )
