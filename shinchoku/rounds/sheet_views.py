"""A department's sheet in the browser: fill (saved as a draft while typing), submit, review.

Field names carry the entry keys: ``i|<node key>|done``, ``c|<node key>|<position>|status``,
``n|<indicator key>|actual``. Only the rows of the department's own sheet are read from a post.
A save checks the version the form was loaded with; a stale one is refused (409) with the
other person's values shown and the user's own input kept in the form.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinchoku.components import field_group
from shinchoku.plans.goals import by_goal, plan_nodes
from shinchoku.reviews.sheet import sheet_opinions
from shinchoku.rounds import indicator_hints, lastyear, ownership, services, sheet_rows
from shinchoku.rounds.access import may_approve, may_edit, report_for
from shinchoku.rounds.labels import content_label, content_where
from shinchoku.rounds.models import PlanSettings, Report
from shinchoku.rounds.services import (
    CONTENT_FIELDS,
    INDICATOR_FIELDS,
    ITEM_FIELDS,
    ItemLines,
    RoundConflict,
    RoundError,
    SheetInput,
)
from shinchoku.rounds.views import run_step


def read_post(post, lines: list[ItemLines], *, keep_stored: bool = False) -> SheetInput:
    """The department's input from a form post, for the rows of its own sheet only.

    A field the post does not carry reads as blank, or, with `keep_stored`, keeps what the line
    holds now (a post that carries only some of the form).
    """
    data = SheetInput()

    def pick(name: str, line, f: str) -> str:
        if name in post:
            return post[name].strip()
        return getattr(line, f) if keep_stored else ""

    for item in lines:
        key = item.node.key
        data.items[key] = {f: pick(f"i|{key}|{f}", item, f) for f in ITEM_FIELDS}
        for c in item.contents:
            data.contents[(key, c.position)] = {
                f: pick(f"c|{key}|{c.position}|{f}", c, f) for f in CONTENT_FIELDS
            }
        for ln in item.indicators:
            k = ln.indicator.key
            data.indicators[k] = {f: pick(f"n|{k}|{f}", ln, f) for f in INDICATOR_FIELDS}
    return data


def apply_input(lines: list[ItemLines], data: SheetInput) -> None:
    """Put the user's input back on the lines, so a refused form shows what was typed."""
    for item in lines:
        for f, v in data.items.get(item.node.key, {}).items():
            setattr(item, f, v)
        for c in item.contents:
            for f, v in data.contents.get((item.node.key, c.position), {}).items():
                setattr(c, f, v)
        for ln in item.indicators:
            for f, v in data.indicators.get(ln.indicator.key, {}).items():
                setattr(ln, f, v)


def differences(stored: list[ItemLines], data: SheetInput) -> list[tuple[str, str, str]]:
    """(field, stored now, your input) for every field where another save differs from the form."""
    out = []
    for item in stored:
        mine = data.items.get(item.node.key, {})
        for f, label in (
            ("done", _("What was done")),
            ("next", _("What comes next")),
            ("evaluation", _("Self-evaluation")),
        ):
            if f in mine and getattr(item, f) != mine[f]:
                out.append((f"{item.node} {label}", getattr(item, f), mine[f]))
        for c in item.contents:
            mine = data.contents.get((item.node.key, c.position), {})
            row = content_where(item.node, c.content, c.position)  # issue 12 part 3
            if "status" in mine and c.status != mine["status"]:
                out.append((f"{row} {_('Status')}", c.status, mine["status"]))
            if "note" in mine and c.note != mine["note"]:
                out.append((f"{row} {_('Note')}", c.note, mine["note"]))
        for ln in item.indicators:
            mine = data.indicators.get(ln.indicator.key, {})
            for f, label in (
                ("actual", _("Actual")),
                ("done", _("What was done")),
                ("next", _("What comes next")),
            ):
                if f in mine and getattr(ln, f) != mine[f]:
                    out.append((f"{ln.indicator.name} {label}", getattr(ln, f), mine[f]))
    return out


def _toc(plan, lines: list[ItemLines], by_id: dict | None = None) -> dict:
    """The sheet's items under their goals, for its in-page contents (issue 15)."""
    by_id = plan_nodes(plan) if by_id is None else by_id
    top = min((n.level for n in by_id.values()), default=1)
    toc = by_goal(lines, lambda item: item.node, by_id)
    return {"toc": toc, "toc_list": sheet_rows.toc_list(toc), "goal_level": plan.level_name(top)}


def _dress(
    lines: list[ItemLines],
    statuses: list[str],
    errors: dict[str, str] | None,
    editable: bool,
    fy: int,
    scale: list[dict],
    own: str,
    section: sheet_rows.Section | None = None,
) -> None:
    """What each row of the page shows, computed once here so the template only loops (issue
    16): field names, the refused field's message, each content's row and each item's whole
    section (sheet_rows)."""
    errors = errors or {}
    words = sheet_rows.Words.now()
    ind_words = sheet_rows.IndicatorWords.now(fy)
    done_year = _("What was done this year (取組状況)")
    for item in lines:
        prefix = f"i|{item.node.key}"
        item.prefix, item.error = prefix, errors.get(f"{prefix}|evaluation", "")
        item.last_block = _last_block(item, prefix, own, editable)
        if editable:
            item.scale = sheet_rows.scale_radios(
                scale, f"{prefix}|evaluation", item.evaluation, bool(item.error)
            )
            item.fields = sheet_rows.join_fields(
                sheet_rows.textarea(f"{prefix}|done", done_year, item.done, 3),
                sheet_rows.textarea(f"{prefix}|next", ind_words.next, item.next, 3),
            )
        for c in item.contents:
            c.prefix = f"c|{item.node.key}|{c.position}"
            c.row = sheet_rows.content_row(
                c,
                prefix=c.prefix,
                label=content_label(c.content, c.position),
                error=errors.get(f"{c.prefix}|status", ""),
                statuses=statuses,
                editable=editable,
                words=words,
            )
        for ln in item.indicators:
            ln.prefix = f"n|{ln.indicator.key}"
            ln.error = errors.get(f"{ln.prefix}|actual", "")
            ln.head = sheet_rows.indicator_head(ln, ind_words)
            if ln.readonly:
                continue
            ln.last_block = _last_block(ln, ln.prefix, own, editable)
            if editable:
                ln.actual_field = sheet_rows.indicator_actual(ln, ln.prefix, ind_words)
                ln.fields = sheet_rows.join_fields(
                    sheet_rows.textarea(f"{ln.prefix}|done", ind_words.done, ln.done, 2),
                    sheet_rows.textarea(f"{ln.prefix}|next", ind_words.next, ln.next, 2),
                    sheet_rows.text_input(f"{ln.prefix}|note", ind_words.note, ln.note),
                )
            else:
                ln.entered = sheet_rows.indicator_entered(ln, ind_words)
        if section is not None:
            item.html = sheet_rows.item_section(item, section)


def _last_block(line, prefix: str, own: str, editable: bool) -> str:
    """Last year's texts of the line (sheet_rows.last_year_block), when it has them."""
    if not getattr(line, "last_year", None):
        return ""
    return sheet_rows.last_year_block(line, prefix, own, editable)


def _section(plan, fy: int, editable: bool, scale: list[dict]) -> sheet_rows.Section:
    """What the sections of a sheet page share (sheet_rows.item_section)."""
    opinions = get_template("reviews/_sheet_opinions.html")
    # The item page's URL of a node key: reversed once, the key quoted as reverse() quotes it.
    marker = "0sheet-node-key0"
    url = reverse("plans:node", args=[plan.slug, marker])
    head, tail = url.split(marker)
    return sheet_rows.Section(
        sheet_rows.SectionWords.now(int(fy)),
        editable,
        scale,
        lambda key: f"{head}{quote(key, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}",
        lambda rows: opinions.render({"opinions": rows, "heading": False, "plan": plan}),
    )


@lru_cache(maxsize=256)
def _upload_field(language: str | None, report_id: int) -> str:
    """The upload form's file field (rounds/_sheet_xlsx.html), drawn once per language and sheet
    (issue 16: a file field is drawn through a form and three templates)."""
    return field_group(
        "file",
        _("Filled sheet (.xlsx)"),
        kind="file",
        id=f"sheet-file-{report_id:d}",
        required=True,
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _context(request: HttpRequest, report: Report, lines: list[ItemLines], **extra) -> dict:
    plan = report.round.plan
    indicator_hints.attach(lines, plan, report.round.fy)  # e.g. the business evaluation's figure
    settings = PlanSettings.of(plan)
    editable = report.editable and may_edit(request, report)
    opinions = sheet_opinions(report, lines)  # issue 13: committee opinions, on the lines too
    missing = services.missing(report, lines) if editable else []
    _dress(
        lines,
        settings.content_statuses,
        extra.get("field_errors"),
        editable,
        report.round.fy,
        settings.evaluation_scale,
        report.department.name,
        _section(plan, report.round.fy, editable, settings.evaluation_scale),
    )
    return {
        "plan": plan,
        "round": report.round,
        "report": report,
        "lines": lines,
        **_toc(plan, lines, getattr(report, "plan_outline", None)),
        "statuses": settings.content_statuses,
        "scale": settings.evaluation_scale,
        "editable": editable,
        "may_edit": editable,
        "may_approve": may_approve(request, report),
        "missing": missing,
        "upload_field": _upload_field(get_language(), report.pk) if editable else "",
        "missing_items": sheet_rows.list_items(missing),
        "version": report.version,
        "copy_last_year": lastyear.offered(lines),  # issue 12 part 7
        "open_opinions": opinions,
        # Indicator owner (issue 12): actuals whose approval needs the approver's choice.
        "approval_conflicts": (
            ownership.conflicts(report)
            if report.status == Report.Status.SUBMITTED and may_approve(request, report)
            else []
        ),
        **extra,
    }


def sheet_page(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Show the sheet; a POST saves it as a draft (whole page, or the status line for htmx)."""
    report = report_for(request, slug, fy, dept)
    if request.method == "POST":
        return _save(request, report)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    return render(request, "rounds/sheet.html", _context(request, report, services.sheet(report)))


def posted_keys(post) -> services.SheetKeys:
    """The item and indicator keys of the sheet fields a post carries."""
    items, contents, indicators = set(), set(), set()
    for name in post:
        parts = name.split("|")
        if parts[0] == "i" and len(parts) >= 3:
            items.add("|".join(parts[1:-1]))
        elif parts[0] == "c" and len(parts) >= 4:
            contents.add("|".join(parts[1:-2]))
        elif parts[0] == "n" and len(parts) >= 3:
            indicators.add("|".join(parts[1:-1]))
    return services.SheetKeys(
        frozenset(items | contents), frozenset(indicators), frozenset(items), frozenset(contents)
    )


def _save(request: HttpRequest, report: Report) -> HttpResponse:
    if not may_edit(request, report):
        return HttpResponse(status=403)
    htmx = bool(getattr(request, "htmx", False))
    # issue 16: the autosave posts only the fields changed since its last save ("partial"):
    # only their rows are read, and the fields it does not carry keep what is stored.
    only = posted_keys(request.POST) if htmx and request.POST.get("partial") == "1" else None
    # The status line (htmx) shows no sheet: last year's texts are not read for it.
    lines = services.sheet(report, only=only, last_year=not htmx)
    data = read_post(request.POST, lines, keep_stored=only is not None)
    version = _posted_version(request)
    if version is None:
        return _refused(request, report, lines, data, str(NO_VERSION), [], status=400, htmx=htmx)
    readonly = ownership.readonly_problems(request.POST, lines)  # indicator owner (issue 12)
    if readonly:
        error = "\n".join(f"{where}: {message}" for where, message in readonly)
        return _refused(request, report, lines, data, error, [], status=422, htmx=htmx)
    try:
        # issue 12 part 5: every valid field is stored, only the invalid ones are refused
        report, problems = services.save_draft(
            report, data, version=version, user=request.user, lines=lines
        )
    except RoundConflict as e:
        report.refresh_from_db()
        diffs = differences(services.sheet(report, only=only, last_year=False), data)
        return _refused(request, report, lines, data, str(e), diffs, status=409, htmx=htmx)
    except RoundError as e:
        report.refresh_from_db()
        return _refused(request, report, lines, data, str(e), [], status=422, htmx=htmx)
    if problems:
        return _partly_saved(request, report, lines, data, problems, htmx=htmx)
    back = reverse(
        "rounds:sheet", args=[report.round.plan.slug, report.round.fy, report.department_id]
    )
    return saved(request, report, htmx=htmx, back=back)


def saved(request: HttpRequest, report: Report, *, htmx: bool, back: str) -> HttpResponse:
    """A draft saved (yearly or final sheet): the status line for htmx, else back to the sheet."""
    if htmx:
        return render(
            request,
            "rounds/_save_status.html",
            {"report": report, "saved": True, "version": report.version},
        )
    messages.success(request, _("Saved as a draft."))
    return redirect(back)


def _refused(request, report, lines, data, error, diffs, *, status, htmx) -> HttpResponse:
    context = {"report": report, "error": error, "diffs": diffs, "conflict": status == 409}
    if htmx:
        # The form stays as typed; only the status line (with the other person's values) swaps.
        # The form's version is not advanced: overwriting takes the explicit button.
        context["overwrite_version"] = report.version if status == 409 else None
        return render(request, "rounds/_save_status.html", context, status=status)
    apply_input(lines, data)
    page = _context(request, report, lines, error=error, diffs=diffs, conflict=status == 409)
    # After a conflict the form carries the new version: saving again is a deliberate overwrite.
    page["version"] = report.version if status == 409 else request.POST.get("version", "")
    return render(request, "rounds/sheet.html", page, status=status)


# --- issue 12 part 5: a draft saved except its invalid fields --------------------------------


def field_errors(problems: list[services.Problem]) -> dict[str, str]:
    """Form field name → its message(s), for marking each refused field beside it."""
    out: dict[str, str] = {}
    for p in problems:
        out[p.field] = f"{out[p.field]} {p.message}" if p.field in out else p.message
    return out


def _partly_saved(request, report, lines, data, problems, *, htmx, submit=False) -> HttpResponse:
    """Saved except the refused fields (422): each is marked beside its field, with what was
    typed kept; the form carries the new version, so the next save goes on from here."""
    refused = [(p.where, p.message, p.field) for p in problems]
    errors = field_errors(problems)
    if htmx:
        context = {
            "report": report,
            "saved": True,
            "version": report.version,
            "refused": refused,
            "field_errors": errors,
        }
        return render(request, "rounds/_save_status.html", context, status=422)
    apply_input(lines, data)
    page = _context(
        request, report, lines, refused=refused, field_errors=errors, submit_refused=submit
    )
    return render(request, "rounds/sheet.html", page, status=422)


# --- end issue 12 part 5 ---------------------------------------------------------------------


NO_VERSION = gettext_lazy(
    "This form was sent without its version. Reload the page and enter it again."
)


def _posted_version(request: HttpRequest) -> int | None:
    try:
        value = int(request.POST.get("version", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


@require_POST
def submit(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Save what the form holds, then submit the sheet for approval."""
    report = report_for(request, slug, fy, dept)
    if not may_edit(request, report):
        return HttpResponse(status=403)
    version = _posted_version(request)
    if version is None:
        return _review_refused(request, report, str(NO_VERSION), status=400)
    lines = services.sheet(report)
    if report.editable:
        data = read_post(request.POST, lines)
        readonly = ownership.readonly_problems(request.POST, lines)  # indicator owner (issue 12)
        if readonly:
            error = "\n".join(f"{where}: {message}" for where, message in readonly)
            return _refused(request, report, lines, data, error, [], status=422, htmx=False)
        try:
            # issue 12 part 5: the valid fields are kept; an invalid one refuses the submit
            report, problems = services.save_draft(
                report, data, version=version, user=request.user, lines=lines
            )
        except RoundError as e:
            report.refresh_from_db()
            conflict = isinstance(e, RoundConflict)
            diffs = differences(services.sheet(report), data) if conflict else []
            status = 409 if conflict else 422
            return _refused(request, report, lines, data, str(e), diffs, status=status, htmx=False)
        if problems:
            return _partly_saved(request, report, lines, data, problems, htmx=False, submit=True)
        version = report.version
    return _review(
        request,
        report,
        lambda: services.submit(report, request.user, version=version),
        _("Submitted. The approver has been asked to review it."),
    )


def _review(request: HttpRequest, report: Report, step, done: str) -> HttpResponse:
    """Run a review step; a stale page is refused (409) with the sheet as it is now."""
    return run_step(
        request,
        report,
        step,
        done,
        refused=lambda error: _review_refused(request, report, error, status=409),
        back=reverse(
            "rounds:sheet", args=[report.round.plan.slug, report.round.fy, report.department_id]
        ),
    )


def _review_refused(request: HttpRequest, report: Report, error: str, *, status: int):
    """The sheet as stored now, with why the step was refused; a typed comment is kept."""
    context = _context(
        request,
        report,
        services.sheet(report),
        error=error,
        return_input=request.POST.get("comment", ""),
    )
    return render(request, "rounds/sheet.html", context, status=status)


@require_POST
def return_sheet(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Send the sheet back with a comment, if it is still as the approver's page showed it."""
    report = report_for(request, slug, fy, dept)
    if not may_approve(request, report):
        return HttpResponse(status=403)
    version = _posted_version(request)
    if version is None:
        return _review_refused(request, report, str(NO_VERSION), status=400)
    comment = request.POST.get("comment", "")
    return _review(
        request,
        report,
        lambda: services.return_report(report, request.user, comment, version=version),
        _("Returned to the department with your comment."),
    )


@require_POST
def approve(request: HttpRequest, slug: str, fy: int, dept: int) -> HttpResponse:
    """Approve the sheet, only as the approver's page showed it (its version)."""
    report = report_for(request, slug, fy, dept)
    if not may_approve(request, report):
        return HttpResponse(status=403)
    version = _posted_version(request)
    if version is None:
        return _review_refused(request, report, str(NO_VERSION), status=400)
    # Indicator owner (issue 12): a choice per actual that would replace another department's.
    choices = ownership.choices_from_post(request.POST, ownership.conflicts(report))
    try:
        services.approve(report, request.user, version=version, choices=choices)
    except services.ChoiceNeeded as e:
        report.refresh_from_db()
        context = _context(request, report, services.sheet(report), approval_error=str(e))
        context["approval_conflicts"] = [
            replace(c, chosen=choices.get(c.key, "")) for c in e.conflicts
        ]
        return render(request, "rounds/sheet.html", context, status=422)
    except RoundConflict as e:
        report.refresh_from_db()
        return _review_refused(request, report, str(e), status=409)
    except RoundError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Approved. The actuals are now part of the plan."))
    return redirect("rounds:sheet", report.round.plan.slug, report.round.fy, report.department_id)
