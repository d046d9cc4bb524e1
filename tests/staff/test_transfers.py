"""人事異動 mid-round: the person follows their departments' sheets, which stay put."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shinchoku.accounts.models import Membership
from shinchoku.plans.models import Plan
from shinchoku.rounds import services as rounds
from shinchoku.staff import transfers
from shinchoku.staff.models import Transfer
from tests.conftest import COUNCIL, login_client
from tests.rounds.test_round_views import form_of
from tests.staff.conftest import dept

ACTION = "nishitokyo-action-plan-2019"
FY = 2020


@pytest.fixture
def round_(admin):
    return rounds.open_round(Plan.objects.get(slug=ACTION), FY, date(2021, 5, 31), admin.user)


def sheet(client, name: str) -> int:
    return client.get(reverse("rounds:sheet", args=[ACTION, FY, dept(name).pk])).status_code


def test_transfer_today_moves_the_person_to_the_new_departments_sheet(admin, round_):
    person = login_client("ido", role="staff", departments=("総務課",))
    person.user.last_name = "異動 太郎"
    person.user.save()
    person.force_login(person.user)
    assert sheet(person, "総務課") == 200
    assert sheet(person, "福祉支援課") == 403
    # they work on department A's sheet before the transfer
    old_sheet = round_.reports.get(department__name="総務課")
    saved = person.post(
        reverse("rounds:sheet", args=[ACTION, FY, dept("総務課").pk]), form_of(old_sheet)
    )
    assert saved.status_code == 302
    old_sheet.refresh_from_db()
    assert old_sheet.updated_by == "異動 太郎"
    sheets_before = {r.pk: r.department_id for r in round_.reports.all()}
    member = Membership.objects.get(user=person.user)
    response = admin.post(
        reverse("staff:transfer", args=[COUNCIL, person.user.pk]),
        {
            "t-effective": timezone.localdate().isoformat(),
            "t-departments": [dept("福祉支援課").pk],
            "t-role": "approver",
        },
    )
    assert response.status_code == 302
    assert sheet(person, "福祉支援課") == 200
    assert sheet(person, "総務課") == 403
    member.refresh_from_db()
    assert member.role == "approver" and member.version == 2
    # the sheets themselves stay with their departments
    assert {r.pk: r.department_id for r in round_.reports.all()} == sheets_before
    old_sheet.refresh_from_db()
    assert old_sheet.updated_by == "異動 太郎" and old_sheet.department.name == "総務課"
    page = admin.get(reverse("rounds:sheet", args=[ACTION, FY, dept("総務課").pk])).text
    assert "異動 太郎" in page  # what they wrote stays on department A's sheet, under their name
    record = Transfer.objects.get(user=person.user)
    assert record.applied_at is not None
    assert record.departments_before == [{"id": dept("総務課").pk, "name": "総務課"}]
    assert record.departments_after == [{"id": dept("福祉支援課").pk, "name": "福祉支援課"}]
    assert record.created_by == admin.user
    page = admin.get(reverse("staff:person", args=[COUNCIL, person.user.pk])).text
    assert "異動履歴" in page and "総務課" in page and "福祉支援課" in page and "反映済み" in page


def test_future_transfer_waits_for_the_daily_job_of_its_day(admin, round_):
    person = login_client("mirai", role="staff", departments=("総務課",))
    day = timezone.localdate() + timedelta(days=5)
    admin.post(
        reverse("staff:transfer", args=[COUNCIL, person.user.pk]),
        {"t-effective": day.isoformat(), "t-departments": [dept("福祉活動推進課").pk]},
    )
    record = Transfer.objects.get(user=person.user)
    assert record.applied_at is None
    assert sheet(person, "総務課") == 200 and sheet(person, "福祉活動推進課") == 403
    assert "予定" in admin.get(reverse("staff:person", args=[COUNCIL, person.user.pk])).text
    assert transfers.apply_due(day - timedelta(days=1)) == 0
    assert sheet(person, "総務課") == 200
    assert transfers.apply_due(day) == 1
    assert transfers.apply_due(day) == 0  # the same day again: nothing more
    record.refresh_from_db()
    assert record.applied_at is not None
    assert sheet(person, "福祉活動推進課") == 200 and sheet(person, "総務課") == 403


def test_a_scheduled_transfer_can_be_cancelled_an_applied_one_not(admin):
    person = login_client("torikeshi", role="staff", departments=("総務課",))
    day = timezone.localdate() + timedelta(days=30)
    url = reverse("staff:transfer", args=[COUNCIL, person.user.pk])
    admin.post(url, {"t-effective": day.isoformat(), "t-departments": [dept("福祉支援課").pk]})
    later = Transfer.objects.get(user=person.user)
    cancel = reverse("staff:cancel_transfer", args=[COUNCIL, person.user.pk, later.pk])
    assert admin.post(cancel).status_code == 302
    assert not Transfer.objects.filter(pk=later.pk).exists()
    admin.post(url, {"t-effective": "2020-04-01", "t-departments": [dept("福祉支援課").pk]})
    done = Transfer.objects.get(user=person.user)
    cancel = reverse("staff:cancel_transfer", args=[COUNCIL, person.user.pk, done.pk])
    assert admin.post(cancel).status_code == 409
    assert Transfer.objects.filter(pk=done.pk).exists()


def test_bad_transfer_form_changes_nothing(admin):
    person = login_client("dame", role="staff", departments=("総務課",))
    response = admin.post(
        reverse("staff:transfer", args=[COUNCIL, person.user.pk]), {"t-effective": "someday"}
    )
    assert response.status_code == 400
    assert 'id="id_t-effective-error">日付を「令和元年5月31日」' in response.text
    assert not Transfer.objects.exists()


def test_the_daily_job_is_registered(db):
    from django.utils.module_loading import import_string

    assert "shinchoku.staff.transfers.apply_due" in settings.SHINCHOKU_DAILY_JOBS
    job = import_string("shinchoku.staff.transfers.apply_due")
    assert job(date(2030, 4, 1)) == 0
