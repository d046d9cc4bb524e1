"""How far the three-year rotation has come: businesses evaluated so far / all, per department.

The figure feeds the plan's own indicator 評価事務事業数 (item 15 「事務事業評価の実施」 of the
action plan, target 総事務事業数の3分の1 each year). The convention that links them: an indicator
of a plan of the same organization whose name contains 「評価事務事業数」 (INDICATOR_NAME) is
shown the figure as a hint on its page (see docs/businesses.md). Nothing is written into the
indicator's values: its actual is reported by its department in the plan's round, as any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext

from shinchoku.businesses.models import (
    EvaluationRound,
    Rotation,
)
from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Organization

# The name (or part of it) of the plan indicator the rotation's progress is shown beside.
INDICATOR_NAME = "評価事務事業数"


@dataclass
class DepartmentProgress:
    name: str
    done: int = 0
    total: int = 0
    this_year_done: int = 0
    this_year_total: int = 0


@dataclass
class RotationProgress:
    """Of the rotation containing `fy`: businesses whose evaluation is done in its rounds up to
    `fy`, of all its businesses; and the same for the businesses of `fy` alone."""

    rotation: Rotation
    fy: int
    departments: list[DepartmentProgress] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(d.done for d in self.departments)

    @property
    def total(self) -> int:
        return sum(d.total for d in self.departments)

    @property
    def this_year_done(self) -> int:
        return sum(d.this_year_done for d in self.departments)

    @property
    def this_year_total(self) -> int:
        return sum(d.this_year_total for d in self.departments)


def rotation_progress(organization: Organization, fy: int) -> RotationProgress | None:
    """The rotation's progress as of `fy` by department name; None when no rotation covers it.

    The counts are the round page's (businesses.rounds.rotation_progress, one query): a
    business ended without being evaluated in the cycle leaves it.
    """
    from shinchoku.businesses.rounds import rotation_progress as cycle_progress

    cycle = cycle_progress(organization, fy)
    if cycle.rotation is None:
        return None
    rows = [
        DepartmentProgress(r.department.name, r.evaluated, r.total, r.this_year_done, r.this_year)
        for r in cycle.rows
    ]
    return RotationProgress(cycle.rotation, fy, rows)


@dataclass
class IndicatorHint:
    text: str
    url: str


def latest_round_fy(organization: Organization) -> int | None:
    return (
        EvaluationRound.objects.filter(organization=organization)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .first()
    )


def indicator_hint(indicator, fy: int | None = None) -> IndicatorHint | None:
    """「事務事業評価より: 評価済 N件 / 全M件（令和2年度）」 for the indicator 評価事務事業数.

    Only for an indicator whose name contains INDICATOR_NAME; as of the evaluation round of `fy`
    (none without one), else of the organization's latest round. No query for another indicator.
    """
    if INDICATOR_NAME not in (indicator.name or ""):
        return None
    organization = indicator.plan.organization
    if fy is None:
        fy = latest_round_fy(organization)
    elif not EvaluationRound.objects.filter(organization=organization, fiscal_year=fy).exists():
        return None
    if fy is None:
        return None
    progress = rotation_progress(organization, fy)
    if progress is None:
        return None
    text = gettext(
        "From the business evaluation: %(done)s evaluated of %(total)s in all (%(fy)s)"
    ) % {"done": progress.done, "total": progress.total, "fy": fy_label(fy)}
    return IndicatorHint(text, reverse("businesses:report", args=[organization.slug, fy]))
