"""Shared pieces of the opinions tests: the demo action plan, its users, and a few helpers."""

from __future__ import annotations

from django.urls import reverse

from shinchoku.orgs.models import Department
from shinchoku.plans.models import Node, Plan
from shinchoku.reviews.models import Opinion
from tests.conftest import COUNCIL

ACTION = "nishitokyo-action-plan-2019"
DEPT = "福祉支援課"


def action_plan() -> Plan:
    return Plan.objects.get(slug=ACTION)


def dept(name: str, org: str = COUNCIL) -> Department:
    return Department.objects.get(organization__slug=org, name=name)


def other_dept(name: str = DEPT, org: str = COUNCIL) -> Department:
    return Department.objects.filter(organization__slug=org).exclude(name=name).first()


def item_of(plan: Plan, department: Department) -> Node:
    """The first item (in document order) the department is responsible for."""
    return Node.objects.filter(plan=plan, departments=department).order_by("seq").first()


def url(name: str, opinion: Opinion) -> str:
    return reverse(f"reviews:{name}", args=[opinion.plan.slug, opinion.fy, opinion.number])


def plan_url(name: str, slug: str = ACTION) -> str:
    return reverse(f"reviews:{name}", args=[slug])
