"""Read an uploaded progress sheet back, without touching the database.

`read_sheet` reads a file (after xlsx_safety checked it): the identifiers of the hidden sheet and
every input cell with its value as downloaded and as found, or problems with sheet and cell in
Japanese. Checking and merging it into the stored sheet is sheet_xlsx_apply. The format is
documented in docs/sheet.md.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from shinchoku.plans.workbook import CellProblem, cell_text
from shinchoku.plans.xlsx_safety import UnsafeWorkbook, check_xlsx
from shinchoku.rounds.sheet_xlsx_layout import (
    DATA_SHEETS,
    FIELDS,
    FORMAT,
    INPUT_COL,
    INPUT_HEADERS,
    META,
    ROW_COL,
    ROW_HEADERS,
    S_IDS,
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
