"""Shared pieces of the evaluation sheet tests: a business of the demo council with figures, an
open round with its sheet (made with the ORM: the rounds are another page's work), and users."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    BusinessNode,
    BusinessYear,
    EvaluationRound,
    RegisterSettings,
)
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import BusinessKind, Node
from tests.conftest import CITY_ORG, COUNCIL, login_client

DEPT = "福祉支援課"
FY = 2020


def department(name: str = DEPT, org: str = COUNCIL) -> Department:
    return Department.objects.get(organization__slug=org, name=name)


def other_department(org: str = COUNCIL) -> Department:
    return Department.objects.filter(organization__slug=org).exclude(name=DEPT).first()


def make_business(
    organization: Organization, dept: Department, *, code: str = "T-1", name: str = "見守り事業"
) -> Business:
    """A business with its kind, the department's first plan item and figures of FY-1 and FY."""
    kind = BusinessKind.objects.filter(organization=organization).first()
    business = Business.objects.create(
        organization=organization,
        code=code,
        name=name,
        department=dept,
        kind=kind,
        purpose="地域で孤立しがちな高齢者を見守る。",
        output_name="訪問件数",
        output_unit="件",
    )
    node = Node.objects.filter(departments=dept).order_by("plan_id", "seq").first()
    if node is not None:
        BusinessNode.objects.create(business=business, node=node)
    for fy, settlement in ((FY - 1, "1200"), (FY, "1500")):
        BusinessYear.objects.create(
            business=business,
            fiscal_year=fy,
            budget=Decimal("1600"),
            settlement=Decimal(settlement),
            staff_years=Decimal("0.5"),
            output=Decimal("250"),
        )
    return business


def make_sheet(
    *, org: str = COUNCIL, dept: Department | None = None, fy: int = FY, code: str = "T-1", **fields
) -> BusinessEvaluation:
    organization = Organization.objects.get(slug=org)
    RegisterSettings.objects.update_or_create(
        organization=organization, defaults={"staff_rate": Decimal("8000")}
    )
    business = make_business(organization, dept or department(org=org), code=code)
    round_, _ = EvaluationRound.objects.get_or_create(organization=organization, fiscal_year=fy)
    return BusinessEvaluation.objects.create(round=round_, business=business, **fields)


def sheet_url(sheet: BusinessEvaluation) -> str:
    return reverse(
        "businesses:evaluation_sheet",
        args=[sheet.round.organization.slug, sheet.round.fiscal_year, sheet.pk],
    )


def stage_url(sheet: BusinessEvaluation, stage: str, *, back: bool = False) -> str:
    name = "businesses:evaluation_return" if back else "businesses:evaluation_stage"
    return reverse(
        name, args=[sheet.round.organization.slug, sheet.round.fiscal_year, sheet.pk, stage]
    )


def users() -> dict:
    """A client for each role: the department's staff and approver, another department's, the
    管理者 (事務局長), a viewer and a 管理者 of another organization."""
    other = other_department().name
    return {
        "staff": login_client("ev-staff", role="staff", departments=(DEPT,)),
        "approver": login_client("ev-approver", role="approver", departments=(DEPT,)),
        "admin": login_client("ev-director", role="admin"),
        "other_staff": login_client("ev-other-staff", role="staff", departments=(other,)),
        "other_approver": login_client("ev-other-approver", role="approver", departments=(other,)),
        "viewer": login_client("ev-viewer", role="viewer"),
        "outsider": login_client("ev-outsider", role="admin", org_slug=CITY_ORG),
    }
