"""core.tree: the top-level ancestor of every node of a flat list."""

from __future__ import annotations

from types import SimpleNamespace as N

from shinchoku.core.tree import top_of


def test_every_node_maps_to_its_top_level_ancestor():
    g1, g2 = N(id=1, parent_id=None), N(id=2, parent_id=None)
    p = N(id=3, parent_id=1)
    leaf = N(id=4, parent_id=3)
    other = N(id=5, parent_id=2)
    top = top_of([g1, g2, p, leaf, other])
    assert {k: v.id for k, v in top.items()} == {1: 1, 2: 2, 3: 1, 4: 1, 5: 2}


def test_a_parent_missing_from_the_list_ends_the_walk():
    orphan = N(id=7, parent_id=99)
    child = N(id=8, parent_id=7)
    assert {k: v.id for k, v in top_of([orphan, child]).items()} == {7: 7, 8: 7}
