"""The lineage round-trips through the plan JSON and the plan workbook, as optional fields."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shinchoku.evaluations.succession import Keep, create_next_plan
from shinchoku.plans import services
from shinchoku.plans.diff import diff_documents
from shinchoku.plans.interchange import dumps, export_plan, known_plans, load_documents, validate
from shinchoku.plans.models import Content, ContentGoal, Indicator, Node, Plan, PreviousEvaluation
from shinchoku.plans.workbook import S_CONTENTS, S_NODES, S_PLAN, read_workbook, write_workbook
from tests.evaluations.scene import ACTION, actuals, final_round, load_other_shape
from tests.factories import plan_doc

NEW = "nishitokyo-action-plan-2024"


@pytest.fixture
def draft(db):
    plan = Plan.objects.get(slug=ACTION)
    actuals(plan)
    final_round(plan)
    keep = Keep.everything(plan)
    keep.expanded = {"item-3"}
    return create_next_plan(
        plan,
        slug=NEW,
        title="次期アクションプラン",
        first_fy=2024,
        last_fy=2028,
        keep=keep,
        user=None,
    )


def test_the_json_of_a_draft_carries_status_lineage_and_the_four_levels(draft):
    doc = export_plan(draft)
    assert validate(doc, known_plans()) == []
    p = doc["plan"]
    assert p["status"] == "draft"
    assert {"type": "previous", "plan": ACTION} in p["relations"]
    item = p["nodes"][0]["children"][0]["children"][0]
    assert (item["key"], item["tag"], item["continues"]) == ("item-1", "継続", "item-1")
    assert item["contents"][0]["continues"] == "item-1"
    assert item["contents"][0]["continues_position"] == 1
    assert item["indicators"][0]["continues"] == "I-1-1"
    assert item["indicators"][0]["baseline"]["estimate"] is True
    row = p["previous_evaluations"][0]
    assert (row["number"], row["source_key"]) == ("1", "item-1")


def test_a_plan_without_lineage_exports_as_before(db):
    doc = export_plan(Plan.objects.get(slug="nishitokyo-katsudo-4"))
    text = dumps(doc)
    assert '"status"' not in text and '"continues"' not in text


def test_the_draft_reloads_from_its_json_unchanged(draft):
    doc = export_plan(draft)
    ContentGoal.objects.filter(content__node__plan=draft).delete()
    Content.objects.filter(node__plan=draft).delete()
    draft.delete()
    (again,) = load_documents([doc])
    assert again.is_draft
    assert dumps(export_plan(again)) == dumps(doc)
    assert Node.objects.get(plan=again, key="item-3").tag == "充実・強化"


def test_the_draft_round_trips_through_its_workbook(draft):
    doc = export_plan(draft)
    data = write_workbook(doc)
    wb = load_workbook(io.BytesIO(data))
    assert [c.value for c in wb[S_NODES][1]][-2:] == ["区分", "前計画キー"]
    assert [c.value for c in wb[S_CONTENTS][1]][-2:] == ["前計画キー", "前計画の順番"]
    assert "策定中" in [c.value for c in wb[S_PLAN]["B"]]
    result = read_workbook(data, known_plans())
    assert [str(p) for p in result.problems] == []
    assert dumps(result.doc) == dumps(doc)


def test_the_fixture_council_draft_round_trips_with_its_sub_headings(db):
    plan = load_other_shape()
    final_round(plan)
    draft = create_next_plan(
        plan,
        slug="midori-katsudo-4",
        title="第4次計画",
        first_fy=2030,
        last_fy=2035,
        keep=Keep.everything(plan),
        user=None,
    )
    doc = export_plan(draft)
    assert doc["plan"]["previous_evaluations"][0]["subcategory"] == "① 見守り活動の推進"
    result = read_workbook(write_workbook(doc), known_plans())
    assert [str(p) for p in result.problems] == []
    assert dumps(result.doc) == dumps(doc)


def test_a_document_without_a_status_keeps_the_draft_a_draft(draft):
    doc = export_plan(draft)
    del doc["plan"]["status"]
    prepared = services.prepare(doc, draft.organization)
    assert not [c for c in prepared.changes if c.key.endswith("状態")]
    services.apply(prepared, user=None, source="command")
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_diff_notices_lineage_changes(draft):
    old = export_plan(draft)
    new = export_plan(draft)
    item = new["plan"]["nodes"][0]["children"][0]["children"][0]
    item["tag"] = "充実・強化"
    item["indicators"][0]["continues"] = "I-9-9"
    new["plan"]["previous_evaluations"][0]["number"] = "1-2"
    new["plan"]["status"] = "active"
    changes = {(c.kind, c.key): c for c in diff_documents(old, new)}
    assert changes[("node", "item-1")].after["区分"] == "充実・強化"
    assert changes[("indicator", "I-1-1")].after["前計画キー"] == "I-9-9"
    (evaluation,) = [c for c in changes.values() if c.kind == "evaluation"]
    assert evaluation.before["番号"] == "1" and evaluation.after["番号"] == "1-2"
    status = changes[("plan", f"{NEW} › 状態")]
    assert (status.before["状態"], status.after["状態"]) == ("策定中", "策定済")


def test_old_workbooks_without_lineage_columns_still_load():
    doc = plan_doc()
    result = read_workbook(write_workbook(doc), {})
    assert result.problems == []
    assert "status" not in result.doc["plan"]


def test_bad_lineage_cells_are_named_in_japanese(draft):
    data = write_workbook(export_plan(draft))
    wb = load_workbook(io.BytesIO(data))
    nodes = wb[S_NODES]
    tag_col = [c.value for c in nodes[1]].index("区分") + 1
    nodes.cell(row=2, column=tag_col, value="続行")
    contents = wb[S_CONTENTS]
    pos_col = [c.value for c in contents[1]].index("前計画の順番") + 1
    contents.cell(row=2, column=pos_col, value="二番目")
    status_row = [c.value for c in wb[S_PLAN]["A"]].index("状態") + 1
    wb[S_PLAN].cell(row=status_row, column=2, value="検討中")
    out = io.BytesIO()
    wb.save(out)
    result = read_workbook(out.getvalue(), known_plans())
    messages = "\n".join(str(p) for p in result.problems)
    assert "区分「続行」は使えません" in messages
    assert "前計画の順番は1以上の整数で書いてください" in messages
    assert "状態「検討中」は使えません" in messages


def test_lineage_loaded_from_a_workbook_reaches_the_records(draft):
    doc = export_plan(draft)
    item = doc["plan"]["nodes"][0]["children"][0]["children"][0]
    item["contents"][0]["continues_position"] = 3
    result = read_workbook(write_workbook(doc), known_plans())
    services.apply(services.prepare(result.doc, draft.organization), user=None, source="workbook")
    content = Content.objects.get(node__plan=draft, node__key="item-1", order=0)
    assert content.continues_position == 3
    assert Indicator.objects.get(plan=draft, key="I-1-1").continues_key == "I-1-1"
    assert PreviousEvaluation.objects.filter(plan=draft, source_key="item-1").exists()
