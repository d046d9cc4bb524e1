"""Typed goal lists (core.goal_list): one goal a line, its number saying its level."""

from __future__ import annotations

from shinchoku.core.goal_list import depth, goals_text, parse_goals


def test_numbers_make_the_tree():
    goals, problems = parse_goals(
        "1 誰もが活躍する地域\n1-1 福祉教育\n１．２ 全角も読む\n2) 安心\n\n2.1.1 三階層"
    )
    assert [p.line for p in problems] == [6]  # 2.1.1 has no 2-1 above it
    assert [g.label for g in goals] == ["1", "2"]
    assert [(c.label, c.title) for c in goals[0].children] == [
        ("1-1", "福祉教育"),
        ("1-2", "全角も読む"),
    ]
    assert goals[0].children[0].key == "g1-1"


def test_every_problem_names_its_line():
    goals, problems = parse_goals(
        "1 目標\n見出しだけ\n1-1 子\n1-1 二度目\n3-1 親なし\n1-1-1-1-1-1 深い\n2"
    )
    assert [p.line for p in problems] == [2, 4, 5, 6, 7]
    assert "2行目" in problems[0].message and "上位の目標「3」" in problems[2].message
    assert [g.label for g in goals] == ["1"]


def test_the_list_reads_back_as_typed():
    text = "1 一\n1-1 一の一\n2 二"
    goals, _ = parse_goals(text)
    assert goals_text(goals) == text
    assert depth(goals) == 2 and depth([]) == 0
