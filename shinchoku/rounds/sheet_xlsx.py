"""A department's progress sheet as an Excel workbook: download pre-filled, upload back.

The facade of four modules; import from here:

- sheet_xlsx_layout: sheet names, rows and columns, fields, identifier labels, text rules;
- sheet_xlsx_write: `write_sheet` (the workbook, input cells unlocked, the rest locked, a hidden
  sheet of identifiers with every input cell's value as downloaded) and `sheet_filename`;
- sheet_xlsx_read: `read_sheet` (a file back, without the database);
- sheet_xlsx_apply: `merge` (three-way per cell: downloaded / in the file / stored now) and
  `apply_upload` (check, refuse problems and conflicts, write the rest through services.save in
  one transaction).

The format is documented in docs/sheet.md.
"""

from __future__ import annotations

from shinchoku.rounds.sheet_xlsx_apply import (
    NOT_EDITABLE,
    Conflict,
    UploadResult,
    apply_upload,
    merge,
)
from shinchoku.rounds.sheet_xlsx_layout import (
    CONTENT,
    DATA_SHEETS,
    FIELD_NAMES,
    FIELDS,
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    HEADER_ROW,
    INDICATOR,
    INPUT_COL,
    INPUT_HEADERS,
    ITEM,
    KIND_NAMES,
    MAX_ACTUAL,
    META,
    ROW_COL,
    ROW_HEADERS,
    S_CONTENTS,
    S_GUIDE,
    S_IDS,
    S_INDICATORS,
    S_ITEMS,
    S_LISTS,
    content_key,
    row_key,
)
from shinchoku.rounds.sheet_xlsx_read import NOT_A_SHEET, InputCell, SheetFile, read_sheet
from shinchoku.rounds.sheet_xlsx_write import sheet_filename, write_sheet

__all__ = [
    "CONTENT",
    "DATA_SHEETS",
    "FIELDS",
    "FIELD_NAMES",
    "FIRST_ROW",
    "FORMAT",
    "FORMAT_VERSION",
    "HEADER_ROW",
    "INDICATOR",
    "INPUT_COL",
    "INPUT_HEADERS",
    "ITEM",
    "KIND_NAMES",
    "MAX_ACTUAL",
    "META",
    "NOT_A_SHEET",
    "NOT_EDITABLE",
    "ROW_COL",
    "ROW_HEADERS",
    "S_CONTENTS",
    "S_GUIDE",
    "S_IDS",
    "S_INDICATORS",
    "S_ITEMS",
    "S_LISTS",
    "Conflict",
    "InputCell",
    "SheetFile",
    "UploadResult",
    "apply_upload",
    "content_key",
    "merge",
    "read_sheet",
    "row_key",
    "sheet_filename",
    "write_sheet",
]
