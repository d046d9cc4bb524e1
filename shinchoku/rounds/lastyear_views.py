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
    CONTENT_FIELDS,
    INDICATOR_FIELDS,
    ITEM_FIELDS,
    ItemLines,
    RoundConflict,
    RoundError,
    SheetInput,
)
from shinchoku.rounds.sheet_views import NO_VERSION, _posted_version, _refused, differences


def _posted_or_stored(post, lines: list[ItemLines]) -> SheetInput:
    """The form's fields as posted; a field the post does not carry keeps its stored value."""
    data = SheetInput()

    def pick(name: str, stored: str) -> str:
        return post[name].strip() if name in post else stored

    for item in lines:
        key = item.node.key
        data.items[key] = {f: pick(f"i|{key}|{f}", getattr(item, f)) for f in ITEM_FIELDS}
        for c in item.contents:
            data.contents[(key, c.position)] = {
                f: pick(f"c|{key}|{c.position}|{f}", getattr(c, f)) for f in CONTENT_FIELDS
            }
        for ln in item.indicators:
            k = ln.indicator.key
            data.indicators[k] = {f: pick(f"n|{k}|{f}", getattr(ln, f)) for f in INDICATOR_FIELDS}
    return data


@require_POST
def copy_last_year(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Save the form with last year's texts in its empty 取組状況 / 今後の展開."""
    report = report_for(request, slug, fy, dept)
    if not may_edit(request, report):
        return HttpResponse(status=403)
    lines = services.sheet(report)
    data = _posted_or_stored(request.POST, lines)
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
