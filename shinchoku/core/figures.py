"""A value shown in its indicator's unit, with the figure as reported where that differs.

Every table, chart, report and download reads values through `figure()`, so that a column holds
one unit per indicator: an actual typed 3,310,000円 for an indicator in 千円 is shown as
3,310千円 (報告: 3,310,000円). The text is kept exactly as typed wherever it is stored; the
conversion happens when it is read. Plain Python, no Django.

- A figure in the indicator's unit (or another spelling of it: 箇所 / か所, ％ / %) is shown as
  typed.
- A bare number (4210) takes the indicator's unit: 4,210件.
- A figure in another yen unit is converted exactly and marked `differs`, with the text as
  reported beside it.
- Text, 「－」 and a figure in a unit that cannot be converted (5人 for 件) are shown as typed,
  with no number: nothing is ever shown as if it were in the indicator's unit when it is not.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shinchoku.core.signed import triangle
from shinchoku.core.values import Value, canonical_unit, parse_value, to_unit

REPORTED = "報告"  # the word before the figure as reported, in Japanese documents


@dataclass(frozen=True)
class Figure:
    """One value for display: `shown` in the indicator's unit, `text` as reported."""

    text: str  # as reported (typed), stripped
    unit: str  # the indicator's unit ("" when it has none)
    value: Value  # the parse of the text
    converted: Value | None  # the value in the indicator's unit; None when it cannot be

    @property
    def shown(self) -> str:
        """The text for a cell: the figure in the indicator's unit, else the text as typed."""
        c = self.converted
        if c is None or (not self.value.unit and not self.unit):
            return triangle(self.text)
        if self.value.unit and canonical_unit(self.value.unit) == canonical_unit(self.unit):
            return triangle(self.text)  # the indicator's own unit (any spelling): as typed
        return triangle(c.text)

    @property
    def differs(self) -> bool:
        """True when the figure was reported in another unit (3,310,000円 for 千円)."""
        return (
            self.converted is not None
            and bool(self.value.unit)
            and canonical_unit(self.value.unit) != canonical_unit(self.converted.unit)
        )

    @property
    def convertible(self) -> bool:
        """A numeric value that is in (or converts to) the indicator's unit."""
        return self.converted is not None

    @property
    def mismatched(self) -> bool:
        """A figure in a unit the indicator's cannot take (5人 for 件): shown as typed only."""
        return self.value.is_numeric() and self.converted is None

    @property
    def number(self) -> Decimal | None:
        return self.converted.number if self.converted is not None else None

    @property
    def high(self) -> Decimal | None:
        return self.converted.high if self.converted is not None else None

    @property
    def plain(self) -> bool:
        """A single figure with nothing around it: fit for a number cell of a spreadsheet."""
        v = self.converted
        return (
            v is not None
            and v.kind == "number"
            and v.number is not None
            and not (v.prefix or v.suffix or v.second or v.footnotes or v.estimate)
        )

    @property
    def reported(self) -> str:
        """「報告: 3,310,000円」 where the figure differs, else empty."""
        return f"{REPORTED}: {self.text}" if self.differs else ""

    @property
    def label(self) -> str:
        """3,310千円（報告: 3,310,000円）, or just the shown text."""
        return f"{self.shown}（{self.reported}）" if self.differs else self.shown

    def __str__(self) -> str:
        return self.label


@functools.lru_cache(maxsize=16384)  # a pure function of two texts, for every cell (issue 16)
def figure(text: str | None, unit: str) -> Figure:
    """The value `text` as shown for an indicator in `unit` (see the module's rules)."""
    raw = "" if text is None else str(text)
    value = parse_value(raw)
    return Figure(raw.strip(), unit or "", value, to_unit(value, unit or ""))


def indicator_unit(unit: str, texts: Iterable[str | None]) -> str:
    """The unit an indicator's figures are shown in: its own, else that of its first figure.

    `texts` are its values, baseline and targets first (a plan may give the unit only beside
    each figure).
    """
    if unit and unit.strip():
        return unit.strip()
    for text in texts:
        value = parse_value(text)
        if value.is_numeric() and value.unit:
            return value.unit
    return ""


@functools.lru_cache(maxsize=16384)  # once per text, unit and language, not per cell (issue 16)
def in_unit_html(text: str | None, unit: str, as_reported: str) -> str:
    """HTML of a value in the indicator's unit, with the figure as reported where it differs:
    3,310千円<small class="reported">（報告: 3,310,000円）</small>; "" for no value.

    `as_reported` is the caller's translation of "as reported: %(text)s". The same HTML as the
    `in_unit` template filter (plans/templatetags/figures.py), escaped alike.
    """
    if text is None or not str(text).strip():
        return ""
    f = figure(str(text), unit or "")
    shown = html.escape(f.shown)
    if not f.differs:
        return shown
    reported = html.escape(as_reported % {"text": f.text})
    return f'{shown}<small class="reported">（{reported}）</small>'
