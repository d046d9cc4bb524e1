"""The cost of a 事務事業 as Japanese 行政評価 sheets show it. Plain Python, no Django.

- 人件費 (staff cost) = 人工 (person-years) × 人件費単価 (the organization's cost of one
  person-year).
- フルコスト (full cost) = 決算額 (the settlement) + 人件費.
- 単位コスト (unit cost) = フルコスト ÷ 活動実績 (the output counted that year).

Amounts are in thousand yen (千円). A figure that is missing gives None, never zero: a blank
settlement is not a business that cost nothing (write 0 for one run by staff time only).
Results are rounded half up to one decimal (千円 with one decimal is 100 yen).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shinchoku.core.signed import signed

TENTH = Decimal("0.1")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def staff_cost(staff_years: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """人件費: person-years × the cost of one person-year; None when either is missing."""
    if staff_years is None or rate is None:
        return None
    return _round(staff_years * rate)


def full_cost(
    settlement: Decimal | None, staff_years: Decimal | None, rate: Decimal | None
) -> Decimal | None:
    """フルコスト: 決算額 + 人件費; None when any of the three is missing (blank is not zero)."""
    staff = staff_cost(staff_years, rate)
    if settlement is None or staff is None:
        return None
    return _round(settlement + staff)


def unit_cost(full: Decimal | None, output: Decimal | None) -> Decimal | None:
    """単位コスト: full cost ÷ output; None without a full cost or a positive output."""
    if full is None or output is None or output <= 0:
        return None
    return _round(full / output)


@dataclass(frozen=True)
class YearCost:
    """One FY of a business with its computed costs, and each shown as the register writes it."""

    fiscal_year: int
    budget: Decimal | None
    settlement: Decimal | None
    staff_years: Decimal | None
    output: Decimal | None
    staff: Decimal | None
    full: Decimal | None
    unit: Decimal | None

    @property
    def shown(self) -> dict[str, str]:
        """Each figure as text: 1,234.5 (△ when negative), "―" when there is none."""
        return {
            "budget": amount_text(self.budget),
            "settlement": amount_text(self.settlement),
            "staff_years": amount_text(self.staff_years),
            "output": amount_text(self.output),
            "staff": amount_text(self.staff),
            "full": amount_text(self.full),
            "unit": amount_text(self.unit),
        }


def year_cost(
    fiscal_year: int,
    *,
    budget: Decimal | None,
    settlement: Decimal | None,
    staff_years: Decimal | None,
    output: Decimal | None,
    rate: Decimal | None,
) -> YearCost:
    """The year's figures with its 人件費, フルコスト and 単位コスト."""
    full = full_cost(settlement, staff_years, rate)
    return YearCost(
        fiscal_year,
        budget,
        settlement,
        staff_years,
        output,
        staff_cost(staff_years, rate),
        full,
        unit_cost(full, output),
    )


NONE_TEXT = "―"


def amount_text(value: Decimal | None) -> str:
    """A figure for a cell: grouped, trailing zeros dropped (12.50 → 12.5), △ when negative."""
    if value is None:
        return NONE_TEXT
    normal = value.normalize()
    if normal == normal.to_integral_value():
        normal = normal.quantize(Decimal(1))
    return signed(normal)
