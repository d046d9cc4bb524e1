"""A lean reader of an uploaded workbook's cells: the sheet XML streamed through expat (issue 16).

Reading a filled department sheet with openpyxl (`load_workbook`, then its sheet parser) was most of
an upload's time. This reads only what the sheet importer needs: the content types, the workbook's
sheet list and relationships, the number formats of the cell styles, the shared strings, and the
cells of the sheets asked for, each part parsed once by expat with callbacks (no element tree, no
style objects). The file is checked first exactly as `xlsx_guard.opened` checks it (xlsx_safety:
size, unpacked size, zip members, macros, encryption; the raw row and cell counts); every XML part
is parsed with entity declarations and external entities refused, as defusedxml does.

`opened_cells(data)` gives a `CellBook` with the interface of `xlsx_guard.GuardedWorkbook`
(`sheetnames`, `formulas`, `rows`) and the same results: every value is converted as
openpyxl's read-only, data-only reader converts it (shared and inline strings, numbers, booleans,
ISO dates, and numbers in a date style as dates, with the workbook's 1900 or 1904 epoch), with the
same number format, and every fault is the same `WorkbookFault` naming the sheet and cell.
tests/rounds/test_xlsx_cells.py reads many sheets with both readers and compares.

Parts openpyxl parses but this reader never needs (document properties, themes, drawings, the
relationships of each sheet, external links, defined names) are not opened: a file broken only there
is read, where openpyxl refused it whole.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    BUILTIN_FORMATS_MAX_SIZE,
    BUILTIN_FORMATS_REVERSE,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)
from openpyxl.workbook.child import INVALID_TITLE_REGEX, avoid_duplicate_name
from openpyxl.xml.constants import SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX

from shinchoku.plans.xlsx_guard import (
    CANNOT_OPEN,
    REF,
    WorkbookFault,
    _CellFault,
    _prescan,
    _row_label,
    _too_many_cells,
    broken_near,
    check_cell_address,
    check_row_number,
    outside_range,
    unreadable_cell,
    unreadable_sheet,
)
from shinchoku.plans.xlsx_safety import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    UnsafeWorkbook,
    check_content_types,
    check_xlsx,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# expat reports a namespaced name as "namespace}local" (namespace_separator="}")
ROW, CELL_V, CELL_F, CELL_IS, SI = (f"{MAIN}}}{t}" for t in ("row", "v", "f", "is", "si"))
REL_ID = f"{REL}}}id"
WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)  # openpyxl's order (reader.excel._find_workbook_part)
CHUNK = 1 << 16


class _Refused(ValueError):
    """An entity declaration or an external entity in an XML part (defusedxml refuses them)."""


def _refuse(*_args: Any) -> None:
    raise _Refused("entities are not accepted")


def _parser(start: Callable, end: Callable, text: Callable | None = None) -> Any:
    """An expat parser with namespaces ("namespace}local"), entities refused."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.ordered_attributes = False
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


class _Elements:
    """A small element tree of a part (content types, workbook, relationships, styles): tag,
    attributes, text before the first child, children. Those parts are small."""

    __slots__ = ("attrs", "children", "tag", "text")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag, self.attrs = tag, attrs
        self.text: str | None = None
        self.children: list[_Elements] = []


def _tree(data: bytes) -> _Elements:
    stack: list[_Elements] = []
    root: list[_Elements] = []
    texts: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = _Elements(tag, attrs)
        if stack:
            parent = stack[-1]
            if not parent.children and texts:
                parent.text = "".join(texts)
            parent.children.append(element)
        else:
            root.append(element)
        texts.clear()
        stack.append(element)

    def end(_tag: str) -> None:
        element = stack.pop()
        if not element.children and texts:
            element.text = "".join(texts)
        texts.clear()

    def text(data: str) -> None:
        texts.append(data)

    _parser(start, end, text).Parse(data, True)
    if not root:
        raise ValueError("no root element")
    return root[0]


def _text_content(node: _Elements) -> str:
    """openpyxl's Text.from_tree(node).content: the last <t> child, then each run's last <t>."""
    plain: str | None = None
    runs: list[str] = []
    for child in node.children:
        tag = _local(child.tag)
        if tag == "t":
            plain = child.text
        elif tag == "r":
            run: str | None = None
            for part in child.children:
                if _local(part.tag) == "t":
                    run = part.text
            if run is not None:
                runs.append(run)
    return (plain or "") + "".join(runs) if plain is not None else "".join(runs)


# --------------------------------------------------------------------------- the workbook


class _Styles:
    """The number format of each cell style, and which styles are dates (openpyxl's rules)."""

    def __init__(self, root: _Elements | None):
        custom: dict[int, str] = {}
        xfs: list[int] = []
        if root is not None:
            for child in root.children:
                tag = _local(child.tag)
                if tag == "numFmts":
                    for fmt in child.children:
                        if _local(fmt.tag) == "numFmt":
                            custom[int(fmt.attrs["numFmtId"])] = fmt.attrs["formatCode"]
                elif tag == "cellXfs":
                    xfs = [
                        int(xf.attrs.get("numFmtId", 0))
                        for xf in child.children
                        if _local(xf.tag) == "xf"
                    ]
        self.date_formats: set[int] = set()
        self.timedelta_formats: set[int] = set()
        self._formats: list[str] = []  # custom formats in use, indexed from 164
        if not xfs:  # no styles: openpyxl's defaults (one style, General, no dates)
            self._ids = [0]
            return
        self._ids = []
        for idx, fmt_id in enumerate(xfs):
            if fmt_id in custom:
                fmt: str | None = custom[fmt_id]
                if fmt in BUILTIN_FORMATS_REVERSE:
                    fmt_id = BUILTIN_FORMATS_REVERSE[fmt]
                else:
                    if fmt not in self._formats:
                        self._formats.append(fmt)
                    fmt_id = self._formats.index(fmt) + BUILTIN_FORMATS_MAX_SIZE
            else:
                fmt = BUILTIN_FORMATS.get(fmt_id)
            self._ids.append(fmt_id)
            if is_date_format(fmt):
                self.date_formats.add(idx)
            if is_timedelta_format(fmt):
                self.timedelta_formats.add(idx)

    def number_format(self, style_id: Any) -> str:
        """As xlsx_guard.GuardedWorkbook._number_format."""
        try:
            fmt_id = self._ids[int(style_id)]
            if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
                return BUILTIN_FORMATS.get(fmt_id, "General")
            return str(self._formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE])
        except Exception:
            return "General"


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (target part, type) of a part's relationships, normalised as openpyxl does."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    root = _tree(archive.read(rels_path))
    parent = posixpath.split(posixpath.dirname(rels_path))[0]
    out: dict[str, tuple[str, str]] = {}
    for rel in root.children:
        if _local(rel.tag) != "Relationship":
            continue
        target = rel.attrs.get("Target", "")
        if rel.attrs.get("TargetMode") != "External":
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(parent, target))
        out[rel.attrs.get("Id", "")] = (target, rel.attrs.get("Type", ""))
    return out


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    """Every shared string, as openpyxl's read_string_table gives it (Text.from_tree(si).content
    without "x005F_")."""
    strings: list[str] = []
    texts: list[str] = []
    # depth: of the element being read; si: depth of the <si> being read (0 outside one);
    # child: local name of the <si>'s child being read; capture: text is being collected.
    state: dict[str, Any] = {"depth": 0, "si": 0, "child": "", "capture": False}
    found: dict[str, Any] = {"plain": None, "run": None}
    runs: list[str] = []

    def start(tag: str, _attrs: dict) -> None:
        state["capture"] = False  # text stops at the first child (ElementTree's .text)
        depth = state["depth"] = state["depth"] + 1
        si = state["si"]
        if not si:
            if tag == SI:
                state["si"] = depth
                found["plain"] = None
                runs.clear()
            return
        if depth == si + 1:
            local = state["child"] = _local(tag)
            if local == "t":
                texts.clear()
                state["capture"] = True
            elif local == "r":
                found["run"] = None
        elif depth == si + 2 and state["child"] == "r" and _local(tag) == "t":
            texts.clear()
            state["capture"] = True

    def end(tag: str) -> None:
        state["capture"] = False
        depth = state["depth"]
        state["depth"] = depth - 1
        si = state["si"]
        if not si:
            return
        if depth == si:
            plain = found["plain"]
            text = (plain or "") + "".join(runs) if plain is not None else "".join(runs)
            strings.append(text.replace("x005F_", ""))
            state["si"] = 0
        elif depth == si + 1:
            if state["child"] == "t":
                found["plain"] = "".join(texts) if texts else None
            elif state["child"] == "r" and found["run"] is not None:
                runs.append(found["run"])
        elif depth == si + 2 and state["child"] == "r" and _local(tag) == "t":
            found["run"] = "".join(texts) if texts else None

    def text(data: str) -> None:
        if state["capture"]:
            texts.append(data)

    parser = _parser(start, end, text)
    with archive.open(part) as source:
        while chunk := source.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


def _bool(value: str | None) -> bool:
    """openpyxl's Bool descriptor: "false", "f", "0" are False, any other text True."""
    if value is None or value in ("false", "f", "0"):
        return False
    return bool(value)


class CellBook:
    """The sheets of an uploaded workbook, read by `rows` (as xlsx_guard.GuardedWorkbook)."""

    def __init__(self, archive: zipfile.ZipFile):
        self._archive = archive
        # sheet name → {(row, column): formula text} of the cells read by `rows` that hold one
        self.formulas: dict[str, dict[tuple[int, int], str]] = {}
        names = set(archive.namelist())
        types = _tree(archive.read("[Content_Types].xml"))
        overrides = [
            (o.attrs.get("PartName", ""), o.attrs.get("ContentType", ""))
            for o in types.children
            if _local(o.tag) == "Override"
        ]
        defaults = {
            d.attrs.get("ContentType") for d in types.children if _local(d.tag) == "Default"
        }
        workbook_part = next(
            (p for t in WORKBOOK_TYPES for p, ct in overrides if ct == t),
            "/xl/workbook.xml" if defaults & set(WORKBOOK_TYPES) else None,
        )
        if workbook_part is None:
            raise ValueError("no workbook part")
        strings_part = next((p for p, ct in overrides if ct == SHARED_STRINGS), None)
        self._strings = _shared_strings(archive, strings_part[1:]) if strings_part else []
        workbook_part = workbook_part[1:]
        book = _tree(archive.read(workbook_part))
        self.epoch = CALENDAR_WINDOWS_1900
        sheets: list[_Elements] = []
        for child in book.children:
            tag = _local(child.tag)
            if tag == "workbookPr" and _bool(child.attrs.get("date1904")):
                self.epoch = CALENDAR_MAC_1904
            elif tag == "sheets":
                sheets = child.children
        rels: dict[str, tuple[str, str]] | None = None
        self._parts: dict[str, str | None] = {}  # name → worksheet part (None: a chartsheet)
        self.sheetnames: list[str] = []
        for sheet in sheets:
            rel_id = sheet.attrs.get(REL_ID)
            if not rel_id:
                continue
            if rels is None:
                rels = _relationships(archive, workbook_part)
            target, rel_type = rels[rel_id]
            if target not in names:
                continue
            title = sheet.attrs["name"]
            if not title or INVALID_TITLE_REGEX.search(title):
                raise ValueError("invalid sheet title")
            title = avoid_duplicate_name(self.sheetnames, title)
            self.sheetnames.append(title)
            self._parts[title] = None if "chartsheet" in rel_type else target
        styles = _tree(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else None
        self._styles = _Styles(styles)

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

        As GuardedWorkbook.rows: stops after max_row; refuses (WorkbookFault naming the sheet and
        cell) a row past max_rows, a value past max_columns, more than max_cells cells, or
        anything unreadable.
        """
        part = self._parts.get(name)
        try:
            if part is None:
                raise KeyError(name)
            source = self._archive.open(part)
        except Exception:
            raise unreadable_sheet(name) from None
        sheet = _SheetParser(self, self.formulas.setdefault(name, {}))
        number_format = self._styles.number_format
        cells = 0
        try:
            while True:
                chunk = b""
                failure: BaseException | None = None
                try:
                    chunk = source.read(CHUNK)
                    sheet.parser.Parse(chunk, not chunk)
                except _CellFault as exc:
                    failure = WorkbookFault(exc.message(), name, exc.cell)
                except _Refused:  # entity declarations: refused whole, as defusedxml refuses them
                    failure = WorkbookFault(CANNOT_OPEN)
                except Exception:
                    failure = sheet.broken(name)
                for number, parsed in sheet.done:
                    if max_row is not None and number > max_row:
                        return
                    cells += max(1, len(parsed))  # empty rows are work too
                    if cells > max_cells:
                        raise WorkbookFault(_too_many_cells(max_cells), name, _row_label(number))
                    values: dict[int, tuple[Any, str]] = {}
                    for row, column, value, style_id in parsed:
                        if value is None or value == "":
                            continue
                        if column > max_columns or row > max_rows:
                            raise outside_range(name, column, row, max_rows, max_columns)
                        values[column] = (value, number_format(style_id))
                    if values:
                        yield number, values
                sheet.done.clear()
                if failure is not None:
                    raise failure
                if not chunk:
                    return
        finally:
            with suppress(Exception):
                source.close()


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    column = _COLUMNS.get(letters)
    if column is None:
        column = _COLUMNS[letters] = column_index_from_string(letters)
    return column


class _SheetParser:
    """The cells of one sheet part, row by row, converted as openpyxl's WorkSheetParser
    (data_only) with xlsx_guard._Parser's checks; completed rows collect in `done`."""

    def __init__(self, book: CellBook, formulas: dict[tuple[int, int], str]):
        self.strings = book._strings
        self.epoch = book.epoch
        self.date_formats = book._styles.date_formats
        self.timedelta_formats = book._styles.timedelta_formats
        self.formulas = formulas
        self.row_counter = self.col_counter = 0
        self.done: list[tuple[int, list[tuple[int, int, Any, Any]]]] = []
        self.depth = 0
        self.row_depth = 0  # depth of the <row> being read; 0 outside one
        self.row_attrs: dict[str, str] = {}
        self.row_cells: list[tuple[int, int, Any, Any]] = []
        self.cell_attrs: dict[str, str] | None = None
        self.v: str | None = None  # first <v>: its text ("" when empty)
        self.f: str | None = None  # first <f>: its text
        self.has_v = self.has_f = False
        self.inline_depth = 0  # depth of the cell's first <is>, while inside it
        self.inline_seen = False
        self.inline_plain: str | None = None
        self.inline_runs: list[str] = []
        self.inline_child = ""
        self.run_t: str | None = None
        self.texts: list[str] = []
        self.capture = ""  # what the text being collected is: v, f, t, rt; "" for nothing
        self.parser = _parser(self.start, self.end, self.text)

    def broken(self, name: str) -> WorkbookFault:
        """A fault of the XML itself, near the last row read (as GuardedWorkbook.rows says it)."""
        return broken_near(name, self.row_counter)

    # --- expat callbacks

    def text(self, data: str) -> None:
        if self.capture:
            self.texts.append(data)

    def _stop_text(self) -> None:
        """A child starts: the text of its parent (ElementTree's .text) is complete."""
        capture = self.capture
        self.capture = ""
        text = "".join(self.texts) if self.texts else None
        if capture == "v":
            self.v = text or ""
        elif capture == "f":
            self.f = text or ""
        elif capture == "t":
            self.inline_plain = text
        elif capture == "rt":
            self.run_t = text
        self.texts.clear()

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.capture:
            self._stop_text()
        depth = self.depth = self.depth + 1
        row_depth = self.row_depth
        if not row_depth:
            if tag == ROW:
                self.row_depth = depth
                self.row_attrs = attrs
                self.row_cells = []
            return
        if depth == row_depth + 1:  # every child of a row is read as a cell, as openpyxl does
            self.cell_attrs = attrs
            self.has_v = self.has_f = self.inline_seen = False
            self.v = self.f = None
            return
        if depth == row_depth + 2:
            if tag == CELL_V and not self.has_v:
                self.has_v = True
                self.v = ""
                self.capture = "v"
            elif tag == CELL_F and not self.has_f:
                self.has_f = True
                self.f = ""
                self.capture = "f"
            elif tag == CELL_IS and not self.inline_seen:
                self.inline_seen = True
                self.inline_depth = depth
                self.inline_plain = None
                self.inline_runs = []
            return
        inline = self.inline_depth
        if not inline:
            return
        local = _local(tag)
        if depth == inline + 1:
            self.inline_child = local
            if local == "t":
                self.inline_plain = None
                self.capture = "t"
            elif local == "r":
                self.run_t = None
        elif depth == inline + 2 and self.inline_child == "r" and local == "t":
            self.run_t = None
            self.capture = "rt"

    def end(self, tag: str) -> None:
        if self.capture:
            self._stop_text()
        depth = self.depth
        self.depth = depth - 1
        row_depth = self.row_depth
        if not row_depth:
            return
        if depth == row_depth:
            self._row()
            self.row_depth = 0
        elif depth == row_depth + 1:
            self._cell()
        elif self.inline_depth:
            inline = self.inline_depth
            if depth == inline:
                self.inline_depth = 0
            elif depth == inline + 1 and self.inline_child == "r" and self.run_t is not None:
                self.inline_runs.append(self.run_t)

    # --- rows and cells, as openpyxl's WorkSheetParser and xlsx_guard._Parser

    def _row(self) -> None:
        number = self.row_attrs.get("r")
        check_row_number(number, self.row_counter)
        if number is not None:
            try:
                self.row_counter = int(number)
            except ValueError:
                val = float(number)
                if not val.is_integer():
                    raise ValueError(f"{number} is not a valid row number") from None
                self.row_counter = int(val)
        else:
            self.row_counter += 1
        self.col_counter = 0
        cells = self.row_cells
        # The cells were parsed at their end, before the row's number was known: place them now.
        parsed = []
        for attrs, v, f, inline in cells:
            parsed.append(self._value(attrs, v, f, inline))
        self.done.append((self.row_counter, parsed))

    def _cell(self) -> None:
        inline = None
        if self.inline_seen:
            plain = self.inline_plain
            runs = "".join(self.inline_runs)
            inline = (plain or "") + runs if plain is not None else runs
        attrs = self.cell_attrs or {}
        self.row_cells.append((attrs, self.v if self.has_v else None, self.f, inline))
        self.inline_seen = False
        self.inline_depth = 0

    def _value(
        self, attrs: dict[str, str], v: str | None, f: str | None, inline: str | None
    ) -> tuple[int, int, Any, Any]:
        ref = attrs.get("r")
        check_cell_address(ref, self.col_counter, self.row_counter)
        try:
            return self._convert(attrs, ref, v, f, inline)
        except _CellFault:
            raise
        except Exception:
            raise unreadable_cell(ref, self.col_counter, self.row_counter) from None

    def _convert(
        self, attrs: dict[str, str], ref: str | None, v: str | None, f: str | None, inline: Any
    ) -> tuple[int, int, Any, Any]:
        data_type = attrs.get("t", "n")
        style_id: Any = attrs.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value: Any = None if data_type == "inlineStr" else (v or None)
        if ref:
            match = REF.fullmatch(ref)
            row, column = int(match[2]), _column(match[1])
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        if value is not None:
            if data_type == "n":
                value = float(value) if "." in value or "E" in value or "e" in value else int(value)
                if style_id in self.date_formats:
                    try:
                        value = from_excel(
                            value, self.epoch, timedelta=style_id in self.timedelta_formats
                        )
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
            elif data_type == "s":
                value = self.strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                value = from_ISO8601(value)
        elif data_type == "inlineStr" and inline is not None:
            value = inline
        if f is not None:
            self.formulas[(row, column)] = f
        return row, column, value, style_id


@contextmanager
def opened_cells(data: bytes) -> Iterator[CellBook]:
    """The workbook in data, checked (xlsx_safety, as xlsx_guard.opened) and opened for reading
    its cells; WorkbookFault if not."""
    try:
        check_xlsx(data)
        check_content_types(data)
    except UnsafeWorkbook as exc:
        raise WorkbookFault(str(exc)) from None
    _prescan(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        raise WorkbookFault(CANNOT_OPEN) from None
    try:
        try:
            book = CellBook(archive)
        except Exception:  # any parse failure of an untrusted file
            raise WorkbookFault(CANNOT_OPEN) from None
        yield book
    finally:
        with suppress(Exception):
            archive.close()
