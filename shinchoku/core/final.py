"""The final evaluation (最終評価) without Django: when it may start, and each item's ancestors.

A plan's final evaluation is written in its last FY or after it ends. Each evaluated item is
printed under the 4 levels real plans use for 前計画の評価 (core.lineage.evaluation_levels).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def may_start(last_fy: int, current_fy: int) -> bool:
    """True in the plan's last FY or after it: the final evaluation looks back on the whole plan."""
    return current_fy >= last_fy


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
