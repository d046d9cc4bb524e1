"""The final evaluation (最終評価) without Django: when it may start, and how an item is placed.

A plan's final evaluation is written in its last FY or after it ends. Each evaluated item is
printed under the 4 levels real plans use for 前計画の評価: 基本目標, 事業区分 (with its (n)
sub-heading where the tree has one more level), 番号 and 事業項目.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


def may_start(last_fy: int, current_fy: int) -> bool:
    """True in the plan's last FY or after it: the final evaluation looks back on the whole plan."""
    return current_fy >= last_fy


@dataclass(frozen=True)
class Placement:
    """Where an item sits, as the evaluation table prints it."""

    goal: str  # 基本目標: the top-level node
    category: str  # 事業区分: the node below it
    subcategory: str  # the (n) sub-heading(s) between the category and the item, if any
    number: str  # 番号: the item's own label
    item: str  # 事業項目: the item's title


def ancestors(nodes: Iterable[Any]) -> dict[int, list[Any]]:
    """Node id → its ancestors from the top down (anything with `id` and `parent_id`).

    A parent missing from the list ends the walk there, as in tree.top_of.
    """
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    out: dict[int, list[Any]] = {}
    for n in nodes:
        path: list[Any] = []
        current = n
        while current.parent_id is not None and current.parent_id in by_id:
            current = by_id[current.parent_id]
            path.append(current)
        out[n.id] = list(reversed(path))
    return out


def place(path: Sequence[str], number: str, item: str) -> Placement:
    """An item's placement from the texts of its ancestors (top first): 基本目標, 事業区分,
    then every deeper heading joined as the sub-heading."""
    goal = path[0] if path else ""
    category = path[1] if len(path) > 1 else ""
    subcategory = " ".join(path[2:])
    return Placement(goal, category, subcategory, number, item)
