"""The lean sheet reader (plans/xlsx_cells, issue 16) reads every sheet as openpyxl reads it.

Department sheets of every plan shape (the demo action plan, the city plan, and the four-level
fixture council of tests/fixtures/other_shape_plan.xlsx, each department) are
downloaded, filled in varied ways (text with line breaks and stray spaces, numbers, fractions,
percentages, dates, times, booleans, formulas, rich text, cleared cells, hand-written inline
strings), also saved by LibreOffice, and read by both readers: `read_sheet` gives the same
identifiers, cells and problems, and every sheet's rows (values and number formats) and formulas
are the same. Hypothesis types random values into random input cells. The hostile corpus of
tests/hostile_files.py is read by both: a file both read gives the same result; a refusal is a
Japanese message naming the sheet; the lean reader refuses whatever openpyxl refuses, except files
broken only in parts it never opens.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from shinchoku.orgs.models import Organization
from shinchoku.plans.models import PendingUpload, Plan
from shinchoku.plans.workbook import CellProblem
from shinchoku.plans.xlsx_cells import opened_cells
from shinchoku.plans.xlsx_guard import CANNOT_OPEN, WorkbookFault, opened
from shinchoku.rounds import services
from shinchoku.rounds.models import Report
from shinchoku.rounds.sheet_xlsx import DATA_SHEETS, S_IDS, read_sheet, write_sheet
from tests import hostile_files as hc
from tests.conftest import login_client

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
DEMO = ("nishitokyo-action-plan-2019", "nishitokyo-chiiki-fukushi-4", "nishitokyo-katsudo-4")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SOFFICE = shutil.which("soffice")


# --------------------------------------------------------------------------- both readers


def read_all(data: bytes, opener) -> object:
    """Everything a reader gives for a file: each sheet's rows and formulas, or its fault."""
    try:
        with opener(data) as book:
            sheets = {}
            for name in book.sheetnames:
                try:
                    sheets[name] = list(book.rows(name))
                except WorkbookFault as fault:
                    sheets[name] = ("fault", fault.sheet, fault.cell, fault.message)
            return (list(book.sheetnames), sheets, book.formulas)
    except WorkbookFault as fault:
        return ("fault", fault.sheet, fault.cell, fault.message)


def same(data: bytes) -> None:
    """Both readers give the same sheet and the same rows of every sheet."""
    lean, full = read_sheet(data), read_sheet(data, lean=False)
    assert lean.meta == full.meta
    assert lean.problems == full.problems
    assert lean.cells == full.cells
    assert read_all(data, opened_cells) == read_all(data, opened)


# --------------------------------------------------------------------------- sheets of every shape


@pytest.fixture
def reports(db) -> list[Report]:
    """A sheet of every department of every demo plan's FY2020 round, and of the fixture
    council's FY2024 round (its plan loaded from its workbook, as its 管理者 does)."""
    someone = login_client("同僚", role="admin").user
    for slug in DEMO:
        plan = Plan.objects.get(slug=slug)
        if services.departments_of(plan):  # the activity plan names no 担当課
            services.open_round(plan, 2020, date(2021, 5, 31), someone)
    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-admin", role="admin", org_slug="midori-shakyo")
    response = admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    assert response.status_code == 200
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    services.open_round(Plan.objects.get(slug="midori-katsudo-3"), 2024, date(2025, 5, 31), someone)
    return list(
        Report.objects.select_related("round__plan", "department").order_by("round__plan", "pk")
    )


TEXTS = [
    "地区の担い手と協議を重ね、取組を進めた",
    "  前後に空白  ",
    "一行目\n二行目\r\n三行目",
    "1+1=2 は数式ではない文字",
    "12",
    "",
    "A",
    "予定どおり",
    "△1,200千円",
    "x005F_x000D_ と _x000D_",
    "<b>&amp;</b>",
    "令和2年度 ２団体",
]
OTHER_VALUES = [
    12,
    -3,
    12.5,
    0.484,
    1e20,
    True,
    False,
    dt.datetime(2021, 3, 31),
    dt.datetime(2021, 3, 31, 14, 30),
    dt.date(2020, 4, 1),
    dt.time(9, 15),
]


def fill_varied(data: bytes, seed: int) -> bytes:
    """Every input cell typed with a value chosen by seed; some as %, dates, rich text; one
    formula when seed is a multiple of 4 (refused with its cell)."""
    wb = load_workbook(io.BytesIO(data))
    values = TEXTS + OTHER_VALUES
    cells = read_sheet(data).cells
    if seed % 4 == 0:
        wb[cells[-1].sheet][cells[-1].cell].value = "=SUM(1,2)"
        cells = cells[:-1]
    for n, cell in enumerate(cells):
        target = wb[cell.sheet][cell.cell]
        value = values[(n * 7 + seed) % len(values)]
        if (n + seed) % 11 == 0:
            value = CellRichText(["太字", TextBlock(InlineFont(b=True), "と普通"), " の文"])
        target.value = value
        if (n + seed) % 13 == 0 and isinstance(value, (int, float)):
            target.number_format = "0.0%"
        elif (n + seed) % 17 == 0 and isinstance(value, (int, float)):
            target.number_format = "yyyy/mm/dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_every_sheet_of_every_shape_reads_the_same(reports):
    shapes = {r.round.plan.slug for r in reports}
    assert shapes == {*DEMO[:2], "midori-katsudo-3"}
    assert len(reports) >= 12
    for n, report in enumerate(reports):
        data = write_sheet(report)
        same(data)  # as downloaded
        filled = fill_varied(data, n)
        same(filled)
        # the values were read, or the formula refused
        assert read_sheet(filled).cells or n % 4 == 0


def test_protected_cells_edited_and_rows_moved_read_the_same(reports):
    report = max(reports, key=lambda r: len(read_sheet(write_sheet(r)).cells))
    data = write_sheet(report)
    wb = load_workbook(io.BytesIO(data))
    cells = read_sheet(data).cells
    first = cells[0]
    wb[first.sheet][f"B{first.cell[1:]}"].value = "書き換え"  # a locked cell
    wb[first.sheet].move_range("A5:Z6", rows=30)  # rows moved
    wb[S_IDS]["B5"].value = 2021  # the fiscal year typed as a number
    out = io.BytesIO()
    wb.save(out)
    same(out.getvalue())
    assert read_sheet(out.getvalue()).problems


def test_a_1904_workbook_and_custom_date_styles_read_the_same(reports):
    data = fill_varied(write_sheet(reports[0]), 3)
    parts = hc.members(data)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"<workbookPr", b'<workbookPr date1904="1"', 1
    )
    same(hc.zipped(parts))
    # A value typed with a date style of its own (a custom format id)
    wb = load_workbook(io.BytesIO(data))
    cell = read_sheet(data).cells[1]
    wb[cell.sheet][cell.cell].value = 44000.25
    wb[cell.sheet][cell.cell].number_format = "gggee年m月d日 h:mm"
    out = io.BytesIO()
    wb.save(out)
    same(out.getvalue())


def test_hand_written_cells_read_the_same(reports):
    """Cells no openpyxl save writes: inline strings with runs and phonetic text, a <t> with
    children, cells without an address, str and e types, empty values, a style past the end."""
    data = write_sheet(reports[0])
    cell = read_sheet(data).cells[0]
    part = hc.sheet_parts(data)[cell.sheet]
    parts = hc.members(data)
    xml = parts[part]
    row = re.search(rb'<row r="' + cell.cell[1:].encode() + rb'"[^>]*>', xml)
    extra = (
        b'<c r="AA%(r)s" t="inlineStr"><is><t>a</t><r><rPr><b/></rPr><t>b</t></r>'
        b'<rPh sb="0" eb="1"><t>\xe3\x81\x82</t></rPh><r><t>c</t><t>d</t></r>'
        b'<phoneticPr fontId="1"/></is></c>'
        b'<c r="AB%(r)s" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>'
        b'<c r="AC%(r)s" t="e"><v>#N/A</v></c>'
        b'<c r="AD%(r)s"><v></v></c>'
        b'<c r="AE%(r)s" s="999"><v>5</v></c>'
        b'<c r="AF%(r)s" t="inlineStr"><is><t>x<b/>y</t></is></c>'
        b'<c r="AG%(r)s" t="n"><v>1.5E3</v></c>'
        b'<c r="AH%(r)s" t="b"><v>0</v></c>'
        b'<c r="ah%(r)s" t="inlineStr"><is><t xml:space="preserve"> lower </t></is></c>'
        b'<c t="inlineStr"><is><t>no address</t></is></c>'
        b'<c r="AJ%(r)s" t="d"><v>2021-03-31T10:00:00</v></c>'
    ) % {b"r": cell.cell[1:].encode()}
    parts[part] = xml[: row.end()] + extra + xml[row.end() :]
    same(hc.zipped(parts))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_values_in_random_cells_read_the_same(reports, data):
    report = data.draw(st.sampled_from(reports))
    sheet = write_sheet(report)
    cells = read_sheet(sheet).cells
    picked = data.draw(st.lists(st.sampled_from(cells), min_size=1, max_size=8))
    text = st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
    )
    values = st.one_of(
        text,
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=False, allow_infinity=False, width=64),
        st.booleans(),
        st.none(),
        st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)).map(
            lambda d: d.replace(microsecond=0)
        ),
    )
    wb = load_workbook(io.BytesIO(sheet))
    for cell in picked:
        value = data.draw(values)
        if isinstance(value, str):
            from shinchoku.plans.xlsx_safety import xml_text

            value = xml_text(value)
            if value.startswith("="):
                value = "'" + value
        wb[cell.sheet][cell.cell].value = value
        if data.draw(st.booleans()):
            wb[cell.sheet][cell.cell].number_format = data.draw(
                st.sampled_from(["0%", "0.00", "yyyy-mm-dd", "h:mm", "[h]:mm:ss", "@", "#,##0"])
            )
    out = io.BytesIO()
    wb.save(out)
    same(out.getvalue())


# --------------------------------------------------------------------------- LibreOffice


def libreoffice_all(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every file opened and saved anew by LibreOffice Calc, in one run."""
    home = Path(tempfile.mkdtemp(prefix="lo-"))
    (home / "in").mkdir()
    for name, data in files.items():
        (home / "in" / name).write_bytes(data)
    done = subprocess.run(
        [
            str(SOFFICE),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(home / 'profile').as_uri()}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(home / "out"),
            *(str(home / "in" / name) for name in files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    out = {name: (home / "out" / name).read_bytes() for name in files}
    for data in out.values():
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert b"<Application>LibreOffice" in zf.read("docProps/app.xml")
    shutil.rmtree(home, ignore_errors=True)
    return out


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (soffice not on PATH)")
def test_sheets_saved_by_libreoffice_read_the_same(reports):
    by_plan: dict[str, list[Report]] = {}
    for r in reports:
        by_plan.setdefault(r.round.plan.slug, []).append(r)
    files = {}
    for slug, plan_reports in by_plan.items():
        for n, report in enumerate(plan_reports[:3]):
            data = write_sheet(report)
            files[f"{slug}-{n}-blank.xlsx"] = data
            files[f"{slug}-{n}-filled.xlsx"] = fill_varied(data, n + 5)
    saved = libreoffice_all(files)
    for name, data in saved.items():
        same(data)
        if name.endswith("-blank.xlsx"):
            assert read_sheet(data).problems == [], name


# --------------------------------------------------------------------------- hostile files


# Parts the lean reader never opens: a file broken only there is read (openpyxl refused it).
NOT_READ = re.compile(
    r"^sheet:(docProps/|xl/theme/|xl/worksheets/_rels/|xl/printerSettings/|xl/styles\.xml)"
)


def test_hostile_files_are_refused_as_openpyxl_refuses_them(reports):
    report = max(reports, key=lambda r: len(read_sheet(write_sheet(r)).cells))
    data = write_sheet(report)
    read_parts = {p for name, p in hc.sheet_parts(data).items() if name in (*DATA_SHEETS, S_IDS)}
    kinds = [("sheet:as-downloaded", data)]
    kinds += hc.part_damage(data, "sheet")
    kinds += hc.macros(data, "sheet")
    kinds += hc.zip_tricks(data, "sheet")
    kinds += hc.cell_tricks(data, list(hc.sheet_parts(data)), "sheet")
    kinds += hc.not_workbooks()
    differ = []
    for kind, file in kinds:
        lean, full = read_sheet(file), read_sheet(file, lean=False)
        for problem in lean.problems:
            assert JAPANESE.search(problem.message), (kind, problem)
        if lean == full:
            continue
        part = kind.split(":")[1]
        if full.problems and not lean.problems:
            if NOT_READ.search(kind) or (
                part.startswith("xl/worksheets/sheet") and part not in read_parts
            ):
                continue  # broken in a part the importer does not need: read
        if kind.endswith(":emptied") and full.problems == [CellProblem("", "", str(CANNOT_OPEN))]:
            # openpyxl refused the whole file; the lean reader names the sheet
            (problem,) = lean.problems
            assert problem.sheet and problem.sheet in kind_sheets(data, part), kind
            continue
        differ.append((kind, lean.problems[:2], full.problems[:2]))
    assert differ == []


def kind_sheets(data: bytes, part: str) -> list[str]:
    return [name for name, p in hc.sheet_parts(data).items() if p == part]


# --------------------------------------------------------------------------- rows an upload reads


def test_an_upload_reads_the_rows_its_file_names_as_the_whole_sheet_has_them(reports):
    """The upload reads only the rows its file names (services.sheet(only=…)): what it checks,
    merges and saves from them is what the whole sheet holds, for every sheet, with and
    without entries stored."""
    from shinchoku.rounds.models import PlanSettings
    from shinchoku.rounds.sheet_xlsx_apply import _names, _stored, named_keys

    someone = login_client("保存者", role="admin").user
    stored = 0
    for n, report in enumerate(reports):
        if n % 2:  # entries stored for every row
            settings = PlanSettings.of(report.round.plan)
            data = services.SheetInput()
            for item in services.sheet(report):
                code = settings.evaluation_scale[0]["code"]
                data.items[item.node.key] = {"done": "済", "next": "続", "evaluation": code}
                for c in item.contents:
                    status = settings.content_statuses[0]
                    data.contents[(item.node.key, c.position)] = {"status": status, "note": "メモ"}
                for ln in item.indicators:
                    if not ln.readonly:
                        data.indicators[ln.indicator.key] = {"note": "注", "done": "d", "next": "n"}
            services.save(report, data, version=report.version, user=someone)
            stored += 1
        report = Report.objects.select_related("round__plan", "department").get(pk=report.pk)
        cells = read_sheet(write_sheet(report)).cells
        named = named_keys(cells)
        whole, part = services.sheet(report), services.sheet(report, only=named)

        def seen(lines, named=named, cells=cells):
            fields = {(c.kind, c.key, c.field) for c in cells}
            rows = {(c.kind, c.key) for c in cells}
            entered = services._as_entered(lines)
            by_node = {i.node.key: i for i in lines if i.node.key in named.nodes}
            return (
                {k: v for k, v in _stored(lines).items() if k in fields},
                {k: v for k, v in _names(lines).items() if k in rows},
                {k: v for k, v in entered.items.items() if k in named.nodes},
                {k: v for k, v in entered.contents.items() if k[0] in named.nodes},
                {k: v for k, v in entered.indicators.items() if k in named.indicators},
                {
                    k: (
                        [(c.position, c.content.text) for c in i.contents],
                        [(ln.indicator.key, ln.readonly, ln.reporter) for ln in i.indicators],
                    )
                    for k, i in by_node.items()
                },
            )

        assert seen(part) == seen(whole), report
        assert seen(whole)[0], report  # the sheet has input cells
    assert stored >= 3
