"""What the register pages show: the rows of the list, a business's years with their costs.

Costs are computed by core.business_cost, once per value, here; the templates only print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from shinchoku.businesses.models import Business, BusinessYear, RegisterSettings
from shinchoku.core.business_cost import YearCost, year_cost
from shinchoku.orgs.models import Department, Organization


def business_for(organization: Organization, pk: int) -> Business:
    """The organization's business with its department, kind and the register's staff_rate
    (RegisterSettings.rate_column); 404 when there is none."""
    found = (
        Business.objects.filter(organization=organization, pk=pk)
        .select_related("department", "kind")
        .annotate(staff_rate=RegisterSettings.rate_column(organization.pk))
        .first()
    )
    if found is None:
        raise Http404("no such business")
    return found


def cost_of(year: BusinessYear, rate: Decimal) -> YearCost:
    return year_cost(
        year.fiscal_year,
        budget=year.budget,
        settlement=year.settlement,
        staff_years=year.staff_years,
        output=year.output,
        rate=rate,
    )


def latest_direction(years: list[BusinessYear]) -> str:
    """The 方向性 of the latest FY that carries one, "" when none does."""
    for year in sorted(years, key=lambda y: y.fiscal_year, reverse=True):
        if year.direction:
            return year.direction
    return ""


@dataclass
class ListRow:
    business: Business
    cost: YearCost | None  # the figures of the list's FY
    direction: str


@dataclass
class DepartmentGroup:
    department: Department
    rows: list[ListRow] = field(default_factory=list)


def listed(organization: Organization, department: int | None, kind: int | None) -> QuerySet:
    """The organization's businesses (in operation first), filtered, with their years and the
    register's staff_rate (RegisterSettings.rate_column)."""
    found = Business.objects.filter(organization=organization)
    if department:
        found = found.filter(Q(department_id=department) | Q(department__parent_id=department))
    if kind:
        found = found.filter(kind_id=kind)
    return (
        found.select_related("department", "kind")
        .annotate(staff_rate=RegisterSettings.rate_column(organization.pk))
        .prefetch_related(Prefetch("years", queryset=BusinessYear.objects.order_by("fiscal_year")))
        .order_by("department__order", "department_id", "-active", "order", "id")
    )


def list_fy(businesses: list[Business]) -> int | None:
    """The FY the list shows: the latest one with a settlement, else the latest with figures."""
    settled = [y.fiscal_year for b in businesses for y in b.years.all() if y.settlement is not None]
    if settled:
        return max(settled)
    every = [y.fiscal_year for b in businesses for y in b.years.all()]
    return max(every) if every else None


def fys_of(businesses: list[Business]) -> list[int]:
    return sorted({y.fiscal_year for b in businesses for y in b.years.all()}, reverse=True)


def groups(businesses: list[Business], fy: int | None, rate: Decimal) -> list[DepartmentGroup]:
    """One group per department, in the department's order, each business with the FY's costs."""
    out: dict[int, DepartmentGroup] = {}
    for b in businesses:
        years = list(b.years.all())
        year = next((y for y in years if y.fiscal_year == fy), None)
        group = out.setdefault(b.department_id, DepartmentGroup(b.department))
        group.rows.append(
            ListRow(b, cost_of(year, rate) if year else None, latest_direction(years))
        )
    return list(out.values())
