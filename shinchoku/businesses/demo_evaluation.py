"""Demo evaluation year of 事務事業 (see demo.py).

For the action plan's council: the 事務局長 (`<org>-director`, a 管理者) and, when the register's
demo made businesses, the three-year rotation from FY2020 and the open FY2020 round with a sheet
per business slotted there, one of them already handed to the section chief. Idempotent: a
second load adds what is missing and changes no sheet that exists.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shinchoku.accounts.models import Membership, Role
from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    EvaluationRound,
    Judgement,
    Rotation,
    RotationSlot,
    Stage,
)
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Plan

ACTION_PLAN = "nishitokyo-action-plan-2019"
FIRST_FY = 2020
DIRECTOR_NAME = "事務局長"


def _director(organization: Organization):
    from shinchoku.accounts.management.commands.create_demo_users import DEMO_PASSWORD, _demo_user

    user = _demo_user(f"{organization.slug}-director", DIRECTOR_NAME, DEMO_PASSWORD)
    Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": Role.ADMIN}
    )
    return user


def _rotation(organization: Organization, businesses: list[Business]) -> Rotation:
    """A third of the businesses each FY, in register order (round-robin).

    A stand-in for the real proposal (shinchoku/core/rotation.py, balanced by department).
    """
    rotation, _created = Rotation.objects.get_or_create(
        organization=organization, first_fy=FIRST_FY
    )
    slotted = set(rotation.slots.values_list("business_id", flat=True))
    RotationSlot.objects.bulk_create(
        RotationSlot(rotation=rotation, business=b, fiscal_year=FIRST_FY + n % 3)
        for n, b in enumerate(businesses)
        if b.pk not in slotted
    )
    return rotation


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
    """The 事務局長 and, if the register has businesses, the FY2020 evaluation round."""
    plan = Plan.objects.select_related("organization").filter(slug=ACTION_PLAN).first()
    if plan is None:
        return
    organization = plan.organization
    with transaction.atomic():
        _director(organization)
        businesses = list(Business.objects.filter(organization=organization, active=True))
        if not businesses:
            return
        rotation = _rotation(organization, businesses)
        round_, _created = EvaluationRound.objects.get_or_create(
            organization=organization, fiscal_year=FIRST_FY
        )
        new = []
        for slot in rotation.slots.filter(fiscal_year=FIRST_FY).select_related(
            "business__department"
        ):
            sheet, created = BusinessEvaluation.objects.get_or_create(
                round=round_, business=slot.business
            )
            if created:
                new.append(sheet)
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
