"""Check an uploaded progress sheet and merge it into the stored one.

`apply_upload` compares each input cell three ways (downloaded / in the file / stored now, see
`merge`), lists problems with sheet and cell in Japanese, refuses conflicts, and writes the rest
in one transaction (`save_bulk`: services.save's rules and version check, with one statement per
table instead of one per row, issue 16). The format is documented in docs/sheet.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from shinchoku.core.values import parse_value, unit_problem
from shinchoku.core.wareki import fy_label
from shinchoku.plans.access import with_settings
from shinchoku.plans.history import user_name
from shinchoku.plans.workbook import CellProblem
from shinchoku.rounds import services
from shinchoku.rounds.access import PLAN_HAS_NUMBERS
from shinchoku.rounds.labels import content_where
from shinchoku.rounds.lastyear import has_previous
from shinchoku.rounds.models import (
    ContentEntry,
    IndicatorEntry,
    ItemEntry,
    PlanSettings,
    Report,
)
from shinchoku.rounds.reasons import reason_text
from shinchoku.rounds.sheet_xlsx_layout import (
    CONTENT,
    FIELD_NAMES,
    FIELDS,
    INDICATOR,
    ITEM,
    KIND_NAMES,
    MAX_ACTUAL,
    S_GUIDE,
    S_IDS,
    content_key,
    norm,
)
from shinchoku.rounds.sheet_xlsx_read import InputCell, read_sheet


@dataclass(frozen=True)
class Conflict:
    """A cell changed in the file and, differently, in the stored sheet since the download."""

    sheet: str
    cell: str
    label: str
    yours: str
    stored: str
    downloaded: str
    by: str


@dataclass
class UploadResult:
    """saved | unchanged | problems | conflicts, with what goes with it."""

    status: str
    problems: list[CellProblem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # labels of the cells written
    report: Report | None = None


def _label(kind: str, key: str, name: str, names: dict[tuple[str, str], str]) -> str:
    return f"{names.get((kind, key), key)} {FIELD_NAMES[name]}"


def _identity_problems(report: Report, meta: dict[str, str]) -> list[CellProblem]:
    """A sheet of another plan, round or department is refused before anything else."""
    plan, fy, dept = report.round.plan, report.round.fy, report.department
    if meta.get("plan") != plan.slug:
        return [
            CellProblem(
                "",
                "",
                gettext(
                    "This file is a sheet of another plan (%(other)s). "
                    "Download the sheet of “%(plan)s” and use that."
                )
                % {
                    "other": (meta.get("plan_title") or meta.get("plan") or "")[:100],
                    "plan": plan.title,
                },
            )
        ]
    if meta.get("fy") != str(fy):
        file_fy = meta.get("fy", "")
        label = fy_label(int(file_fy)) if file_fy.isdigit() and len(file_fy) == 4 else file_fy[:20]
        return [
            CellProblem(
                "",
                "",
                gettext(
                    "This file is the sheet of %(file_fy)s. "
                    "Download the sheet of %(fy)s and use that."
                )
                % {"file_fy": label, "fy": fy_label(fy)},
            )
        ]
    if meta.get("department_id") != str(dept.pk) or meta.get("report_id") != str(report.pk):
        other = _file_report(report, meta)
        if other is None or other.department_id == dept.pk:
            return [
                CellProblem(
                    S_IDS,
                    "",
                    gettext(
                        "The department identifiers in this file (department ID, sheet ID) do "
                        "not match the sheet of “%(department)s” (the hidden sheet “%(ids)s” "
                        "has been edited). Download the sheet of “%(department)s” again and "
                        "use that."
                    )
                    % {"department": dept.name, "ids": S_IDS},
                )
            ]
        return [
            CellProblem(
                "",
                "",
                gettext(
                    "This file is the sheet of “%(other)s”. This is the sheet of "
                    "“%(department)s”, so it cannot be loaded here. Upload it from the sheet "
                    "of “%(other)s”, or download the sheet of “%(department)s” and use that."
                )
                % {"other": other.department.name, "department": dept.name},
            )
        ]
    return []


def _file_report(report: Report, meta: dict[str, str]) -> Report | None:
    """The sheet of the same round the file's identifiers name, if both agree; else None.

    Only this round's sheets are looked at, so a file from another organization names nothing.
    """
    ids = (meta.get("report_id", ""), meta.get("department_id", ""))
    if not all(i.isdigit() and len(i) < 10 for i in ids):
        return None
    return (
        Report.objects.filter(round=report.round, pk=int(ids[0]), department_id=int(ids[1]))
        .select_related("department")
        .first()
    )


def _evaluation_code(value: str, scale: list[dict]) -> str | None:
    """The scale's code for what was typed: the code, its name, or "A 達成"; None if unknown."""
    text = value.replace("：", " ").replace(":", " ").strip()
    for s in scale:
        code, name = str(s["code"]), s.get("name", "")
        if text in (code, name, f"{code} {name}", f"{code}{name}"):
            return code
    return None


def _value_problems(
    report: Report, cells: list[InputCell], lines: list[services.ItemLines]
) -> tuple[list[CellProblem], dict[tuple[str, str, str], str]]:
    """Problems of the values in the file, and the values cleaned (evaluation → its code)."""
    settings = PlanSettings.of(report.round.plan)
    statuses = list(settings.content_statuses)
    scale = list(settings.evaluation_scale)
    indicators = {ln.indicator.key: ln.indicator for item in lines for ln in item.indicators}
    positions = {content_key(i.node.key, c.position) for i in lines for c in i.contents}
    nodes = {i.node.key for i in lines}
    known = {ITEM: nodes, CONTENT: positions, INDICATOR: set(indicators)}
    # Indicator owner (issue 12): lines another department reports take no input here.
    readonly = {
        ln.indicator.key: ln.reporter.name if ln.reporter else gettext("another department")
        for item in lines
        for ln in item.indicators
        if ln.readonly
    }
    problems: list[CellProblem] = []
    values: dict[tuple[str, str, str], str] = {}
    reported_rows: set[tuple[str, str]] = set()
    for c in cells:
        if c.key not in known[c.kind]:
            if (c.kind, c.key) not in reported_rows:
                reported_rows.add((c.kind, c.key))
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        gettext(
                            "The %(kind)s of this row (key “%(key)s”) is not on the sheet any "
                            "more (the plan may have changed). Download the sheet again and "
                            "enter your changes there."
                        )
                        % {"kind": KIND_NAMES[c.kind], "key": c.key},
                    )
                )
            continue
        value = c.value
        if c.kind == INDICATOR and c.key in readonly:
            if value != c.downloaded:
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        gettext(
                            "The indicator “%(indicator)s” is reported by %(reporter)s; it "
                            "cannot be entered on this department's sheet. Put the cell back as "
                            "it was, or download the sheet again."
                        )
                        % {"indicator": indicators[c.key].name, "reporter": readonly[c.key]},
                    )
                )
            continue
        if c.field == "status" and value and value not in statuses:
            problems.append(
                CellProblem(
                    c.sheet,
                    c.cell,
                    gettext(
                        "The status “%(value)s” cannot be used. Choose one of %(statuses)s "
                        "from the list."
                    )
                    % {"value": value, "statuses": gettext("・").join(statuses)},
                )
            )
        elif c.field == "evaluation" and value:
            code = _evaluation_code(value, scale)
            if code is None:
                codes = gettext("・").join(str(s["code"]) for s in scale)
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        gettext(
                            "The self-evaluation “%(value)s” cannot be used. Choose one of "
                            "%(codes)s from the list (the criteria are on the sheet “%(guide)s”)."
                        )
                        % {"value": value, "codes": codes, "guide": S_GUIDE},
                    )
                )
            else:
                value = code
        elif c.field == "actual" and value:
            ind = indicators[c.key]
            parsed = parse_value(value)
            if len(value) > MAX_ACTUAL:
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        gettext("Write the actual in at most %(n)s characters.")
                        % {"n": MAX_ACTUAL},
                    )
                )
            elif unit_reason := unit_problem(parsed, ind.unit, indicator=ind.name):
                # One unit per indicator (core.values): a bare number takes its unit.
                problems.append(CellProblem(c.sheet, c.cell, reason_text(unit_reason)))
        values[(c.kind, c.key, c.field)] = value
    return problems, values


def _stored(lines: list[services.ItemLines]) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for item in lines:
        for name in FIELDS[ITEM]:
            out[(ITEM, item.node.key, name)] = norm(getattr(item, name))
        for c in item.contents:
            key = content_key(item.node.key, c.position)
            for name in FIELDS[CONTENT]:
                out[(CONTENT, key, name)] = norm(getattr(c, name))
        for ln in item.indicators:
            if ln.readonly:  # indicator owner (issue 12): never merged from this sheet
                continue
            for name in FIELDS[INDICATOR]:
                out[(INDICATOR, ln.indicator.key, name)] = norm(getattr(ln, name))
    return out


def _names(lines: list[services.ItemLines]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for item in lines:
        out[(ITEM, item.node.key)] = str(item.node)
        for c in item.contents:
            out[(CONTENT, content_key(item.node.key, c.position))] = content_where(
                item.node, c.content, c.position
            )  # issue 12 part 3: named as on the screen
        for ln in item.indicators:
            out[(INDICATOR, ln.indicator.key)] = gettext("Indicator “%(name)s”") % {
                "name": ln.indicator.name
            }
    return out


def merge(
    report: Report,
    cells: list[InputCell],
    values: dict[tuple[str, str, str], str],
    lines: list[services.ItemLines],
) -> tuple[services.SheetInput, list[str], list[Conflict]]:
    """Three-way merge per cell: downloaded vs file vs stored now.

    A cell the user did not change keeps the stored value; a cell only the user changed is
    applied; a cell changed by both, differently, is a conflict.
    """
    stored = _stored(lines)
    names = _names(lines)
    changes: dict[tuple[str, str], dict[str, str]] = {}
    changed: list[str] = []
    conflicts: list[Conflict] = []
    for c in cells:
        ident = (c.kind, c.key, c.field)
        if ident not in stored:
            continue
        mine, now = values.get(ident, c.value), stored[ident]
        downloaded = c.downloaded
        if mine == downloaded or mine == now:
            continue
        if now != downloaded:
            conflicts.append(
                Conflict(
                    c.sheet,
                    c.cell,
                    _label(c.kind, c.key, c.field, names),
                    mine,
                    now,
                    downloaded,
                    report.updated_by,
                )
            )
            continue
        changes.setdefault((c.kind, c.key), {})[c.field] = mine
        changed.append(_label(c.kind, c.key, c.field, names))
    data = services.SheetInput()
    for (kind, key), fields in changes.items():
        full = {name: fields.get(name, stored[(kind, key, name)]) for name in FIELDS[kind]}
        if kind == ITEM:
            data.items[key] = full
        elif kind == CONTENT:
            node_key, _sep, position = key.rpartition("#")
            data.contents[(node_key, int(position))] = full
        else:
            data.indicators[key] = full
    return data, changed, conflicts


NOT_EDITABLE = gettext_lazy(
    "This sheet cannot be changed now (it is submitted or approved, or the round is closed)."
)


Merged = tuple[list[CellProblem], Any, list[str], list[Conflict], Any]
"""What a sheet's `check_and_merge(locked, cells)` gives: problems of the values, the data to save,
the labels changed, the conflicts, and the sheet's lines it was checked against."""


def apply_parsed(
    report: Report,
    parsed: Any,
    user: Any,
    *,
    identity: Callable[[Report, dict[str, str]], list[CellProblem]],
    check_and_merge: Callable[[Report, list[Any]], Merged],
    save: Callable[..., Report],
) -> UploadResult:
    """Check a read upload (yearly or final sheet) and write what changed, all or nothing.

    The report is locked; a refusal of `save` (services.RoundError) is listed line by line.
    """
    if parsed.problems:
        return UploadResult("problems", parsed.problems)
    problems = identity(report, parsed.meta)
    if problems:
        return UploadResult("problems", problems)
    with transaction.atomic():
        # issue 16: the plan's settings and whether last year's round exists are read with the
        # lock (rounds/access.report_for does the same for the sheet's page).
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round__plan__progress_settings", "department")
            .annotate(plan_has_numbers=PLAN_HAS_NUMBERS, previous_exists=has_previous())
            .get(pk=report.pk)
        )
        with_settings(locked.round.plan, locked.plan_has_numbers)
        locked.round.previous_exists = locked.previous_exists
        if not locked.editable:
            return UploadResult("problems", [CellProblem("", "", NOT_EDITABLE)])
        problems, data_in, changed, conflicts, lines = check_and_merge(locked, parsed.cells)
        if problems:
            return UploadResult("problems", problems)
        if conflicts:
            return UploadResult("conflicts", conflicts=conflicts, report=locked)
        if not changed:
            return UploadResult("unchanged", report=locked)
        try:
            saved = save(locked, data_in, version=locked.version, user=user, lines=lines)
        except services.RoundError as exc:
            return UploadResult(
                "problems", [CellProblem("", "", line) for line in str(exc).splitlines()]
            )
    return UploadResult("saved", changed=changed, report=saved)


def named_keys(cells: list[InputCell]) -> services.SheetKeys:
    """The items (with those of the contents) and indicators the file's input cells name."""
    nodes = {c.key for c in cells if c.kind == ITEM}
    nodes |= {c.key.rpartition("#")[0] for c in cells if c.kind == CONTENT}
    indicators = {c.key for c in cells if c.kind == INDICATOR}
    return services.SheetKeys(nodes=frozenset(nodes), indicators=frozenset(indicators))


def _check_and_merge(locked: Report, cells: list[InputCell]) -> Merged:
    # issue 16: only the rows the file names are read (as a draft save reads them), without
    # last year's texts; a key the sheet no longer has is missing from them either way.
    lines = services.sheet(locked, only=named_keys(cells))
    problems, values = _value_problems(locked, cells, lines)
    if problems:
        return problems, None, [], [], lines
    data_in, changed, conflicts = merge(locked, cells, values, lines)
    return [], data_in, changed, conflicts, lines


# --------------------------------------------------------------------------- the bulk save

# The entries of each kind: model, the input's key fields, the fields typed (services.save's).
_TABLES = (
    ("items", ItemEntry, ("node_key",), services.ITEM_FIELDS),
    ("contents", ContentEntry, ("node_key", "position"), services.CONTENT_FIELDS),
    ("indicators", IndicatorEntry, ("indicator_key",), services.INDICATOR_FIELDS),
)


def save_bulk(
    report: Report,
    data: services.SheetInput,
    *,
    version: int,
    user: Any,
    lines: list[services.ItemLines],
) -> Report:
    """services.save for an uploaded sheet: the same checks, version claim and rows stored, with
    the changed rows of each table written by one statement per set of changed fields (one per
    table for a sheet filled in at once) instead of one per row (issue 16).

    Every row is written as services.save writes it: inserted whole, or, when it exists, only
    the fields that differ from the sheet as read (`lines`, read after the report was locked)
    updated; a content's text is written with every change. The version check and the next
    version are one statement (services.claim_version), in the same transaction as the rows and
    the plan's cache version. Call within the transaction that locked the report.
    """
    if hasattr(report, "plan_has_numbers"):  # the settings were read with the lock (apply_parsed)
        with_settings(report.round.plan, report.plan_has_numbers)
    now, texts = services.prepare(report, data, lines)
    user_label = user_name(user)
    with transaction.atomic(savepoint=False):
        saved_at = services.claim_version(report, version, user_label)
        for name, model, key_fields, fields in _TABLES:
            # changed fields → rows, in the order of the input (as services.save writes them)
            groups: dict[tuple[str, ...], list[Any]] = {}
            for key, values in getattr(data, name).items():
                old = getattr(now, name).get(key, {})
                row = {f: values.get(f, "") for f in fields}
                if row == {f: old.get(f, "") for f in fields}:
                    continue
                keys = dict(zip(key_fields, key if isinstance(key, tuple) else (key,), strict=True))
                if model is ContentEntry:
                    row["text"] = texts.get(key, "")
                    old = {**old, "text": None}  # the content's text goes with every change
                changed = tuple(f for f, v in row.items() if old.get(f, "") != v)
                groups.setdefault(changed, []).append(model(report=report, **keys, **row))
            for changed, objs in groups.items():
                model.objects.of_plan(report.round.plan_id).bulk_create(
                    objs,
                    update_conflicts=True,
                    unique_fields=["report", *key_fields],
                    update_fields=list(changed),
                )
    report.version = version + 1
    report.status = Report.Status.DRAFT
    report.updated_by = user_label
    report.updated = saved_at
    return report


def apply_upload(report: Report, data: bytes, user: Any) -> UploadResult:
    """Check an uploaded sheet and write what the user changed, all or nothing."""
    return apply_parsed(
        report,
        read_sheet(data),
        user,
        identity=_identity_problems,
        check_and_merge=_check_and_merge,
        save=save_bulk,
    )
