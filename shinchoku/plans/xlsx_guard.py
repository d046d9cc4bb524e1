"""Reading an untrusted workbook: every openpyxl call behind one guard, sizes capped as it reads.

openpyxl reads lazily: `load_workbook` only opens the file, and a broken sheet (a flipped byte in
its XML, a cell address such as ZZZZ9999999, a number cell holding "abc", a style that does not
exist) fails later, while its rows are iterated. Here every read goes through `opened` and
`GuardedWorkbook.rows`, which turn any fault into a `WorkbookFault` naming the sheet and, when
known, the cell, with what to do, in the active language. Rows come sparse (an address in row
9,999,999 is one row, not ten million empty ones) and are counted while they are read, so a file
with a million rows is refused after the first few thousand, whatever its dimension tag says.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.utils.translation import gettext, gettext_lazy
from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from shinchoku.plans.xlsx_safety import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    UnsafeWorkbook,
    check_content_types,
    check_xlsx,
)

CANNOT_OPEN = gettext_lazy(
    "The workbook could not be opened. Open it in Excel and save it again as “.xlsx”."
)
MAX_LABEL_BYTES = 1024 * 1024
REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")


class WorkbookFault(Exception):
    """A workbook that cannot be read; the message says where and what to do, in the active
    language."""

    def __init__(self, message: str, sheet: str = "", cell: str = ""):
        message = str(message)  # a lazy message is fixed in the language active now
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell


def _row_label(row: int) -> str:
    return gettext("row %(row)s") % {"row": row}


def _fix_cell(reason: str = "") -> str:
    """What to do about a cell that cannot be read; reason names what is wrong in it."""
    if reason == "address":
        message = gettext(
            "The cell address “%(value)s” is not valid and cannot be read (the file is broken, "
            "or was changed by software other than Excel). Open the file in Excel, enter this "
            "cell again and save it again as “.xlsx”."
        )
    elif reason == "row":
        message = gettext(
            "The row number “%(value)s” is not valid and cannot be read (the file is broken, "
            "or was changed by software other than Excel). Open the file in Excel, enter this "
            "cell again and save it again as “.xlsx”."
        )
    else:
        message = gettext(
            "This cell cannot be read (the file is broken, or was changed by software other "
            "than Excel). Open the file in Excel, enter this cell again and save it again as "
            "“.xlsx”."
        )
    return message


class _CellFault(Exception):
    """A cell (or row) of a sheet that cannot be read; also raised by plans.xlsx_cells."""

    def __init__(self, cell: str, reason: str = "", value: str = ""):
        super().__init__(cell)
        self.cell = cell
        self.reason = reason  # "address", "row" or "" (the cell itself)
        self.value = value

    def message(self) -> str:
        text = _fix_cell(self.reason)
        return text % {"value": self.value} if self.reason else text


def check_cell_address(ref: str | None, column: int, row: int) -> None:
    """Refuse a cell whose address (its r attribute) is not a valid one; column counts from 0."""
    if ref is not None and REF.fullmatch(ref) is None:
        raise _CellFault(
            f"{get_column_letter(column + 1)}{row}"
            if 0 <= column < MAX_COLUMNS
            else _row_label(row),
            "address",
            ref[:20],
        )


def unreadable_cell(ref: str | None, column: int, row: int) -> _CellFault:
    """The fault of a cell whose value could not be read (column counts from 0)."""
    return _CellFault((ref or f"{get_column_letter(min(column + 1, 16384))}{row}").upper())


def check_row_number(number: str | None, row: int) -> None:
    """Refuse a row whose number (its r attribute) is not a valid one; row is the one before."""
    if number is not None and not (number.isdigit() and 0 < len(number) <= 7):
        raise _CellFault(_row_label(row + 1), "row", number[:20])


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, telling which cell it was reading when something failed."""

    # (row, column) → formula text of every cell holding a formula, whatever its cached value
    # (read with data_only, a formula cell gives its cached value, or nothing when never
    # calculated); filled when set (GuardedWorkbook.formulas).
    formulas: dict[tuple[int, int], str] | None = None

    def parse_cell(self, element: Any) -> dict:
        ref = element.get("r")
        check_cell_address(ref, self.col_counter, self.row_counter)
        try:
            cell = super().parse_cell(element)
        except _CellFault:
            raise
        except Exception:
            raise unreadable_cell(ref, self.col_counter, self.row_counter) from None
        if self.formulas is not None and element.find(FORMULA_TAG) is not None:
            self.formulas[(cell["row"], cell["column"])] = element.findtext(FORMULA_TAG) or ""
        return cell

    def parse_row(self, row: Any) -> tuple[int, list[dict]]:
        check_row_number(row.get("r"), self.row_counter)
        return super().parse_row(row)


def unreadable_sheet(name: str) -> WorkbookFault:
    """A sheet whose part cannot be opened."""
    return WorkbookFault(
        gettext(
            "The sheet “%(sheet)s” cannot be read (the file is broken). Open it in Excel and save "
            "it again as “.xlsx”."
        )
        % {"sheet": name},
        name,
    )


def broken_near(name: str, row_counter: int) -> WorkbookFault:
    """A fault of a sheet's XML itself, after row_counter rows were read (0: none)."""
    near = row_counter + 1
    if row_counter:
        message = gettext(
            "The sheet cannot be read near row %(row)s (the file is broken, or was changed by "
            "software other than Excel). Open it in Excel and save it again as “.xlsx”."
        ) % {"row": near}
        return WorkbookFault(message, name, gettext("near row %(row)s") % {"row": near})
    message = gettext(
        "Part of the sheet cannot be read (the file is broken, or was changed by software other "
        "than Excel). Open it in Excel and save it again as “.xlsx”."
    )
    return WorkbookFault(message, name, "")


def outside_range(
    name: str, column: int, row: int, max_rows: int, max_columns: int
) -> WorkbookFault:
    """A value in a cell past the rows or columns a sheet may fill."""
    return WorkbookFault(
        gettext(
            "A value is outside the range that can be filled in (%(rows)s rows, columns up to "
            "%(column)s). Delete that value."
        )
        % {"rows": f"{max_rows:,}", "column": get_column_letter(max_columns)},
        name,
        f"{get_column_letter(min(column, 16384))}{row}",
    )


def upload_problem(upload: Any, max_bytes: int) -> str:
    """Why an uploaded file (Django's UploadedFile, or None) is refused before it is read; ""."""
    if upload is None:
        return gettext("Choose a file before uploading.")
    if not upload.name.lower().endswith(".xlsx"):
        return gettext("Choose an Excel workbook (.xlsx). Save other formats as .xlsx in Excel.")
    if upload.size > max_bytes:
        return gettext("The file is too large: %(mb)s MB at most.") % {
            "mb": max_bytes // 1024 // 1024
        }
    return ""


@contextmanager
def opened(data: bytes) -> Iterator[GuardedWorkbook]:
    """The workbook in data, checked (xlsx_safety) and opened read-only; WorkbookFault if not."""
    try:
        check_xlsx(data)
        check_content_types(data)
    except UnsafeWorkbook as exc:
        raise WorkbookFault(str(exc)) from None
    _prescan(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any parse failure of an untrusted file
        raise WorkbookFault(CANNOT_OPEN) from None
    try:
        yield GuardedWorkbook(wb)
    finally:
        with suppress(Exception):  # closing a broken archive must not hide the real message
            wb.close()


def _prescan(data: bytes) -> None:
    """Count the cells of every sheet (and the shared strings) in the raw bytes, before openpyxl.

    load_workbook itself reads each sheet up to its dimension tag, or to the end when there is
    none, and every shared string: a sheet of a million rows would cost minutes there, before any
    row reaches `rows`. Counting tags in the decompressed bytes takes a fraction of a second.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            labels = _sheet_labels(archive)
            for info in archive.infolist():
                name = info.filename
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    if _count(archive, info, (b"<row", b":row"), MAX_ROWS) > MAX_ROWS:
                        raise WorkbookFault(
                            gettext(
                                "Too many rows (%(max)s a sheet at most). Delete the rows "
                                "you do not use."
                            )
                            % {"max": f"{MAX_ROWS:,}"},
                            labels.get(name, ""),
                        )
                    tags = (b"<c ", b":c ", b"<c>", b":c>")
                elif name == "xl/sharedStrings.xml":
                    tags = (b"<si", b":si")
                else:
                    continue
                if _count(archive, info, tags, MAX_CELLS) > MAX_CELLS:
                    raise WorkbookFault(_too_many_cells(MAX_CELLS), labels.get(name, ""))
    except WorkbookFault:
        raise
    except Exception:  # a broken member: bad CRC, truncated data
        raise WorkbookFault(CANNOT_OPEN) from None


def _too_many_cells(limit: int) -> str:
    return gettext(
        "Too many cells (%(max)s a sheet at most). Delete the rows and columns you do not use."
    ) % {"max": f"{limit:,}"}


def _count(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, tags: tuple[bytes, ...], limit: int
) -> int:
    """How many times the tags occur in a member, counting stopped once past limit."""
    count, tail = 0, b""
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            buffer = tail + chunk
            count += sum(buffer.count(tag) for tag in tags)
            if count > limit:
                return count
            tail = buffer[-4:]  # shorter than any tag: nothing is counted twice
    return count


def _sheet_labels(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet part → sheet name, best effort from the raw XML (only to name a sheet in a message)."""
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")[:MAX_LABEL_BYTES].decode(
            "utf-8", "replace"
        )
        book = archive.read("xl/workbook.xml")[:MAX_LABEL_BYTES].decode("utf-8", "replace")
    except Exception:
        return {}
    targets = {}
    for element in re.findall(r"<Relationship [^>]*>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', element))
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"].lstrip("/")
            targets[attrs["Id"]] = target if target.startswith("xl/") else f"xl/{target}"
    out = {}
    for element in re.findall(r"<sheet [^>]*>", book):
        attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', element))
        part = targets.get(attrs.get("r:id", ""))
        if part and "name" in attrs:
            out[part] = html.unescape(attrs["name"])[:31]
    return out


class GuardedWorkbook:
    """The sheets of an opened workbook, read only through `rows`."""

    def __init__(self, wb: Any):
        self._wb = wb
        # sheet name → {(row, column): formula text} of the cells read by `rows` that hold one
        self.formulas: dict[str, dict[tuple[int, int], str]] = {}
        try:
            self.sheetnames: list[str] = [str(name) for name in wb.sheetnames]
        except Exception:
            raise WorkbookFault(CANNOT_OPEN) from None

    def _number_format(self, style_id: Any) -> str:
        try:
            fmt_id = self._wb._cell_styles[int(style_id)].numFmtId
            if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
                return BUILTIN_FORMATS.get(fmt_id, "General")
            return str(self._wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE])
        except Exception:  # no styles.xml, a style index past its end: read the value as typed
            return "General"

    def rows(
        self,
        name: str,
        *,
        max_row: int | None = None,
        max_rows: int = MAX_ROWS,
        max_columns: int = MAX_COLUMNS,
        max_cells: int = MAX_CELLS,
    ) -> Iterator[tuple[int, dict[int, tuple[Any, str]]]]:
        """(row number, {column: (value, number format)}) for every row with a value, in order.

        Stops after max_row. Refuses (WorkbookFault naming the sheet and cell) a row past
        max_rows, a value past max_columns, more than max_cells cells, or anything unreadable.
        """
        try:
            ws = self._wb[name]
            source = ws._get_source()
        except Exception:
            raise unreadable_sheet(name) from None
        cells = 0
        try:
            parser = _Parser(
                source,
                ws._shared_strings,
                data_only=True,
                epoch=self._wb.epoch,
                date_formats=self._wb._date_formats,
                timedelta_formats=self._wb._timedelta_formats,
            )
            parser.formulas = self.formulas.setdefault(name, {})
            rows = parser.parse()
            while True:
                try:
                    number, parsed = next(rows)
                except StopIteration:
                    return
                except _CellFault as exc:
                    raise WorkbookFault(exc.message(), name, exc.cell) from None
                except WorkbookFault:
                    raise
                except Exception:
                    raise broken_near(name, parser.row_counter) from None
                if max_row is not None and number > max_row:
                    return
                cells += max(1, len(parsed))  # empty rows are work too
                if cells > max_cells:
                    raise WorkbookFault(_too_many_cells(max_cells), name, _row_label(number))
                values: dict[int, tuple[Any, str]] = {}
                for cell in parsed:
                    value = cell["value"]
                    if value is None or value == "":
                        continue
                    column = cell["column"]
                    if column > max_columns or cell["row"] > max_rows:
                        raise outside_range(name, column, cell["row"], max_rows, max_columns)
                    values[column] = (value, self._number_format(cell["style_id"]))
                if values:
                    yield number, values
        finally:
            with suppress(Exception):
                source.close()
