"""What loading a document over a plan would change: diff_documents, Change and summary."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinchoku.plans.diff import KIND_NAMES, Change, diff_documents, summary
from shinchoku.plans.interchange import export_plan, load_documents
from shinchoku.plans.models import Plan
from tests.factories import plan_doc

DEMO = ["nishitokyo-action-plan-2019", "nishitokyo-katsudo-4", "nishitokyo-chiiki-fukushi-4"]


def walk(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from walk(node["children"])


def node(doc: dict, key: str) -> dict:
    return next(n for n in walk(doc["plan"]["nodes"]) if n["key"] == key)


def indicator(doc: dict, key: str) -> dict:
    return next(i for n in walk(doc["plan"]["nodes"]) for i in n["indicators"] if i["key"] == key)


def expected_counts(doc: dict) -> Counter:
    """How many things of each kind a document holds, counted independently of diff.py."""
    plan = doc["plan"]
    nodes = list(walk(plan["nodes"]))
    return Counter(
        {
            "plan": 1,
            "department": len(doc["departments"]),
            "relation": len(plan["relations"]),
            "section": len(plan["sections"]) + sum(len(n["sections"]) for n in nodes),
            "welfare_issue": len(plan["welfare_issues"]),
            "shared_content": len(plan["shared_contents"]),
            "evaluation": len(plan.get("previous_evaluations", [])),
            "node": len(nodes),
            "content": sum(len(n["contents"]) for n in nodes),
            "indicator": sum(len(n["indicators"]) for n in nodes),
        }
    )


def only(changes: list[Change]) -> Change:
    assert len(changes) == 1, [(c.action, c.kind, c.key) for c in changes]
    return changes[0]


def with_progress(doc: dict, key: str, *, actuals: bool = True, reports: bool = True) -> dict:
    """A copy of doc whose indicator `key` has reported progress."""
    out = copy.deepcopy(doc)
    ind = indicator(out, key)
    if actuals:
        ind["actuals"] = [{"fy": 2024, "value": "105件", "note": ""}]
    if reports:
        ind["reports"] = [{"fy": 2024, "done": "相談会を開いた", "next": "回数を増やす"}]
    return out


@pytest.fixture
def doc() -> dict:
    return plan_doc()


@pytest.fixture
def demo_docs(db) -> dict[str, dict]:
    return {slug: export_plan(Plan.objects.get(slug=slug)) for slug in DEMO}


# --------------------------------------------------------------------------- no change, all new


def test_identical_documents_have_no_changes(doc):
    assert diff_documents(doc, doc) == []
    assert diff_documents(doc, copy.deepcopy(doc)) == []
    assert summary([]) == {"add": 0, "change": 0, "remove": 0}


def test_new_plan_lists_everything_as_an_addition(doc):
    changes = diff_documents(None, doc)
    assert {c.action for c in changes} == {"add"}
    assert Counter(c.kind for c in changes) == +expected_counts(doc)
    assert Counter(c.kind for c in changes) == Counter(
        plan=1, department=2, shared_content=1, evaluation=2, node=6, section=4, content=8,
        indicator=4,
    )  # fmt: skip
    assert summary(changes) == {"add": len(changes), "change": 0, "remove": 0}
    assert len({(c.kind, c.key) for c in changes}) == len(changes)
    for c in changes:
        assert c.before == {}
        assert c.before_text == ""
        assert c.after_text or c.kind == "department"  # a top department has no field set
        assert not c.loses_progress
        assert c.kind_name == KIND_NAMES[c.kind]
    plan = changes[0]
    assert (plan.kind, plan.key, plan.label) == ("plan", "test-plan", "テスト計画")
    assert "計画名: テスト計画" in plan.after_text
    assert "計画期間: 2024〜2028年度" in plan.after_text
    assert plan.node_key == ""


def test_new_plan_additions_belong_to_their_nodes(doc):
    changes = diff_documents(None, doc)
    node_keys = {n["key"] for n in walk(doc["plan"]["nodes"])}
    for c in changes:
        if c.kind == "node":
            assert c.node_key == c.key
        elif c.kind in ("content", "indicator") or (c.kind == "section" and c.node_key):
            assert c.node_key in node_keys
        else:
            assert c.node_key == ""
    ind = next(c for c in changes if c.kind == "indicator" and c.key == "ind-1-2")
    assert ind.node_key == "item-1-2"
    assert "指標名: 相談件数1-2" in ind.after_text
    assert "目標: 2024年度 110件\n2028年度 150件" in ind.after_text
    # empty fields are left out of an addition's text
    assert "実績" not in ind.after_text
    assert "備考" not in ind.after_text


def test_additions_of_a_new_plan_have_japanese_kind_names(doc):
    for c in diff_documents(None, doc):
        assert c.kind_name != c.kind


@pytest.mark.parametrize("slug", DEMO)
def test_demo_plan_against_itself_has_no_changes(demo_docs, slug):
    doc = demo_docs[slug]
    assert diff_documents(doc, doc) == []
    assert diff_documents(doc, copy.deepcopy(doc)) == []


@pytest.mark.parametrize("slug", DEMO)
def test_demo_plan_as_new_lists_everything_as_an_addition(demo_docs, slug):
    doc = demo_docs[slug]
    changes = diff_documents(None, doc)
    assert {c.action for c in changes} == {"add"}
    assert Counter(c.kind for c in changes) == +expected_counts(doc)
    assert summary(changes) == {"add": len(changes), "change": 0, "remove": 0}
    assert all(c.kind_name == KIND_NAMES[c.kind] for c in changes)
    assert not any(c.loses_progress for c in changes)


@pytest.mark.parametrize("slug", DEMO)
def test_removing_everything_from_a_demo_plan_lists_every_node(demo_docs, slug):
    old = demo_docs[slug]
    new = copy.deepcopy(old)
    new["plan"]["nodes"] = []
    changes = diff_documents(old, new)
    assert {c.action for c in changes} == {"remove"}
    removed = Counter(c.kind for c in changes)
    counts = expected_counts(old)
    for kind in ("node", "content", "indicator"):
        assert removed[kind] == counts[kind]
    progress = {
        i["key"]
        for n in walk(old["plan"]["nodes"])
        for i in n["indicators"]
        if i["actuals"] or i["reports"]
    }
    assert {c.key for c in changes if c.kind == "indicator" and c.loses_progress} == progress


# --------------------------------------------------------------------------- changes


def test_changed_node_title_is_one_change(doc):
    new = copy.deepcopy(doc)
    node(new, "item-1-1")["title"] = "新しい事業名"
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind, c.key, c.node_key) == ("change", "node", "item-1-1", "item-1-1")
    assert c.kind_name == "項目"
    assert "事業1-1" in c.before_text
    assert "新しい事業名" in c.after_text
    # a change shows only the fields that differ
    assert c.before_text == "タイトル: 事業1-1"
    assert c.after_text == "タイトル: 新しい事業名"
    assert c.label == "1 新しい事業名"
    assert not c.loses_progress
    assert summary([c]) == {"add": 0, "change": 1, "remove": 0}


def test_changed_plan_title_is_one_plan_change(doc):
    new = copy.deepcopy(doc)
    new["plan"]["title"] = "改定版テスト計画"
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind, c.key, c.node_key) == ("change", "plan", "test-plan", "")
    assert c.kind_name == "計画"
    assert c.label == "改定版テスト計画"
    assert c.before_text == "計画名: テスト計画"
    assert c.after_text == "計画名: 改定版テスト計画"


@pytest.mark.parametrize(
    ("field", "value", "name", "shown"),
    [
        ("kind", "action_plan", "種類", "アクションプラン"),
        ("first_fy", 2023, "計画期間", "2023〜2028年度"),
        ("philosophy", "誰もが安心して暮らせるまち", "基本理念", "誰もが安心して暮らせるまち"),
        ("level_names", ["基本目標", "施策"], "階層名", "基本目標、施策"),
    ],
)
def test_changed_plan_fields_are_plan_changes(doc, field, value, name, shown):
    new = copy.deepcopy(doc)
    new["plan"][field] = value
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind) == ("change", "plan")
    assert c.after_text == f"{name}: {shown}"


def test_changed_organization_is_a_plan_change(doc):
    new = copy.deepcopy(doc)
    new["organization"]["name"] = "別の社会福祉協議会"
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind) == ("change", "plan")
    assert c.after_text == "組織: 別の社会福祉協議会（test-council、社会福祉協議会）"


def test_changed_schedule_cell_is_one_content_change(doc):
    new = copy.deepcopy(doc)
    content = node(new, "item-2-1")["contents"][0]
    content["schedule"][0]["phase"] = "準備"
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind, c.node_key) == ("change", "content", "item-2-1")
    assert c.kind_name == "実施内容"
    assert c.key == "item-2-1 › 内容 1"
    assert c.label == "内容2-1"
    assert c.before_text == "実施時期: 2024 検討\n2025〜2028 実施"
    assert c.after_text == "実施時期: 2024 準備\n2025〜2028 実施"
    assert not c.loses_progress


def test_split_schedule_span_is_one_content_change(doc):
    new = copy.deepcopy(doc)
    content = node(new, "item-1-2")["contents"][0]
    content["schedule"][1:] = [
        {"track": "", "from": 2025, "to": 2026, "phase": "実施"},
        {"track": "", "from": 2027, "to": 2028, "phase": "評価"},
    ]
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind) == ("change", "content")
    assert c.after_text == "実施時期: 2024 検討\n2025〜2026 実施\n2027〜2028 評価"


def test_changed_content_fields_show_only_what_differs(doc):
    new = copy.deepcopy(doc)
    content = node(new, "item-1-1")["contents"][0]
    content["tag"] = "充実・強化"
    content["repost"] = True
    content["note"] = "年2回"
    c = only(diff_documents(doc, new))
    assert c.before_text == "区分: 新規\n再掲: \n備考: "
    assert c.after_text == "区分: 充実・強化\n再掲: ○\n備考: 年2回"


def test_added_content_is_one_addition(doc):
    new = copy.deepcopy(doc)
    node(new, "item-1-1")["contents"].append(
        {
            "label": "2",
            "text": "出張相談会の開催",
            "tag": "新規",
            "repost": False,
            "shared": None,
            "goals": [{"plan": "test-plan", "node": "goal-1"}],
            "schedule": [{"track": "", "from": 2025, "to": 2028, "phase": "実施"}],
            "note": "",
        }
    )
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind, c.node_key) == ("add", "content", "item-1-1")
    assert c.kind_name == "実施内容"
    assert c.key == "item-1-1 › 内容 2"
    assert c.label == "出張相談会の開催"
    assert c.before_text == ""
    assert "実施内容: 出張相談会の開催" in c.after_text
    assert "結び付く目標: test-plan:goal-1" in c.after_text
    assert "実施時期: 2025〜2028 実施" in c.after_text
    assert "再掲" not in c.after_text  # empty fields are left out
    assert summary([c]) == {"add": 1, "change": 0, "remove": 0}


def test_content_with_a_repeated_label_is_still_listed(doc):
    new = copy.deepcopy(doc)
    contents = node(new, "item-1-1")["contents"]
    contents.append({**copy.deepcopy(contents[0]), "text": "同じ番号の別の内容"})
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind) == ("add", "content")
    assert c.key == "item-1-1 › 内容 1 #2"


def test_changed_indicator_is_one_change(doc):
    new = copy.deepcopy(doc)
    ind = indicator(new, "ind-2-2")
    ind["targets"][-1]["value"] = "200件"
    ind["direction"] = "down"
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind, c.key, c.node_key) == ("change", "indicator", "ind-2-2", "item-2-2")
    assert c.kind_name == "指標"
    assert c.before_text == "方向: 上昇\n目標: 2024年度 110件\n2028年度 150件"
    assert c.after_text == "方向: 低下\n目標: 2024年度 110件\n2028年度 200件"
    assert not c.loses_progress


# --------------------------------------------------------------------------- order and place


def test_swapped_items_are_changes_of_order(doc):
    new = copy.deepcopy(doc)
    items = node(new, "goal-1")["children"]
    items.reverse()
    changes = diff_documents(doc, new)
    assert {(c.action, c.kind, c.key) for c in changes} == {
        ("change", "node", "item-1-1"),
        ("change", "node", "item-1-2"),
    }
    moved = {c.key: c for c in changes}
    assert moved["item-1-1"].before_text == "順序: 1"
    assert moved["item-1-1"].after_text == "順序: 2"
    assert moved["item-1-2"].before_text == "順序: 2"
    assert moved["item-1-2"].after_text == "順序: 1"
    assert all(c.kind_name == "項目" for c in changes)
    assert summary(changes) == {"add": 0, "change": 2, "remove": 0}


def test_swapped_goals_change_only_the_goals(doc):
    new = copy.deepcopy(doc)
    new["plan"]["nodes"].reverse()
    changes = diff_documents(doc, new)
    assert sorted(c.key for c in changes) == ["goal-1", "goal-2"]
    assert {c.action for c in changes} == {"change"}


def test_item_moved_to_another_goal_is_a_change_not_a_removal(doc):
    new = copy.deepcopy(doc)
    item = node(new, "goal-1")["children"].pop(0)
    node(new, "goal-2")["children"].append(item)
    changes = diff_documents(doc, new)
    assert {c.action for c in changes} == {"change"}
    moved = next(c for c in changes if c.key == "item-1-1")
    assert moved.before_text == "上位キー: goal-1\n順序: 1"
    assert moved.after_text == "上位キー: goal-2\n順序: 3"
    # item-1-2 moved up to first place under goal-1
    assert {c.key for c in changes} == {"item-1-1", "item-1-2"}
    assert not any(c.loses_progress for c in changes)


# --------------------------------------------------------------------------- removals


def test_removed_goal_with_its_items_is_listed_whole(doc):
    new = copy.deepcopy(doc)
    del new["plan"]["nodes"][1]
    changes = diff_documents(doc, new)
    assert {c.action for c in changes} == {"remove"}
    assert Counter(c.kind for c in changes) == Counter(node=3, section=2, content=4, indicator=2)
    assert {c.key for c in changes if c.kind == "node"} == {"goal-2", "item-2-1", "item-2-2"}
    assert {c.node_key for c in changes} == {"goal-2", "item-2-1", "item-2-2"}
    goal = next(c for c in changes if c.key == "goal-2")
    assert goal.kind_name == "項目"
    assert goal.label == "基本目標2 目標2"
    assert "タイトル: 目標2" in goal.before_text
    assert goal.after_text == ""
    assert not any(c.loses_progress for c in changes)  # no actuals or reports anywhere
    assert summary(changes) == {"add": 0, "change": 0, "remove": 11}


def test_removed_indicator_with_actuals_loses_progress(doc):
    old = with_progress(doc, "ind-1-1", reports=False)
    new = copy.deepcopy(old)
    node(new, "item-1-1")["indicators"] = []
    c = only(diff_documents(old, new))
    assert (c.action, c.kind, c.key, c.node_key) == ("remove", "indicator", "ind-1-1", "item-1-1")
    assert c.loses_progress
    assert "実績: 2024年度 105件" in c.before_text


def test_removed_indicator_with_reports_loses_progress(doc):
    old = with_progress(doc, "ind-1-1", actuals=False)
    new = copy.deepcopy(old)
    node(new, "item-1-1")["indicators"] = []
    c = only(diff_documents(old, new))
    assert c.loses_progress
    assert "取組報告: 2024年度 相談会を開いた / 回数を増やす" in c.before_text


def test_removed_indicator_without_progress_loses_nothing(doc):
    old = with_progress(doc, "ind-1-1")  # another indicator has progress
    new = copy.deepcopy(old)
    node(new, "item-2-1")["indicators"] = []
    c = only(diff_documents(old, new))
    assert (c.action, c.kind, c.key) == ("remove", "indicator", "ind-2-1")
    assert not c.loses_progress


def test_removed_item_with_progress_loses_progress(doc):
    old = with_progress(doc, "ind-1-2")
    new = copy.deepcopy(old)
    node(new, "goal-1")["children"].pop(1)
    changes = diff_documents(old, new)
    by_key = {(c.kind, c.key): c for c in changes}
    assert by_key[("node", "item-1-2")].loses_progress
    assert by_key[("indicator", "ind-1-2")].loses_progress
    assert not by_key[("content", "item-1-2 › 内容 1")].loses_progress
    assert {c.action for c in changes} == {"remove"}


def test_removed_goal_whose_item_has_progress_loses_progress(doc):
    old = with_progress(doc, "ind-2-2")
    new = copy.deepcopy(old)
    del new["plan"]["nodes"][1]
    changes = diff_documents(old, new)
    losses = {(c.kind, c.key) for c in changes if c.loses_progress}
    assert ("node", "item-2-2") in losses
    assert ("indicator", "ind-2-2") in losses
    assert ("node", "item-2-1") not in losses
    assert ("indicator", "ind-2-1") not in losses


def test_removed_item_without_progress_loses_nothing(doc):
    old = with_progress(doc, "ind-1-1")
    new = copy.deepcopy(old)
    node(new, "goal-2")["children"].pop(0)
    changes = diff_documents(old, new)
    assert changes
    assert not any(c.loses_progress for c in changes)


@pytest.mark.parametrize(
    ("edit", "loses"),
    [
        pytest.param(lambda i: i.update(actuals=[]), True, id="actual-dropped"),
        pytest.param(lambda i: i.update(reports=[]), True, id="report-dropped"),
        pytest.param(lambda i: i["actuals"][0].update(value="106件"), True, id="actual-rewritten"),
        pytest.param(lambda i: i["reports"][0].update(next="続ける"), True, id="report-rewritten"),
        pytest.param(
            lambda i: i["actuals"].append({"fy": 2025, "value": "120件", "note": ""}),
            False,
            id="actual-added",
        ),
        pytest.param(
            lambda i: i["reports"].append({"fy": 2025, "done": "続けた", "next": "続ける"}),
            False,
            id="report-added",
        ),
        pytest.param(lambda i: i.update(name="新しい指標名"), False, id="renamed"),
    ],
)
def test_changed_indicator_loses_progress_only_when_reported_values_go(doc, edit, loses):
    old = with_progress(doc, "ind-1-1")
    new = copy.deepcopy(old)
    edit(indicator(new, "ind-1-1"))
    c = only(diff_documents(old, new))
    assert (c.action, c.kind, c.key) == ("change", "indicator", "ind-1-1")
    assert c.loses_progress is loses


def test_new_plan_never_loses_progress(doc):
    changes = diff_documents(None, with_progress(doc, "ind-1-1"))
    assert not any(c.loses_progress for c in changes)


# --------------------------------------------------------------------------- other kinds


def _add_department(d):
    d["departments"].append({"name": "地域福祉課", "parent": None})


def _move_department(d):
    d["departments"][1]["parent"] = None


def _add_plan_section(d):
    d["plan"]["sections"].append({"heading": "使命", "style": "paragraphs", "body": ["支え合い"]})


def _change_node_section(d):
    node(d, "item-1-1")["sections"][0]["body"].append("新しい課題")


def _add_welfare_issue(d):
    d["plan"]["welfare_issues"].append({"number": 1, "title": "つながり", "voices": ["声"]})


def _add_relation(d):
    d["plan"]["relations"].append({"type": "aligned", "plan": "other-plan"})


def _change_shared_content(d):
    d["plan"]["shared_contents"][0]["text"] = "共通の内容（改）"


def _drop_evaluation(d):
    d["plan"]["previous_evaluations"].pop()


def _add_node(d):
    node(d, "goal-1")["children"].append(
        {
            **copy.deepcopy(node(d, "item-1-1")),
            "key": "item-1-3",
            "contents": [],
            "indicators": [],
            "sections": [],
        }
    )


def _add_indicator(d):
    node(d, "goal-1")["indicators"].append(
        {**copy.deepcopy(indicator(d, "ind-1-1")), "key": "ind-goal-1"}
    )


@pytest.mark.parametrize(
    ("edit", "action", "kind", "kind_name", "node_key"),
    [
        (_add_department, "add", "department", "部署", ""),
        (_move_department, "change", "department", "部署", ""),
        (_add_plan_section, "add", "section", "本文", ""),
        (_change_node_section, "change", "section", "本文", "item-1-1"),
        (_add_welfare_issue, "add", "welfare_issue", "福祉課題", ""),
        (_add_relation, "add", "relation", "関連計画", ""),
        (_change_shared_content, "change", "shared_content", "共通内容", ""),
        (_drop_evaluation, "remove", "evaluation", "前計画の評価", ""),
        (_add_node, "add", "node", "項目", "item-1-3"),
        (_add_indicator, "add", "indicator", "指標", "goal-1"),
    ],
)
def test_each_kind_is_detected_with_its_japanese_name(doc, edit, action, kind, kind_name, node_key):
    new = copy.deepcopy(doc)
    edit(new)
    c = only(diff_documents(doc, new))
    assert (c.action, c.kind, c.kind_name, c.node_key) == (action, kind, kind_name, node_key)
    assert KIND_NAMES[kind] == kind_name


def test_unknown_kind_shows_its_code():
    assert Change("add", "something", "k", "l").kind_name == "something"


# --------------------------------------------------------------------------- summary


def test_summary_counts_each_action(doc):
    old = with_progress(doc, "ind-2-1")
    new = copy.deepcopy(old)
    new["plan"]["title"] = "改定版"  # change: plan
    node(new, "item-1-1")["title"] = "改名"  # change: node
    node(new, "item-1-2")["contents"].pop()  # remove: content
    node(new, "goal-2")["children"].pop(0)  # remove: node, section, 2 contents, indicator
    _add_department(new)  # add: department
    _add_node(new)  # add: node
    changes = diff_documents(old, new)
    assert summary(changes) == {"add": 2, "change": 3, "remove": 6}
    assert sum(summary(changes).values()) == len(changes)
    assert Counter((c.action, c.kind) for c in changes) == Counter(
        {
            ("change", "plan"): 1,
            ("change", "node"): 2,  # item-1-1 renamed, item-2-2 now first under goal-2
            ("remove", "content"): 3,
            ("remove", "node"): 1,
            ("remove", "section"): 1,
            ("remove", "indicator"): 1,
            ("add", "department"): 1,
            ("add", "node"): 1,
        }
    )
    assert [c.key for c in changes if c.loses_progress] == ["item-2-1", "ind-2-1"]


def test_summary_of_made_up_changes():
    changes = [
        Change("add", "node", "a", "a"),
        Change("add", "content", "b", "b"),
        Change("remove", "indicator", "c", "c", loses_progress=True),
    ]
    assert summary(changes) == {"add": 2, "change": 0, "remove": 1}


# --------------------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    renamed=st.sets(st.sampled_from(["goal-1", "goal-2", "item-1-1", "item-1-2", "item-2-1"])),
    removed_goal=st.booleans(),
)
def test_every_renamed_node_is_one_change_and_diff_is_symmetric(renamed, removed_goal):
    old = plan_doc()
    new = copy.deepcopy(old)
    for key in renamed:
        node(new, key)["title"] += "（改）"
    if removed_goal:
        new["plan"]["nodes"].pop()
    forward = diff_documents(old, new)
    backward = diff_documents(new, old)
    gone = {"goal-2", "item-2-1", "item-2-2"} if removed_goal else set()
    assert {c.key for c in forward if c.action == "change"} == renamed - gone
    assert {c.key for c in forward if c.kind == "node" and c.action == "remove"} == gone
    assert {c.key for c in backward if c.kind == "node" and c.action == "add"} == gone
    flip = {"add": "remove", "remove": "add", "change": "change"}
    assert sorted((flip[c.action], c.kind, c.key) for c in forward) == sorted(
        (c.action, c.kind, c.key) for c in backward
    )
    s = summary(forward)
    assert summary(backward) == {"add": s["remove"], "change": s["change"], "remove": s["add"]}


# --------------------------------------------------------------------------- every stored change
#
# diff_documents promises "every change that loading `new` over `old` would make": the upload
# preview shows it and the history records it. Each edit below really changes the stored plan
# (the first test loads it and exports it again), so the diff must not be empty.


def rich_doc() -> dict:
    """plan_doc with two of everything whose order is kept, and reported progress."""
    doc = with_progress(plan_doc(slug="diff-order-plan", org_slug="diff-order-org"), "ind-1-1")
    item = node(doc, "item-1-1")
    item["sections"].append({"heading": "目的", "style": "paragraphs", "body": ["目的の文"]})
    item["indicators"].append(
        {**copy.deepcopy(indicator(doc, "ind-2-1")), "key": "ind-1-1b", "name": "参加者数"}
    )
    doc["plan"]["sections"] = [
        {"heading": "使命", "style": "paragraphs", "body": ["使命の文"]},
        {"heading": "計画の位置づけ", "style": "paragraphs", "body": ["位置づけの文"]},
    ]
    doc["plan"]["shared_contents"].append(
        {"key": "common-2", "label": "事業共通2", "text": "二つ目の共通内容", "tag": ""}
    )
    return doc


def _baseline(field, value):
    return lambda d: indicator(d, "ind-1-1")["baseline"].update({field: value})


MISSED = [
    pytest.param(lambda d: node(d, "item-1-1")["contents"].reverse(), id="content-order"),
    pytest.param(lambda d: node(d, "item-1-1")["indicators"].reverse(), id="indicator-order"),
    pytest.param(lambda d: node(d, "item-1-1")["sections"].reverse(), id="node-section-order"),
    pytest.param(lambda d: d["plan"]["sections"].reverse(), id="plan-section-order"),
    pytest.param(lambda d: d["plan"]["shared_contents"].reverse(), id="shared-content-order"),
    pytest.param(lambda d: d["plan"]["previous_evaluations"].reverse(), id="evaluation-order"),
    pytest.param(
        lambda d: indicator(d, "ind-1-1")["actuals"][0].update(note="速報値"), id="actual-note"
    ),
    pytest.param(_baseline("label", "令和5年度(実績)"), id="baseline-label"),
    pytest.param(_baseline("estimate", False), id="baseline-estimate"),
    pytest.param(_baseline("as_of", "2024-03-31"), id="baseline-as-of"),
    pytest.param(lambda d: d["organization"].update(kind="municipality"), id="organization-kind"),
]


@pytest.fixture
def stored(db) -> dict:
    """The document of rich_doc() as the database holds it after loading."""
    (plan,) = load_documents([rich_doc()])
    return export_plan(plan)


@pytest.mark.parametrize("edit", MISSED)
def test_loading_the_edit_changes_the_stored_plan(stored, edit):
    new = copy.deepcopy(stored)
    edit(new)
    assert new != stored
    (plan,) = load_documents([copy.deepcopy(new)], replace=True)
    assert export_plan(plan) == new


@pytest.mark.parametrize("edit", MISSED)
def test_a_load_that_changes_the_stored_plan_is_never_an_empty_diff(stored, edit):
    new = copy.deepcopy(stored)
    edit(new)
    assert diff_documents(stored, new) != []
