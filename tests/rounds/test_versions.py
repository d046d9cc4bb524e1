"""The round's forms carry the version their page showed: progress settings, approve, return,
submit, close, publish and reopen. Without it a post is refused (400); with a stale one it is
refused (409) with what changed, and nothing is written."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from shinchoku.plans.history import loads_snapshot
from shinchoku.plans.models import ChangeRecord, IndicatorValue, Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import PlanSettings, Report, Round
from tests.conftest import login_client

ACTION = "nishitokyo-action-plan-2019"
FY = 2020
NO_VERSION = "開いたときの版の情報がありません"

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(slug=ACTION)


@pytest.fixture
def admin():
    return login_client("v-admin", role="admin")


@pytest.fixture
def approver():
    return login_client("v-chief", role="approver", departments=("福祉支援課",))


@pytest.fixture
def round_(plan, admin):
    return services.open_round(plan, FY, date(2021, 5, 31), admin.user)


def _filled(report: Report, actual: str = "7") -> services.SheetInput:
    data = services.SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {"done": "実施", "next": "継続", "evaluation": "B"}
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for ln in item.indicators:
            value = f"{actual}{ln.indicator.unit}"
            data.indicators[ln.indicator.key] = {
                "actual": value,
                "note": "",
                "done": "",
                "next": "",
            }
    return data


def _submitted(round_: Round, user, actual: str = "7") -> Report:
    report = round_.reports.get(department__name="福祉支援課")
    report = services.save(report, _filled(report, actual), version=report.version, user=user)
    return services.submit(report, user)


def _url(step: str, report: Report) -> str:
    return reverse(f"rounds:{step}", args=[ACTION, FY, report.department_id])


# --------------------------------------------------------------------------- progress settings

SETTINGS = {
    "content_statuses": "実施\n未実施",
    "evaluation_scale": "A 達成\nB 未達成",
    "band_thresholds": "100 達成",
    "below_band": "未達成",
}


def test_progress_settings_without_a_version_are_refused(plan, admin) -> None:
    response = admin.post(reverse("rounds:settings", args=[ACTION]), SETTINGS)
    assert response.status_code == 400
    assert NO_VERSION in response.content.decode()
    assert not PlanSettings.objects.filter(plan=plan).exists()


def test_a_stale_progress_settings_save_is_refused_showing_the_other_values(plan, admin) -> None:
    url = reverse("rounds:settings", args=[ACTION])
    page = admin.get(url)
    assert 'name="version"' in page.content.decode()
    other = login_client("v-admin-2", role="admin")
    assert other.post(url, {**SETTINGS, "version": 1}).status_code == 302
    mine = {**SETTINGS, "content_statuses": "着手\n完了", "version": 1}
    response = admin.post(url, mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "v-admin-2" in html  # who saved meanwhile
    assert "実施" in html and "着手" in html  # their value and mine, side by side
    assert PlanSettings.objects.get(plan=plan).content_statuses == ["実施", "未実施"]
    # The refused form carries the stored version: saving again overwrites on purpose.
    assert admin.post(url, {**mine, "version": 2}).status_code == 302
    assert PlanSettings.objects.get(plan=plan).content_statuses == ["着手", "完了"]


def test_every_progress_settings_change_is_in_the_plans_history(plan, admin) -> None:
    url = reverse("rounds:settings", args=[ACTION])
    admin.post(url, {**SETTINGS, "version": 1})
    record = ChangeRecord.objects.get(plan_slug=ACTION, kind="settings")
    assert record.user_name == "v-admin" and record.label == "進捗管理の設定"
    before, after = loads_snapshot(record.before), loads_snapshot(record.after)
    assert "予定どおり" in before["実施内容の状況"] and after["実施内容の状況"] == "実施\n未実施"
    page = admin.get(reverse("plans:history", args=[ACTION])).content.decode()
    assert "進捗管理の設定" in page


# --------------------------------------------------------------------------- approve and return


def test_approve_and_return_without_a_version_are_refused(round_, admin, approver) -> None:
    report = _submitted(round_, admin.user)
    for step, data in (("approve", {}), ("return", {"comment": "直して"})):
        response = approver.post(_url(step, report), data)
        assert response.status_code == 400
        assert NO_VERSION in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_a_sheet_changed_after_the_approver_opened_it_is_not_approved(round_, admin, approver):
    report = _submitted(round_, admin.user, actual="7")
    page = approver.get(_url("sheet", report)).content.decode()
    seen = report.version
    assert f'name="version" value="{seen}"' in page
    # Meanwhile it is returned, corrected to 9 and submitted again.
    report = services.return_report(report, admin.user, "実績を確認")
    report = services.save(report, _filled(report, "9"), version=report.version, user=admin.user)
    report = services.submit(report, admin.user)
    response = approver.post(_url("approve", report), {"version": seen})
    assert response.status_code == 409
    html = response.content.decode()
    assert "画面を開いた後に" in html and "今の内容を確かめて" in html
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert not IndicatorValue.objects.filter(role="actual", fy=FY, text__startswith="9").exists()
    # The refused page shows the sheet as it is now and its version: approving it is deliberate.
    assert f'value="{report.version}"' in html
    assert approver.post(_url("approve", report), {"version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED


def test_a_stale_return_is_refused_and_keeps_the_comment(round_, admin, approver) -> None:
    report = _submitted(round_, admin.user)
    seen = report.version
    services.approve(report, admin.user)  # another approver approved it meanwhile
    response = approver.post(_url("return", report), {"version": seen, "comment": "単位を直して"})
    assert response.status_code == 409
    assert "単位を直して" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED


def test_submit_without_a_version_is_refused(round_, admin) -> None:
    report = round_.reports.get(department__name="福祉支援課")
    response = admin.post(_url("submit", report), {})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == Report.Status.NOT_STARTED


# --------------------------------------------------------------------------- the round's steps


def _approve_all(round_: Round, user) -> None:
    for report in round_.reports.all():
        report = services.save(report, _filled(report), version=report.version, user=user)
        services.approve(services.submit(report, user), user)


@pytest.mark.parametrize("step", ["close", "publish", "reopen"])
def test_round_steps_without_a_version_are_refused(round_, admin, step) -> None:
    _approve_all(round_, admin.user)
    if step != "close":
        services.close_round(round_, admin.user)
    round_.refresh_from_db()
    before = (round_.status, round_.published, round_.version)
    response = admin.post(reverse(f"rounds:{step}", args=[ACTION, FY]), {"comment": "訂正"})
    assert response.status_code == 400
    assert NO_VERSION in response.content.decode()
    round_.refresh_from_db()
    assert (round_.status, round_.published, round_.version) == before


@pytest.mark.parametrize("step", ["close", "publish", "reopen"])
def test_round_steps_with_a_stale_version_are_refused_naming_who(round_, admin, step) -> None:
    _approve_all(round_, admin.user)
    round_.refresh_from_db()
    seen = round_.version
    other = login_client("v-admin-3", role="admin")
    if step == "close":
        # Someone else closed and reopened it after this board was loaded.
        services.close_round(round_, other.user)
        services.reopen_round(round_, other.user, "確認")
    else:
        services.close_round(round_, admin.user)
        round_.refresh_from_db()
        seen = round_.version
        services.publish_round(round_, other.user)
    round_.refresh_from_db()
    before = (round_.status, round_.published, round_.version)
    url = reverse(f"rounds:{step}", args=[ACTION, FY])
    response = admin.post(url, {"version": seen, "comment": "訂正"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "v-admin-3" in html and "画面を開いた後に" in html
    round_.refresh_from_db()
    assert (round_.status, round_.published, round_.version) == before
    if step == "publish":
        # Published meanwhile: the board comes back and leads to the step now possible
        # (withdraw), whose confirmation carries the current version.
        confirm = reverse("rounds:confirm", args=[ACTION, FY, "unpublish"])
        assert f'href="{confirm}"' in html
        page = admin.get(confirm).content.decode()
        assert f'name="version" value="{round_.version}"' in page
    else:
        # Still possible: its confirmation page comes back with the current version and, for a
        # reopen, the reason the user typed.
        assert f'action="{url}"' in html
        assert f'name="version" value="{round_.version}"' in html
        if step == "reopen":
            assert re.search(
                r">\s*訂正</textarea>", html
            )  # Django starts a textarea with a newline
        response = admin.post(url, {"version": round_.version, "comment": "訂正"})
        assert response.status_code == 302


def test_a_draft_save_without_a_version_is_refused(round_, admin) -> None:
    report = round_.reports.get(department__name="福祉支援課")
    item = services.sheet(report)[0]
    response = admin.post(_url("sheet", report), {f"i|{item.node.key}|done": "途中"})
    assert response.status_code == 400
    assert NO_VERSION in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.NOT_STARTED and not report.items.exists()
