"""A corpus of hostile workbooks, made from two real downloads: a plan workbook and a sheet.

Every kind is (name, bytes). The mutations are the ones an audit threw at the upload views:
truncated, flipped, emptied and missing parts; raw cell XML no Excel writes (bad addresses,
"abc" in a number cell, control-character entities, missing styles, unknown shared strings);
wrong types typed into every column; huge and deep structures; macro parts; zip tricks; and
identifiers edited to point at other departments, rounds, plans and organizations.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape as xml_escape

Kind = tuple[str, bytes]

# Every column a council may fill, per sheet of the plan workbook.
PLAN_COLUMNS = {
    "部署": ["A", "B"],
    "体系": list("ABCDEFGHI"),
    "実施内容": list("ABCDEFGHIJK"),
    "指標": list("ABCDEFGHIJKLMNOP"),
    "実績": list("ABCD"),
    "取組報告": list("ABCD"),
    "計画": ["B"],
}

# --------------------------------------------------------------------------- zip helpers


_MEMBERS: dict[int, tuple[bytes, dict[str, bytes]]] = {}


def members(data: bytes) -> dict[str, bytes]:
    """The parts of a zip, by name (cached: the corpus mutates the same two files many times)."""
    cached = _MEMBERS.get(id(data))
    if cached is not None and cached[0] is data:
        return dict(cached[1])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    _MEMBERS[id(data)] = (data, parts)
    return dict(parts)


def zipped(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression, compresslevel=1) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def changed(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    add: dict[str, bytes] | None = None,
) -> bytes:
    parts = {k: v for k, v in members(data).items() if k not in drop}
    parts.update(replace or {})
    parts.update(add or {})
    return zipped(parts)


def _attrs(element: bytes) -> dict[bytes, bytes]:
    return dict(re.findall(rb'([\w:]+)="([^"]*)"', element))


def sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name → its part, from workbook.xml and its relationships."""
    parts = members(data)
    targets = {}
    for element in re.findall(rb"<Relationship [^>]*>", parts["xl/_rels/workbook.xml.rels"]):
        a = _attrs(element)
        targets[a[b"Id"]] = a[b"Target"].decode().lstrip("/").removeprefix("xl/")
    out = {}
    for element in re.findall(rb"<sheet [^>]*>", parts["xl/workbook.xml"]):
        a = _attrs(element)
        out[a[b"name"].decode()] = "xl/" + targets[a[b"r:id"]]
    return out


def _with_first(
    xml: bytes, pattern: bytes, make: Callable[[re.Match], bytes], skip: int = 0
) -> bytes:
    found = list(re.finditer(pattern, xml, re.S))
    if not found:
        return xml
    m = found[min(skip, len(found) - 1)]
    return xml[: m.start()] + make(m) + xml[m.end() :]


CELL = rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)'


def _cell(ref: bytes, body: bytes) -> bytes:
    return b'<c r="' + ref + b'"' + body


def _ref(m: re.Match) -> bytes:
    return m[1] + m[2]


# Raw cell XML no spreadsheet program writes; each replaces the first cell of row 2.
CELL_TRICKS: dict[str, Callable[[re.Match], bytes]] = {
    "address-ZZZZ9999999": lambda m: _cell(b"ZZZZ9999999", b' t="inlineStr"><is><t>x</t></is></c>'),
    "address-A0": lambda m: _cell(b"A0", b' t="inlineStr"><is><t>x</t></is></c>'),
    "address-row-9999999": lambda m: _cell(b"A9999999", b' t="inlineStr"><is><t>x</t></is></c>'),
    "address-column-KN": lambda m: _cell(b"KN" + m[2], b' t="inlineStr"><is><t>x</t></is></c>'),
    "number-abc": lambda m: _cell(_ref(m), b' t="n"><v>abc</v></c>'),
    "number-huge": lambda m: _cell(_ref(m), b' t="n"><v>1e400</v></c>'),
    "bool-2x": lambda m: _cell(_ref(m), b' t="b"><v>2x</v></c>'),
    "date-garbage": lambda m: _cell(_ref(m), b' t="d"><v>not-a-date</v></c>'),
    "date-style-huge-serial": lambda m: _cell(_ref(m), b' s="1" t="n"><v>99999999999</v></c>'),
    "shared-string-missing": lambda m: _cell(_ref(m), b' t="s"><v>99999</v></c>'),
    "style-missing": lambda m: _cell(_ref(m), b' s="9999" t="inlineStr"><is><t>x</t></is></c>'),
    "control-entity": lambda m: _cell(_ref(m), b' t="inlineStr"><is><t>a&#1;b</t></is></c>'),
    "nul-entity": lambda m: _cell(_ref(m), b' t="inlineStr"><is><t>a&#0;b</t></is></c>'),
    "escaped-nul": lambda m: _cell(_ref(m), b' t="inlineStr"><is><t>a_x0000_b</t></is></c>'),
    "formula-no-value": lambda m: _cell(_ref(m), b"><f>1+1</f></c>"),
    "long-text": lambda m: _cell(
        _ref(m), b' t="inlineStr"><is><t>' + "長".encode() * 40000 + b"</t></is></c>"
    ),
    "unknown-type": lambda m: _cell(_ref(m), b' t="zz"><v>1</v></c>'),
}
ROW_TRICKS: dict[str, Callable[[re.Match], bytes]] = {
    "row-number-abc": lambda m: b'<row r="abc"',
    "row-number-float": lambda m: b'<row r="2.5"',
}


def cell_tricks(data: bytes, sheets: list[str], prefix: str) -> Iterator[Kind]:
    parts = members(data)
    by_name = sheet_parts(data)
    for sheet in sheets:
        part = by_name[sheet]
        xml = parts[part]
        for trick, make in CELL_TRICKS.items():
            # the first cell of the second row with one, else the first cell
            skip = next((i for i, m in enumerate(re.finditer(CELL, xml, re.S)) if m[2] != b"1"), 0)
            yield (
                f"{prefix}:{sheet}:{trick}",
                changed(data, {part: _with_first(xml, CELL, make, skip)}),
            )
        for trick, make in ROW_TRICKS.items():
            yield (
                f"{prefix}:{sheet}:{trick}",
                changed(data, {part: _with_first(xml, rb'<row r="2"', make)}),
            )
        yield (
            f"{prefix}:{sheet}:dimension-lies",
            changed(
                data,
                {part: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)},
            ),
        )


def part_damage(data: bytes, prefix: str) -> Iterator[Kind]:
    """Every part truncated, with a flipped byte, emptied and missing."""
    for name, content in members(data).items():
        mid = len(content) // 2
        yield f"{prefix}:{name}:truncated", changed(data, {name: content[:mid]})
        flipped = content[:mid] + bytes([content[mid] ^ 0xFF]) + content[mid + 1 :]
        yield f"{prefix}:{name}:flipped-byte", changed(data, {name: flipped})
        if "worksheets/" in name:
            yield f"{prefix}:{name}:emptied", changed(data, {name: b""})
        yield f"{prefix}:{name}:missing", changed(data, drop=(name,))


# --------------------------------------------------------------------------- typed values


def _cell_xml(ref: str, value: object) -> bytes:
    """A cell as a spreadsheet program would write it: number, date, bool, formula or text."""
    r = ref.encode()
    if isinstance(value, bool):
        return b'<c r="%s" t="b"><v>%d</v></c>' % (r, value)
    if isinstance(value, (int, float)):
        return b'<c r="%s" t="n"><v>%s</v></c>' % (r, repr(value).encode())
    if isinstance(value, dt.datetime):
        return b'<c r="%s" t="d"><v>%s</v></c>' % (r, value.isoformat().encode())
    text = str(value)
    if text.startswith("="):  # a formula saved without its result (no calculation)
        return b'<c r="%s"><f>%s</f></c>' % (r, xml_escape(text[1:]).encode())
    return b'<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
        r,
        xml_escape(text).encode(),
    )


def set_cells(xml: bytes, edits: dict[str, object]) -> bytes:
    """The sheet XML with cells replaced, added (at the end of their row) or removed (None)."""
    existing = set(re.findall(rb'<row r="(\d+)"', xml))
    added: dict[int, list[bytes]] = {}
    for ref, value in edits.items():
        row = re.fullmatch(r"[A-Z]+(\d+)", ref)[1].encode()
        new = b"" if value is None else _cell_xml(ref, value)
        if row not in existing:
            added.setdefault(int(row), []).append(new)
            continue
        pattern = rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)'
        if re.search(pattern, xml, re.S):
            xml = re.sub(pattern, lambda _m, new=new: new, xml, count=1, flags=re.S)
        elif re.search(rb'<row r="' + row + rb'"[^>]*/>', xml):
            xml = re.sub(
                rb'(<row r="' + row + rb'"[^>]*)/>',
                lambda m, new=new: m[1] + b">" + new + b"</row>",
                xml,
                count=1,
            )
        elif re.search(rb'<row r="' + row + rb'"', xml):
            xml = re.sub(
                rb'(<row r="' + row + rb'"[^>]*>.*?)</row>',
                lambda m, new=new: m[1] + new + b"</row>",
                xml,
                count=1,
                flags=re.S,
            )
    rows_xml = b"".join(
        b'<row r="%d">' % row + b"".join(cells) + b"</row>" for row, cells in sorted(added.items())
    )
    if b"<sheetData/>" in xml:
        return xml.replace(b"<sheetData/>", b"<sheetData>" + rows_xml + b"</sheetData>")
    return xml.replace(b"</sheetData>", rows_xml + b"</sheetData>")


def typed(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """Values typed into cells (sheet, A1): the sheets' XML edited, the file zipped again."""
    parts = members(data)
    by_sheet: dict[str, dict[str, object]] = {}
    for (sheet, ref), value in edits.items():
        by_sheet.setdefault(sheet, {})[ref] = value
    names = sheet_parts(data)
    replace = {names[s]: set_cells(parts[names[s]], e) for s, e in by_sheet.items()}
    return changed(data, replace)


WRONG_TYPES: dict[str, object] = {
    "number": 12345.678,
    "date": dt.datetime(1900, 1, 1),
    "bool": True,
    "formula": "=1+1",
    "formula-link": '=HYPERLINK("http://example.com","x")',
    "abc": "abc",
    "long": "長" * 33000,
    "markup": "<script>alert(1)</script>&amp;",
}


def wrong_types(
    data: bytes, columns: dict[str, list[str]], row: int, prefix: str
) -> Iterator[Kind]:
    """One kind per sheet and type: the value typed into every listed column of the row."""
    for sheet, letters in columns.items():
        for name, value in WRONG_TYPES.items():
            edits = {(sheet, f"{letter}{row}"): value for letter in letters}
            yield f"{prefix}:{sheet}:every-column-{name}", typed(data, edits)


# --------------------------------------------------------------------------- big and deep


def rows_xml(n: int, with_values: bool) -> bytes:
    if with_values:
        body = b"".join(
            b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, n + 1)
        )
    else:
        body = b"".join(b'<row r="%d"/>' % i for i in range(1, n + 1))
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + body + b"</sheetData></worksheet>"
    )


def huge(data: bytes, sheet: str, prefix: str) -> Iterator[Kind]:
    part = sheet_parts(data)[sheet]
    yield f"{prefix}:{sheet}:900k-rows", changed(data, {part: rows_xml(900_000, True)})
    yield f"{prefix}:{sheet}:900k-empty-rows", changed(data, {part: rows_xml(900_000, False)})
    yield f"{prefix}:{sheet}:25k-rows", changed(data, {part: rows_xml(25_000, True)})
    wide = b"".join(b'<c r="%s1"><v>1</v></c>' % _letters(i).encode() for i in range(1, 16385))
    yield (
        f"{prefix}:{sheet}:16384-columns",
        changed(
            data,
            {
                part: b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1">' + wide + b"</row></sheetData></worksheet>"
            },
        ),
    )


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


# --------------------------------------------------------------------------- macros and zips

MACRO_TYPE = b'<Override PartName="/xl/x.bin" ContentType="%s"/></Types>'


def macros(data: bytes, prefix: str) -> Iterator[Kind]:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    for name in (
        "xl/vbaProject.bin",
        "xl/vbaProject1.bin",
        "xl/media/vbaProject2.bin",
        "vbaProjectSignature.bin",
        "xl/vbaData.xml.bin",
        "xl/embeddings/oleObject1.bin",
        "xl/activeX/activeX1.bin",
    ):
        yield f"{prefix}:macro-part:{name}", changed(data, add={name: ole})
    for name in (
        "xl/macrosheets/sheet1.xml",
        "xl/macrosheets/intlsheet1.xml",
        "xl/dialogsheets/sheet1.xml",
        "xl/activeX/activeX1.xml",
        "xl/ACTIVEX/activeX2.xml",
    ):
        yield f"{prefix}:macro-part:{name}", changed(data, add={name: b"<xm:macrosheet/>"})
    types = members(data)["[Content_Types].xml"]
    for ctype in (
        b"application/vnd.ms-office.vbaProject",
        b"application/vnd.ms-excel.intlmacrosheet+xml",
        b"application/vnd.ms-excel.macrosheet+xml",
        b"application/vnd.ms-office.activeX+xml",
        b"application/vnd.ms-excel.dialogsheet+xml",
    ):
        yield (
            f"{prefix}:macro-type:{ctype.decode()}",
            changed(data, {"[Content_Types].xml": types.replace(b"</Types>", MACRO_TYPE % ctype)}),
        )
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    for ctype in (
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        b"application/vnd.ms-excel.template.macroEnabled.main+xml",
        b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
        b"APPLICATION/VND.MS-EXCEL.SHEET.MACROENABLED.MAIN+XML",
    ):
        yield (
            f"{prefix}:macro-main:{ctype.decode()}",
            changed(data, {"[Content_Types].xml": types.replace(main, ctype)}),
        )


def _encrypted_flag(data: bytes) -> bytes:
    out = bytearray(data)
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := out.find(signature, start)) != -1:
            (flags,) = struct.unpack_from("<H", out, i + at)
            struct.pack_into("<H", out, i + at, flags | 1)
            start = i + 4
    return bytes(out)


def _declared_size(data: bytes, name: str, size: int) -> bytes:
    out = bytearray(data)
    encoded = name.encode()
    for signature, name_len_at, name_at, size_at in (
        (b"PK\x03\x04", 26, 30, 22),
        (b"PK\x01\x02", 28, 46, 24),
    ):
        start = 0
        while (at := out.find(signature, start)) != -1:
            (n,) = struct.unpack_from("<H", out, at + name_len_at)
            if bytes(out[at + name_at : at + name_at + n]) == encoded:
                struct.pack_into("<I", out, at + size_at, size)
            start = at + 4
    return bytes(out)


def zip_tricks(data: bytes, prefix: str) -> Iterator[Kind]:
    parts = members(data)
    yield f"{prefix}:zip:truncated-half", data[: len(data) // 2]
    yield f"{prefix}:zip:truncated-end", data[:-30]
    yield f"{prefix}:zip:junk-prefix", os.urandom(64) + data
    yield f"{prefix}:zip:stored", zipped(parts, zipfile.ZIP_STORED)
    yield f"{prefix}:zip:encrypted-flag", _encrypted_flag(data)
    yield f"{prefix}:zip:climbing-name", changed(data, add={"../../etc/evil.xml": b"<x/>"})
    yield f"{prefix}:zip:absolute-name", changed(data, add={"/etc/evil.xml": b"<x/>"})
    yield f"{prefix}:zip:backslash-name", changed(data, add={"..\\evil.xml": b"<x/>"})
    yield (
        f"{prefix}:zip:too-many-members",
        changed(data, add={f"xl/media/m{i}.txt": b"" for i in range(2001)}),
    )
    yield f"{prefix}:zip:nested-zip", zipped({"inner.xlsx": data})
    yield f"{prefix}:zip:bomb", changed(data, add={"xl/media/bomb.txt": b"\0" * (60 * 1024 * 1024)})
    styles = parts.get("xl/styles.xml", b"")
    lying = changed(data, {"xl/styles.xml": styles + b" " * (5 * 1024 * 1024)})
    yield f"{prefix}:zip:size-lie", _declared_size(lying, "xl/styles.xml", 1024)
    types = parts["[Content_Types].xml"]
    duplicate = io.BytesIO()
    with zipfile.ZipFile(duplicate, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
        z.writestr("xl/workbook.xml", b"<workbook/>")
    yield f"{prefix}:zip:duplicate-member", duplicate.getvalue()
    yield (
        f"{prefix}:zip:content-types-doctype",
        changed(
            data,
            {
                "[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                + types.split(b"?>", 1)[-1]
            },
        ),
    )
    yield (
        f"{prefix}:zip:workbook-billion-laughs",
        changed(
            data,
            {
                "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY l0 "ha">'
                + b"".join(
                    b'<!ENTITY l%d "&l%d;&l%d;&l%d;">' % (i, i - 1, i - 1, i - 1)
                    for i in range(1, 12)
                )
                + b"]><workbook>&l11;</workbook>"
            },
        ),
    )
    yield (
        f"{prefix}:zip:external-entity",
        changed(
            data,
            {
                "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b"<workbook>&e;</workbook>"
            },
        ),
    )


def not_workbooks() -> Iterator[Kind]:
    yield "raw:empty", b""
    yield "raw:random", os.urandom(4096)
    yield "raw:ole-container", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000
    yield "raw:csv-shift-jis", "組織ID,計画ID\nx,y\n".encode("cp932")
    yield "raw:html", b"<html><body>not excel</body></html>"
    yield "raw:empty-zip", zipped({})
    yield (
        "raw:minimal-workbook-only",
        zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
    )


# --------------------------------------------------------------------------- both readers

# Parts the lean cell reader (plans/xlsx_cells.py) never opens: a file broken only there is read
# (openpyxl refused it whole).
LEAN_NOT_READ = re.compile(
    r"^(docProps/|xl/theme/|xl/worksheets/_rels/|xl/printerSettings/|xl/styles\.xml)"
)


def lean_differences(
    kinds: list[Kind],
    read: Callable[..., tuple],
    unread_parts: set[str],
    cannot_open: str,
) -> list[tuple]:
    """Kinds read differently by the lean reader (`read(data)`) and openpyxl (`read(data,
    lean=False)`), each result given as (document, problems). Accepted: a file broken only in a
    part the lean reader or the importer never opens is read without a problem;
    an emptied sheet that openpyxl refused whole is refused naming that sheet. Every problem of
    the lean reader must be in Japanese."""
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    differ = []
    for kind, file in kinds:
        (doc, problems), (full_doc, full_problems) = read(file), read(file, lean=False)
        for problem in problems:
            assert japanese.search(problem.message), (kind, problem)
        if (doc, problems) == (full_doc, full_problems):
            continue
        part = kind.split(":")[1]
        if full_problems and not problems and (LEAN_NOT_READ.search(part) or part in unread_parts):
            continue
        if (
            kind.endswith(":emptied")
            and [p.message for p in full_problems] == [cannot_open]
            and problems
            and problems[-1].sheet
        ):
            continue
        differ.append((kind, problems[:2], full_problems[:2]))
    return differ
