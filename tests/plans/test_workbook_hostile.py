"""A broken or hostile plan workbook is refused with its sheet and cell, fast, never with a crash.

openpyxl reads lazily, so these faults appear only while rows are read; each must come back as a
problem naming the sheet (and cell) and what to do. The whole corpus through both upload views is
tests/rounds/test_hostile_uploads.py; here each fault is pinned to its message.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import CommandError, call_command

from shinchoku.plans.limits import MAX_NODE_DEPTH, MAX_NODES
from shinchoku.plans.workbook import read_workbook, write_workbook
from shinchoku.plans.xlsx_guard import WorkbookFault, opened
from shinchoku.plans.xlsx_safety import UnsafeWorkbook, check_content_types, check_xlsx
from tests import hostile_files as hc
from tests.factories import plan_doc

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def workbook() -> bytes:
    return write_workbook(plan_doc())


def only_problem(data: bytes):
    result = read_workbook(data)
    assert result.doc is None
    assert result.problems, "refused without a problem"
    for p in result.problems:
        assert JAPANESE.search(p.message), p.message
    return result.problems[-1]


def raw_cell(data: bytes, sheet: str, body: bytes) -> bytes:
    """The first cell of row 2 of a sheet replaced by raw XML (its address kept)."""
    part = hc.sheet_parts(data)[sheet]
    xml = hc.members(data)[part]
    xml = re.sub(rb'<c r="A2"[^>]*?(?:/>|>.*?</c>)', b'<c r="A2"' + body, xml, count=1, flags=re.S)
    return hc.changed(data, {part: xml})


def test_the_plain_workbook_reads(workbook):
    assert read_workbook(workbook).problems == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b' t="n"><v>abc</v></c>', id="number-abc"),
        pytest.param(b' t="d"><v>not-a-date</v></c>', id="date-garbage"),
        pytest.param(b' t="s"><v>99999</v></c>', id="shared-string-missing"),
        pytest.param(b' t="b"><v>2x</v></c>', id="bool-2x"),
    ],
)
def test_an_unreadable_cell_is_named_with_its_sheet_and_cell(workbook, body):
    problem = only_problem(raw_cell(workbook, "体系", body))
    assert (problem.sheet, problem.cell) == ("体系", "A2")
    assert "Excelで開いて" in problem.message


def test_a_cell_address_beyond_excel_is_named(workbook):
    part = hc.sheet_parts(workbook)["指標"]
    xml = hc.members(workbook)[part].replace(b'<c r="A2"', b'<c r="ZZZZ9999999"', 1)
    problem = only_problem(hc.changed(workbook, {part: xml}))
    assert problem.sheet == "指標"
    assert "ZZZZ9999999" in problem.message


def test_a_control_character_entity_names_the_sheet(workbook):
    problem = only_problem(raw_cell(workbook, "指標", b' t="inlineStr"><is><t>a&#1;b</t></is></c>'))
    assert problem.sheet == "指標"


def test_a_flipped_byte_in_a_sheet_names_the_sheet(workbook):
    part = hc.sheet_parts(workbook)["体系"]
    xml = hc.members(workbook)[part]
    at = xml.index(b"<sheetData>") + 40
    damaged = xml[:at] + bytes([xml[at] ^ 0xFF]) + xml[at + 1 :]
    problem = only_problem(hc.changed(workbook, {part: damaged}))
    assert problem.sheet == "体系"


def test_a_workbook_without_styles_still_reads(workbook):
    data = hc.changed(workbook, drop=("xl/styles.xml",))
    result = read_workbook(data)
    assert all(JAPANESE.search(p.message) for p in result.problems)
    # and a style index past the end of the styles is read as plain text
    result = read_workbook(raw_cell(workbook, "体系", b' s="9999"><v>1</v></c>'))
    assert not any("読めません" in p.message for p in result.problems)


def test_a_value_past_the_column_limit_is_refused_with_its_cell(workbook):
    part = hc.sheet_parts(workbook)["体系"]
    xml = hc.set_cells(hc.members(workbook)[part], {"KN2": "x"})
    problem = only_problem(hc.changed(workbook, {part: xml}))
    assert (problem.sheet, problem.cell) == ("体系", "KN2")


def test_900k_rows_are_refused_in_seconds(workbook):
    part = hc.sheet_parts(workbook)["実績"]
    data = hc.changed(workbook, {part: hc.rows_xml(900_000, True)})
    check_xlsx(data)  # within the size limits: only reading can find it
    started = time.monotonic()
    problem = only_problem(data)
    assert time.monotonic() - started < 5
    assert problem.sheet == "実績" and "行が多すぎます" in problem.message


def test_more_rows_than_the_limit_are_refused_before_openpyxl_reads_them(workbook):
    part = hc.sheet_parts(workbook)["実績"]
    problem = only_problem(hc.changed(workbook, {part: hc.rows_xml(25_000, True)}))
    assert problem.sheet == "実績" and "20,000行まで" in problem.message


def test_a_value_past_the_row_limit_is_refused_with_its_cell(workbook):
    part = hc.sheet_parts(workbook)["実績"]
    xml = hc.set_cells(hc.members(workbook)[part], {"A25000": "x"})
    problem = only_problem(hc.changed(workbook, {part: xml}))
    assert (problem.sheet, problem.cell) == ("実績", "A25000")


def test_900k_empty_rows_are_refused_too(workbook):
    part = hc.sheet_parts(workbook)["実績"]
    data = hc.changed(workbook, {part: hc.rows_xml(900_000, False)})
    problem = only_problem(data)
    assert problem.sheet == "実績" and "行が多すぎます" in problem.message


def test_more_cells_than_the_limit_are_refused_before_openpyxl_reads_them(workbook):
    part = hc.sheet_parts(workbook)["実績"]
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b"".join(
            b'<row r="%d">' % r
            + b"".join(b"<c><v>%d</v></c>" % (r * 16000 + c) for c in range(16000))
            + b"</row>"
            for r in range(1, 21)
        )
        + b"</sheetData></worksheet>"
    )
    problem = only_problem(hc.changed(workbook, {part: xml}))
    assert problem.sheet == "実績" and "セルが多すぎます" in problem.message


def test_a_3000_level_parent_chain_is_refused_at_the_depth_limit_in_seconds(workbook):
    edits = {}
    for i in range(3000):
        edits[("体系", f"A{1000 + i}")] = f"deep-{i}"
        edits[("体系", f"E{1000 + i}")] = "深い"
        if i:
            edits[("体系", f"B{1000 + i}")] = f"deep-{i - 1}"
    started = time.monotonic()
    result = read_workbook(hc.typed(workbook, edits))
    assert time.monotonic() - started < 10
    deep = [p for p in result.problems if "深すぎます" in p.message]
    assert len(deep) == 1
    assert (deep[0].sheet, deep[0].cell) == ("体系", f"B{1000 + MAX_NODE_DEPTH}")


def test_more_nodes_than_the_limit_are_refused(workbook):
    edits = {}
    for i in range(MAX_NODES + 1):
        edits[("体系", f"A{1000 + i}")] = f"many-{i}"
        edits[("体系", f"E{1000 + i}")] = "多い"
    problem = only_problem(hc.typed(workbook, edits))
    assert problem.sheet == "体系" and f"{MAX_NODES:,}行まで" in problem.message


@pytest.mark.parametrize(
    "name",
    [
        "xl/vbaProject1.bin",
        "xl/media/vbaProject.bin",
        "vbaData.bin",
        "xl/macrosheets/sheet1.xml",
        "xl/dialogsheets/sheet1.xml",
        "xl/activeX/activeX1.xml",
        "xl/activeX/activeX1.bin",
        "xl/embeddings/oleObject1.bin",
    ],
)
def test_every_kind_of_macro_part_is_refused(workbook, name):
    data = hc.changed(workbook, add={name: b"\xd0\xcf\x11\xe0" + b"\0" * 508})
    with pytest.raises(UnsafeWorkbook, match="マクロ"):
        check_xlsx(data)
    assert "マクロ" in only_problem(data).message


@pytest.mark.parametrize(
    "content_type",
    [
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        b"application/vnd.ms-excel.template.macroEnabled.main+xml",
        b"application/vnd.ms-office.vbaProject",
        b"application/vnd.ms-excel.intlmacrosheet+xml",
        b"application/vnd.ms-excel.macrosheet+xml",
        b"application/vnd.ms-office.activeX+xml",
    ],
)
def test_macro_content_types_are_refused(workbook, content_type):
    types = hc.members(workbook)["[Content_Types].xml"]
    extra = b'<Override PartName="/xl/x.xml" ContentType="' + content_type + b'"/></Types>'
    data = hc.changed(workbook, {"[Content_Types].xml": types.replace(b"</Types>", extra)})
    with pytest.raises(UnsafeWorkbook, match="マクロ"):
        check_content_types(data)
    assert "マクロ" in only_problem(data).message


def test_printer_settings_are_not_a_macro(workbook):
    data = hc.changed(workbook, add={"xl/printerSettings/printerSettings1.bin": b"\0" * 100})
    check_xlsx(data)
    check_content_types(data)


def test_a_member_named_twice_is_refused(workbook):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in hc.members(workbook).items():
            z.writestr(name, content)
        with pytest.warns(UserWarning):
            z.writestr("xl/workbook.xml", b"<workbook/>")
    with pytest.raises(UnsafeWorkbook, match="二つ"):
        check_xlsx(out.getvalue())


def test_the_guard_turns_any_fault_into_a_workbook_fault(workbook):
    with pytest.raises(WorkbookFault) as caught, opened(workbook) as book:
        list(book.rows("存在しないシート"))
    assert caught.value.sheet == "存在しないシート" and JAPANESE.search(caught.value.message)


def test_the_cli_refuses_a_broken_workbook_with_the_sheet_and_cell(workbook, tmp_path, capsys, db):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(raw_cell(workbook, "体系", b' t="n"><v>abc</v></c>'))
    with pytest.raises(CommandError, match="何も読み込みませんでした"):
        call_command("import", str(path))
    assert "「体系」シート A2" in capsys.readouterr().err
