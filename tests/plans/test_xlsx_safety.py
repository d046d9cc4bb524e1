"""Uploaded .xlsx files that must be refused before openpyxl parses any XML in them.

Every hostile file is built here with zipfile; no binary is committed. Each case is checked
twice: check_xlsx raises UnsafeWorkbook with a Japanese message, and read_workbook turns the
same file into no document and exactly one problem, without raising.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from contextlib import contextmanager
from unittest import mock

import openpyxl
import openpyxl.xml
import pytest

from shinchoku.plans import workbook as workbook_module
from shinchoku.plans.workbook import (
    blank_workbook,
    read_workbook,
    workbook_plan_keys,
    write_workbook,
)
from shinchoku.plans.xlsx_safety import (
    MAX_BYTES,
    MAX_MEMBERS,
    MAX_UNPACKED,
    REQUIRED,
    UnsafeWorkbook,
    check_xlsx,
)
from tests.factories import plan_doc

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def japanese(text: str) -> bool:
    return bool(JAPANESE.search(text))


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding exactly these members, names kept as given (no normalisation)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buf.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def rezipped(
    data: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
) -> bytes:
    """The workbook `data` with members replaced, added or dropped."""
    members = {n: d for n, d in members_of(data).items() if n not in drop}
    members.update(replace or {})
    members.update(add or {})
    return zipped(members)


def with_encryption_flag(data: bytes) -> bytes:
    """Set bit 0 (encrypted) of every entry's flags, in the local and central headers."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) != -1:
            (flags,) = struct.unpack_from("<H", out, at + offset)
            struct.pack_into("<H", out, at + offset, flags | 0x1)
            start = at + 4
    return bytes(out)


@pytest.fixture(scope="module")
def blank() -> bytes:
    return blank_workbook(2024, 2028)


@pytest.fixture
def filled(db) -> bytes:
    """A workbook that reads back into a document with no problems."""
    data = write_workbook(plan_doc())
    result = read_workbook(data)
    assert result.problems == []
    assert result.doc is not None
    return data


@contextmanager
def nothing_decompressed():
    """Fail if any member is opened (decompressed) or openpyxl is asked to load the file."""

    def refuse_open(*args, **kwargs):
        raise AssertionError("a member was decompressed before the file was refused")

    def refuse_load(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a refused file")

    with (
        mock.patch.object(zipfile.ZipFile, "open", refuse_open),
        mock.patch.object(workbook_module, "load_workbook", refuse_load),
    ):
        yield


def assert_refused(data: bytes, *fragments: str) -> str:
    """check_xlsx refuses with a Japanese message; read_workbook gives one problem, no doc.

    Both from the zip directory alone: no member is decompressed, openpyxl never sees the file.
    """
    with nothing_decompressed(), pytest.raises(UnsafeWorkbook) as caught:
        check_xlsx(data)
    message = str(caught.value)
    assert japanese(message), message
    for fragment in fragments:
        assert fragment in message
    with nothing_decompressed():
        result = read_workbook(data)
    assert result.doc is None
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.message == message
    assert (problem.sheet, problem.cell) == ("", "")
    assert str(problem) == message
    with nothing_decompressed():
        assert workbook_plan_keys(data) is None
    return message


# --------------------------------------------------------------------------- what passes


def test_blank_workbook_passes(blank):
    assert check_xlsx(blank) is None


def test_filled_workbook_passes(filled):
    assert check_xlsx(filled) is None


def test_a_small_highly_compressible_member_is_not_a_bomb(blank):
    # 500 KB of one character compresses far better than 1:100, but is too small to matter.
    data = rezipped(blank, add={"xl/media/blank.txt": b"a" * 500_000})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/media/blank.txt")
    assert info.file_size / info.compress_size > 100
    assert check_xlsx(data) is None


def test_check_only_reads_the_zip_directory(blank):
    with nothing_decompressed():
        assert check_xlsx(blank) is None


# --------------------------------------------------------------------------- not a workbook


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(4096), id="random-bytes"),
        pytest.param(b"", id="empty"),
        pytest.param("組織ID,計画ID\nnishitokyo,plan-1\n".encode(), id="csv-renamed"),
        pytest.param("組織ID,計画ID\n".encode("cp932"), id="csv-shift-jis"),
        pytest.param(b"PK\x03\x04" + b"\0" * 100, id="truncated-zip"),
        pytest.param(b"<?xml version='1.0'?><workbook/>", id="bare-xml"),
    ],
)
def test_not_a_zip_is_refused(data):
    assert_refused(data, ".xlsx")


# --------------------------------------------------------------------------- zip bombs


def test_zip_bomb_is_refused_by_its_declared_size_before_decompressing():
    zeros = b"\0" * (60 * 1024 * 1024)
    data = zipped(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": zeros,
        }
    )
    del zeros
    assert len(data) < 200 * 1024  # 60 MB of zeros packs into a few dozen KB
    message = assert_refused(data, "展開すると大きすぎる", f"{MAX_UNPACKED // 1024 // 1024}MB")
    assert "圧縮率" not in message  # the running total trips first


def test_total_unpacked_size_over_the_limit_across_members_is_refused():
    # No single member is suspicious on its own; together they unpack to more than the limit.
    chunk = os.urandom(16 * 1024) * 64  # 1 MB; repeats within deflate's window, but not 1:100
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    for i in range(MAX_UNPACKED // len(chunk) + 1):
        members[f"xl/media/image{i}.bin"] = chunk
    data = zipped(members)
    assert len(data) < MAX_BYTES
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert max(i.file_size for i in infos) <= MAX_UNPACKED
    assert all(i.file_size <= 100 * i.compress_size for i in infos)
    assert_refused(data, "展開すると大きすぎる")


def test_unpacked_limit_is_a_parameter(blank):
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(blank)).infolist())
    check_xlsx(blank, max_unpacked=total)
    with pytest.raises(UnsafeWorkbook, match="展開すると大きすぎる"):
        check_xlsx(blank, max_unpacked=total - 1)


def test_member_with_an_absurd_compression_ratio_is_refused(blank):
    data = rezipped(blank, add={"xl/worksheets/sheet99.xml": b"\0" * (2 * 1024 * 1024)})
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet99.xml")
    assert info.file_size / info.compress_size > 100
    assert_refused(data, "圧縮率", "xl/worksheets/sheet99.xml")


def test_ratio_limit_is_a_parameter(blank):
    with pytest.raises(UnsafeWorkbook, match="圧縮率"):
        check_xlsx(rezipped(blank, add={"big.xml": b"a" * (2 * 1024 * 1024)}), max_ratio=100)
    # the same member passes when the allowed ratio is generous enough
    check_xlsx(rezipped(blank, add={"big.xml": b"a" * (2 * 1024 * 1024)}), max_ratio=10**6)


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size the zip declares for `name` (local and central headers)."""
    out = bytearray(data)
    encoded = name.encode()
    for signature, name_len_at, name_at, size_at in (
        (b"PK\x03\x04", 26, 30, 22),
        (b"PK\x01\x02", 28, 46, 24),
    ):
        start, found = 0, 0
        while (at := out.find(signature, start)) != -1:
            (n,) = struct.unpack_from("<H", out, at + name_len_at)
            if bytes(out[at + name_at : at + name_at + n]) == encoded:
                struct.pack_into("<I", out, at + size_at, size)
                found += 1
            start = at + 4
        assert found == 1
    return bytes(out)


def test_bomb_that_lies_about_its_size_is_not_unpacked(filled):
    # The directory says 1 KB; the deflate stream holds 60 MB. check_xlsx cannot know, but
    # zipfile stops at the declared size and the CRC check fails: one problem, no crash.
    parts = members_of(filled)
    part = "xl/styles.xml"
    data = rezipped(filled, replace={part: parts[part] + b" " * (60 * 1024 * 1024)})
    data = with_declared_size(data, part, 1024)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(part).file_size == 1024
    assert check_xlsx(data) is None
    result = read_workbook(data)
    assert result.doc is None
    assert [p.message for p in result.problems] == [
        "ワークブックを開けませんでした。Excelで開いて「.xlsx」形式で保存し直してください。"
    ]
    assert workbook_plan_keys(data) is None


# --------------------------------------------------------------------------- too many, too big


def test_too_many_members_is_refused(blank):
    extra = {f"xl/media/m{i}.txt": b"" for i in range(MAX_MEMBERS + 1)}
    data = rezipped(blank, add=extra)
    assert_refused(data, "多すぎます", str(len(members_of_names(data))))


def members_of_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.namelist()


def test_member_limit_is_a_parameter(blank):
    n = len(members_of_names(blank))
    check_xlsx(blank, max_members=n)
    with pytest.raises(UnsafeWorkbook, match="多すぎます"):
        check_xlsx(blank, max_members=n - 1)


def test_file_over_the_byte_limit_is_refused_before_anything_else():
    data = b"PK\x03\x04" + os.urandom(MAX_BYTES - 3)
    assert len(data) == MAX_BYTES + 1
    assert_refused(data, "大きすぎます", f"{MAX_BYTES // 1024 // 1024}MBまで")


def test_file_exactly_at_the_byte_limit_is_not_refused_for_its_size():
    data = b"x" * MAX_BYTES
    with pytest.raises(UnsafeWorkbook) as caught:
        check_xlsx(data)
    assert "大きすぎます" not in str(caught.value)  # refused as not a zip instead


def test_byte_limit_is_a_parameter(blank):
    check_xlsx(blank, max_bytes=len(blank))
    with pytest.raises(UnsafeWorkbook, match="大きすぎます"):
        check_xlsx(blank, max_bytes=len(blank) - 1)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    [
        "../evil.xml",
        "xl/../../evil.xml",
        "xl/worksheets/../../../etc/passwd",
        "..\\evil.xml",
        "xl\\..\\..\\evil.xml",
        "/etc/passwd",
        "/xl/workbook.xml",
        "\\windows\\system32\\evil.dll",
    ],
)
def test_member_name_climbing_out_or_absolute_is_refused(blank, name):
    data = rezipped(blank, add={name: b"<x/>"})
    assert name in members_of_names(data)  # zipfile kept the name as written
    assert_refused(data, "不正な名前", name)


def test_dots_inside_a_name_are_fine(blank):
    check_xlsx(rezipped(blank, add={"xl/media/image..1.png": b"", "xl/..hidden": b""}))


# --------------------------------------------------------------------------- required parts


@pytest.mark.parametrize("missing", REQUIRED)
def test_missing_required_part_is_refused(blank, missing):
    data = rezipped(blank, drop=(missing,))
    message = assert_refused(data, "ではありません", missing)
    other = next(r for r in REQUIRED if r != missing)
    assert other not in message


def test_a_zip_that_is_not_a_workbook_names_both_missing_parts():
    data = zipped({"word/document.xml": b"<document/>", "readme.txt": b"hello"})
    assert_refused(data, *REQUIRED)


def test_an_empty_zip_is_refused():
    assert_refused(zipped({}), *REQUIRED)


# --------------------------------------------------------------------------- macros, encryption


@pytest.mark.parametrize("name", ["xl/vbaProject.bin", "xl/VBAPROJECT.BIN", "vbaProject.bin"])
def test_macro_project_is_refused(blank, name):
    data = rezipped(blank, add={name: b"\xd0\xcf\x11\xe0" + b"\0" * 508})
    assert_refused(data, "マクロ")


def test_ole_container_is_refused_as_old_or_password_protected():
    # An encrypted .xlsx (and an old .xls) is a Compound File: header D0 CF 11 E0 A1 B1 1A E1.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + os.urandom(4096)
    assert_refused(data, "パスワード", ".xls")


def test_zip_entries_marked_encrypted_are_refused(blank):
    data = with_encryption_flag(blank)
    assert all(i.flag_bits & 0x1 for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert_refused(data, "パスワード")


# --------------------------------------------------------------------------- XML attacks

LAUGHS = (
    '<!DOCTYPE {root} [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
EXTERNAL = '<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_doctype(xml: bytes, root: str, doctype: str) -> bytes:
    """Insert a DOCTYPE before the root element (after any XML declaration)."""
    text = xml.decode()
    at = text.index(f"<{root}")
    return (text[:at] + doctype.format(root=root) + text[at:]).encode()


def sheet_parts(data: bytes) -> list[str]:
    return sorted(n for n in members_of_names(data) if n.startswith("xl/worksheets/sheet"))


def entity_in_every_cell_text(xml: bytes, entity: str) -> bytes:
    """Reference the entity from every inline string so that expansion would show."""
    return re.sub(rb"<t>([^<]*)</t>", rb"<t>\1&" + entity.encode() + b";</t>", xml)


def assert_rejected_without_expansion(data: bytes) -> None:
    result = read_workbook(data)
    assert result.doc is None
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert japanese(problem.message), problem
    assert "開けませんでした" in problem.message
    assert "lollol" not in problem.message
    assert "root:" not in problem.message
    assert workbook_plan_keys(data) is None


def test_openpyxl_parses_with_defusedxml():
    import defusedxml  # noqa: F401  (installed, so openpyxl uses it)

    assert openpyxl.xml.DEFUSEDXML is True


def exception_chain(exc: BaseException | None):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet2.xml"])
@pytest.mark.parametrize("doctype", [LAUGHS, EXTERNAL], ids=["laughs", "external"])
def test_openpyxl_refuses_entities_through_defusedxml(filled, part, doctype):
    """The refusal comes from defusedxml forbidding the entity, not from a broken file."""
    from defusedxml import DefusedXmlException

    root = "workbook" if part == "xl/workbook.xml" else "worksheet"
    data = rezipped(filled, replace={part: with_doctype(members_of(filled)[part], root, doctype)})
    for read_only in (True, False):
        with pytest.raises(Exception) as caught:  # openpyxl wraps the defusedxml error
            openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)
        assert any(isinstance(e, DefusedXmlException) for e in exception_chain(caught.value))
    # without the DOCTYPE the same part is read fine
    openpyxl.load_workbook(io.BytesIO(filled), read_only=True, data_only=True).close()


def test_billion_laughs_in_workbook_xml_is_refused(filled):
    xml = members_of(filled)["xl/workbook.xml"]
    data = rezipped(filled, replace={"xl/workbook.xml": with_doctype(xml, "workbook", LAUGHS)})
    assert check_xlsx(data) is None  # the zip itself is ordinary; the XML parser refuses
    assert_rejected_without_expansion(data)


def test_external_entity_in_workbook_xml_is_refused(filled):
    xml = members_of(filled)["xl/workbook.xml"]
    data = rezipped(filled, replace={"xl/workbook.xml": with_doctype(xml, "workbook", EXTERNAL)})
    assert_rejected_without_expansion(data)


def test_billion_laughs_in_sheet_xml_is_refused(filled):
    parts = members_of(filled)
    replace = {
        name: entity_in_every_cell_text(with_doctype(parts[name], "worksheet", LAUGHS), "lol9")
        for name in sheet_parts(filled)
    }
    data = rezipped(filled, replace=replace)
    assert check_xlsx(data) is None
    assert_rejected_without_expansion(data)


def test_external_entity_in_sheet_xml_is_refused(filled):
    parts = members_of(filled)
    replace = {
        name: entity_in_every_cell_text(with_doctype(parts[name], "worksheet", EXTERNAL), "xxe")
        for name in sheet_parts(filled)
    }
    data = rezipped(filled, replace=replace)
    assert_rejected_without_expansion(data)


def test_doctype_in_content_types_is_refused(filled):
    xml = members_of(filled)["[Content_Types].xml"]
    data = rezipped(filled, replace={"[Content_Types].xml": with_doctype(xml, "Types", LAUGHS)})
    assert_rejected_without_expansion(data)
