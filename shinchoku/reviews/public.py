"""The opinions a published round shows: those the 管理者 marked public, with their answers."""

from __future__ import annotations

from shinchoku.plans.models import Plan
from shinchoku.reviews.listing import OpinionRow, plan_opinions, rows
from shinchoku.reviews.targets import Targets
from shinchoku.rounds.models import Round


def public_opinions(plan: Plan, fy: int) -> list[OpinionRow]:
    """The public opinions of the plan's FY, when that FY's round is published; else []."""
    if plan.is_draft or plan.is_external:
        return []
    published = Round.objects.filter(
        plan=plan, fy=fy, published=True, status=Round.Status.CLOSED
    ).exists()
    if not published:
        return []
    opinions = list(plan_opinions(plan).filter(fy=fy, public=True))
    if not opinions:
        return []
    return rows(plan, opinions, Targets.load(plan))
