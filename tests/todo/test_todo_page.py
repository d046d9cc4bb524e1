"""The to-do page (/todo/) for every role: what each sees, the days left, and where the links go."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.accounts.models import Membership
from shinchoku.plans.models import Plan
from shinchoku.reviews.models import Opinion
from shinchoku.rounds import services
from shinchoku.rounds.models import Report
from tests.conftest import login_client
from tests.rounds.no_figures import ORG as MIDORI
from tests.rounds.no_figures import SLUG as MIDORI_PLAN
from tests.rounds.no_figures import load_plan, make_round
from tests.todo.helpers import (
    ACTION,
    COMMENT,
    MINE,
    SLOW,
    SUBMITTER,
    assert_links_open,
    council_rounds,
    dept,
    main_of,
    opinions,
    set_status,
    text_of,
    today,
)

PAGE = reverse("todo:page")
R2020 = "令和2年度(2020年度)"
R2021 = "令和3年度(2021年度)"


def sheet(fy: int, name: str) -> str:
    return reverse("rounds:sheet", args=[ACTION, fy, dept(name).pk])


def final_sheet(name: str) -> str:
    return reverse("rounds:final_sheet", args=[ACTION, dept(name).pk])


@pytest.fixture
def admin(db):
    return login_client("todo-admin", role="admin")


@pytest.fixture
def staff(db):
    return login_client("todo-staff", role="staff", departments=(MINE,))


@pytest.fixture
def approver(db):
    return login_client("todo-approver", role="approver", departments=(MINE,))


@pytest.fixture
def rounds(admin):
    return council_rounds(admin.user)


@pytest.fixture
def midori(db):
    """The fixture council's plan: FY2024 closed and published, FY2025 open for 10 more days."""
    plan = load_plan()
    make_round(plan)  # FY2024: every sheet approved, closed, published
    user = login_client("midori-admin", role="admin", org_slug=MIDORI).user
    open_ = services.open_round(plan, 2025, today() + timedelta(days=10), user)
    return plan, open_


def test_anonymous_is_sent_to_the_login_page():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_logging_in_lands_on_the_to_do_page(db):
    user = get_user_model().objects.create_user("todo-login", password="pw-todo-login")
    Membership.objects.create(
        user=user, organization=dept(MINE).organization, role="staff"
    ).departments.set([dept(MINE)])
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "todo-login", "password": "pw-todo-login"}
    )
    assert response.status_code == 302 and response["Location"] == PAGE
    assert "やること" in main_of(client.get(response["Location"]))


def test_the_menu_links_to_the_page(staff):
    html = staff.get(reverse("plans:list")).content.decode()
    assert f'<a href="{PAGE}">やること</a>' in html


def test_staff_see_their_departments_sheets_most_urgent_first(rounds, staff):
    html = main_of(staff.get(PAGE))
    text = text_of(html)
    # Their department's three sheets, with a link each, and no other department's.
    for url in (sheet(2020, MINE), sheet(2021, MINE), final_sheet(MINE)):
        assert f'href="{url}"' in html
    for other in (SUBMITTER, SLOW):
        assert other not in text
    # Returned (with its comment) first, then the late draft, then the final not started.
    returned, late, final = (
        text.index(R2020),
        text.index(R2021),
        text.index("最終評価（令和5年度(2023年度)）"),
    )
    assert returned < late < final
    assert COMMENT in text and "差し戻しのコメント" in text
    # Deadlines in 和暦 with the days left, or how late.
    d = today() + timedelta(days=5)
    assert "あと5日" in text and "3日超過" in text and "あと20日" in text
    assert f"{d.month}月{d.day}日({d.year}年{d.month}月{d.day}日)" in text
    assert "入力中" in text and "未着手" in text
    assert "テスト" not in text  # nothing of another page leaks in
    assert "いま対応が必要なものはありません" not in text
    # Nothing of the 管理者 or the approver.
    assert "実施中の進捗調査" not in text and "承認を待っている" not in text


def test_a_handed_in_sheet_is_listed_as_done(rounds, staff):
    set_status(rounds["2021"], MINE, Report.Status.APPROVED)
    text = text_of(main_of(staff.get(PAGE)))
    done = text.index("提出済み・承認済み")
    assert text.index(R2021, done) > done  # under 提出済み・承認済み, not among the sheets to do
    assert "3日超過" not in text


def test_staff_links_open(rounds, staff):
    links = assert_links_open(staff, main_of(staff.get(PAGE)))
    assert sheet(2020, MINE) in links and final_sheet(MINE) in links


def test_an_approver_sees_the_submitted_sheets_of_their_departments_only(rounds, approver):
    set_status(rounds["2021"], MINE, Report.Status.SUBMITTED)
    html = main_of(approver.get(PAGE))
    text = text_of(html)
    approvals = text.index("承認を待っている調査票")
    assert text.index(R2021, approvals) > approvals
    assert f'href="{sheet(2021, MINE)}"' in html
    # 総務課's sheet is submitted too, but not one of the approver's departments.
    assert f'href="{sheet(2020, SUBMITTER)}"' not in html and SUBMITTER not in text
    # The approver also reports for the department: the returned sheet is there.
    assert COMMENT in text
    links = assert_links_open(approver, html)
    assert sheet(2021, MINE) in links
    # When it was submitted: 和暦 with the western year, never an ISO date.
    assert re.search(r"令和\d+年\d+月\d+日\(\d{4}年\d+月\d+日\) \d\d:\d\d 提出", text)
    assert not re.search(r"\d{4}-\d\d-\d\d", text)


def test_the_admin_sees_each_rounds_progress_late_departments_and_opinions(rounds, admin):
    plan = Plan.objects.get(slug=ACTION)
    opinions(plan, 2020, ["open", "open", "in_progress", "done", "declined"])
    html = main_of(admin.get(PAGE))
    text = text_of(html)
    assert "実施中の進捗調査" in text
    # Three open rounds, each with its counts and a bar.
    assert html.count('class="bar todo-bar"') == 3
    assert 'aria-label="承認済 1、入力中 1、未着手 1"' in html  # FY2021
    assert 'aria-label="提出済 1、差戻し 1、未着手 1"' in html  # FY2020
    # FY2021 is 3 days late: 福祉支援課 (draft) and 福祉活動推進課 (not started), not 総務課.
    assert "期限を過ぎて未提出の部署（2）" in text
    assert f'href="{sheet(2021, MINE)}"' in html and f'href="{sheet(2021, SLOW)}"' in html
    assert f'href="{sheet(2021, SUBMITTER)}"' not in html
    # FY2020 is not late yet: nobody is named late for it.
    assert f'href="{sheet(2020, SLOW)}"' not in html
    # Opinions without an answer: 2 未対応, 1 対応中, with the list.
    opinion_list = reverse("reviews:list", args=[ACTION])
    assert f'href="{opinion_list}?status=open">2</a>' in html
    assert f'href="{opinion_list}"' in html
    # One click to each board.
    for url in (
        reverse("rounds:board", args=[ACTION, 2020]),
        reverse("rounds:board", args=[ACTION, 2021]),
        reverse("rounds:final_board", args=[ACTION]),
    ):
        assert f'href="{url}"' in html
    assert "todo/_jobs.html" not in html  # the jobs hook renders nothing yet
    assert_links_open(admin, html)


def test_the_admin_of_another_organization_sees_nothing_of_this_one(rounds, midori):
    plan = Plan.objects.get(slug=ACTION)
    opinions(plan, 2020, ["open"])
    outsider = login_client("midori-admin-2", role="admin", org_slug=MIDORI)
    text = text_of(main_of(outsider.get(PAGE)))
    assert "西東京" not in text and MINE not in text and ACTION not in text
    assert "第3次みどり市地域福祉活動計画" in text  # their own open round
    for role in ("staff", "approver", "viewer"):
        other = login_client(f"midori-{role}", role=role, org_slug=MIDORI, departments=("相談係",))
        text = text_of(main_of(other.get(PAGE)))
        assert "西東京" not in text and MINE not in text and COMMENT not in text


def test_the_operator_sees_every_organization_aggregated(rounds, midori):
    operator = login_client("todo-operator", superuser=True)
    opinions(Plan.objects.get(slug=ACTION), 2020, ["open"])
    html = main_of(operator.get(PAGE))
    text = text_of(html)
    assert html.count('class="bar todo-bar"') == 4  # three of the action plan, one of みどり
    assert "第3次みどり市地域福祉活動計画" in text and "西東京市社会福祉協議会" in text
    assert "みどり市社会福祉協議会" in text  # each round names its organization
    # The operator reports for no department: no sheet list of their own.
    assert "担当部署の調査票" not in text
    assert_links_open(operator, html)


def test_the_fixture_councils_staff_see_their_sheet_of_the_plan_without_indicators(midori):
    _plan, open_ = midori
    report = open_.reports.select_related("department").first()
    client = login_client(
        "midori-staff", role="staff", org_slug=MIDORI, departments=(report.department.name,)
    )
    html = main_of(client.get(PAGE))
    text = text_of(html)
    url = reverse("rounds:sheet", args=[MIDORI_PLAN, 2025, report.department_id])
    assert f'href="{url}"' in html and "あと10日" in text and "令和7年度(2025年度)" in text
    assert_links_open(client, html)


def test_a_viewer_sees_the_reports_ready_to_read(midori):
    viewer = login_client("midori-viewer", role="viewer", org_slug=MIDORI)
    html = main_of(viewer.get(PAGE))
    text = text_of(html)
    assert "読める報告書" in text and "令和6年度(2024年度)" in text
    report = reverse("reports:committee", args=[MIDORI_PLAN, 2024])
    public = reverse("public:plan", args=[MIDORI_PLAN]) + "?fy=2024"
    assert f'href="{report}"' in html and f'href="{public.replace("&", "&amp;")}"' in html
    # The open FY2025 round has no approved sheet: no report yet.
    assert "令和7年度(2025年度)" not in text
    assert_links_open(viewer, html)


def test_an_open_round_is_ready_to_read_once_every_sheet_is_approved(rounds):
    viewer = login_client("todo-viewer", role="viewer")
    assert "読める報告書" not in text_of(main_of(viewer.get(PAGE)))
    for name in (MINE, SUBMITTER, SLOW):
        set_status(rounds["final"], name, Report.Status.APPROVED)
    html = main_of(viewer.get(PAGE))
    assert f'href="{reverse("reports:final", args=[ACTION])}"' in html
    assert "全部署承認済み" in text_of(html)
    assert_links_open(viewer, html)


@pytest.mark.parametrize(
    ("role", "departments", "says"),
    [
        ("staff", (MINE,), "担当部署の調査票が提出期限とともにここに表示されます"),
        ("approver", (MINE,), "承認待ちとしてここに表示されます"),
        ("admin", (), "実施中の進捗調査ごとの進み具合"),
        ("viewer", (), "読める委員会報告書がここに表示されます"),
        ("staff", (), "所属団体の管理者に担当部署の設定を依頼してください"),
    ],
)
def test_nothing_to_do_says_what_will_appear(db, role, departments, says):
    client = login_client(f"empty-{role}-{len(departments)}", role=role, departments=departments)
    text = text_of(main_of(client.get(PAGE)))
    assert "いま対応が必要なものはありません。" in text and says in text


def test_a_closed_round_leaves_the_staffs_list(rounds, staff):
    for r in rounds.values():
        for report in r.reports.all():
            report.status = Report.Status.APPROVED
            report.save()
        r.status = "closed"
        r.save()
    text = text_of(main_of(staff.get(PAGE)))
    assert "いま対応が必要なものはありません。" in text and R2020 not in text


def test_the_page_is_escaped(rounds, staff):
    set_status(rounds["2020"], MINE, Report.Status.RETURNED, "<script>alert(1)</script>")
    html = main_of(staff.get(PAGE))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_opinions_of_a_draft_plan_are_not_counted(rounds, admin):
    plan = Plan.objects.get(slug=ACTION)
    opinions(plan, 2020, ["open"])
    assert Opinion.objects.filter(status="open").count() == 1
    Plan.objects.filter(slug=ACTION).update(status=Plan.Status.DRAFT)
    html = main_of(admin.get(PAGE))
    assert reverse("reviews:list", args=[ACTION]) not in html


def test_staff_see_the_opinions_their_departments_must_answer(rounds, staff):
    plan = Plan.objects.get(slug=ACTION)
    opinions(plan, 2020, ["open", "in_progress", "done"], dept(MINE))
    Opinion.objects.create(
        plan=plan, fy=2020, number=9, text="他部署への意見", department=dept(SLOW)
    )
    html = main_of(staff.get(PAGE))
    text = text_of(html)
    assert "担当部署が対応する委員会意見" in text
    for number in (1, 2):
        assert f'href="{reverse("reviews:detail", args=[ACTION, 2020, number])}"' in html
    assert reverse("reviews:detail", args=[ACTION, 2020, 3]) not in html  # 対応済
    assert "他部署への意見" not in text
    assert_links_open(staff, html)


def test_the_head_of_a_section_sees_the_sheets_of_the_units_under_it(midori):
    """A member of a 課 covers the 係 under it, as on the sheets themselves."""
    _plan, open_ = midori
    report = open_.reports.select_related("department__parent").exclude(department__parent=None)[0]
    section = report.department.parent
    client = login_client(
        "midori-chief", role="approver", org_slug=MIDORI, departments=(section.name,)
    )
    report.status = Report.Status.SUBMITTED
    report.save()
    html = main_of(client.get(PAGE))
    url = reverse("rounds:sheet", args=[MIDORI_PLAN, 2025, report.department_id])
    assert f'href="{url}"' in html and "承認を待っている調査票" in text_of(html)
    assert_links_open(client, html)


def test_a_user_without_an_organization_gets_the_empty_page(db):
    client = login_client("nobody")  # logged in, no membership, not the operator
    text = text_of(main_of(client.get(PAGE)))
    assert "いま対応が必要なものはありません。" in text and "管理者に担当部署の設定" in text


def test_the_page_speaks_english_when_chosen(rounds, staff):
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = text_of(main_of(staff.get(PAGE)))
    assert "Your departments' sheets" in text and "5 days left" in text
    assert "3 days past the deadline" in text and "Comment of the return:" in text
    assert "やること" not in text


def test_after_a_transfer_the_page_follows_the_person_to_the_new_department(rounds, staff, admin):
    """人事異動 mid-round: the new department's sheets appear, the old one's are gone."""
    from shinchoku.staff import transfers

    member = Membership.objects.get(user=staff.user)
    transfers.record_transfer(member, effective=today(), departments=[dept(SLOW)], by=admin.user)
    html = main_of(staff.get(PAGE))
    assert f'href="{sheet(2021, SLOW)}"' in html and f'href="{sheet(2020, SLOW)}"' in html
    assert sheet(2020, MINE) not in html and COMMENT not in text_of(html)
    assert_links_open(staff, html)


def test_the_page_only_reads(staff):
    assert staff.post(PAGE).status_code == 405
    assert staff.head(PAGE).status_code == 200
    assert "<title>やること | 進捗</title>" in staff.get(PAGE).content.decode()


def test_the_pdfs_a_user_asked_for_are_listed_being_made_then_ready(midori):
    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.runner import run_pending

    viewer = login_client("midori-viewer", role="viewer", org_slug=MIDORI)
    assert "報告書のPDF" not in text_of(main_of(viewer.get(PAGE)))
    viewer.post(reverse("reports:pdf", args=[MIDORI_PLAN, 2024]))
    job = ReportJob.objects.get()
    html = main_of(viewer.get(PAGE))
    assert "作成中" in text_of(html)
    progress = reverse("reports:pdf_job", args=[MIDORI_PLAN, 2024, job.token])
    assert f'href="{progress}"' in html
    run_pending()
    html = main_of(viewer.get(PAGE))
    assert "作成済み" in text_of(html) and "PDFをダウンロード" in text_of(html)
    assert_links_open(viewer, html)
    # Another person's PDF is not listed.
    other = login_client("midori-viewer-2", role="viewer", org_slug=MIDORI)
    assert "報告書のPDF" not in text_of(main_of(other.get(PAGE)))
