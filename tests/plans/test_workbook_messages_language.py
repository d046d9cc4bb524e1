"""The plan workbook's problems and the uploaded-file checks speak the UI's language (issue 15).

In the English UI a refused plan workbook, a hostile file and a hostile staff list are explained
in English, still naming the sheet and the cell; in the Japanese UI (the default) and on the
command line the messages are exactly what they were. The words of the workbook format (sheet
names, column headers, values such as 上昇) stay Japanese in either language, quoted “…”.
Real database, the test client and real files; nothing of ours is mocked.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shinchoku.plans.interchange import validate
from shinchoku.plans.models import PendingUpload
from shinchoku.plans.vocabulary import (
    DIRECTIONS,
    ORG_KINDS,
    PLAN_KINDS,
    RELATIONS,
    STATUSES,
    STYLES,
    TAGS,
    YES,
)
from shinchoku.plans.workbook import S_DEPTS, read_workbook, write_workbook
from shinchoku.staff.roster import SHEET as ROSTER
from tests import hostile_files as hc
from tests.conftest import COUNCIL, login_client
from tests.factories import plan_doc

KANA = re.compile(r"[\u3040-\u30ff]")  # a Japanese sentence, not a Japanese name
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PERIOD = re.compile(r"(令和|平成)(\d+|元)年度\(\d{4}年度\)")  # a fiscal year, shown in 和暦 too
USERS = itertools.count()
# The words of the format a message may list (the choices of a column), Japanese in either UI.
WORDS = sorted(
    {*ORG_KINDS.values(), *PLAN_KINDS.values(), *RELATIONS.values(), *STYLES.values()}
    | {*DIRECTIONS.values(), *TAGS, *STATUSES, YES},
    key=len,
    reverse=True,
)
CELL = re.compile(r"^(?:[A-Z]{1,3}\d+|row \d+|near row \d+|column [A-Z]+)?$")


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    yield
    translation.deactivate()  # a request in English leaves English active in this thread


@pytest.fixture
def doc(db) -> dict:
    return plan_doc(slug="council-new-plan", org_slug=COUNCIL)


def admin(language: str | None) -> Client:
    client = login_client(f"wb-admin-{language}-{next(USERS)}", role="admin")
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def upload(client: Client, data: bytes, name: str = "plan.xlsx"):
    response = client.post(
        reverse("plans:workbook_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 400, response.status_code
    assert not PendingUpload.objects.exists()
    return response


def by_cell(response) -> dict[tuple[str, str], str]:
    return {(p.sheet, p.cell): p.message for p in response.context["problems"]}


def english(message: str) -> bool:
    """No Japanese left once the quoted words of the format, the choices of a column and the
    fiscal years are taken out."""
    text = PERIOD.sub("", re.sub(r"“[^”]*”", "", message))
    for word in WORDS:
        text = text.replace(word, "")
    return not JAPANESE.search(text)


def broken(doc: dict) -> bytes:
    """The workbook with a title left empty, an unknown direction, an unknown department and an
    unreadable fiscal-year heading."""
    wb = load_workbook(io.BytesIO(write_workbook(doc)))
    wb["体系"]["E3"] = None
    wb["指標"]["F2"] = "上がる"
    wb["体系"]["G2"] = "どこか課"
    wb["実施内容"]["J1"] = "来年"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def without_sheet(doc: dict, name: str) -> bytes:
    wb = load_workbook(io.BytesIO(write_workbook(doc)))
    del wb[name]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- the plan workbook


def test_a_broken_workbook_is_explained_in_english_with_sheet_and_cell(doc):
    response = upload(admin("en"), broken(doc))
    found = by_cell(response)
    assert found[("体系", "E3")] == "Enter a value in “タイトル”."
    assert found[("指標", "F2")] == (
        "“上がる” cannot be used in “方向”. Use one of 上昇, 低下, 維持, なし."
    )
    assert found[("体系", "G2")] == (
        "The department “どこか課” is not on the sheet “部署”. Add it there, or correct the name."
    )
    assert found[("実施内容", "J1")].startswith(
        "The heading “来年” cannot be read as a fiscal year."
    )
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "<td>体系</td><td>E3</td><td>Enter a value in “タイトル”.</td>" in page
    for message in found.values():
        assert english(message), message


def test_a_broken_workbook_is_explained_in_japanese_as_before(doc):
    found = by_cell(upload(admin(None), broken(doc)))
    assert found[("体系", "E3")] == "タイトルを入力してください。"
    assert found[("指標", "F2")] == (
        "方向「上がる」は使えません。上昇・低下・維持・なし のいずれかにしてください。"
    )
    assert found[("体系", "G2")] == (
        "部署「どこか課」が「部署」シートにありません。部署シートに加えるか、名前を直してください。"
    )
    assert found[("実施内容", "J1")] == (
        "見出し「来年」を年度として読めません。令和6年度(2024年度) や 2024年度 "
        "のように書いてください。"
    )


def test_a_missing_sheet_and_a_missing_plan_field_are_named_in_either_language(doc):
    data = without_sheet(doc, S_DEPTS)
    (en,) = by_cell(upload(admin("en"), data)).items()
    assert en == ((S_DEPTS, ""), "The sheet “部署” is missing. Copy it back from the template.")
    (ja,) = by_cell(upload(admin(None), data)).items()
    assert ja == ((S_DEPTS, ""), "シート「部署」がありません。ひな形からシートを戻してください。")
    wb = load_workbook(io.BytesIO(write_workbook(doc)))
    wb["計画"]["A5"] = "別の項目"  # the 計画ID row lost its label
    out = io.BytesIO()
    wb.save(out)
    en = by_cell(upload(admin("en"), out.getvalue()))
    assert en[("計画", "column A")] == "Enter the value of “計画ID”."
    ja = by_cell(upload(admin(None), out.getvalue()))
    assert ja[("計画", "A列")] == "「計画ID」を入力してください。"


def test_a_problem_reads_with_its_sheet_in_the_active_language(doc):
    with translation.override("en"):
        lines = [str(p) for p in read_workbook(broken(doc)).problems]
    assert "Sheet “体系” E3: Enter a value in “タイトル”." in lines
    problems = read_workbook(broken(doc)).problems
    assert "「体系」シート E3: タイトルを入力してください。" in [str(p) for p in problems]


def test_the_command_line_stays_japanese_after_an_english_request(doc, tmp_path):
    upload(admin("en"), broken(doc))  # leaves English active in this thread
    translation.deactivate()  # as a fresh `shinchoku import` process starts
    path = tmp_path / "broken.xlsx"
    path.write_bytes(broken(doc))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(path), stdout=StringIO(), stderr=err)
    assert "broken.xlsx: 「体系」シート E3: タイトルを入力してください。" in err.getvalue()
    assert "broken.xlsx: 「実施内容」シート J1: 見出し「来年」を年度として" in err.getvalue()


# --------------------------------------------------------------------------- hostile files


def test_hostile_files_are_refused_in_english_naming_sheet_and_cell(doc):
    data = write_workbook(doc)
    client = admin("en")
    cell = raw_cell(data, "体系", b' t="n"><v>abc</v></c>')
    (problem,) = upload(client, cell).context["problems"]
    assert (problem.sheet, problem.cell) == ("体系", "A2")
    assert problem.message.startswith("This cell cannot be read (the file is broken, or was ")
    macro = hc.changed(data, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})
    (problem,) = upload(client, macro).context["problems"]
    assert problem.message == (
        "Files with macros are not accepted. Save the file as “.xlsx” without macros. "
        "(xl/vbaProject.bin)"
    )
    (problem,) = upload(client, b"not a zip at all").context["problems"]
    assert problem.message.startswith("This cannot be read as an Excel workbook (.xlsx).")


def test_hostile_files_are_refused_in_japanese_as_before(doc):
    data = write_workbook(doc)
    client = admin(None)
    cell = raw_cell(data, "体系", b' t="n"><v>abc</v></c>')
    (problem,) = upload(client, cell).context["problems"]
    assert (problem.sheet, problem.cell) == ("体系", "A2")
    assert problem.message == (
        "このセルを読めません（ファイルが壊れているか、Excel以外のソフトで書き換えられています）。"
        "Excelで開いてこのセルを入力し直し、「.xlsx」形式で保存し直してください。"
    )
    macro = hc.changed(data, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})
    (problem,) = upload(client, macro).context["problems"]
    assert problem.message == (
        "マクロを含むファイルは受け付けません。マクロなしの「.xlsx」で保存してください。"
        "（xl/vbaProject.bin）"
    )


def test_every_hostile_plan_workbook_is_explained_in_english(doc):
    data = write_workbook(doc)
    kinds = [
        *hc.not_workbooks(),
        *hc.zip_tricks(data, "plan"),
        *hc.macros(data, "plan"),
        *hc.cell_tricks(data, ["計画", "体系"], "plan"),
        *hc.part_damage(data, "plan"),
    ]
    with translation.override("en"):
        for kind, hostile in kinds:
            for problem in read_workbook(hostile).problems:
                assert english(problem.message), (kind, problem.message)
                assert CELL.match(problem.cell), (kind, problem.cell)


def raw_cell(data: bytes, sheet: str, body: bytes) -> bytes:
    """The first cell of row 2 of a sheet replaced by raw XML (its address kept)."""
    part = hc.sheet_parts(data)[sheet]
    xml = hc.members(data)[part]
    xml = re.sub(rb'<c r="A2"[^>]*?(?:/>|>.*?</c>)', b'<c r="A2"' + body, xml, count=1, flags=re.S)
    return hc.changed(data, {part: xml})


# --------------------------------------------------------------------------- the staff list


def roster_upload(client: Client, data: bytes):
    response = client.post(
        reverse("staff:roster_upload", args=[COUNCIL]),
        {"file": SimpleUploadedFile("職員名簿.xlsx", data)},
    )
    assert response.status_code == 400, response.status_code
    return response.context["problems"]


def test_a_hostile_staff_list_is_refused_in_the_uis_language(db):
    client = admin("en")
    data = client.get(reverse("staff:roster_download", args=[COUNCIL])).content
    cell = raw_cell(data, ROSTER, b' t="n"><v>abc</v></c>')
    (problem,) = roster_upload(client, cell)
    assert (problem.sheet, problem.cell) == (ROSTER, "A2")
    assert problem.message.startswith("This cell cannot be read")
    macro = hc.changed(data, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 60})
    (problem,) = roster_upload(client, macro)
    assert problem.message.startswith("Files with macros are not accepted.")
    for _kind, hostile in [*hc.zip_tricks(data, "roster"), *hc.cell_tricks(data, [ROSTER], "")]:
        response = client.post(
            reverse("staff:roster_upload", args=[COUNCIL]),
            {"file": SimpleUploadedFile("hostile.xlsx", hostile)},
        )
        for problem in (response.context or {}).get("problems") or []:
            assert not KANA.search(re.sub(r"“[^”]*”", "", problem.message)), problem.message
    ja = admin(None)
    (problem,) = roster_upload(ja, cell)
    assert problem.message.startswith("このセルを読めません（")


# --------------------------------------------------------------------------- the document rules


def test_the_documents_rules_read_in_the_active_language(doc):
    twice = copy.deepcopy(doc)
    twice["departments"].append(dict(twice["departments"][0]))
    twice["plan"]["last_fy"] = twice["plan"]["first_fy"] - 1
    empty = copy.deepcopy(doc)
    empty["plan"]["title"] = ""
    name = doc["departments"][0]["name"]
    with translation.override("en"):
        rules = {p.where: p.message for p in validate(twice)}
        (schema,) = validate(empty)
    assert rules["plan.last_fy"] == "The plan's period ends before it starts."
    assert rules["departments[0]"] == f"The department “{name}” is listed twice."
    assert (schema.where, schema.message) == ("plan.title", "It cannot be empty.")
    rules = {p.where: p.message for p in validate(twice)}
    assert rules["plan.last_fy"] == "計画期間の終わりが始まりより前です。"
    assert rules["departments[0]"] == f"部署「{name}」が重複しています。"
    assert [p.message for p in validate(empty)] == ["空にはできません。"]
