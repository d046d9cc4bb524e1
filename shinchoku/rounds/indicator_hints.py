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


# source(indicator, fy): the hint as of the FY (None: the latest the source knows), or None.
HintSource = Callable[[Any, "int | None"], "Hint | None"]
_SOURCES: list[HintSource] = []


def register(source: HintSource) -> HintSource:
    """Add a function (indicator, fy) → Hint | None (once; registering it again changes nothing)."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def hints_for(indicator: Any, fy: int | None = None) -> list[Hint]:
    """The hints every registered source has for the indicator (as of `fy`, else the latest)."""
    return [h for h in (source(indicator, fy) for source in _SOURCES) if h is not None]


def attach(lines: Any, plan: Any, fy: int) -> None:
    """Put the hints of each indicator of a department's sheet (services.ItemLines) on its line."""
    for item in lines:
        for line in item.indicators:
            line.indicator.plan = plan  # the sheet's plan, with its organization
            line.hints = hints_for(line.indicator, fy)
