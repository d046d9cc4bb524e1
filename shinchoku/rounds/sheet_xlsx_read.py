"""Read an uploaded progress sheet back, without touching the database.

`read_sheet` reads a file (after xlsx_safety checked it): the identifiers of the hidden sheet and
every input cell with its value as downloaded and as found, or problems with sheet and cell in
Japanese. Checking and merging it into the stored sheet is sheet_xlsx_apply. The format is
documented in docs/sheet.md.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext, gettext_lazy
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string

from shinchoku.plans.workbook import CANNOT_READ, CellProblem, cell_text
from shinchoku.plans.xlsx_cells import opened_cells
from shinchoku.plans.xlsx_guard import GuardedWorkbook, WorkbookFault, opened
from shinchoku.plans.xlsx_safety import MAX_COLUMNS, MAX_ROWS
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

log = logging.getLogger(__name__)


class _Parsed(Protocol):
    problems: list[CellProblem]
    cells: list[Any]


R = TypeVar("R", bound=_Parsed)
CELL_REF = re.compile(r"([A-Z]{1,2})([1-9][0-9]{0,4})")  # an input cell: within A1:ZZ99999


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


def grid(book: GuardedWorkbook, name: str) -> dict[tuple[int, int], str]:
    """Every non-empty cell of a sheet as text, by (row, column); sizes capped by the guard."""
    out: dict[tuple[int, int], str] = {}
    for r, cells in book.rows(name):
        for c, (value, number_format) in cells.items():
            text = cell_text(value, number_format)
            if text != "":
                out[(r, c)] = text
    return out


NOT_A_SHEET = gettext_lazy(
    "This is not a progress sheet file. Enter your values in the file downloaded from the "
    "sheet's page, then upload it."
)


def read_guarded(
    data: bytes,
    result: R,
    read: Callable[[Any, R], None],
    what: str,
    opener: Callable[[bytes], Any] = opened,
) -> R:
    """Run `read(book, result)` on an uploaded file (yearly or final sheet); never raises.

    `opener` opens the checked file: xlsx_guard.opened (openpyxl) or xlsx_cells.opened_cells
    (the lean reader, issue 16), both giving sheetnames, rows and formulas. A fault of the file
    or of ours becomes a problem of `result`; with problems, no cells.
    """
    try:
        with opener(data) as book:
            read(book, result)
    except WorkbookFault as fault:
        result.problems.append(CellProblem(fault.sheet, fault.cell, fault.message))
    except Exception:  # a fault of ours on a strange file is still a message, never a 500
        log.exception("reading an uploaded %s failed", what)
        result.problems.append(CellProblem("", "", CANNOT_READ))
    if result.problems:
        result.cells = []
    return result


def read_meta(
    ids: dict[tuple[int, int], str], meta: Sequence[tuple[str, str]], rows: int
) -> dict[str, str]:
    """The identifiers (label in column A, value in B) of the first `rows` rows of 識別情報."""
    labels = dict(meta)
    found: dict[str, str] = {}
    for r in range(1, rows + 1):
        key = labels.get(ids.get((r, 1), ""))
        if key:
            found[key] = ids.get((r, 2), "")
    return found


ROW_MOVED = gettext_lazy(
    "The rows have been moved (rows inserted, deleted or sorted). Download the sheet again and "
    "enter your changes there."
)


def formula_problem(sheet: str, cell: str, formula: str) -> CellProblem:
    """An input cell holding a formula (issue 12 part 6): refused, the formula shown shortened."""
    text = formula if len(formula) <= 40 else formula[:40] + "…"
    return CellProblem(sheet, cell, FORMULA % {"cell": cell, "formula": text})


def read_sheet(data: bytes, *, lean: bool = True) -> SheetFile:
    """Read an uploaded sheet: identifiers and input cells, or problems; never raises.

    Read by the lean reader (xlsx_cells, issue 16); `lean=False` reads it with openpyxl, as
    before (the tests compare both).
    """
    return read_guarded(
        data, SheetFile(), _read, "progress sheet", opened_cells if lean else opened
    )


def _read(book: GuardedWorkbook, result: SheetFile) -> None:
    if S_IDS not in book.sheetnames:
        result.problems.append(CellProblem("", "", NOT_A_SHEET))
        return
    ids = grid(book, S_IDS)
    result.meta.update(read_meta(ids, META, len(META) + 4))
    if result.meta.get("format") != FORMAT:
        result.problems.append(CellProblem("", "", NOT_A_SHEET))
        return
    grids = {name: grid(book, name) for name in DATA_SHEETS if name in book.sheetnames}
    for name in DATA_SHEETS:
        if name not in grids:
            result.problems.append(
                CellProblem(
                    name,
                    "",
                    gettext("The sheet “%(sheet)s” is missing. Download the sheet again.")
                    % {"sheet": name},
                )
            )
    _read_rows(ids, grids, result)
    _read_inputs(ids, grids, result, book.formulas)


IDS_EDITED = gettext_lazy(
    "The sheet's identifiers (the hidden sheet “識別情報”) have been edited. Download the "
    "sheet again and enter your changes there."
)


def _table(
    ids: dict[tuple[int, int], str], first_col: int, width: int
) -> list[tuple[int, list[str]]]:
    rows = sorted({r for r, c in ids if r >= 2 and first_col <= c < first_col + width})
    return [(r, [ids.get((r, first_col + j), "") for j in range(width)]) for r in rows]


def _read_rows(ids: dict, grids: dict, result: SheetFile) -> None:
    """Compare every row's key and locked cells with what was downloaded."""
    for at, (sheet, row_text, key, locked_json) in _table(ids, ROW_COL, len(ROW_HEADERS)):
        if sheet not in grids or not row_text.isdigit():
            continue
        r = int(row_text)
        try:
            locked = json.loads(locked_json or "[]")
        except ValueError:
            locked = None
        if not isinstance(locked, list) or len(locked) > MAX_COLUMNS or r > MAX_ROWS:
            where = f"{get_column_letter(ROW_COL)}{at}"
            result.problems.append(CellProblem(S_IDS, where, IDS_EDITED))
            return
        grid = grids[sheet]
        if grid.get((r, 1), "") != key:
            result.problems.append(CellProblem(sheet, row_label(r), ROW_MOVED))
            continue
        for j, expected in enumerate(locked):
            col = 2 + j
            if norm(grid.get((r, col), "")) != norm(expected):
                where = f"{get_column_letter(col)}{r}"
                result.problems.append(
                    CellProblem(
                        sheet,
                        where,
                        gettext(
                            "A protected cell has been changed (it was “%(expected)s” when "
                            "downloaded). Put it back, or download the sheet again."
                        )
                        % {"expected": expected},
                    )
                )


# issue 12 part 6: a formula in an input cell is refused (its value would be dropped or guessed)
FORMULA = gettext_lazy(
    "The cell %(cell)s holds the formula “=%(formula)s”. Type the text or number itself."
)


def row_label(row: int) -> str:
    """A row named in the Cell column of a problem: 12行目 / row 12."""
    return gettext("row %(row)s") % {"row": row}


def _read_inputs(
    ids: dict, grids: dict, result: SheetFile, formulas: dict[str, dict] | None = None
) -> None:
    for at, row in _table(ids, INPUT_COL, len(INPUT_HEADERS)):
        sheet, cell, kind, key, name, downloaded = row
        match = CELL_REF.fullmatch(cell)
        if (
            sheet not in grids
            or kind not in FIELDS
            or name not in FIELDS[kind]
            or match is None
            or not key
        ):
            where = f"{get_column_letter(INPUT_COL)}{at}"
            result.problems.append(CellProblem(S_IDS, where, IDS_EDITED))
            return
        at_cell = (int(match[2]), column_index_from_string(match[1]))
        formula = (formulas or {}).get(sheet, {}).get(at_cell)
        if formula is not None:  # issue 12 part 6
            result.problems.append(formula_problem(sheet, cell, formula))
            continue
        value = grids[sheet].get(at_cell, "")
        result.cells.append(InputCell(sheet, cell, kind, key, name, norm(downloaded), norm(value)))


# --------------------------------------------------------------------------- checking and merging
