"""「前年度の内容を写す」 without JavaScript: copy last year's texts into the sheet's empty fields.

The button sits inside the sheet's form (formaction here): the post carries what the form holds
and its version; what was typed is kept, and only 取組状況 / 今後の展開 that are still empty are
filled with last year's approved texts, then saved as a draft like any save.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from shinchoku.rounds import lastyear, services
from shinchoku.rounds.access import may_edit, report_for
from shinchoku.rounds.services import (
    RoundConflict,
    RoundError,
)
from shinchoku.rounds.sheet_views import (
    NO_VERSION,
    _posted_version,
    _refused,
    differences,
    read_post,
)


@require_POST
def copy_last_year(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Save the form with last year's texts in its empty 取組状況 / 今後の展開."""
    report = report_for(request, slug, fy, dept)
    if not may_edit(request, report):
        return HttpResponse(status=403)
    lines = services.sheet(report)
    data = read_post(request.POST, lines, keep_stored=True)
    version = _posted_version(request)
    if version is None:
        return _refused(request, report, lines, data, str(NO_VERSION), [], status=400, htmx=False)
    copied = lastyear.copy_into_empty(lines, data)
    try:
        report = services.save(report, data, version=version, user=request.user, lines=lines)
    except RoundConflict as e:
        report.refresh_from_db()
        diffs = differences(services.sheet(report), data)
        return _refused(request, report, lines, data, str(e), diffs, status=409, htmx=False)
    except RoundError as e:
        report.refresh_from_db()
        return _refused(request, report, lines, data, str(e), [], status=422, htmx=False)
    if copied:
        messages.success(
            request,
            ngettext(
                "Last year's text was copied into %(n)s empty field and saved as a draft.",
                "Last year's texts were copied into %(n)s empty fields and saved as a draft.",
                len(copied),
            )
            % {"n": len(copied)},
        )
    else:
        messages.info(request, _("No empty field had a text from last year: nothing was copied."))
    return redirect("rounds:sheet", report.round.plan.slug, report.round.fy, report.department_id)
