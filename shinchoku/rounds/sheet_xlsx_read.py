"""Read an uploaded progress sheet back, check it and merge it into the stored sheet.

`read_sheet` reads a file (after xlsx_safety checked it) without touching the database: the
identifiers of the hidden sheet and every input cell, or problems. `apply_upload` compares each
input cell three ways (downloaded / in the file / stored now, see `merge`), lists problems with
sheet and cell in Japanese, refuses conflicts, and writes the rest through services.save in one
transaction. The format is documented in docs/sheet.md.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from shinchoku.core.values import YEN_UNITS, compatible, parse_value
from shinchoku.core.wareki import fy_label
from shinchoku.plans.workbook import CellProblem, cell_text
from shinchoku.plans.xlsx_safety import UnsafeWorkbook, check_xlsx
from shinchoku.rounds import services
from shinchoku.rounds.models import PlanSettings, Report
from shinchoku.rounds.sheet_xlsx_layout import (
    CONTENT,
    DATA_SHEETS,
    FIELD_NAMES,
    FIELDS,
    FORMAT,
    INDICATOR,
    INPUT_COL,
    INPUT_HEADERS,
    ITEM,
    KIND_NAMES,
    MAX_ACTUAL,
    META,
    ROW_COL,
    ROW_HEADERS,
    S_IDS,
    content_key,
    norm,
)


@dataclass(frozen=True)
class InputCell:
    """One input cell of a sheet: where it is, what it holds, and its value as downloaded."""

    sheet: str
    cell: str
    kind: str  # item | content | indicator
    key: str  # node key; "node#position" for a content; indicator key
    field: str
    downloaded: str
    value: str = ""  # as read from the uploaded file


@dataclass
class SheetFile:
    """What read_sheet found in a file: its identifiers and input cells, or problems."""

    meta: dict[str, str] = field(default_factory=dict)
    cells: list[InputCell] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)


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


def _grid(ws: Any) -> dict[tuple[int, int], str]:
    """Every non-empty cell of a read-only sheet as text, by (row, column)."""
    try:
        ws.reset_dimensions()  # files saved by other programs may declare a wrong size
    except AttributeError:
        pass
    out: dict[tuple[int, int], str] = {}
    for r, row in enumerate(ws.iter_rows(), start=1):
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if value is not None:
                text = cell_text(value, getattr(cell, "number_format", "General"))
                if text != "":
                    out[(r, c)] = text
    return out


NOT_A_SHEET = (
    "進捗状況調査票のファイルではありません。"
    "調査票の画面からダウンロードしたファイルに入力して、アップロードしてください。"
)


def read_sheet(data: bytes) -> SheetFile:
    """Read an uploaded sheet: identifiers and input cells, or problems; never raises."""
    result = SheetFile()
    try:
        check_xlsx(data)
    except UnsafeWorkbook as exc:
        result.problems.append(CellProblem("", "", str(exc)))
        return result
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parse failure of an untrusted file is one message
        result.problems.append(
            CellProblem(
                "",
                "",
                "ワークブックを開けませんでした。Excelで開いて「.xlsx」形式で保存し直してください。",
            )
        )
        return result
    try:
        if S_IDS not in wb.sheetnames:
            result.problems.append(CellProblem("", "", NOT_A_SHEET))
            return result
        ids = _grid(wb[S_IDS])
        labels = {label: key for label, key in META}
        for r in range(1, len(META) + 5):
            key = labels.get(ids.get((r, 1), ""))
            if key:
                result.meta[key] = ids.get((r, 2), "")
        if result.meta.get("format") != FORMAT:
            result.problems.append(CellProblem("", "", NOT_A_SHEET))
            return result
        grids = {name: _grid(wb[name]) for name in DATA_SHEETS if name in wb.sheetnames}
        for name in DATA_SHEETS:
            if name not in grids:
                result.problems.append(
                    CellProblem(
                        name,
                        "",
                        f"シート「{name}」がありません。調査票をダウンロードし直してください。",
                    )
                )
        _read_rows(ids, grids, result)
        _read_inputs(ids, grids, result)
    finally:
        wb.close()
    return result


def _table(ids: dict[tuple[int, int], str], first_col: int, width: int) -> list[list[str]]:
    last = max((r for r, c in ids if first_col <= c < first_col + width), default=1)
    return [[ids.get((r, first_col + j), "") for j in range(width)] for r in range(2, last + 1)]


def _read_rows(ids: dict, grids: dict, result: SheetFile) -> None:
    """Compare every row's key and locked cells with what was downloaded."""
    for sheet, row_text, key, locked_json in _table(ids, ROW_COL, len(ROW_HEADERS)):
        if sheet not in grids or not row_text.isdigit():
            continue
        r = int(row_text)
        grid = grids[sheet]
        if grid.get((r, 1), "") != key:
            result.problems.append(
                CellProblem(
                    sheet,
                    f"{r}行目",
                    "行の並びが変わっています（行の挿入・削除・並べ替え）。"
                    "調査票をダウンロードし直して、入力し直してください。",
                )
            )
            continue
        try:
            locked = json.loads(locked_json or "[]")
        except ValueError:
            locked = []
        for j, expected in enumerate(locked):
            col = 2 + j
            if norm(grid.get((r, col), "")) != norm(expected):
                where = f"{get_column_letter(col)}{r}"
                result.problems.append(
                    CellProblem(
                        sheet,
                        where,
                        f"保護された欄が変更されています（ダウンロード時は「{expected}」）。"
                        "元に戻すか、調査票をダウンロードし直してください。",
                    )
                )


def _read_inputs(ids: dict, grids: dict, result: SheetFile) -> None:
    for sheet, cell, kind, key, name, downloaded in _table(ids, INPUT_COL, len(INPUT_HEADERS)):
        if sheet not in grids or kind not in FIELDS or name not in FIELDS[kind]:
            result.problems.append(CellProblem(S_IDS, "", NOT_A_SHEET))
            return
        try:
            letters, r = coordinate_from_string(cell)
        except ValueError:
            result.problems.append(CellProblem(S_IDS, "", NOT_A_SHEET))
            return
        value = grids[sheet].get((r, column_index_from_string(letters)), "")
        result.cells.append(InputCell(sheet, cell, kind, key, name, norm(downloaded), norm(value)))


# --------------------------------------------------------------------------- checking and merging


def _label(kind: str, key: str, name: str, names: dict[tuple[str, str], str]) -> str:
    return f"{names.get((kind, key), key)} {FIELD_NAMES[name]}"


def _identity_problems(report: Report, meta: dict[str, str]) -> list[CellProblem]:
    """A sheet of another plan, round or department is refused before anything else."""
    plan, fy, dept = report.round.plan, report.round.fy, report.department
    where = f"{meta.get('plan', '?')} {meta.get('fy', '?')}年度 {meta.get('department', '?')}"
    if meta.get("plan") != plan.slug:
        return [
            CellProblem(
                "",
                "",
                "このファイルは別の計画"
                f"（{meta.get('plan_title') or meta.get('plan')}）の調査票です。"
                f"「{plan.title}」の調査票をダウンロードして使ってください。",
            )
        ]
    if meta.get("fy") != str(fy):
        file_fy = meta.get("fy", "")
        label = fy_label(int(file_fy)) if file_fy.isdigit() else file_fy
        return [
            CellProblem(
                "",
                "",
                f"このファイルは{label}の調査票です。{fy_label(fy)}の調査票をダウンロードして使ってください。",
            )
        ]
    if meta.get("department_id") != str(dept.pk) or meta.get("report_id") != str(report.pk):
        return [
            CellProblem(
                "",
                "",
                f"このファイルは「{meta.get('department') or where}」の調査票です。"
                f"「{dept.name}」の調査票には読み込めません。",
            )
        ]
    return []


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
                        f"この行の{KIND_NAMES[c.kind]}（キー「{c.key}」）は今の調査票にありません"
                        "（計画が変わった可能性があります）。"
                        "調査票をダウンロードし直して、入力し直してください。",
                    )
                )
            continue
        value = c.value
        if c.field == "status" and value and value not in statuses:
            problems.append(
                CellProblem(
                    c.sheet,
                    c.cell,
                    f"状況「{value}」は使えません。{'・'.join(statuses)} のいずれかを"
                    "一覧から選んでください。",
                )
            )
        elif c.field == "evaluation" and value:
            code = _evaluation_code(value, scale)
            if code is None:
                codes = "・".join(str(s["code"]) for s in scale)
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        f"自己評価「{value}」は使えません。{codes} のいずれかを"
                        "一覧から選んでください"
                        "（基準は「説明」シートにあります）。",
                    )
                )
            else:
                value = code
        elif c.field == "actual" and value:
            ind = indicators[c.key]
            parsed = parse_value(value)
            if len(value) > MAX_ACTUAL:
                problems.append(
                    CellProblem(c.sheet, c.cell, f"実績は{MAX_ACTUAL}文字以内で書いてください。")
                )
            elif (
                parsed.is_numeric()
                and ind.unit
                and parsed.unit
                and not compatible(parsed.unit, ind.unit)
            ):
                yen = (
                    "（金額は千円・万円・円のどれでも換算します）" if ind.unit in YEN_UNITS else ""
                )
                problems.append(
                    CellProblem(
                        c.sheet,
                        c.cell,
                        f"単位「{parsed.unit}」は指標「{ind.name}」の単位「{ind.unit}」に換算できません。"
                        f"{ind.unit}で書いてください{yen}。",
                    )
                )
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
            for name in FIELDS[INDICATOR]:
                out[(INDICATOR, ln.indicator.key, name)] = norm(getattr(ln, name))
    return out


def _names(lines: list[services.ItemLines]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for item in lines:
        out[(ITEM, item.node.key)] = str(item.node)
        for c in item.contents:
            out[(CONTENT, content_key(item.node.key, c.position))] = (
                f"{item.node} 実施内容{c.content.label or c.position}"
            )
        for ln in item.indicators:
            out[(INDICATOR, ln.indicator.key)] = f"指標「{ln.indicator.name}」"
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


NOT_EDITABLE = "この調査票は今は変更できません（提出済・承認済、または調査の終了）。"


def apply_upload(report: Report, data: bytes, user: Any) -> UploadResult:
    """Check an uploaded sheet and write what the user changed, all or nothing."""
    parsed = read_sheet(data)
    if parsed.problems:
        return UploadResult("problems", parsed.problems)
    problems = _identity_problems(report, parsed.meta)
    if problems:
        return UploadResult("problems", problems)
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round__plan", "department")
            .get(pk=report.pk)
        )
        if not locked.editable:
            return UploadResult("problems", [CellProblem("", "", NOT_EDITABLE)])
        lines = services.sheet(locked)
        problems, values = _value_problems(locked, parsed.cells, lines)
        if problems:
            return UploadResult("problems", problems)
        data_in, changed, conflicts = merge(locked, parsed.cells, values, lines)
        if conflicts:
            return UploadResult("conflicts", conflicts=conflicts, report=locked)
        if not changed:
            return UploadResult("unchanged", report=locked)
        try:
            saved = services.save(locked, data_in, version=locked.version, user=user)
        except services.RoundError as exc:
            return UploadResult(
                "problems", [CellProblem("", "", line) for line in str(exc).splitlines()]
            )
    return UploadResult("saved", changed=changed, report=saved)
