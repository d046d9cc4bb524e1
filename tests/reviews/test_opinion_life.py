"""An opinion's whole life through the browser: a committee member enters it, the 管理者 assigns
it, the department answers (対応中) and closes it (対応済); who may do what at each step, 見送り
with its reason, stale forms refused, and the history of every change."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from shinchoku.reviews.models import Opinion, OpinionEvent
from shinchoku.rounds import services as round_services
from shinchoku.rounds.models import Report
from tests.conftest import login_client
from tests.reviews.helpers import (
    DEPT,
    action_plan,
    dept,
    item_of,
    other_dept,
    plan_url,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return action_plan()


@pytest.fixture
def admin():
    return login_client("op-admin", role="admin")


@pytest.fixture
def staff():
    return login_client("op-staff", role="staff", departments=(DEPT,))


@pytest.fixture
def approver():
    return login_client("op-chief", role="approver", departments=(DEPT,))


@pytest.fixture
def other_staff():
    return login_client("op-other", role="staff", departments=(other_dept().name,))


@pytest.fixture
def member():
    return login_client("op-member", role="viewer")


def enter(client, plan, text="相談窓口の周知を強めてほしい", target=None) -> Opinion:
    item = item_of(plan, dept(DEPT))
    response = client.post(
        plan_url("new"),
        {
            "fy": "2019",
            "target": target if target is not None else f"node:{item.key}",
            "text": text,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Opinion.objects.get(plan=plan, fy=2019, text=text)


def post(client, name, opinion, **data):
    opinion.refresh_from_db()
    data.setdefault("version", str(opinion.version))
    return client.post(url(name, opinion), data)


def test_an_opinion_from_entry_to_answered(plan, admin, staff, approver, other_staff, member):
    opinion = enter(member, plan)
    assert opinion.number == 1 and opinion.origin == "member" and opinion.status == "open"
    assert opinion.department is None and opinion.author == member.user
    # The member corrects their own opinion while it is 未対応.
    assert (
        post(
            member,
            "edit",
            opinion,
            text="相談窓口の周知を強めてほしい。",
            target=f"node:{opinion.node_key}",
        ).status_code
        == 302
    )
    # Only the 管理者 assigns it.
    assert post(member, "assign", opinion, department=dept(DEPT).pk).status_code == 403
    assert post(staff, "assign", opinion, department=dept(DEPT).pk).status_code == 403
    assert post(admin, "assign", opinion, department=dept(DEPT).pk).status_code == 302
    # A member and another department cannot answer.
    answer = {"policy": "広報紙で周知する", "action": "社協だよりに掲載した"}
    assert post(member, "answer", opinion, **answer).status_code == 403
    assert post(other_staff, "answer", opinion, **answer).status_code == 403
    assert post(other_staff, "status", opinion, status="done").status_code == 403
    # The department answers: 未対応 → 対応中.
    assert post(staff, "answer", opinion, **answer).status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "in_progress" and opinion.policy == "広報紙で周知する"
    # No longer 未対応: the member cannot change it any more.
    assert post(member, "edit", opinion, text="変更", target="").status_code == 403
    # The approver closes it: 対応済.
    assert post(approver, "status", opinion, status="done").status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "done" and opinion.is_closed
    # Every change is in the history, with the fields before and after.
    events = list(OpinionEvent.objects.filter(opinion=opinion).order_by("at", "id"))
    assert [e.action for e in events] == ["create", "edit", "assign", "answer", "status"]
    assert events[0].changes["text"] == ["", "相談窓口の周知を強めてほしい"]
    assert events[1].changes["text"] == [
        "相談窓口の周知を強めてほしい",
        "相談窓口の周知を強めてほしい。",
    ]
    assert events[2].changes["department"] == [None, DEPT]
    assert events[3].changes["status"] == ["open", "in_progress"]
    assert (events[3].from_status, events[3].to_status) == ("open", "in_progress")
    assert events[4].changes == {"status": ["in_progress", "done"]}
    assert [e.user_name for e in events] == [
        "op-member",
        "op-member",
        "op-admin",
        "op-staff",
        "op-chief",
    ]
    page = member.get(url("detail", opinion)).content.decode()
    item = item_of(plan, dept(DEPT))
    assert f"対象: 「{item.label} {item.title}」" in page  # the history names the item, not its key
    for words in ("対応済", "広報紙で周知する", "社協だよりに掲載した", "op-chief", "対応中"):
        assert words in page
    assert 'name="policy"' not in page  # a member sees no answer form


def test_the_admin_records_from_the_minutes_and_marks_public(plan, admin, member):
    response = admin.post(
        plan_url("new"),
        {
            "fy": "2019",
            "target": "",
            "text": "計画全体の進捗を分かりやすく",
            "department": dept(DEPT).pk,
            "author_name": "委員長",
        },
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get(plan=plan, text="計画全体の進捗を分かりやすく")
    assert opinion.origin == "minutes" and opinion.department.name == DEPT
    assert opinion.author_name == "委員長" and opinion.node_key == ""
    assert post(member, "public", opinion, public="1").status_code == 403
    assert post(admin, "public", opinion, public="1").status_code == 302
    opinion.refresh_from_db()
    assert opinion.public
    assert opinion.events.first().action == "publish"


def test_numbers_run_per_plan_and_fy(plan, admin):
    a = enter(admin, plan, "一つ目")
    b = enter(admin, plan, "二つ目")
    assert (a.number, b.number) == (1, 2)


def test_declining_needs_a_reason(plan, admin, staff):
    opinion = enter(admin, plan)
    post(admin, "assign", opinion, department=dept(DEPT).pk)
    opinion.refresh_from_db()
    version, events = opinion.version, opinion.events.count()
    response = post(staff, "status", opinion, status="declined", reason="  ")
    assert response.status_code == 422
    assert (
        "見送りの理由: 見送りにするときは、その理由を入力してください。"
        in response.content.decode()
    )
    # The message also stands beside the reason's field, which is marked invalid.
    html = response.content.decode()
    assert 'aria-describedby="status-reason_helptext status-reason_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'class="field-error" id="status-reason_error">見送りにするときは' in html
    opinion.refresh_from_db()
    assert (opinion.status, opinion.version, opinion.events.count()) == ("open", version, events)
    response = post(
        staff, "status", opinion, status="declined", reason="予算の都合で次期計画で検討する"
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == "declined" and opinion.reason == "予算の都合で次期計画で検討する"


def test_a_stale_form_is_refused_and_nothing_changes(plan, admin, staff, approver):
    opinion = enter(admin, plan)
    post(admin, "assign", opinion, department=dept(DEPT).pk)
    opinion.refresh_from_db()
    loaded = opinion.version  # both open the page
    assert post(staff, "answer", opinion, policy="方針A", version=str(loaded)).status_code == 302
    opinion.refresh_from_db()
    before = (opinion.policy, opinion.status, opinion.version, opinion.events.count())
    response = post(approver, "answer", opinion, policy="方針B", version=str(loaded))
    assert response.status_code == 409
    page = response.content.decode()
    assert "画面を開いた後に、op-staffさんがこの意見" in page
    assert "方針B" in page  # the typed answer is kept in the form
    opinion.refresh_from_db()
    assert (opinion.policy, opinion.status, opinion.version, opinion.events.count()) == before
    assert post(approver, "status", opinion, status="done", version="").status_code == 409


def test_bad_input_names_the_field(plan, admin):
    response = admin.post(plan_url("new"), {"fy": "2019", "target": "", "text": " "})
    assert response.status_code == 422
    assert "意見: 入力してください。" in response.content.decode()
    response = admin.post(plan_url("new"), {"fy": "1999", "target": "", "text": "x"})
    # The error summary names the field by its label and links to it.
    assert (
        '<a href="#opinion-fy">対象年度（委員会が評価した年度）: 計画期間'
        in response.content.decode()
    )
    response = admin.post(plan_url("new"), {"fy": "2019", "target": "node:nope", "text": "x"})
    assert "対象: この計画にない項目" in response.content.decode()
    assert not Opinion.objects.filter(plan=plan).exists()


def test_bad_input_is_refused_in_english_in_the_english_ui(plan, admin, staff):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin.post(plan_url("new"), {"fy": "2019", "target": "", "text": " "})
    assert response.status_code == 422
    assert "Opinion: Fill this in." in response.content.decode()
    response = admin.post(plan_url("new"), {"fy": "1999", "target": "", "text": "x"})
    assert (
        "Fiscal year the committee read: Choose a fiscal year of the plan ("
        in response.content.decode()
    )
    opinion = enter(admin, plan)
    post(admin, "assign", opinion, department=dept(DEPT).pk)
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = post(staff, "status", opinion, status="declined", reason="  ")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Reason for not taking it up: To mark it not taken up, enter the reason." in page
    assert "見送りにするときは" not in page
    response = admin.post(plan_url("new"), {"fy": "2019", "target": "node:nope", "text": "x"})
    assert "Concerns: This item or indicator is not in the plan." in response.content.decode()


def test_a_committee_member_cannot_approve_sheets(plan, admin, staff):
    round_ = round_services.open_round(plan, 2020, date(2021, 5, 31), admin.user)
    report = round_.reports.get(department__name=DEPT)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    report.refresh_from_db()
    member = login_client("op-member2", role="viewer")
    from django.urls import reverse

    approve = reverse("rounds:approve", args=[plan.slug, 2020, report.department_id])
    response = member.post(approve, {"version": str(report.version)})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
