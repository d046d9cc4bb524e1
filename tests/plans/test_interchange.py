"""The interchange format: round trips, validation in Japanese, all-or-nothing imports."""

from __future__ import annotations

import copy
import json

import pytest

from shinchoku.plans.demo import DEMO_DIR, DEMO_FILES, demo_documents
from shinchoku.plans.interchange import (
    InvalidDocument,
    PlanExists,
    dumps,
    export_plan,
    load_documents,
    validate,
)
from shinchoku.plans.models import Content, ContentGoal, Indicator, Node, Plan
from tests.factories import plan_doc


def _snapshot() -> dict[str, str]:
    return {p.slug: dumps(export_plan(p)) for p in Plan.objects.order_by("slug")}


def test_demo_files_are_valid_against_the_schema():
    for doc in demo_documents():
        # Links into the other demo plans are known because they are imported together.
        known = {d["plan"]["slug"]: set() for d in demo_documents()}
        problems = [p for p in validate(doc, known) if "goals" not in p.where]
        assert problems == []


def test_export_import_export_is_byte_identical_for_the_demo_plans(empty_db):
    load_documents(demo_documents())
    for name in DEMO_FILES:
        committed = (DEMO_DIR / name).read_text(encoding="utf-8")
        slug = json.loads(committed)["plan"]["slug"]
        assert dumps(export_plan(Plan.objects.get(slug=slug))) == committed


def test_round_trip_of_a_built_plan(empty_db):
    (plan,) = load_documents([plan_doc()])
    first = dumps(export_plan(plan))
    plan.delete()
    (again,) = load_documents([json.loads(first)])
    assert dumps(export_plan(again)) == first


def test_previous_evaluation_rows_keep_order_and_text(empty_db):
    (plan,) = load_documents([plan_doc()])
    rows = list(plan.previous_evaluations.values_list("item", "status"))
    assert rows == [("出張相談会", "再検討"), ("見守り協定", "未実施")]
    doc = plan_doc()
    del doc["plan"]["previous_evaluations"]
    assert validate(doc, {}) == []


def test_shared_content_is_one_record_placed_under_every_item(empty_db):
    (plan,) = load_documents([plan_doc(n_goals=2, items_per_goal=3)])
    shared = plan.shared_contents.get()
    assert shared.placements.count() == 6
    assert shared.placements.values("node").distinct().count() == 6


def test_schema_errors_say_where_and_what_in_japanese(empty_db):
    doc = plan_doc()
    del doc["plan"]["title"]
    doc["plan"]["nodes"][0]["children"][0]["contents"][0]["tag"] = "その他"
    with pytest.raises(InvalidDocument) as exc:
        load_documents([doc])
    messages = [str(p) for p in exc.value.problems]
    assert any("plan" in m and "「title」がありません" in m for m in messages)
    assert any(
        m.startswith("plan.nodes[0].children[0].contents[0].tag") and "「その他」は使えません" in m
        for m in messages
    )
    assert not Plan.objects.exists()


def test_rule_errors_list_every_problem_and_write_nothing(empty_db):
    doc = plan_doc()
    item = doc["plan"]["nodes"][0]["children"][0]
    item["contents"][0]["goals"] = [{"plan": "test-plan", "node": "no-such-goal"}]
    item["contents"][0]["schedule"][0]["from"] = 2020
    item["contents"][1]["shared"] = "missing-shared"
    doc["plan"]["nodes"][1]["key"] = "goal-1"
    item["departments"] = ["企画課"]
    with pytest.raises(InvalidDocument) as exc:
        load_documents([doc])
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "「no-such-goal」がありません" in text
    assert "計画期間" in text
    assert "共通の実施内容「missing-shared」がありません" in text
    assert "キー「goal-1」が重複しています" in text
    assert "部署「企画課」が departments にありません" in text
    assert not Plan.objects.exists()
    assert not Node.objects.exists()


def test_a_link_to_a_plan_not_loaded_yet_is_kept_and_resolves_when_that_plan_loads(empty_db):
    doc = plan_doc()
    doc["plan"]["relations"] = [{"type": "embodies", "plan": "other-plan"}]
    doc["plan"]["nodes"][0]["children"][0]["contents"][0]["goals"] = [
        {"plan": "other-plan", "node": "goal-1"}
    ]
    (plan,) = load_documents([doc])
    link = ContentGoal.objects.get(content__node__plan=plan, plan_slug="other-plan")
    assert (link.plan_slug, link.node_key, link.node) == ("other-plan", "goal-1", None)
    exported = export_plan(plan)["plan"]
    assert exported["relations"] == [{"type": "embodies", "plan": "other-plan"}]
    goals = exported["nodes"][0]["children"][0]["contents"][0]["goals"]
    assert goals == [{"plan": "other-plan", "node": "goal-1"}]
    load_documents([plan_doc(slug="other-plan")])
    link.refresh_from_db()
    assert link.node == Node.objects.get(plan__slug="other-plan", key="goal-1")
    assert plan.relations.get().other.slug == "other-plan"


def test_existing_plan_is_not_overwritten_without_replace(empty_db):
    load_documents([plan_doc()])
    before = _snapshot()
    changed = plan_doc()
    changed["plan"]["title"] = "変更後"
    with pytest.raises(PlanExists, match="--replace"):
        load_documents([changed])
    assert _snapshot() == before


def test_replace_keeps_links_from_other_plans(empty_db):
    base = plan_doc(slug="base-plan")
    load_documents([base])
    other = plan_doc(slug="other-plan")
    other["plan"]["relations"] = [{"type": "embodies", "plan": "base-plan"}]
    other["plan"]["nodes"][0]["children"][0]["contents"][0]["goals"].append(
        {"plan": "base-plan", "node": "goal-2"}
    )
    load_documents([other])
    renamed = copy.deepcopy(base)
    renamed["plan"]["nodes"][1]["title"] = "新しい目標2"
    load_documents([renamed], replace=True)
    goal = Node.objects.get(plan__slug="base-plan", key="goal-2")
    assert goal.title == "新しい目標2"
    assert ContentGoal.objects.filter(node=goal, content__node__plan__slug="other-plan").exists()
    assert Plan.objects.get(slug="other-plan").relations.get().other.slug == "base-plan"


def test_replace_that_would_drop_a_linked_goal_is_refused_and_changes_nothing(empty_db):
    load_documents([plan_doc(slug="base-plan")])
    other = plan_doc(slug="other-plan")
    other["plan"]["nodes"][0]["children"][0]["contents"][0]["goals"].append(
        {"plan": "base-plan", "node": "goal-2"}
    )
    load_documents([other])
    before = _snapshot()
    shrunk = plan_doc(slug="base-plan", n_goals=1)
    with pytest.raises(InvalidDocument, match="消すことはできません"):
        load_documents([shrunk], replace=True)
    assert _snapshot() == before


def test_values_keep_their_text_and_their_parse(empty_db):
    load_documents(demo_documents())
    ind = Indicator.objects.get(node__plan__slug="nishitokyo-action-plan-2019", name="自己財源額")
    baseline = ind.values.get(role="baseline")
    assert baseline.text == "9,708千円"
    assert baseline.value_unit == "千円"
    assert str(baseline.number.normalize()) == "9708"
    assert baseline.estimate is True


def test_content_goal_links_point_at_the_activity_plan(empty_db):
    load_documents(demo_documents())
    linked = ContentGoal.objects.filter(content__node__plan__slug="nishitokyo-action-plan-2019")
    assert linked.exists()
    assert set(linked.values_list("node__plan__slug", flat=True)) == {"nishitokyo-katsudo-4"}
    assert Content.objects.filter(node__plan__slug="nishitokyo-action-plan-2019").count() == 98
