"""Builders of interchange-document pieces shared by the seed readers."""

from __future__ import annotations

from typing import Any


def empty_node(key: str, level: int, label: str, title: str, subtitle: str = "") -> dict[str, Any]:
    """Return a NODE of the interchange format with every field present and no children."""
    return {
        "key": key,
        "level": level,
        "label": label,
        "title": title,
        "subtitle": subtitle,
        "sections": [],
        "departments": [],
        "kinds": [],
        "sdgs": [],
        "contents": [],
        "indicators": [],
        "children": [],
    }
