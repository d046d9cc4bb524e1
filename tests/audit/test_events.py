"""Each kind of event is recorded with who, when, from where and what; recording never breaks a
request and costs one INSERT.

Real database with the demo plans, the test client, real files; nothing of ours is mocked.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from shinchoku.audit import receivers
from shinchoku.audit.models import Action, AuditEvent
from shinchoku.audit.recorder import client_ip, record
from shinchoku.jobs.models import ReportJob
from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from tests.conftest import CITY_ORG, COUNCIL, login_client

pytestmark = pytest.mark.django_db

ACTION_PLAN = "nishitokyo-action-plan-2019"  # the council's
CITY_PLAN = "nishitokyo-chiiki-fukushi-4"  # the city's
DEPT = "総務課"
ADDRESS = "203.0.113.7"


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).select_related("organization").first()


def recent(event: AuditEvent) -> bool:
    return timezone.now() - timedelta(seconds=60) < event.created <= timezone.now()


def user(name: str, org_slug: str = COUNCIL, role: str = "staff"):
    return login_client(name, role=role, org_slug=org_slug).user


# --------------------------------------------------------------------------- logins


def test_a_login_is_recorded_with_the_user_organization_time_and_address():
    someone = user("ログイン者")
    response = Client(REMOTE_ADDR=ADDRESS).post(
        reverse("accounts:login"), {"username": "ログイン者", "password": "x"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action=Action.LOGIN, ip=ADDRESS).get()
    assert event.user == someone and event.username == "ログイン者"
    assert event.organization.slug == COUNCIL
    assert event.url_name == "accounts:login" and event.path == reverse("accounts:login")
    assert recent(event)


def test_a_wrong_password_is_recorded_with_the_username_as_typed_never_the_password(caplog):
    someone = user("打ち間違い")
    Client(REMOTE_ADDR=ADDRESS).post(
        reverse("accounts:login"), {"username": "打ち間違い", "password": "s3cret-guess"}
    )
    event = last(Action.LOGIN_FAILED)
    assert event.username == "打ち間違い" and event.user == someone and event.ip == ADDRESS
    assert event.organization.slug == COUNCIL
    stored = " ".join(str(v) for v in AuditEvent.objects.values_list().get(pk=event.pk))
    assert "s3cret-guess" not in stored and "s3cret-guess" not in caplog.text


def test_a_failed_login_for_an_unknown_name_has_no_user_and_no_organization():
    Client(REMOTE_ADDR=ADDRESS).post(
        reverse("accounts:login"), {"username": "=cmd|' /C calc'!A0", "password": "x"}
    )
    event = last(Action.LOGIN_FAILED)
    assert event.username == "=cmd|' /C calc'!A0"
    assert event.user is None and event.organization is None


def test_a_logout_is_recorded():
    client = login_client("退出者", role="viewer")
    client.post(reverse("accounts:logout"), REMOTE_ADDR=ADDRESS)
    event = last(Action.LOGOUT)
    assert event.user == client.user and event.ip == ADDRESS
    assert event.organization.slug == COUNCIL and recent(event)


def test_a_lockout_is_recorded_by_the_receiver_of_axes_signal():
    someone = user("締め出し")
    request = RequestFactory().post(reverse("accounts:login"), REMOTE_ADDR=ADDRESS)
    receivers.locked_out(sender=None, request=request, username="締め出し", ip_address=ADDRESS)
    event = last(Action.LOCKOUT)
    assert event.user == someone and event.username == "締め出し" and event.ip == ADDRESS
    assert event.organization.slug == COUNCIL


@pytest.mark.skipif(not apps.is_installed("axes"), reason="django-axes is not enabled")
def test_axes_lockout_signal_is_recorded():
    from axes.signals import user_locked_out

    request = RequestFactory().post(reverse("accounts:login"), REMOTE_ADDR=ADDRESS)
    user_locked_out.send("axes", request=request, username="誰か", ip_address=ADDRESS)
    assert last(Action.LOCKOUT).username == "誰か"


# --------------------------------------------------------------------------- where from


def test_x_forwarded_for_is_ignored_unless_behind_a_trusted_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.1"
    with override_settings(SHINCHOKU_TRUSTED_PROXY_COUNT=1):
        forged = "6.6.6.6, 198.51.100.9"  # the client sent 6.6.6.6; our proxy appended its peer
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forged)
        assert client_ip(request) == "198.51.100.9"
        bad = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="nonsense")
        assert client_ip(bad) is None


# --------------------------------------------------------------------------- refusals


def test_a_403_is_recorded_with_the_url_name():
    viewer = login_client("閲覧者", role="viewer")
    response = viewer.get(reverse("plans:workbook"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    event = last(Action.PERMISSION_DENIED)
    assert event.user == viewer.user and event.status == 403 and event.ip == ADDRESS
    assert event.url_name == "plans:workbook" and event.organization.slug == COUNCIL


def test_an_outsiders_attempt_on_another_organizations_plan_is_recorded_for_the_owner():
    outsider = login_client("市職員", role="admin", org_slug=CITY_ORG)
    response = outsider.get(reverse("plans:detail", args=[ACTION_PLAN]))
    assert response.status_code in (403, 404)
    event = last(Action.PERMISSION_DENIED)
    assert event.username == "市職員" and event.plan_slug == ACTION_PLAN
    assert event.url_name == "plans:detail" and event.status == response.status_code
    assert event.organization.slug == COUNCIL  # the organization whose data was asked for


def test_a_404_raised_by_a_view_for_a_logged_in_user_is_recorded():
    member = login_client("探索者", role="viewer")
    url = reverse("plans:detail", args=["no-such-plan"])
    assert member.get(url).status_code == 404
    event = last(Action.PERMISSION_DENIED)
    assert event.status == 404 and event.plan_slug == "no-such-plan" and event.path == url
    assert event.organization.slug == COUNCIL  # no such plan: the user's organization


def test_an_anonymous_404_or_an_ordinary_page_is_not_recorded():
    Client().get(reverse("public:plan", args=["no-such-plan"]))
    login_client("読む人", role="viewer").get(reverse("plans:detail", args=[ACTION_PLAN]))
    assert not AuditEvent.objects.exclude(action=Action.LOGIN).exists()


# --------------------------------------------------------------------------- files


@pytest.fixture
def sheet(db):
    opener = get_user_model().objects.create_user("開始者")
    round_ = services.open_round(
        Plan.objects.get(slug=ACTION_PLAN), 2020, date(2021, 5, 31), opener
    )
    return round_.reports.select_related("department").get(department__name=DEPT)


def test_a_sheet_download_and_upload_are_recorded_with_plan_fy_department_and_file(sheet):
    staff = login_client("担当者", role="staff", departments=(DEPT,))
    args = [ACTION_PLAN, 2020, sheet.department_id]
    response = staff.get(reverse("rounds:sheet_xlsx", args=args), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    down = last(Action.DOWNLOAD)
    assert (down.user, down.ip, down.status) == (staff.user, ADDRESS, 200)
    assert (down.url_name, down.plan_slug, down.fiscal_year) == (
        "rounds:sheet_xlsx",
        ACTION_PLAN,
        2020,
    )
    assert down.department == sheet.department and down.organization.slug == COUNCIL
    assert down.filename.endswith(".xlsx") and DEPT in down.filename

    upload = SimpleUploadedFile("総務課_調査票.xlsx", response.content)
    answer = staff.post(reverse("rounds:sheet_upload", args=args), {"file": upload})
    assert answer.status_code == 302
    up = last(Action.UPLOAD)
    assert (up.user, up.url_name, up.filename, up.status) == (
        staff.user,
        "rounds:sheet_upload",
        "総務課_調査票.xlsx",
        302,
    )
    assert up.department == sheet.department and up.fiscal_year == 2020


def test_a_refused_sheet_download_is_recorded_as_a_refusal_not_a_download(sheet):
    other = login_client("他部署", role="staff", departments=("福祉支援課",))
    response = other.get(
        reverse("rounds:sheet_xlsx", args=[ACTION_PLAN, 2020, sheet.department_id])
    )
    assert response.status_code in (403, 404)
    assert last(Action.PERMISSION_DENIED).url_name == "rounds:sheet_xlsx"
    assert not AuditEvent.objects.filter(action=Action.DOWNLOAD).exists()


def test_committee_report_downloads_are_recorded():
    viewer = login_client("委員", role="viewer", org_slug=CITY_ORG)
    assert viewer.get(reverse("reports:xlsx", args=[CITY_PLAN, 2019])).status_code == 200
    event = last(Action.DOWNLOAD)
    assert (event.url_name, event.plan_slug, event.fiscal_year) == ("reports:xlsx", CITY_PLAN, 2019)
    title = Plan.objects.get(slug=CITY_PLAN).title
    assert event.filename == f"{title}_令和元年度_委員会資料.xlsx"
    assert event.organization.slug == CITY_ORG and event.user == viewer.user

    job = ReportJob.objects.create(
        kind="committee",
        plan=Plan.objects.get(slug=CITY_PLAN),
        fy=2019,
        user=viewer.user,
        filename="資料.pdf",
        state="done",
        finished=timezone.now(),
        pdf=b"%PDF-1.4\n%%EOF\n",
        size=15,
    )
    pdf = viewer.get(reverse("reports:pdf_file", args=[CITY_PLAN, 2019, job.token]))
    assert pdf.status_code == 200
    event = last(Action.DOWNLOAD)
    assert (event.url_name, event.filename) == ("reports:pdf_file", "資料.pdf")
    assert job.token not in event.object_key  # the job's token is not kept


def test_a_plan_workbook_download_and_upload_are_recorded():
    admin = login_client("管理者", role="admin")
    response = admin.get(reverse("plans:plan_workbook", args=[ACTION_PLAN]))
    assert response.status_code == 200
    down = last(Action.DOWNLOAD)
    assert (down.url_name, down.plan_slug, down.filename) == (
        "plans:plan_workbook",
        ACTION_PLAN,
        f"{Plan.objects.get(slug=ACTION_PLAN).title}_計画ワークブック.xlsx",
    )
    assert f'filename="{ACTION_PLAN}.xlsx"' in response["Content-Disposition"]
    upload = SimpleUploadedFile("計画.xlsx", response.content)
    preview = admin.post(reverse("plans:workbook_upload"), {"file": upload})
    assert preview.status_code in (200, 400)
    up = last(Action.UPLOAD)
    assert (up.user, up.url_name, up.filename, up.status) == (
        admin.user,
        "plans:workbook_upload",
        "計画.xlsx",
        preview.status_code,
    )
    assert up.organization.slug == COUNCIL


def test_a_public_csv_download_is_recorded_for_an_anonymous_visitor(anonymous):
    response = anonymous.get(reverse("public:csv", args=[CITY_PLAN]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    event = last(Action.DOWNLOAD)
    assert event.user is None and event.username == "" and event.ip == ADDRESS
    assert (event.url_name, event.plan_slug) == ("public:csv", CITY_PLAN)
    assert event.organization.slug == CITY_ORG and event.filename.endswith(".csv")
    anonymous.get(reverse("public:json_fy", args=[CITY_PLAN, 2019]))
    assert last(Action.DOWNLOAD).url_name == "public:json_fy"


@pytest.fixture
def anonymous(db):
    from shinchoku.rounds.demo import load_demo_round

    load_demo_round()
    return Client()


# --------------------------------------------------------------------------- robustness


def test_recording_an_event_is_one_insert_and_nothing_else():
    member = user("一回だけ")
    request = RequestFactory().get("/x", REMOTE_ADDR=ADDRESS)
    with CaptureQueriesContext(connection) as queries:
        record(
            Action.DOWNLOAD, request=request, user=member, plan_slug=ACTION_PLAN, department_id=1
        )
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements.count("INSERT") == 1
    assert not {"SELECT", "UPDATE", "DELETE"} & set(statements)
    event = last(Action.DOWNLOAD)
    assert event.organization.slug == COUNCIL and event.user == member


def test_a_failing_audit_write_does_not_break_the_download(caplog):
    admin = login_client("管理者", role="admin")
    with connection.cursor() as cursor:  # rolled back with the test
        if connection.vendor == "postgresql":  # run the pending foreign key checks first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP TABLE audit_auditevent")
    response = admin.get(reverse("plans:plan_workbook", args=[ACTION_PLAN]))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert "audit event not stored" in caplog.text
    assert Organization.objects.filter(slug=COUNCIL).exists()  # the connection still works
