"""Walking a plan's tree given as a flat list of nodes (anything with `id` and `parent_id`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def top_of(nodes: Iterable[Any]) -> dict[int, Any]:
    """Node id → its top-level ancestor (基本目標) in the list; a top-level node is its own.

    A parent missing from the list ends the walk there, as if that node were top-level.
    """
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    out = {}
    for n in nodes:
        current = n
        while current.parent_id is not None and current.parent_id in by_id:
            current = by_id[current.parent_id]
        out[n.id] = current
    return out
