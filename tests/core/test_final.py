"""core.final: when the final evaluation may start and how an item is placed in its table."""

from types import SimpleNamespace as N

from shinchoku.core.final import ancestors, may_start, place


def test_it_may_start_in_the_last_fy_or_after():
    assert not may_start(2023, 2022)
    assert may_start(2023, 2023)
    assert may_start(2023, 2025)


def test_ancestors_are_listed_from_the_top_down():
    nodes = [N(id=1, parent_id=None), N(id=2, parent_id=1), N(id=3, parent_id=2)]
    found = ancestors(nodes)
    assert [n.id for n in found[3]] == [1, 2]
    assert found[1] == []


def test_a_missing_parent_ends_the_walk():
    assert ancestors([N(id=5, parent_id=99)])[5] == []


def test_three_levels_give_goal_category_and_no_sub_heading():
    p = place(
        ["Ⅰ 事業活動の再構築", "(1) 生活困窮者等への自立支援"], "1", "生活困窮者自立相談支援事業"
    )
    assert (p.goal, p.category, p.subcategory, p.number) == (
        "Ⅰ 事業活動の再構築",
        "(1) 生活困窮者等への自立支援",
        "",
        "1",
    )


def test_four_levels_give_the_sub_heading():
    p = place(["1 つながる", "(1) 見守り", "① 訪問"], "5", "ふれあい訪問")
    assert p.subcategory == "① 訪問"
    assert p.item == "ふれあい訪問"
