"""A department's final evaluation sheet (最終評価) as Excel: download pre-filled, upload back.

Layout (write), reading (read) and merging (apply) in one module, as sheet_xlsx_layout/write/
read/apply do for the yearly sheet, and with the same rules: one data sheet 「最終評価」 with the
item's place and history locked and the three inputs unlocked and yellow (状況 with a dropdown
of the plan's list), a hidden sheet of identifiers holding each input cell's value as
downloaded, the file checked (plans.xlsx_guard) before it is parsed, formulas refused, problems
in Japanese with sheet and cell, and nothing stored unless the whole file is accepted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from shinchoku.core.wareki import fy_label
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.xlsx_print import fit_row_heights, landscape_a4, workbook_bytes
from shinchoku.rounds import final_services
from shinchoku.rounds.final_history import ItemHistory
from shinchoku.rounds.final_services import FIELD_LABELS, FINAL_FIELDS, FinalLine
from shinchoku.rounds.models import PlanSettings, Report
from shinchoku.rounds.sheet_xlsx_apply import Conflict, Merged, UploadResult, apply_parsed
from shinchoku.rounds.sheet_xlsx_layout import norm, xml_text
from shinchoku.rounds.sheet_xlsx_read import (
    IDS_EDITED,
    ROW_MOVED,
    formula_problem,
    grid,
    read_guarded,
    read_meta,
    row_label,
)
from shinchoku.rounds.sheet_xlsx_write import BOX, HEADER_FILL, INPUT_FILL, INPUT_HEADER_FILL

FORMAT = "shinchoku-final-sheet"
FORMAT_VERSION = 1
S_FINAL = "最終評価"
S_LISTS = "リスト"
S_IDS = "識別情報"
HEADER_ROW, FIRST_ROW = 3, 4
FIXED = [("基本目標", 18), ("事業区分", 20), ("番号", 6), ("事業項目", 24), ("これまでの経過", 60)]
INPUTS = [("followup", 40), ("issues", 40), ("final_status", 12)]
INPUT_COL = len(FIXED) + 2  # column A holds the row's key (hidden)
META = [
    ("形式", "format"),
    ("形式の版", "format_version"),
    ("計画ID", "plan"),
    ("計画名", "plan_title"),
    ("部署ID", "department_id"),
    ("部署名", "department"),
    ("調査票ID", "report_id"),
    ("ダウンロード時の版", "version"),
    ("ダウンロード日時", "downloaded"),
]
IDS_COL = 4  # D–G: cell, node key, field, value as downloaded
MAX_CELL = 32000  # below Excel's 32,767 characters per cell
NOT_A_FINAL_SHEET = gettext_lazy(
    "This is not a final evaluation sheet file. Enter your values in the file downloaded from "
    "the final evaluation sheet's page, then upload it."
)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)


def final_filename(report: Report) -> str:
    from shinchoku.core.filenames import plan_fy_name

    plan = report.round.plan
    return plan_fy_name(plan.title, None, "最終評価調査票", "xlsx", report.department.name)


def history_text(history: ItemHistory) -> str:
    """An item's history as one cell's text (the same facts as the sheet page shows)."""
    parts: list[str] = []
    if history.texts:
        parts.append("【取組状況・今後の展開】")
        for t in history.texts:
            parts.append(f"{t.fy_label} {t.department}")
            if t.done:
                parts.append(f"　取組状況: {t.done}")
            if t.next:
                parts.append(f"　今後の展開: {t.next}")
    if history.indicators:
        parts.append("【指標】")
        for ind in history.indicators:
            steps = [f"基準値 {ind.baseline}" if ind.baseline else "基準値 ―"]
            steps += [f"{label} {text}" for label, text in ind.actuals]
            steps.append(f"最終目標 {ind.final or '―'}")
            achieved = f"（{ind.achievement}）" if ind.achievement else ""
            parts.append(f"{ind.name}: " + " → ".join(steps) + achieved)
    if history.opinions:
        parts.append("【委員会の意見と対応】")
        for o in history.opinions:
            answer = "／".join(x for x in (o.policy, o.action, o.reason) if x)
            said = f"{o.status}: {answer}" if answer else o.status
            parts.append(f"{o.fy_label} No.{o.number} {o.text}（{said}）")
    text = "\n".join(parts) or "（年度ごとの報告はありません）"
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


# --------------------------------------------------------------------------- write


def write_final_sheet(report: Report) -> bytes:
    """The department's final sheet, pre-filled with the history and what is stored now."""
    plan = report.round.plan
    statuses = list(PlanSettings.of(plan).final_statuses)
    lines = final_services.final_sheet(report)
    wb = Workbook()
    ws = wb.active
    ws.title = S_FINAL
    ws.cell(row=1, column=2, value=f"{plan.title}　最終評価 調査票").font = Font(bold=True, size=14)
    ws.cell(
        row=2,
        column=2,
        value=f"担当部署: {report.department.name}　提出期限: {report.round.deadline:%Y-%m-%d}　"
        "黄色のセルに入力してください。ほかのセルは変更できません。",
    )
    ws.cell(row=HEADER_ROW, column=1, value="キー")
    ws.column_dimensions["A"].hidden = True
    headers = [(t, w, False) for t, w in FIXED] + [(FIELD_LABELS[f], w, True) for f, w in INPUTS]
    for col, (text, width, is_input) in enumerate(headers, start=2):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = INPUT_HEADER_FILL if is_input else HEADER_FILL
        cell.border = BOX
        ws.column_dimensions[get_column_letter(col)].width = width
    inputs: list[list[Any]] = []
    status_cells = []
    for r, ln in enumerate(lines, start=FIRST_ROW):
        ws.cell(row=r, column=1, value=ln.node.key)
        p = ln.placement
        fixed = [p.goal, " ".join(x for x in (p.category, p.subcategory) if x), p.number, p.item]
        for col, value in enumerate([*fixed, history_text(ln.history)], start=2):
            cell = ws.cell(row=r, column=col, value=xml_text(value) or None)
            cell.number_format = "@"
            cell.alignment = TOP_WRAP
            cell.border = BOX
        for col, (name, _width) in enumerate(INPUTS, start=INPUT_COL):
            value = xml_text(getattr(ln, name) or "")
            cell = ws.cell(row=r, column=col, value=value or None)
            cell.number_format = "@"
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
            cell.alignment = TOP_WRAP
            cell.border = BOX
            inputs.append([cell.coordinate, ln.node.key, name, value])
            if name == "final_status":
                status_cells.append(cell.coordinate)
    lists = wb.create_sheet(S_LISTS)
    lists["A1"] = "状況"
    for i, s in enumerate(statuses, start=2):
        lists.cell(row=i, column=1, value=s)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    if status_cells:
        dv = DataValidation(
            type="list", formula1=f"'{S_LISTS}'!$A$2:$A${max(len(statuses), 1) + 1}"
        )
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.errorTitle = "入力できない値です"
        dv.error = "一覧から選んでください: " + "・".join(statuses)
        for c in status_cells:
            dv.add(c)
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=INPUT_COL)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    landscape_a4(ws, HEADER_ROW)
    fit_row_heights(ws)
    _identifiers(wb, report, inputs)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    wb.properties.creator = "Shinchoku"
    return workbook_bytes(wb)


def _identifiers(wb: Workbook, report: Report, inputs: list[list[Any]]) -> None:
    ws = wb.create_sheet(S_IDS)
    values = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plan": report.round.plan.slug,
        "plan_title": report.round.plan.title,
        "department_id": report.department_id,
        "department": report.department.name,
        "report_id": report.pk,
        "version": report.version,
        "downloaded": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for i, (label, key) in enumerate(META, start=1):
        ws.cell(row=i, column=1, value=label)
        ws.cell(row=i, column=2, value=values[key])
    for j, h in enumerate(["セル", "キー", "欄", "ダウンロード時の値"]):
        ws.cell(row=1, column=IDS_COL + j, value=h)
    for i, row in enumerate(inputs, start=2):
        for j, value in enumerate(row):
            ws.cell(row=i, column=IDS_COL + j, value=value if value != "" else None)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


# --------------------------------------------------------------------------- read


@dataclass(frozen=True)
class FinalCell:
    cell: str
    key: str
    field: str
    downloaded: str
    value: str


@dataclass
class FinalFile:
    meta: dict[str, str] = field(default_factory=dict)
    cells: list[FinalCell] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)


def read_final_sheet(data: bytes) -> FinalFile:
    """Identifiers and input cells of an uploaded final sheet, or problems; never raises."""
    return read_guarded(data, FinalFile(), _read, "final sheet")


def _read(book: Any, result: FinalFile) -> None:
    if S_IDS not in book.sheetnames or S_FINAL not in book.sheetnames:
        result.problems.append(CellProblem("", "", NOT_A_FINAL_SHEET))
        return
    ids = grid(book, S_IDS)
    result.meta.update(read_meta(ids, META, len(META)))
    if result.meta.get("format") != FORMAT:
        result.problems.append(CellProblem("", "", NOT_A_FINAL_SHEET))
        return
    values = grid(book, S_FINAL)
    formulas = book.formulas.get(S_FINAL, {})
    rows = sorted({r for r, c in ids if r >= 2 and c == IDS_COL})
    for at in rows:
        cell, key, name, downloaded = (ids.get((at, IDS_COL + j), "") for j in range(4))
        try:
            col_letters = "".join(ch for ch in cell if ch.isalpha())
            row = int(cell[len(col_letters) :])
            col = column_index_from_string(col_letters)
        except ValueError:
            row = col = 0
        if name not in FINAL_FIELDS or not key or row < FIRST_ROW or col < INPUT_COL:
            where = f"{get_column_letter(IDS_COL)}{at}"
            result.problems.append(CellProblem(S_IDS, where, IDS_EDITED))
            return
        if values.get((row, 1), "") != key:
            result.problems.append(CellProblem(S_FINAL, row_label(row), ROW_MOVED))
            continue
        formula = formulas.get((row, col))
        if formula is not None:
            result.problems.append(formula_problem(S_FINAL, cell, formula))
            continue
        value = norm(values.get((row, col), ""))
        result.cells.append(FinalCell(cell, key, name, norm(downloaded), value))


# --------------------------------------------------------------------------- check and apply


def _identity(report: Report, meta: dict[str, str]) -> list[CellProblem]:
    plan, dept = report.round.plan, report.department
    if meta.get("plan") != plan.slug:
        return [
            CellProblem(
                "",
                "",
                gettext(
                    "This file is the final evaluation of another plan (%(other)s). Download "
                    "the final evaluation sheet of “%(plan)s” and use that."
                )
                % {"other": (meta.get("plan_title") or "")[:100], "plan": plan.title},
            )
        ]
    if meta.get("department_id") != str(dept.pk) or meta.get("report_id") != str(report.pk):
        return [
            CellProblem(
                "",
                "",
                gettext(
                    "This file is not the final evaluation sheet of “%(department)s” "
                    "(%(other)s). Download the sheet of “%(department)s” and use that."
                )
                % {"department": dept.name, "other": (meta.get("department") or "")[:50]},
            )
        ]
    return []


def apply_final_upload(report: Report, data: bytes, user: Any) -> UploadResult:
    """Check an uploaded final sheet and write what the user changed, all or nothing."""
    return apply_parsed(
        report,
        read_final_sheet(data),
        user,
        identity=_identity,
        check_and_merge=_check_and_merge,
        save=final_services.save,
    )


def _check_and_merge(locked: Report, cells: list[FinalCell]) -> Merged:
    lines = final_services.final_sheet(locked)
    by_key = {ln.node.key: ln for ln in lines}
    statuses = PlanSettings.of(locked.round.plan).final_statuses
    problems = []
    for c in cells:
        if c.key not in by_key:
            problems.append(CellProblem(S_IDS, "", IDS_EDITED))
            break
        if c.field == "final_status" and c.value and c.value not in statuses:
            problems.append(
                CellProblem(
                    S_FINAL,
                    c.cell,
                    gettext(
                        "The status “%(value)s” of %(item)s cannot be used. Choose one of "
                        "%(statuses)s."
                    )
                    % {
                        "item": by_key[c.key].node,
                        "value": c.value[:50],
                        "statuses": gettext("・").join(statuses),
                    },
                )
            )
    if problems:
        return problems, None, [], [], lines
    data_in, changed, conflicts = _merge(locked, cells, by_key)
    return [], data_in, changed, conflicts, lines


def _merge(
    report: Report, cells: list[FinalCell], by_key: dict[str, FinalLine]
) -> tuple[dict[str, dict[str, str]], list[str], list[Conflict]]:
    """Three ways per cell: a cell changed in the file is taken unless the stored value also
    changed since the download, differently (a conflict)."""
    changes: dict[str, dict[str, str]] = {}
    changed: list[str] = []
    conflicts: list[Conflict] = []
    for c in cells:
        line = by_key[c.key]
        now = norm(getattr(line, c.field))
        if c.value == c.downloaded or c.value == now:
            continue
        label = f"{line.node} {FIELD_LABELS[c.field]}"
        if now != c.downloaded:
            conflicts.append(
                Conflict(S_FINAL, c.cell, label, c.value, now, c.downloaded, report.updated_by)
            )
            continue
        changes.setdefault(c.key, {})[c.field] = c.value
        changed.append(label)
    data = {
        key: {f: fields.get(f, getattr(by_key[key], f)) for f in FINAL_FIELDS}
        for key, fields in changes.items()
    }
    return data, changed, conflicts


def final_sheet_label(report: Report) -> str:
    return f"{report.department.name} 最終評価（{fy_label(report.round.fy)}）"
