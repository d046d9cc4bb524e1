"""The round in the browser, through the test client: open → fill → submit → return → fix → approve
→ close → publish, the board and reminders, conflicts, and who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shinchoku.notify.models import Notification
from shinchoku.orgs.models import Department
from shinchoku.plans.models import IndicatorValue, Plan, ProgressNote
from shinchoku.rounds import services
from shinchoku.rounds.models import ContentEntry, IndicatorEntry, ItemEntry, Report, Round
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
FY = 2020


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug=ACTION)


@pytest.fixture
def admin(db):
    return login_client("soumu-admin", role="admin")


@pytest.fixture
def staff(db):
    return login_client("shien-staff", role="staff", departments=("福祉支援課",))


@pytest.fixture
def approver(db):
    return login_client("shien-chief", role="approver", departments=("福祉支援課",))


@pytest.fixture
def round_(plan, admin):
    return services.open_round(plan, FY, date(2021, 5, 31), admin.user)


def dept(name: str) -> Department:
    return Department.objects.get(organization__slug="nishitokyo-shakyo", name=name)


def sheet_url(name: str, fy: int = FY, step: str = "sheet") -> str:
    return reverse(f"rounds:{step}", args=[ACTION, fy, dept(name).pk])


def form_of(report: Report, **overrides) -> dict[str, str]:
    """Everything the sheet asks for, filled as a department would."""
    post = {"version": str(report.version)}
    for item in services.sheet(report):
        key = item.node.key
        post.update({f"i|{key}|done": "講座を2回開いた", f"i|{key}|next": "続ける"})
        post[f"i|{key}|evaluation"] = "B"
        for c in item.contents:
            post[f"c|{key}|{c.position}|status"] = "予定どおり"
        for ln in item.indicators:
            if ln.readonly:  # another department reports it: no input on this sheet
                continue
            post[f"n|{ln.indicator.key}|actual"] = f"7{ln.indicator.unit}"
            post[f"n|{ln.indicator.key}|done"] = "周知した"
    post.update(overrides)
    return post


def test_admin_opens_a_round_from_the_list(plan, admin):
    url = reverse("rounds:list", args=[ACTION])
    page = admin.get(url)
    assert page.status_code == 200 and 'name="deadline"' in page.text
    response = admin.post(url, {"fy": "2021", "deadline": "2022-05-31"})
    assert response.status_code == 302
    assert response["Location"] == reverse("rounds:board", args=[ACTION, 2021])
    round_ = Round.objects.get(plan=plan, fy=2021)
    assert round_.deadline == date(2022, 5, 31) and round_.reports.count() == 3
    # The same FY again is not offered, and a date is required.
    again = admin.post(url, {"fy": "2021", "deadline": "2022-05-31"})
    assert again.status_code == 422
    # Posted from a page shown before it was opened: the message says so, in Japanese.
    assert "令和3年度(2021年度)の進捗調査は既にあります。" in again.text
    assert '<option value="2021"' not in again.text
    bad = admin.post(url, {"fy": "2022", "deadline": "31/05"})
    assert bad.status_code == 422 and not Round.objects.filter(plan=plan, fy=2022).exists()


def test_only_the_admin_opens_rounds(plan, staff, approver):
    url = reverse("rounds:list", args=[ACTION])
    assert staff.get(url).status_code == 200
    assert 'name="deadline"' not in staff.get(url).text
    for client in (staff, approver):
        assert client.post(url, {"fy": "2021", "deadline": "2022-05-31"}).status_code == 403
    assert not Round.objects.filter(plan=plan, fy=2021).exists()


def test_a_whole_round_through_the_browser(round_, admin, staff, approver):
    report = round_.reports.get(department__name="福祉支援課")
    page = staff.get(sheet_url("福祉支援課"))
    assert page.status_code == 200
    assert "令和2年度" in page.text and 'name="version"' in page.text
    # A draft: half filled, saved.
    half = {"version": str(report.version), f"i|{services.sheet(report)[0].node.key}|done": "途中"}
    assert staff.post(sheet_url("福祉支援課"), half).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    # Submitting an incomplete sheet is refused with what is missing.
    half["version"] = str(report.version)
    response = staff.post(sheet_url("福祉支援課", step="submit"), half, follow=True)
    assert "まだ入力されていない欄があります" in response.text
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    # Filled and submitted in one go: the submit button saves the form first.
    response = staff.post(sheet_url("福祉支援課", step="submit"), form_of(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert ItemEntry.objects.filter(report=report, evaluation="B").exists()
    # Once submitted, the department cannot change it.
    assert staff.post(sheet_url("福祉支援課"), form_of(report)).status_code == 422
    # The approver returns it with a comment; a comment is required.
    report.refresh_from_db()
    seen = {"version": str(report.version)}
    refused = approver.post(
        sheet_url("福祉支援課", step="return"), {**seen, "comment": " "}, follow=True
    )
    assert "差し戻す理由" in refused.text
    approver.post(sheet_url("福祉支援課", step="return"), {**seen, "comment": "実績の単位を確認"})
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED and report.return_comment == "実績の単位を確認"
    assert "実績の単位を確認" in staff.get(sheet_url("福祉支援課")).text
    # Fixed and submitted again, then approved: the actuals are now part of the plan.
    ind = next(ln.indicator for i in services.sheet(report) for ln in i.indicators)
    key, twelve = ind.key, f"12{ind.unit}"
    fixed = form_of(report, **{f"n|{key}|actual": twelve, f"n|{key}|done": "相談会を開いた"})
    assert staff.post(sheet_url("福祉支援課", step="submit"), fixed).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    approver.post(sheet_url("福祉支援課", step="approve"), {"version": str(report.version)})
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.approved_by == "shien-chief"
    actual = IndicatorValue.objects.get(indicator__key=key, role="actual", fy=FY)
    assert actual.text == twelve
    assert ProgressNote.objects.get(indicator__key=key, fy=FY).done == "相談会を開いた"
    # The round cannot close while other departments are pending; the board says who.
    board = admin.get(reverse("rounds:board", args=[ACTION, FY]))
    assert "福祉活動推進課" in board.text and "承認済" in board.text
    admin.post(reverse("rounds:close", args=[ACTION, FY]), {"version": round_.version})
    round_.refresh_from_db()
    assert round_.is_open
    for other in round_.reports.exclude(pk=report.pk):
        services.save(other, services.SheetInput(), version=other.version, user=admin.user)
        filled = admin.post(
            reverse("rounds:submit", args=[ACTION, FY, other.department_id]),
            form_of(Report.objects.get(pk=other.pk)),
        )
        assert filled.status_code == 302
        admin.post(
            reverse("rounds:approve", args=[ACTION, FY, other.department_id]),
            {"version": Report.objects.get(pk=other.pk).version},
        )
    admin.post(reverse("rounds:close", args=[ACTION, FY]), {"version": round_.version})
    round_.refresh_from_db()
    assert not round_.is_open
    # A closed round is read only.
    assert staff.post(sheet_url("福祉支援課"), form_of(report)).status_code == 422
    page = staff.get(sheet_url("福祉支援課"))
    assert 'name="version"' in page.text and "<textarea" not in page.text
    # Published, then reopened with a reason that is recorded.
    round_.refresh_from_db()
    admin.post(reverse("rounds:publish", args=[ACTION, FY]), {"version": round_.version})
    round_.refresh_from_db()
    assert round_.published
    admin.post(
        reverse("rounds:reopen", args=[ACTION, FY]), {"comment": "", "version": round_.version}
    )
    round_.refresh_from_db()
    assert not round_.is_open
    admin.post(
        reverse("rounds:reopen", args=[ACTION, FY]),
        {"comment": "数値の訂正", "version": round_.version},
    )
    round_.refresh_from_db()
    assert round_.is_open and round_.events.filter(action="reopen", comment="数値の訂正").exists()
    assert not round_.published  # values under correction leave the public pages


def test_a_draft_saved_while_typing_returns_the_new_version(round_, staff):
    report = round_.reports.get(department__name="福祉支援課")
    item = services.sheet(report)[0]
    response = staff.post(
        sheet_url("福祉支援課"),
        {"version": str(report.version), f"i|{item.node.key}|next": "来年も続ける"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert f'value="{report.version}"' in response.text and 'hx-swap-oob="true"' in response.text
    assert ItemEntry.objects.get(report=report, node_key=item.node.key).next == "来年も続ける"


def test_a_stale_save_is_refused_and_shows_the_other_change(round_, staff, approver):
    report = round_.reports.get(department__name="福祉支援課")
    item = services.sheet(report)[0]
    field = f"i|{item.node.key}|done"
    opened = str(report.version)
    assert (
        approver.post(
            sheet_url("福祉支援課"), {"version": opened, field: "課長が書いた"}
        ).status_code
        == 302
    )
    # The staff member's save, from the page opened before: refused, both values shown, kept.
    response = staff.post(sheet_url("福祉支援課"), {"version": opened, field: "担当が書いた"})
    assert response.status_code == 409
    assert "課長が書いた" in response.text and "担当が書いた" in response.text
    assert ItemEntry.objects.get(report=report, node_key=item.node.key).done == "課長が書いた"
    # The autosave sees the same conflict and keeps the form as typed.
    quiet = staff.post(
        sheet_url("福祉支援課"), {"version": opened, field: "担当が書いた"}, HTTP_HX_REQUEST="true"
    )
    assert quiet.status_code == 409 and "課長が書いた" in quiet.text
    assert "hx-swap-oob" not in quiet.text  # the form's version is not advanced silently
    # Saving again deliberately with the new version replaces it.
    report.refresh_from_db()
    again = staff.post(
        sheet_url("福祉支援課"), {"version": str(report.version), field: "担当が書いた"}
    )
    assert again.status_code == 302
    assert ItemEntry.objects.get(report=report, node_key=item.node.key).done == "担当が書いた"


def test_a_bad_value_is_refused_with_where_and_only_it_is_not_stored(round_, staff):
    report = round_.reports.get(department__name="総務課")
    client = login_client("soumu-staff", role="staff", departments=("総務課",))
    line = next(
        ln for i in services.sheet(report) for ln in i.indicators if ln.indicator.unit == "千円"
    )
    post = form_of(report, **{f"n|{line.indicator.key}|actual": "12件"})
    response = client.post(sheet_url("総務課"), post)
    assert response.status_code == 422
    assert "単位「件」は指標の単位「千円」に換算できません" in response.text
    assert 'value="12件"' in response.text  # the input is kept
    # Every valid field is stored (issue 12 part 5); the bad one is not.
    assert not IndicatorEntry.objects.filter(report=report, actual="12件").exists()
    assert ContentEntry.objects.filter(report=report).exists()
    # 万円 converts exactly to 千円 and is accepted (the draft saved above advanced the version).
    report.refresh_from_db()
    ok = client.post(
        sheet_url("総務課"), form_of(report, **{f"n|{line.indicator.key}|actual": "970万円"})
    )
    assert ok.status_code == 302


def test_a_department_cannot_see_or_change_another_departments_sheet(round_, staff, approver):
    other = sheet_url("総務課")
    assert staff.get(other).status_code == 403
    report = round_.reports.get(department__name="総務課")
    for url in (other, sheet_url("総務課", step="submit")):
        assert staff.post(url, form_of(report)).status_code == 403
    assert approver.post(sheet_url("総務課", step="approve")).status_code == 403
    assert approver.post(sheet_url("総務課", step="return"), {"comment": "x"}).status_code == 403
    assert not ItemEntry.objects.filter(report=report).exists()
    # Staff cannot approve or return even their own department's sheet.
    mine = round_.reports.get(department__name="福祉支援課")
    staff.post(sheet_url("福祉支援課", step="submit"), form_of(mine))
    assert staff.post(sheet_url("福祉支援課", step="approve")).status_code == 403
    assert staff.post(sheet_url("福祉支援課", step="return"), {"comment": "x"}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == Report.Status.SUBMITTED


def test_viewers_and_outsiders_are_kept_out(round_, staff):
    viewer = login_client("committee", role="viewer")
    outsider = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    board = reverse("rounds:board", args=[ACTION, FY])
    assert viewer.get(board).status_code == 200  # statuses only
    assert viewer.get(sheet_url("福祉支援課")).status_code == 403
    # Another organization's plan is a 404, like a plan that does not exist.
    assert outsider.get(board).status_code == 404
    assert outsider.get(sheet_url("福祉支援課")).status_code == 404
    assert outsider.get(reverse("rounds:list", args=[ACTION])).status_code == 404
    for step in ("close", "reopen", "publish", "remind"):
        url = reverse(f"rounds:{step}", args=[ACTION, FY])
        for client in (viewer, staff):
            assert client.post(url, {"comment": "x"}).status_code == 403, (step, client.user)
        assert outsider.post(url, {"comment": "x"}).status_code == 404, step
    anon = Client()
    for url in (board, sheet_url("福祉支援課"), reverse("rounds:list", args=[ACTION])):
        response = anon.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert viewer.get(reverse("rounds:board", args=[ACTION, 2023])).status_code == 404


def test_the_board_shows_the_deadline_and_sends_reminders(round_, admin, staff):
    staff.user.email = "shien@example.jp"
    staff.user.save()
    Round.objects.filter(pk=round_.pk).update(deadline=date.today() - timedelta(days=3))
    page = admin.get(reverse("rounds:board", args=[ACTION, FY]))
    assert "3" in page.text and "未着手" in page.text
    response = admin.post(reverse("rounds:remind", args=[ACTION, FY]), follow=True)
    assert response.status_code == 200
    from shinchoku.notify.services import send_notifications

    for key in sorted(set(Notification.objects.values_list("key", flat=True))):
        send_notifications.call(key)  # the mail queue's task (on_commit does not fire here)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["shien@example.jp"]
    assert "福祉支援課" in mail.outbox[0].body
    assert reverse("rounds:sheet", args=[ACTION, FY, dept("福祉支援課").pk]) in mail.outbox[0].body
    # Departments nobody with an address covers are named so the admin can act.
    assert "福祉活動推進課" in response.text
    assert round_.events.filter(action="remind").exists()


def test_the_admin_sets_the_plans_statuses_scale_and_bands(plan, admin, staff):
    from shinchoku.rounds.models import PlanSettings

    url = reverse("rounds:settings", args=[ACTION])
    assert staff.get(url).status_code == 403
    page = admin.get(url)
    assert page.status_code == 200 and "予定どおり" in page.text and "100 達成" in page.text
    bad = admin.post(
        url,
        {
            "content_statuses": "実施\n実施",
            "evaluation_scale": "A",
            "band_thresholds": "80 概ね\n100 達成",
            "below_band": "未達成",
            "version": 1,
        },
    )
    assert bad.status_code == 422
    assert not PlanSettings.objects.filter(plan=plan).exists()
    ok = admin.post(
        url,
        {
            "content_statuses": "実施\n一部実施\n未実施",
            "evaluation_scale": "◎ 十分 目標を上回った\n○ 概ね\n△ 不十分",
            "band_thresholds": "100 達成\n70% 概ね達成",
            "below_band": "未達成",
            "version": 1,
        },
    )
    assert ok.status_code == 302
    settings = PlanSettings.of(plan)
    assert settings.content_statuses == ["実施", "一部実施", "未実施"]
    assert settings.evaluation_scale[0] == {
        "code": "◎",
        "name": "十分",
        "definition": "目標を上回った",
    }
    assert settings.band_thresholds == [
        {"rate": "1", "name": "達成"},
        {"rate": "0.7", "name": "概ね達成"},
    ]
    # The sheet offers the new lists.
    round_ = services.open_round(plan, FY, date(2021, 5, 31), admin.user)
    assert round_ is not None
    page = staff.get(sheet_url("福祉支援課"))
    assert (
        "一部実施" in page.text and "目標を上回った" in page.text and "予定どおり" not in page.text
    )


def test_a_draft_save_writes_only_the_rows_that_changed(round_, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = round_.reports.get(department__name="福祉支援課")
    assert staff.post(sheet_url("福祉支援課"), form_of(report)).status_code == 302
    report.refresh_from_db()
    item = services.sheet(report)[0]
    again = form_of(report, **{f"i|{item.node.key}|next": "体制を見直す"})
    with CaptureQueriesContext(connection) as queries:
        response = staff.post(sheet_url("福祉支援課"), again, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    entry_writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE")) and "entry" in q["sql"].lower()
    ]
    assert len(entry_writes) == 1, entry_writes
    assert ItemEntry.objects.get(report=report, node_key=item.node.key).next == "体制を見直す"
    # Everything else is as first saved.
    assert ItemEntry.objects.get(report=report, node_key=item.node.key).done == "講座を2回開いた"
    assert ContentEntry.objects.filter(report=report, status="予定どおり").count() == sum(
        len(i.contents) for i in services.sheet(report)
    )
