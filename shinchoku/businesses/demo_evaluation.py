"""Demo evaluation year of 事務事業 (see demo.py).

For the action plan's council: the 事務局長 (`<org>-director`, a 管理者) and, when the register's
demo made businesses, the previous three-year cycle (FY2017–FY2019, as the product proposes it)
with its last year's round open: a sheet per business slotted in FY2019, one of them already
handed to the section chief. The next cycle is left to the user: the 管理者 proposes the FY2020
rotation (the businesses evaluated in FY2019 go to FY2022), starts the FY2020 round, and the staff,
the 課長 and the 事務局長 complete its sheets. Idempotent: a second load adds what is missing and
changes no sheet that exists.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shinchoku.accounts.models import Membership, Role
from shinchoku.businesses import rounds
from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    EvaluationRound,
    Judgement,
    Rotation,
    Stage,
)
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Plan

ACTION_PLAN = "nishitokyo-action-plan-2019"
FIRST_FY = 2017  # the cycle before the plan's second year: FY2017–FY2019
OPEN_FY = 2019  # its last year, in progress
DIRECTOR_NAME = "事務局長"


def _director(organization: Organization):
    from shinchoku.accounts.management.commands.create_demo_users import DEMO_PASSWORD, _demo_user

    user = _demo_user(f"{organization.slug}-director", DIRECTOR_NAME, DEMO_PASSWORD)
    Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": Role.ADMIN}
    )
    return user


def _rotation(organization: Organization, director) -> Rotation:
    """The FY2017 cycle as the product proposes it (balanced by department), saved once."""
    from shinchoku.businesses import rotation as rotations

    existing = Rotation.objects.filter(organization=organization, first_fy=FIRST_FY).first()
    if existing is not None:
        return existing
    proposal = rotations.propose(organization, FIRST_FY)
    rotations.save_proposal(organization, FIRST_FY, proposal.assignment, user=director, version=0)
    return Rotation.objects.get(organization=organization, first_fy=FIRST_FY)


def _handed_to_chief(sheet: BusinessEvaluation, staff) -> None:
    business = sheet.business
    sheet.purpose_target = business.purpose or f"{business.name}の対象者に必要な支援を届ける。"
    sheet.activity = "年間を通じて事業を実施した。実績は下表のとおり。"
    sheet.outcome = "利用者・関係機関からの相談や参加が前年度より増え、地域での認知が進んだ。"
    sheet.issues = "担い手の確保と、関係機関との役割分担の整理が課題である。"
    sheet.self_judgement = Judgement.IMPROVE
    sheet.self_reason = "事業の必要性は高いが、実施方法を見直して担い手の負担を減らす必要がある。"
    sheet.self_by = staff
    sheet.self_at = timezone.now()
    sheet.stage = Stage.CHIEF
    sheet.save()


def load() -> None:
    """The 事務局長 and, if the register has businesses, the FY2017 cycle's FY2019 round."""
    plan = Plan.objects.select_related("organization").filter(slug=ACTION_PLAN).first()
    if plan is None:
        return
    organization = plan.organization
    with transaction.atomic():
        director = _director(organization)
        if not Business.objects.filter(organization=organization, active=True).exists():
            return
        _rotation(organization, director)
        round_ = EvaluationRound.objects.filter(
            organization=organization, fiscal_year=OPEN_FY
        ).first()
        new = []
        if round_ is None:
            round_ = rounds.start_round(organization, OPEN_FY, director)
            new = list(round_.evaluations.select_related("business__department"))
        if new and not round_.evaluations.exclude(stage=Stage.SELF).exists():
            first_department = organization.departments.order_by("order", "id").first()
            chosen = next(
                (s for s in new if s.business.department_id == getattr(first_department, "pk", 0)),
                new[0],
            )
            staff = (
                Membership.objects.filter(
                    organization=organization,
                    role=Role.STAFF,
                    departments=chosen.business.department,
                )
                .select_related("user")
                .first()
            )
            _handed_to_chief(chosen, staff.user if staff else None)
