"""Checks on an uploaded .xlsx before any XML in it is parsed.

A workbook is a zip of XML files. A small file can unpack to gigabytes (a zip bomb), hold
thousands of members, carry macros or names that climb out of the archive. All of that is
refused here from the zip directory alone; openpyxl only ever sees files that passed, and parses
their XML with defusedxml (entity expansion and external entities refused).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_RATIO = 100
REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")


class UnsafeWorkbook(ValueError):
    """The file is not a workbook we are willing to open; the message says why, in Japanese."""


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
            f"ファイルが大きすぎます（{len(data) // 1024 // 1024}MB）。"
            f"{max_bytes // 1024 // 1024}MBまでにしてください。"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: old .xls, or encrypted .xlsx
        raise UnsafeWorkbook(
            "古い形式（.xls）か、パスワードで保護されたファイルです。"
            "保護を外して「.xlsx」形式で保存し直してください。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UnsafeWorkbook(
            "Excelのワークブック（.xlsx）として読めません。"
            "Excelで開いて「.xlsx」形式で保存し直してください。"
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise UnsafeWorkbook(f"ファイルの中身が多すぎます（{len(members)}個）。")
        names = {m.filename for m in members}
        total = 0
        for member in members:
            name = member.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise UnsafeWorkbook(f"ファイルの中に不正な名前があります（{name}）。")
            if member.flag_bits & 0x1:
                raise UnsafeWorkbook(
                    "パスワードで保護されたファイルは読めません。保護を外して保存してください。"
                )
            if name.lower().endswith("vbaproject.bin"):
                raise UnsafeWorkbook(
                    "マクロを含むファイルは受け付けません。マクロなしの「.xlsx」で保存してください。"
                )
            total += member.file_size
            if total > max_unpacked:
                raise UnsafeWorkbook(
                    f"展開すると大きすぎるファイルです（{max_unpacked // 1024 // 1024}MB超）。"
                )
            if member.compress_size and member.file_size / member.compress_size > max_ratio:
                if member.file_size > 1024 * 1024:
                    raise UnsafeWorkbook(
                        f"圧縮率が不自然に高い部分があります（{name}）。このファイルは開きません。"
                    )
        missing = [r for r in REQUIRED if r not in names]
        if missing:
            raise UnsafeWorkbook(
                "Excelのワークブック（.xlsx）ではありません（"
                + "、".join(missing)
                + " がありません）。"
            )


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
