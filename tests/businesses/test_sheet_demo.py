"""The demo's evaluation year: the 事務局長, the FY2017–FY2019 rotation as proposed and its FY2019
round, one sheet at the section chief's; loaded twice, nothing doubles and no sheet is reset; the
FY2020 rotation is left for the user to propose."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shinchoku.accounts.models import Membership, Role
from shinchoku.businesses import demo_evaluation
from shinchoku.businesses.models import BusinessEvaluation, EvaluationRound, Rotation, Stage
from shinchoku.orgs.models import Organization
from tests.businesses.sheet_helpers import department, make_business, other_department
from tests.conftest import COUNCIL

pytestmark = pytest.mark.django_db


def test_without_businesses_the_demo_makes_only_the_director():
    demo_evaluation.load()
    director = get_user_model().objects.get(username=f"{COUNCIL}-director")
    assert director.last_name == "事務局長" and director.check_password("shinchoku-demo")
    assert Membership.objects.get(user=director).role == Role.ADMIN
    assert not Rotation.objects.exists() and not EvaluationRound.objects.exists()


def test_the_demo_rotation_and_round_of_fy2019_leave_fy2020_to_propose():
    org = Organization.objects.get(slug=COUNCIL)
    for n in range(7):
        dept = department() if n % 2 else other_department()
        make_business(org, dept, code=f"D-{n}", name=f"事業{n}")
    demo_evaluation.load()
    rotation = Rotation.objects.get(organization=org, first_fy=2017)
    per_fy = [rotation.slots.filter(fiscal_year=fy).count() for fy in (2017, 2018, 2019)]
    assert sorted(per_fy) == [2, 2, 3]  # a third each year, balanced (core.rotation)
    round_ = EvaluationRound.objects.get(organization=org, fiscal_year=2019)
    assert round_.status == EvaluationRound.Status.OPEN
    sheets = list(round_.evaluations.all())
    assert len(sheets) == per_fy[2]
    chief = [s for s in sheets if s.stage == Stage.CHIEF]
    assert len(chief) == 1 and all(s.stage == Stage.SELF for s in sheets if s not in chief)
    assert chief[0].outcome and chief[0].self_judgement and chief[0].self_reason
    # a second load adds nothing and resets nothing
    BusinessEvaluation.objects.filter(pk=chief[0].pk).update(stage=Stage.DIRECTOR)
    demo_evaluation.load()
    assert rotation.slots.count() == 7 and round_.evaluations.count() == per_fy[2]
    assert round_.evaluations.filter(stage=Stage.DIRECTOR).count() == 1
    assert get_user_model().objects.filter(username=f"{COUNCIL}-director").count() == 1
    # The next cycle is the user's to propose: FY2019's businesses go three years on, to FY2022.
    from shinchoku.businesses import rotation as rotations

    proposal = rotations.propose(org, 2020)
    assert not proposal.blocked and not proposal.short
    evaluated_2019 = {s.business_id for s in sheets}
    assert {proposal.assignment[pk] for pk in evaluated_2019} == {2022}
