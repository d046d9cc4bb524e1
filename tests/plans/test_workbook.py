"""The plan workbook (.xlsx): the blank template, round trips, and cell-precise errors."""

from __future__ import annotations

import copy
import io

import pytest
from openpyxl import load_workbook

from shinchoku.plans.interchange import dumps, export_plan, known_plans, load_documents
from shinchoku.plans.models import Content, ContentGoal, Plan
from shinchoku.plans.workbook import (
    COLUMNS,
    S_CONTENTS,
    S_GUIDE,
    S_LISTS,
    S_NODES,
    blank_workbook,
    read_workbook,
    workbook_cells,
    workbook_plan_keys,
    write_workbook,
)
from tests.factories import plan_doc

DEMO = ["nishitokyo-katsudo-4", "nishitokyo-chiiki-fukushi-4", "nishitokyo-action-plan-2019"]


def edited(data: bytes, **cells) -> bytes:
    """The workbook with cells changed; keys are "sheet!A1" written as sheet__A1."""
    wb = load_workbook(io.BytesIO(data))
    for key, value in cells.items():
        sheet, cell = key.split("__")
        wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def located(result) -> set[tuple[str, str]]:
    return {(p.sheet, p.cell) for p in result.problems}


# --------------------------------------------------------------------------- the template


def test_blank_template_has_every_sheet_with_headers_instructions_and_lists():
    wb = load_workbook(io.BytesIO(blank_workbook(2024, 2029)))
    assert wb.sheetnames[0] == S_GUIDE
    guide = "\n".join(str(r[0]) for r in wb[S_GUIDE].iter_rows(values_only=True) if r[0])
    assert "計画ワークブックの書き方" in guide
    assert "→" in guide  # how a phase continues over the following years
    for name, headers in COLUMNS.items():
        first_row = [c.value for c in wb[name][1]]
        assert first_row[: len(headers)] == headers
    fy_headers = [c.value for c in wb[S_CONTENTS][1]][len(COLUMNS[S_CONTENTS]) :]
    assert fy_headers[0] == "令和6年度(2024年度)"
    assert fy_headers[-1] == "令和11年度(2029年度)"
    assert len(fy_headers) == 6
    assert wb[S_LISTS].sheet_state == "hidden"
    formulas = {dv.formula1 for dv in wb[S_CONTENTS].data_validations.dataValidation}
    assert any(S_LISTS in (f or "") for f in formulas)
    lists = {c.value for row in wb[S_LISTS].iter_rows() for c in row}
    assert {"新規", "継続", "充実・強化", "上昇", "低下", "未実施", "再検討"} <= lists


def test_blank_template_read_back_says_what_is_missing_in_japanese():
    result = read_workbook(blank_workbook(2024, 2028), {})
    assert result.doc is None
    sheets = {p.sheet for p in result.problems}
    assert "計画" in sheets
    assert all(p.message.endswith("。") for p in result.problems)
    assert any("入力してください" in p.message for p in result.problems)


# --------------------------------------------------------------------------- round trips


def test_a_document_round_trips_through_the_workbook():
    doc = plan_doc()
    result = read_workbook(write_workbook(doc), {})
    assert result.problems == []
    assert dumps(result.doc) == dumps(doc)


@pytest.mark.parametrize("slug", DEMO)
def test_each_demo_plan_reads_back_equal_to_its_document(db, slug):
    doc = export_plan(Plan.objects.get(slug=slug))
    result = read_workbook(write_workbook(doc), known_plans())
    assert [str(p) for p in result.problems] == []
    assert dumps(result.doc) == dumps(doc)


def test_workbooks_export_import_into_an_empty_database_export_identically(db):
    plans = Plan.objects.filter(slug__in=DEMO)
    first = {p.slug: write_workbook(export_plan(p)) for p in plans}
    assert len(first) == 3
    # every workbook declares its plan and node keys, so the three can link to each other
    known = {}
    for data in first.values():
        slug, keys = workbook_plan_keys(data)
        known[slug] = keys
    docs = []
    for data in first.values():
        result = read_workbook(data, known)
        assert result.problems == []
        docs.append(result.doc)
    ContentGoal.objects.all().delete()
    Content.objects.all().delete()
    Plan.objects.all().delete()
    load_documents(docs)
    for slug, data in first.items():
        again = write_workbook(export_plan(Plan.objects.get(slug=slug)))
        assert workbook_cells(again) == workbook_cells(data)


def test_a_plan_without_indicators_or_relations_round_trips():
    doc = plan_doc(with_indicators=False)
    doc["plan"]["previous_evaluations"] = []
    result = read_workbook(write_workbook(doc), {})
    assert result.problems == []
    assert dumps(result.doc) == dumps(doc)


def test_cells_typed_as_excel_would_store_them_are_read_as_written():
    """Excel stores typed numbers as numbers and dates as dates: read them back as text."""
    data = write_workbook(plan_doc())
    wb = load_workbook(io.BytesIO(data))
    ws = wb["指標"]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("令和6年度(2024年度)") + 1).value = 110  # a number, no unit
    ws.cell(2, headers.index("現状値の年度") + 1).value = "2023"  # the year as text
    out = io.BytesIO()
    wb.save(out)
    result = read_workbook(out.getvalue(), {})
    assert result.problems == []
    indicator = result.doc["plan"]["nodes"][0]["children"][0]["indicators"][0]
    assert indicator["targets"][0] == {"fy": 2024, "value": "110"}
    assert indicator["baseline"]["fy"] == 2023


# --------------------------------------------------------------------------- errors with cells

BROKEN = [
    ({"計画__B5": "Bad Slug"}, "計画", "B5", "英小文字"),
    ({"計画__B9": 2020}, "計画", "B9", "終了年度が開始年度より前"),
    ({"計画__B8": "来年"}, "計画", "B8", "年度として読めません"),
    ({"計画__B4": "財団"}, "計画", "B4", "社会福祉協議会・市区町村"),
    ({"計画__B11": None}, "計画", "B11", "階層名"),
    ({"体系__E3": None}, "体系", "E3", "タイトルを入力"),
    ({"体系__B3": "nope"}, "体系", "B3", "上位キー「nope」"),
    ({"体系__C3": 5}, "体系", "C3", "階層が 5"),
    ({"体系__G3": "未知課"}, "体系", "G3", "部署「未知課」"),
    ({"体系__I3": "18"}, "体系", "I3", "1〜17"),
    ({"本文__A2": "nokey"}, "本文", "A2", "キー「nokey」"),
    ({"本文__C2": "表"}, "本文", "C2", "形式「表」"),
    ({"実施内容__D2": "新"}, "実施内容", "D2", "区分「新」"),
    ({"実施内容__C2": None}, "実施内容", "C2", "内容を入力"),
    ({"実施内容__F3": "common-9"}, "実施内容", "F3", "共通キー「common-9」"),
    ({"実施内容__G2": "test-plan:goal-9"}, "実施内容", "G2", "キー「goal-9」"),
    ({"実施内容__J1": "来年度"}, "実施内容", "J1", "年度として読めません"),
    ({"実施内容__J2": "→"}, "実施内容", "J2", "「→」の左"),
    ({"指標__F2": "上がる"}, "指標", "F2", "方向「上がる」"),
    ({"指標__H2": "昔"}, "指標", "H2", "現状値の年度"),
    ({"指標__B3": "ind-1-1"}, "指標", "B3", "二度あります"),
    ({"指標__L2": "昨日"}, "指標", "L2", "日付として読めません"),
    ({"実績__A2": "ind-x", "実績__B2": 2024, "実績__C2": "5件"}, "実績", "A2", "ind-x"),
    ({"前計画の評価__C2": None}, "前計画の評価", "C2", "事業項目を入力"),
    ({"関連計画__A2": "友達", "関連計画__B2": "test-plan"}, "関連計画", "A2", "関係「友達」"),
    ({"関連計画__A2": "具現化", "関連計画__B2": "test-plan"}, "関連計画", "B2", "自分自身"),
    ({"福祉課題__B2": "孤立"}, "福祉課題", "A2", "番号"),
    ({"部署__A3": "総務課"}, "部署", "A3", "二度あります"),
    ({"部署__B3": "存在しない課"}, "部署", "B3", "存在しない課"),
]


@pytest.mark.parametrize(("cells", "sheet", "cell", "words"), BROKEN)
def test_each_error_names_its_sheet_and_cell_in_japanese(cells, sheet, cell, words):
    result = read_workbook(edited(write_workbook(plan_doc()), **cells), {})
    assert result.doc is None
    hits = [p for p in result.problems if (p.sheet, p.cell) == (sheet, cell)]
    assert hits, [str(p) for p in result.problems]
    assert any(words in p.message for p in hits)
    assert str(hits[0]).startswith(f"「{sheet}」シート {cell}: ")


def test_every_error_of_a_workbook_is_reported_at_once():
    plan_sheet = {"計画__B5": "Bad Slug", "計画__B4": "財団", "計画__B8": "来年", "計画__B11": None}
    result = read_workbook(edited(write_workbook(plan_doc()), **plan_sheet), {})
    assert {("計画", "B5"), ("計画", "B4"), ("計画", "B8"), ("計画", "B11")} <= located(result)
    # the other sheets, each with one error in a different cell, in one workbook
    body = [case for case in BROKEN if case[1] not in ("計画", "部署", "関連計画")]
    # an unknown key or parent, or an unreadable year header, hides the row's other errors
    body = [case for case in body if case[2] not in ("J1", "A2", "B3")]
    cells = {}
    for edits, *_ in body:
        cells.update(edits)
    result = read_workbook(edited(write_workbook(plan_doc()), **cells), {})
    assert result.doc is None
    assert {(sheet, cell) for _e, sheet, cell, _w in body} <= located(result)


def test_a_missing_sheet_is_named():
    wb = load_workbook(io.BytesIO(write_workbook(plan_doc())))
    del wb[S_NODES]
    out = io.BytesIO()
    wb.save(out)
    result = read_workbook(out.getvalue(), {})
    assert result.doc is None
    assert any("シート「体系」がありません" in p.message for p in result.problems)


def test_a_renamed_required_header_is_named():
    result = read_workbook(edited(write_workbook(plan_doc()), 体系__E1="題名"), {})
    assert ("体系", "1行目") in located(result)
    assert any("タイトル" in p.message for p in result.problems)


def test_links_to_plans_in_the_database_are_accepted_and_unknown_node_refused(db):
    doc = plan_doc()
    item = doc["plan"]["nodes"][0]["children"][0]
    item["contents"][0]["goals"].append({"plan": "nishitokyo-katsudo-4", "node": "g1"})
    katsudo = export_plan(Plan.objects.get(slug="nishitokyo-katsudo-4"))
    goal_key = katsudo["plan"]["nodes"][0]["key"]
    item["contents"][0]["goals"][-1]["node"] = goal_key
    assert read_workbook(write_workbook(doc), known_plans()).problems == []
    bad = copy.deepcopy(doc)
    bad["plan"]["nodes"][0]["children"][0]["contents"][0]["goals"][-1]["node"] = "no-such-goal"
    result = read_workbook(write_workbook(bad), known_plans())
    assert result.doc is None
    assert {p.sheet for p in result.problems} == {"実施内容"}
    assert any("no-such-goal" in p.message for p in result.problems)


def test_text_that_looks_like_a_formula_or_holds_control_characters_stays_text():
    doc = plan_doc()
    doc["plan"]["philosophy"] = '=HYPERLINK("http://example.com","x")'
    doc["plan"]["nodes"][0]["title"] = "前半\v後半"
    data = write_workbook(doc)
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
    back = read_workbook(data, {})
    assert back.doc["plan"]["philosophy"] == doc["plan"]["philosophy"]
    assert back.doc["plan"]["nodes"][0]["title"] == "前半\n後半"
