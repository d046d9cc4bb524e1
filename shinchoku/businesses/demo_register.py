"""Demo register of 事務事業 (see demo.py).

The council of the demo action plan gets one business per 実施項目 that names a 種別 and a
担当課: named after the item, in its first department, of its first kind, carrying out the
item, with figures for FY2019–FY2021 made up from a generator seeded with the business number
(the same on every run). Loading twice changes nothing; without the action plan, nothing is done.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from shinchoku.businesses.models import Business, BusinessNode, BusinessYear, RegisterSettings
from shinchoku.plans.models import Node, Plan

ACTION_PLAN = "nishitokyo-action-plan-2019"
YEARS = (2019, 2020, 2021)
PURPOSE_WORDS = ("目的", "方向性")


def _purpose(node: Node) -> str:
    for section in node.sections.all():
        if any(word in section.heading for word in PURPOSE_WORDS) and section.body:
            return "\n".join(str(line) for line in section.body)[:2000]
    return ""


def _figures(code: str) -> list[tuple[int, dict[str, Decimal]]]:
    """Plausible budget, settlement, person-years and output per FY, the same on every run."""
    rng = random.Random(f"shinchoku-demo-register-{code}")  # noqa: S311 (demo figures, fixed seed)
    budget = Decimal(rng.randrange(1500, 60000))
    staff = Decimal(rng.randrange(1, 16)) / 10  # 0.1–1.5 人工
    output = Decimal(rng.randrange(20, 1500))
    out = []
    for fy in YEARS:
        settlement = (budget * Decimal(rng.randrange(82, 100)) / 100).quantize(Decimal(1))
        out.append(
            (
                fy,
                {
                    "budget": budget,
                    "settlement": settlement,
                    "staff_years": staff,
                    "output": output,
                },
            )
        )
        budget = (budget * Decimal(rng.randrange(95, 110)) / 100).quantize(Decimal(1))
        staff = min(
            Decimal("1.5"), max(Decimal("0.1"), staff + Decimal(rng.choice((-1, 0, 1))) / 10)
        )
        output = (output * Decimal(rng.randrange(90, 120)) / 100).quantize(Decimal(1))
    return out


@transaction.atomic
def load() -> list[Business]:
    """The demo council's register; the businesses it holds (none without the action plan)."""
    plan = Plan.objects.filter(slug=ACTION_PLAN).select_related("organization").first()
    if plan is None:
        return []
    organization = plan.organization
    RegisterSettings.of(organization)
    items = (
        Node.objects.filter(plan=plan, nodedepartment__isnull=False, nodekind__isnull=False)
        .distinct()
        .order_by("seq")
        .prefetch_related("nodedepartment_set__department", "nodekind_set__kind", "sections")
        .prefetch_related("indicators")
    )
    loaded = []
    used: set[str] = set()
    for order, node in enumerate(items, 1):
        code = (node.label or node.key).strip()
        if code in used:
            code = node.key
        used.add(code)
        department = node.nodedepartment_set.all()[0].department
        kind = node.nodekind_set.all()[0].kind
        indicator = next(iter(node.indicators.all()), None)
        business, created = Business.objects.get_or_create(
            organization=organization,
            code=code,
            defaults={
                "name": node.title[:300],
                "department": department,
                "kind": kind,
                "purpose": _purpose(node),
                "output_name": indicator.name[:200] if indicator else "実施回数",
                "output_unit": (indicator.unit[:20] if indicator else "回"),
                "order": order,
            },
        )
        loaded.append(business)
        if not created:
            continue  # loaded before (or kept by the council since): left as it is
        BusinessNode.objects.create(business=business, node=node, order=1)
        BusinessYear.objects.bulk_create(
            BusinessYear(business=business, fiscal_year=fy, **figures)
            for fy, figures in _figures(code)
        )
    return loaded
