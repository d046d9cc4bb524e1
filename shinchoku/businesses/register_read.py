"""Reading the register workbook: every cell as text, or the problems that stop it being read.

The workbook goes through plans.xlsx_guard (size, zip bomb, macros, not an xlsx, broken XML,
rows and cells capped); a formula in any cell read is refused; headings are checked. What the
cells mean is checked by register_upload.plan_register.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from shinchoku.businesses.register_xlsx import (
    FIRST_ROW,
    HEADERS,
    HEADING_ROW,
    RATE_LABEL,
    SETTINGS_SHEET,
    SHEET,
    YEAR_HEADING,
    YEAR_WORDS,
)
from shinchoku.core.values import normalise_digits
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.xlsx_cells import opened_cells
from shinchoku.plans.xlsx_guard import WorkbookFault, opened
from shinchoku.rounds.sheet_xlsx_read import formula_problem

MAX_BUSINESSES = 2000
MAX_COLUMNS = len(HEADERS) + 4 * 40  # forty fiscal years


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_register(data: bytes, *, lean: bool = True) -> tuple[dict, list[CellProblem]]:
    """The workbook's cells as text: {"fys": [[column, fy, field]…], "rows": [{"number", "cells",
    "years": {column: text}}…], "rate": text}, or the problems that stop it being read.

    Read by the lean cell reader (xlsx_cells, issue 16); `lean=False` reads it with openpyxl, as
    before (the tests compare both)."""
    problems: list[CellProblem] = []
    raw: dict = {"fys": [], "rows": [], "rate": None}
    try:
        with (opened_cells if lean else opened)(data) as wb:
            if SHEET not in wb.sheetnames:
                return raw, [
                    CellProblem(
                        "",
                        "",
                        _(
                            "The workbook has no sheet “%(sheet)s”. Download the register, "
                            "enter the businesses there and upload it."
                        )
                        % {"sheet": SHEET},
                    )
                ]
            year_columns: dict[int, tuple[int, str]] = {}
            for number, values in wb.rows(
                SHEET, max_columns=MAX_COLUMNS, max_rows=MAX_BUSINESSES + FIRST_ROW
            ):
                if number < HEADING_ROW:
                    continue
                if number == HEADING_ROW:
                    year_columns = _headings(values, problems)
                    continue
                texts = [_text(values.get(c, (None, ""))[0]) for c in range(1, len(HEADERS) + 1)]
                years = {}
                for column, (value, _fmt) in values.items():
                    if column > len(HEADERS):
                        if column not in year_columns:
                            problems.append(
                                CellProblem(
                                    SHEET,
                                    f"{get_column_letter(column)}{number}",
                                    _(
                                        "This column has no heading the register knows. "
                                        "Delete the value or the column."
                                    ),
                                )
                            )
                            continue
                        # a date or a truth value reads as text that is not a figure
                        years[str(column)] = _text(value)
                if any(texts) or years:
                    raw["rows"].append({"number": number, "cells": texts, "years": years})
            raw["fys"] = [[c, fy, f] for c, (fy, f) in sorted(year_columns.items())]
            for (row, column), formula in sorted(wb.formulas.get(SHEET, {}).items()):
                if row >= FIRST_ROW:
                    cell = f"{get_column_letter(column)}{row}"
                    problems.append(formula_problem(SHEET, cell, formula))
            if SETTINGS_SHEET in wb.sheetnames:
                for number, values in wb.rows(SETTINGS_SHEET, max_columns=5, max_rows=20):
                    if _text(values.get(1, (None, ""))[0]) == RATE_LABEL:
                        value = values.get(2, (None, ""))[0]
                        raw["rate"] = {"cell": f"B{number}", "text": _text(value)}
                for (row, column), formula in sorted(wb.formulas.get(SETTINGS_SHEET, {}).items()):
                    cell = f"{get_column_letter(column)}{row}"
                    problems.append(formula_problem(SETTINGS_SHEET, cell, formula))
    except WorkbookFault as exc:
        return {"fys": [], "rows": [], "rate": None}, [
            CellProblem(exc.sheet, exc.cell, exc.message)
        ]
    return raw, problems


def _headings(values: dict, problems: list[CellProblem]) -> dict[int, tuple[int, str]]:
    for column, want in enumerate(HEADERS, 1):
        got = _text(values.get(column, (None, ""))[0])
        if got != want:
            problems.append(
                CellProblem(
                    SHEET,
                    f"{get_column_letter(column)}{HEADING_ROW}",
                    _(
                        "The heading must be “%(want)s”. Use the downloaded register without "
                        "changing its headings."
                    )
                    % {"want": want},
                )
            )
    found: dict[int, tuple[int, str]] = {}
    seen: dict[tuple[int, str], str] = {}
    for column, (value, _fmt) in sorted(values.items()):
        if column <= len(HEADERS):
            continue
        cell = f"{get_column_letter(column)}{HEADING_ROW}"
        match = YEAR_HEADING.match(normalise_digits(_text(value)))
        if match is None:
            problems.append(
                CellProblem(
                    SHEET,
                    cell,
                    _(
                        "A figure column's heading must be a fiscal year and one of 予算, 決算, "
                        "人工, 活動実績, such as “2024年度 決算（千円）”."
                    ),
                )
            )
            continue
        key = (int(match[1]), YEAR_WORDS[match[2]])
        if key in seen:
            problems.append(
                CellProblem(
                    SHEET,
                    cell,
                    _("The same column is also in cell %(cell)s. Keep one of them.")
                    % {"cell": seen[key]},
                )
            )
            continue
        seen[key] = cell
        found[column] = key
    return found
