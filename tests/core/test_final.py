"""core.final: when the final evaluation may start and the ancestors of each item.

How an item is placed in the table (4 levels) is core.lineage.evaluation_levels, tested in
test_lineage.py.
"""

from types import SimpleNamespace as N

from shinchoku.core.final import ancestors, may_start


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
