"""How a node of a plan is named on screen: its number (label) and title, said once.

A plan's printed numbers are kept as printed (Node.label): 「基本目標１」, 「1」, or a bare bullet
「・」 for a 施策の方向 without a number. Every place that shows a node's number and title goes
through `node_name`; a page heading that shows the level's name with the number goes through
`level_heading`, so that 「基本目標 基本目標１」 is never shown.
"""

from __future__ import annotations

BULLETS = frozenset("・•･·●○◦-‐‑–—*＊ 　")


def shown_label(label: str) -> str:
    """The number as shown: "" for a bare bullet (「・」) or blanks, else the label stripped."""
    label = (label or "").strip()
    if not label or all(ch in BULLETS for ch in label):
        return ""
    return label


def node_name(label: str, title: str) -> str:
    """「基本目標１ 一人一人が…」, 「福祉教育・啓発の充実」 (no stray 「・」 or leading space)."""
    number = shown_label(label)
    title = (title or "").strip()
    return f"{number} {title}".strip() if number else title


def level_heading(level_name: str, label: str) -> str:
    """The level and the number over a page heading, the level's name said once.

    ("基本目標", "基本目標１") → 「基本目標１」; ("基本目標", "1") → 「基本目標 1」;
    ("施策の方向", "・") → 「施策の方向」.
    """
    level_name = (level_name or "").strip()
    number = shown_label(label)
    if not number:
        return level_name
    if not level_name or number.startswith(level_name):
        return number
    return f"{level_name} {number}"
