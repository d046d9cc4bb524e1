"""Writing the register: a business, its figures of one FY, the register settings.

Each write checks the input and the version the form was shown with, and is one transaction;
a problem raises RegisterError (the field it is about and what to do, in the user's language)
and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shinchoku.businesses.models import Business, BusinessNode, BusinessYear, RegisterSettings
from shinchoku.core.values import normalise_digits
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import BusinessKind, Node

# The stored precision of each figure (models.BusinessYear): digits in all, decimals.
AMOUNT = (14, 1)
STAFF_YEARS = (6, 2)
OUTPUT = (14, 2)
RATE = (12, 1)


class RegisterError(Exception):
    """Input the register refuses; `field` is the form field it is about ("" for none)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersion(RegisterError):
    """The record changed since the form was shown."""


def stale_message() -> str:
    return _(
        "Someone else changed this since you opened the page. Nothing was saved: the page now "
        "shows what is stored. Enter your change again."
    )


def parse_amount(text: str, precision: tuple[int, int]) -> Decimal | None:
    """A figure typed in a form or a cell: "1,234.5", "１２３", "△5" refused; "" → None.

    Raises ValueError with the reason (in the user's language) when it is not a figure the
    register can store.
    """
    cleaned = normalise_digits(str(text)).replace(",", "").replace(" ", "").strip()
    if cleaned in ("", "-", "－", "―"):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Enter a number, such as 1234.5.")) from None
    if not value.is_finite():
        raise ValueError(_("Enter a number, such as 1234.5."))
    if value < 0:
        raise ValueError(_("Enter a number of zero or more."))
    digits, places = precision
    if value >= Decimal(10) ** (digits - places):
        raise ValueError(_("The number is too large."))
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum):
        raise ValueError(
            _("Enter at most %(n)s digits after the decimal point.") % {"n": places}
            if places
            else _("Enter a whole number.")
        )
    return value.quantize(quantum)


def plain(value: Decimal | None) -> str:
    """A stored figure as a form shows it: 8000, 0.5 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


@dataclass
class BusinessData:
    """What a business form (or a row of the register workbook) says."""

    code: str
    name: str
    department: Department
    kind_name: str = ""
    purpose: str = ""
    target: str = ""
    output_name: str = ""
    output_unit: str = ""
    nodes: list[Node] = field(default_factory=list)
    active: bool = True


def check_business(organization: Organization, data: BusinessData, business: Business | None):
    """Raise RegisterError for the first field that cannot be stored."""
    if not data.code:
        raise RegisterError(_("Enter the business number."), "code")
    if len(data.code) > 40:
        raise RegisterError(_("The business number is too long: 40 characters at most."), "code")
    taken = Business.objects.filter(organization=organization, code=data.code)
    if business is not None:
        taken = taken.exclude(pk=business.pk)
    if taken.exists():
        raise RegisterError(
            _("The business number %(code)s is already used by another business.")
            % {"code": data.code},
            "code",
        )
    if not data.name:
        raise RegisterError(_("Enter the business name."), "name")
    if len(data.name) > 300:
        raise RegisterError(_("The business name is too long: 300 characters at most."), "name")
    if data.department.organization_id != organization.pk:
        raise RegisterError(_("Choose a department of this organization."), "department")
    if len(data.kind_name) > 100:
        raise RegisterError(_("The kind is too long: 100 characters at most."), "kind")
    if len(data.output_name) > 200:
        raise RegisterError(
            _("The output measure is too long: 200 characters at most."), "output_name"
        )
    if len(data.output_unit) > 20:
        raise RegisterError(_("The unit is too long: 20 characters at most."), "output_unit")
    if any(n.plan.organization_id != organization.pk for n in data.nodes):
        raise RegisterError(_("Choose items of this organization's plans."), "nodes")


def kind_named(organization: Organization, name: str) -> BusinessKind | None:
    """The organization's 種別 of that name, created when new; None for no name."""
    if not name:
        return None
    kind, _created = BusinessKind.objects.get_or_create(organization=organization, name=name)
    return kind


def _write(business: Business, data: BusinessData) -> None:
    business.code = data.code
    business.name = data.name
    business.department = data.department
    business.kind = kind_named(business.organization, data.kind_name)
    business.purpose = data.purpose
    business.target = data.target
    business.output_name = data.output_name
    business.output_unit = data.output_unit
    business.active = data.active


def _set_nodes(business: Business, nodes: list[Node]) -> None:
    wanted = list(dict.fromkeys(nodes))
    BusinessNode.objects.filter(business=business).delete()
    BusinessNode.objects.bulk_create(
        BusinessNode(business=business, node=node, order=i) for i, node in enumerate(wanted, 1)
    )


def _bump(model, pk: int, version: int) -> None:
    """Raise the version, or StaleVersion when the row is not at `version` any more."""
    if not model.objects.filter(pk=pk, version=version).update(version=F("version") + 1):
        raise StaleVersion(stale_message())


@transaction.atomic
def add_business(organization: Organization, data: BusinessData) -> Business:
    check_business(organization, data, None)
    last = Business.objects.filter(organization=organization).order_by("-order").first()
    business = Business(organization=organization, order=(last.order + 1) if last else 1)
    _write(business, data)
    business.save()
    _set_nodes(business, data.nodes)
    return business


@transaction.atomic
def update_business(business: Business, data: BusinessData, *, version: int) -> Business:
    check_business(business.organization, data, business)
    _bump(Business, business.pk, version)
    business.refresh_from_db()
    _write(business, data)
    business.save()
    _set_nodes(business, data.nodes)
    return business


@dataclass
class YearData:
    fiscal_year: int
    budget: Decimal | None = None
    settlement: Decimal | None = None
    staff_years: Decimal | None = None
    output: Decimal | None = None

    @property
    def empty(self) -> bool:
        return all(v is None for v in (self.budget, self.settlement, self.staff_years, self.output))


@transaction.atomic
def save_year(business: Business, data: YearData, *, version: int) -> bool:
    """Store one FY's figures (all blank: the FY's figures are removed); False if nothing
    changed. The business's version guards the figures as well."""
    if not 1900 <= data.fiscal_year <= 2200:
        raise RegisterError(_("Enter a fiscal year such as 2024."), "fiscal_year")
    _bump(Business, business.pk, version)
    found = BusinessYear.objects.filter(business=business, fiscal_year=data.fiscal_year).first()
    if data.empty:
        if found is None:
            return False
        if found.direction:  # the 方向性 carried in stays; only the figures go
            found.budget = found.settlement = found.staff_years = found.output = None
            found.save()
        else:
            found.delete()
        return True
    if found is None:
        found = BusinessYear(business=business, fiscal_year=data.fiscal_year)
    before = (found.budget, found.settlement, found.staff_years, found.output)
    after = (data.budget, data.settlement, data.staff_years, data.output)
    if found.pk and before == after:
        return False
    found.budget, found.settlement, found.staff_years, found.output = after
    found.save()
    return True


@transaction.atomic
def save_settings(organization: Organization, staff_rate: Decimal, *, version: int) -> None:
    settings = RegisterSettings.of(organization)
    _bump(RegisterSettings, settings.pk, version)
    RegisterSettings.objects.filter(pk=settings.pk).update(staff_rate=staff_rate)
