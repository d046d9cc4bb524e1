"""Lineage between a plan and its previous plan (前計画), in plain Python.

A record of a new plan either continues a record of the previous plan (it names that record's
key) or is new. Its tag (区分) follows: 継続 by default for a continued record, 充実・強化 when the
管理者 says it is strengthened, and 新規 for a record that continues nothing.

The previous plan's evaluation table (前計画の評価) names each item in the four levels printed
plans use: 基本目標, 事業区分 with its (n) sub-heading, 番号 and 事業項目. They follow from the
item's path in the tree (its ancestors from the top, then the item itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

NEW = "新規"
CONTINUED = "継続"
EXPANDED = "充実・強化"
TAGS = (NEW, CONTINUED, EXPANDED)


def tag_for(continues_key: str, *, expanded: bool = False, stored: str = "") -> str:
    """The tag (区分) of a record from its lineage.

    A record that continues nothing is 新規. A continued record keeps a stored 継続 or
    充実・強化; otherwise it is 充実・強化 when `expanded`, else 継続.
    """
    if not continues_key:
        return NEW
    if stored in (CONTINUED, EXPANDED):
        return stored
    return EXPANDED if expanded else CONTINUED


class TreeNode(Protocol):
    """What the levels need of a node: its printed label (番号, (1), ①) and title."""

    label: str
    title: str


@dataclass(frozen=True)
class EvaluationLevels:
    """The four levels of a row of 前計画の評価."""

    goal: str  # 基本目標: the top of the path, as printed ("Ⅰ 事業活動の再構築")
    category: str  # 事業区分: the second level, as printed ("(1) 生活困窮者等への自立支援")
    subcategory: str  # its sub-headings between the 事業区分 and the item ("① 見守り活動の推進")
    number: str  # 番号: the item's own label
    item: str  # 事業項目: the item's title


def printed(node: TreeNode) -> str:
    """A node as a plan prints it: its label, then its title."""
    return f"{node.label} {node.title}".strip()


def evaluation_levels(path: Sequence[TreeNode], separator: str = "／") -> EvaluationLevels:
    """The levels of the item at the end of `path` (its ancestors from the top, then itself).

    A path of one node has no 基本目標 or 事業区分; sub-headings deeper than the 事業区分 are
    joined with `separator` (a 4-level plan has one: 基本目標 → 基本施策 (1) → 取組 ① → 事業).
    """
    if not path:
        raise ValueError("an empty path has no item")
    *above, item = path
    goal = printed(above[0]) if above else ""
    category = printed(above[1]) if len(above) > 1 else ""
    subcategory = separator.join(printed(n) for n in above[2:])
    return EvaluationLevels(goal, category, subcategory, item.label.strip(), item.title)


def kept_with_parents(chosen: Iterable[str], parent_of: dict[str, str | None]) -> set[str]:
    """The chosen keys with every ancestor of each (a kept record keeps its parents)."""
    kept: set[str] = set()
    for key in chosen:
        current: str | None = key
        while current is not None and current not in kept and current in parent_of:
            kept.add(current)
            current = parent_of[current]
    return kept
