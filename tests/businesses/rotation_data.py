"""Registers of businesses for the rotation and round tests, made through the models."""

from __future__ import annotations

from decimal import Decimal

from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    BusinessYear,
    EvaluationRound,
    Stage,
)
from shinchoku.orgs.models import Department, Organization


def make_businesses(
    org_slug: str, per_department: dict[str, int], *, prefix: str = "B"
) -> list[Business]:
    """`per_department[name]` active businesses in each named department (made if missing)."""
    organization = Organization.objects.get(slug=org_slug)
    made = []
    order = Business.objects.filter(organization=organization).count()
    for name, n in per_department.items():
        department, _ = Department.objects.get_or_create(organization=organization, name=name)
        for _i in range(n):
            order += 1
            made.append(
                Business.objects.create(
                    organization=organization,
                    code=f"{prefix}-{order:02d}",
                    name=f"{name}の事業{order}",
                    department=department,
                    purpose="地域の見守りを広げる",
                    target="一人暮らしの高齢者",
                    output_name="訪問件数",
                    output_unit="件",
                    order=order,
                )
            )
    return made


def council_businesses(prefix: str = "B") -> list[Business]:
    """Nine businesses of the demo council, three in each of its departments."""
    return make_businesses(
        "nishitokyo-shakyo", {"総務課": 3, "福祉活動推進課": 3, "福祉支援課": 3}, prefix=prefix
    )


def evaluated_in(business: Business, fy: int, *, done: bool = True) -> BusinessEvaluation:
    """An evaluation of the business in the FY's round (the round made if missing)."""
    round_, _ = EvaluationRound.objects.get_or_create(
        organization=business.organization, fiscal_year=fy
    )
    return BusinessEvaluation.objects.create(
        round=round_,
        business=business,
        stage=Stage.DONE if done else Stage.SELF,
        director_judgement="継続" if done else "",
    )


def figures(business: Business, fy: int, **values) -> BusinessYear:
    defaults = {"budget": Decimal("1200"), "settlement": Decimal("1150.5"), "output": Decimal("30")}
    defaults.update(values)
    return BusinessYear.objects.create(business=business, fiscal_year=fy, **defaults)
