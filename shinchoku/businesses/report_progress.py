"""How far the three-year rotation has come: businesses evaluated so far / all, per department.

The figure feeds the plan's own indicator 評価事務事業数 (item 15 「事務事業評価の実施」 of the
action plan, target 総事務事業数の3分の1 each year). The convention that links them: an indicator
of a plan of the same organization whose name contains 「評価事務事業数」 (INDICATOR_NAME) is
shown the figure as a hint on its page (see docs/businesses.md). Nothing is written into the
indicator's values: its actual is reported by its department in the plan's round, as any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext

from shinchoku.businesses.models import (
    BusinessEvaluation,
    EvaluationRound,
    Rotation,
    RotationSlot,
    Stage,
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
    """The rotation's progress as of `fy`; None when no rotation covers it. One query: the
    rotation's slots with the rotation, each marked with whether its business's evaluation is
    done in the rotation's rounds up to `fy`, and in `fy`'s (a rotation without slots: two)."""
    covering = Rotation.objects.filter(
        organization=organization, first_fy__lte=fy, first_fy__gte=fy - 2
    ).order_by("-first_fy")

    def done(**years) -> Exists:
        return Exists(
            BusinessEvaluation.objects.filter(
                business_id=OuterRef("business_id"),
                round__organization=organization,
                stage=Stage.DONE,
                **years,
            )
        )

    slots = list(
        RotationSlot.objects.filter(rotation_id=Subquery(covering.values("pk")[:1]))
        .select_related("rotation", "business__department")
        .annotate(
            done_any=done(
                round__fiscal_year__gte=OuterRef("rotation__first_fy"), round__fiscal_year__lte=fy
            ),
            done_this_year=done(round__fiscal_year=fy),
        )
        .order_by("business__department__order", "business__department__id")
    )
    rotation = slots[0].rotation if slots else covering.first()
    if rotation is None:
        return None
    by_name: dict[str, DepartmentProgress] = {}
    for s in slots:
        d = by_name.setdefault(
            s.business.department.name, DepartmentProgress(s.business.department.name)
        )
        d.total += 1
        d.done += s.done_any
        if s.fiscal_year == fy:
            d.this_year_total += 1
            d.this_year_done += s.done_this_year
    return RotationProgress(rotation, fy, list(by_name.values()))


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
