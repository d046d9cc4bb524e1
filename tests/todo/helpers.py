"""Rounds, sheets and opinions for the to-do page tests, made through the rounds' own services.

Two councils: Nishitokyo's demo action plan (3 departments, indicators) and the fixture council's
plan typed into the workbook (みどり市, 事業 rows under 担当係, no indicators). Deadlines are set
from today, so that days left and lateness read the same whatever day the tests run.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shinchoku.orgs.models import Department
from shinchoku.plans.models import Plan
from shinchoku.reviews.models import Opinion
from shinchoku.rounds import final_services, services
from shinchoku.rounds.models import Report, Round
from tests.conftest import COUNCIL

ACTION = "nishitokyo-action-plan-2019"
MINE = "福祉支援課"  # the staff's and approver's department in the tests
SUBMITTER = "総務課"  # another department of the council: submitted / approved
SLOW = "福祉活動推進課"  # another department of the council: not started
COMMENT = "指標の実績値の単位を確認してください。"


def today() -> date:
    return timezone.localdate()


def dept(name: str, org: str = COUNCIL) -> Department:
    return Department.objects.get(organization__slug=org, name=name)


def set_status(round_: Round, name: str, status: str, comment: str = "", org: str = COUNCIL):
    report = Report.objects.get(round=round_, department=dept(name, org))
    report.status = status
    report.return_comment = comment
    if status in (Report.Status.SUBMITTED, Report.Status.APPROVED):
        report.submitted_at = timezone.now()
    if status == Report.Status.APPROVED:
        report.approved_at = timezone.now()
    report.save()
    return report


def council_rounds(user) -> dict[str, Round]:
    """The action plan: FY2020 due in 5 days, FY2021 3 days late, the final evaluation in 20.

    FY2020: 福祉支援課 returned with a comment, 総務課 submitted, 福祉活動推進課 not started.
    FY2021: 福祉支援課 in progress (draft), 総務課 approved, 福祉活動推進課 not started.
    Final: every sheet not started.
    """
    plan = Plan.objects.get(slug=ACTION)
    r20 = services.open_round(plan, 2020, today() + timedelta(days=5), user)
    set_status(r20, MINE, Report.Status.RETURNED, COMMENT)
    set_status(r20, SUBMITTER, Report.Status.SUBMITTED)
    r21 = services.open_round(plan, 2021, today() - timedelta(days=3), user)
    set_status(r21, MINE, Report.Status.DRAFT)
    set_status(r21, SUBMITTER, Report.Status.APPROVED)
    final = final_services.open_final_round(plan, today() + timedelta(days=20), user)
    return {"2020": r20, "2021": r21, "final": final}


def opinions(plan: Plan, fy: int, statuses: list[str], department: Department | None = None):
    """Opinions of the committee on the plan's FY, numbered from 1, one per status given."""
    for number, status in enumerate(statuses, start=1):
        Opinion.objects.create(
            plan=plan,
            fy=fy,
            number=number,
            text=f"意見{number}",
            status=status,
            department=department,
        )


def main_of(response) -> str:
    """The page's <main>, whatever the header and menu hold."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def text_of(html: str) -> str:
    """Text without tags, spaces collapsed, for phrases that span elements."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def links_of(html: str) -> list[str]:
    return sorted(set(m.replace("&amp;", "&") for m in re.findall(r'href="([^"#]+)"', html)))


def assert_links_open(client, html: str) -> list[str]:
    """Every link of the page opens for the user (200), followed with the test client."""
    links = links_of(html)
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, (link, response.status_code)
    return links


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)
