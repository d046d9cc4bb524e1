"""Lay out schedule spans (実施時期) as grid rows over a plan's fiscal years."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Span(Protocol):
    track: str
    from_fy: int
    to_fy: int
    phase: str


@dataclass(frozen=True)
class Cell:
    phase: str  # "" for a year with no phase
    first_fy: int
    colspan: int


@dataclass(frozen=True)
class Row:
    track: str
    cells: list[Cell]


def grid(spans: Iterable[Span], fiscal_years: list[int]) -> list[Row]:
    """Return one row per track, each covering every FY exactly once."""
    if not fiscal_years:
        return []
    first, last = fiscal_years[0], fiscal_years[-1]
    tracks: dict[str, list[Span]] = {}
    for span in spans:
        tracks.setdefault(span.track, []).append(span)
    rows = []
    for track, items in tracks.items():
        cells: list[Cell] = []
        fy = first
        for span in sorted(items, key=lambda s: s.from_fy):
            start, end = max(span.from_fy, first), min(span.to_fy, last)
            if end < fy:
                continue
            start = max(start, fy)
            if start > fy:
                cells.append(Cell("", fy, start - fy))
            cells.append(Cell(span.phase, start, end - start + 1))
            fy = end + 1
        if fy <= last:
            cells.append(Cell("", fy, last - fy + 1))
        rows.append(Row(track, cells))
    return rows


def phase_in(spans: Iterable[Span], fy: int, track: str | None = None) -> str:
    """Return the phase planned for one FY ("" when none)."""
    phases = [
        s.phase for s in spans if s.from_fy <= fy <= s.to_fy and (track is None or s.track == track)
    ]
    return "／".join(phases)
