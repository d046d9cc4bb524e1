"""Many councils at once (bulk_create): an organization, a 課, a plan of three nodes, a yearly
round with its sheets, for the federation's lists at 3 or 1,800 councils."""

from __future__ import annotations

from datetime import date

from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import Node, Plan
from shinchoku.rounds.models import Report, Round

PREFECTURES = ["13", "27", "01"]  # 東京都, 大阪府, 北海道: every third council
SHEET_STATUSES = [Report.Status.APPROVED, Report.Status.SUBMITTED, Report.Status.DRAFT]


def bulk_councils(n: int, *, start: int = 0, deadline: date = date(2100, 5, 31)) -> list[Plan]:
    """`n` councils numbered from `start`; council i is in PREFECTURES[i % 3], every fourth is a
    municipality, every fifth plan has no round and every seventh round is closed and published."""
    numbers = range(start, start + n)
    orgs = Organization.objects.bulk_create(
        Organization(
            slug=f"fed-{i:04d}",
            name=f"連合テスト{i:04d}社会福祉協議会",
            kind=Organization.Kind.MUNICIPALITY if i % 4 == 3 else Organization.Kind.COUNCIL,
            prefecture=PREFECTURES[i % 3],
        )
        for i in numbers
    )
    departments = Department.objects.bulk_create(
        Department(organization=org, name=name, order=k)
        for org in orgs
        for k, name in enumerate(["総務課", "地域福祉課", "生活支援課"])
    )
    plans = Plan.objects.bulk_create(
        Plan(
            organization=org,
            slug=f"fed-plan-{i:04d}",
            title=f"第1次連合テスト{i:04d}地域福祉活動計画",
            kind=Plan.Kind.ACTIVITY_PLAN,
            first_fy=2024,
            last_fy=2028,
            level_names=["基本目標", "事業"],
        )
        for i, org in zip(numbers, orgs, strict=True)
    )
    goals = Node.objects.bulk_create(
        Node(plan=p, key="goal-1", level=1, seq=1, label="1", title="目標") for p in plans
    )
    Node.objects.bulk_create(
        Node(plan=p, parent=g, key=f"item-{k}", level=2, seq=1 + k, label=str(k), title="事業")
        for p, g in zip(plans, goals, strict=True)
        for k in (1, 2)
    )
    with_round = [(i, p) for i, p in zip(numbers, plans, strict=True) if i % 5 != 4]
    rounds = Round.objects.bulk_create(
        Round(
            plan=p,
            fy=2024,
            deadline=deadline,
            status=Round.Status.CLOSED if i % 7 == 6 else Round.Status.OPEN,
            published=i % 7 == 6,  # a closed round is published: the plan is on /public/
        )
        for i, p in with_round
    )
    by_org: dict[int, list[Department]] = {}
    for d in departments:
        by_org.setdefault(d.organization_id, []).append(d)
    Report.objects.bulk_create(
        Report(round=r, department=d, status=status)
        for r, (_i, p) in zip(rounds, with_round, strict=True)
        for d, status in zip(by_org[p.organization_id], SHEET_STATUSES, strict=True)
    )
    return plans
