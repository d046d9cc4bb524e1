"""Hints shown on an indicator's page by the apps built on top of the rounds.

A later stage of the year (e.g. 事務事業評価, shinchoku.businesses) may know a figure that helps
the department report an indicator's actual. It registers a function here from its AppConfig;
the rounds never import it (dependencies point one way). A hint is only shown: it never writes
an indicator's value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Hint(Protocol):
    text: str
    url: str


HintSource = Callable[[Any], "Hint | None"]
_SOURCES: list[HintSource] = []


def register(source: HintSource) -> HintSource:
    """Add a function indicator → Hint | None (once; registering it again changes nothing)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def hints_for(indicator: Any) -> list[Hint]:
    """The hints every registered source has for the indicator."""
    return [h for h in (source(indicator) for source in _SOURCES) if h is not None]
