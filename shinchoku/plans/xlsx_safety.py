"""Checks on an uploaded .xlsx before any XML in it is parsed.

A workbook is a zip of XML files. A small file can unpack to gigabytes (a zip bomb), hold
thousands of members, carry macros or names that climb out of the archive. All of that is
refused here from the zip directory (and the raw bytes of [Content_Types].xml, searched for macro
content types, never parsed); openpyxl only ever sees files that passed, and parses their XML with
defusedxml (entity expansion and external entities refused). Reading the sheets themselves goes
through xlsx_guard, with the row, column and cell limits below.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext, gettext_lazy

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_RATIO = 100
REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")
MAX_CONTENT_TYPES = 1024 * 1024

# Reading a sheet (xlsx_guard): a value past these is refused, and so is a sheet with more cells.
MAX_ROWS = 20000
MAX_COLUMNS = 200
MAX_CELLS = 300_000

MACRO = gettext_lazy("Files with macros are not accepted. Save the file as “.xlsx” without macros.")
# Parts that hold or run code: VBA projects (vbaProject.bin, vbaProject1.bin, vbaData.bin…
# anywhere), Excel 4.0 macro and dialog sheets, ActiveX controls, and embedded OLE objects (which
# can carry a macro document or a program). Other .bin parts (printer settings, which Excel
# writes itself) are data.
MACRO_DIRS = ("xl/macrosheets/", "xl/dialogsheets/", "xl/activex/")
CODE_BIN_DIRS = ("xl/embeddings/",)
# Content types that mark macros, whatever the parts are named; searched in lower case.
MACRO_TYPES = (
    b"macroenabled",
    b"vbaproject",
    b"intlmacrosheet",
    b"macrosheet",
    b"dialogsheet",
    b"activex",
    b"ms-excel.addin",
)


class UnsafeWorkbook(ValueError):
    """The file is not a workbook we are willing to open; the message says why, in the active
    language (a lazy message is fixed when raised)."""

    def __init__(self, message: Any):
        super().__init__(str(message))


def check_xlsx(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_unpacked: int = MAX_UNPACKED,
    max_members: int = MAX_MEMBERS,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Raise UnsafeWorkbook unless data looks like an ordinary .xlsx of a sensible size."""
    if len(data) > max_bytes:
        raise UnsafeWorkbook(
            gettext("The file is too large (%(size)s MB). Keep it to %(max)s MB.")
            % {"size": len(data) // 1024 // 1024, "max": max_bytes // 1024 // 1024}
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: old .xls, or encrypted .xlsx
        raise UnsafeWorkbook(
            gettext(
                "This is the old format (.xls) or a password-protected file. Remove the "
                "protection and save it again as “.xlsx”."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UnsafeWorkbook(
            gettext(
                "This cannot be read as an Excel workbook (.xlsx). Open it in Excel and save it "
                "again as “.xlsx”."
            )
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise UnsafeWorkbook(
                gettext("The file holds too many parts (%(count)s).") % {"count": len(members)}
            )
        names = {m.filename for m in members}
        seen: set[str] = set()
        total = 0
        for member in members:
            name = member.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise UnsafeWorkbook(
                    gettext("The file holds a part with a forbidden name (%(name)s).")
                    % {"name": name}
                )
            if member.flag_bits & 0x1:
                raise UnsafeWorkbook(
                    gettext(
                        "A password-protected file cannot be read. Remove the protection and "
                        "save it."
                    )
                )
            if _is_macro_part(name):
                raise UnsafeWorkbook(
                    gettext("%(message)s (%(part)s)") % {"message": MACRO, "part": name[:80]}
                )
            if name.lower() in seen:
                raise UnsafeWorkbook(
                    gettext("The file holds two parts of the same name (%(name)s).")
                    % {"name": name[:80]}
                )
            seen.add(name.lower())
            total += member.file_size
            if total > max_unpacked:
                raise UnsafeWorkbook(
                    gettext("The file is too large once unpacked (over %(max)s MB).")
                    % {"max": max_unpacked // 1024 // 1024}
                )
            if member.compress_size and member.file_size / member.compress_size > max_ratio:
                if member.file_size > 1024 * 1024:
                    raise UnsafeWorkbook(
                        gettext(
                            "A part of the file is compressed unnaturally well (%(name)s). "
                            "This file is not opened."
                        )
                        % {"name": name}
                    )
        missing = [r for r in REQUIRED if r not in names]
        if missing:
            raise UnsafeWorkbook(
                gettext("This is not an Excel workbook (.xlsx): %(missing)s is missing.")
                % {"missing": gettext("、").join(missing)}
            )


def _is_macro_part(name: str) -> bool:
    lower = name.lower().replace("\\", "/")
    base = lower.rsplit("/", 1)[-1]
    if base.startswith("vba") and base.endswith(".bin"):
        return True
    if any(d in lower for d in MACRO_DIRS):
        return True
    return lower.endswith(".bin") and any(d in lower for d in CODE_BIN_DIRS)


CONTENT_TYPES_TOO_LARGE = gettext_lazy(
    "The list of the file's parts ([Content_Types].xml) is too large."
)


def check_content_types(data: bytes) -> None:
    """Refuse content types that mark macros, found in the raw bytes of [Content_Types].xml
    (nothing is parsed). Call after check_xlsx passed: this one decompresses a member."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES:
                raise UnsafeWorkbook(CONTENT_TYPES_TOO_LARGE)
            with archive.open(info) as member:
                raw = member.read(MAX_CONTENT_TYPES + 1)
    except UnsafeWorkbook:
        raise
    except Exception:  # a broken member: bad CRC, unknown compression, truncated data
        raise UnsafeWorkbook(
            gettext(
                "This cannot be read as an Excel workbook (.xlsx): the file is broken. Open it "
                "in Excel and save it again as “.xlsx”."
            )
        ) from None
    if len(raw) > MAX_CONTENT_TYPES:
        raise UnsafeWorkbook(CONTENT_TYPES_TOO_LARGE)
    lower = raw.lower()
    if any(t in lower for t in MACRO_TYPES):
        raise UnsafeWorkbook(MACRO)


# --------------------------------------------------------------------------- writing


def xml_text(text: str) -> str:
    """Text a workbook can hold: openpyxl refuses control characters that XML forbids (a
    vertical tab pasted from PowerPoint, a form feed): \\v and \\f become a line break, the
    others are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = text.replace("\v", "\n").replace("\f", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def writable(value: Any) -> Any:
    """The value with every string in it (in lists and dicts too) made writable by xml_text."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, list):
        return [writable(v) for v in value]
    if isinstance(value, dict):
        return {k: writable(v) for k, v in value.items()}
    return value


def no_formulas(wb: Any) -> None:
    """Write every value as text or a number, never as a formula: openpyxl takes a string that
    starts with "=" for one, so stored text such as "=1+1" or "=HYPERLINK(…)" would be evaluated
    by Excel and LibreOffice (formula injection) and read back as its result."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
