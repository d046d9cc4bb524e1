"""core.lineage: a record's tag from its lineage, and evaluation levels from a tree path."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace as N

import pytest

from shinchoku.core import lineage
from shinchoku.core.lineage import evaluation_levels, kept_with_parents, tag_for


def test_the_module_does_not_import_django():
    tree = ast.parse(Path(lineage.__file__).read_text(encoding="utf-8"))
    names = [
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in getattr(node, "names", [])
    ]
    assert not any(str(n).startswith(("django", "shinchoku.plans")) for n in names)


def test_a_record_that_continues_nothing_is_new():
    assert tag_for("") == "新規"
    assert tag_for("", expanded=True, stored="継続") == "新規"


def test_a_continued_record_is_continued_unless_expanded():
    assert tag_for("item-1") == "継続"
    assert tag_for("item-1", expanded=True) == "充実・強化"


def test_a_stored_tag_of_a_continued_record_stands():
    assert tag_for("item-1", stored="充実・強化") == "充実・強化"
    assert tag_for("item-1", expanded=True, stored="継続") == "継続"
    assert tag_for("item-1", stored="新規") == "継続"  # 新規 contradicts a lineage


def node(label: str, title: str) -> N:
    return N(label=label, title=title)


def test_three_levels_give_goal_category_number_and_item():
    path = [node("Ⅰ", "事業活動の再構築"), node("(1)", "自立支援"), node("1", "相談支援事業")]
    levels = evaluation_levels(path)
    assert levels.goal == "Ⅰ 事業活動の再構築"
    assert levels.category == "(1) 自立支援"
    assert levels.subcategory == ""
    assert (levels.number, levels.item) == ("1", "相談支援事業")


def test_a_fourth_level_is_the_sub_heading_of_the_category():
    path = [
        node("基本目標1", "つながり"),
        node("(1)", "見守り"),
        node("①", "見守り活動"),
        node("1", "見守り事業"),
    ]
    levels = evaluation_levels(path)
    assert (levels.category, levels.subcategory) == ("(1) 見守り", "① 見守り活動")
    deeper = evaluation_levels([*path[:3], node("a", "x"), path[3]])
    assert deeper.subcategory == "① 見守り活動／a x"


def test_short_paths_leave_the_upper_levels_blank():
    assert evaluation_levels([node("", "単独の事業")]).goal == ""
    two = evaluation_levels([node("1", "目標"), node(" 2 ", "事業")])
    assert (two.goal, two.category, two.number) == ("1 目標", "", "2")
    with pytest.raises(ValueError):
        evaluation_levels([])


def test_a_kept_record_keeps_its_parents():
    parent_of = {"g": None, "p": "g", "i": "p", "j": "p", "h": None}
    assert kept_with_parents(["i"], parent_of) == {"i", "p", "g"}
    assert kept_with_parents(["h", "unknown"], parent_of) == {"h"}
    assert kept_with_parents([], parent_of) == set()
