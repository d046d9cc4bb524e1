"""The progress view, the committee report and the dashboard are kept in the cache under the
plan's version (rounds.page_cache): every kind of change shows on the very next request, and
readers who may see different drafts never share a copy."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shinchoku.plans.models import IndicatorValue, Plan, ProgressNote
from shinchoku.reviews import services as reviews
from shinchoku.rounds import services
from shinchoku.rounds.models import ContentEntry, Report, Round
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.rounds.test_progress_views import ACTION, CHOSEN, CITY, fill

pytestmark = pytest.mark.django_db


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def twice(client, url: str) -> str:
    """The page, asked for twice: the second answer is the one kept in the cache."""
    first = html(client, url)
    second = html(client, url)
    assert _without_token(first) == _without_token(second)
    return second


def _without_token(page: str) -> str:
    """The page without its CSRF tokens (the form's and htmx's), fresh on every request."""
    return re.sub(r"[A-Za-z0-9]{64}", "", page)


@pytest.fixture
def round_2020(db):
    """The action plan's FY2020: 総務課 approved (one content 遅れ), 福祉支援課 submitted."""
    user = get_user_model().objects.create_user("cache-somu", last_name="総務")
    round_ = services.open_round(Plan.objects.get(slug=ACTION), 2020, date(2021, 5, 31), user)
    somu = fill(round_.reports.get(department__name="総務課"), CHOSEN, {("item-16", 2): "遅れ"})
    services.approve(services.submit(somu, user), user)
    shien = fill(round_.reports.get(department__name="福祉支援課"), {}, {("item-2", 1): "未実施"})
    services.submit(shien, user)
    round_.user = user
    return round_


@pytest.fixture
def admin(db):
    return login_client("cache-admin", role="admin", org_slug=COUNCIL)


OVERVIEW = reverse("rounds:overview", args=[ACTION, 2020])
DASHBOARD = reverse("rounds:dashboard")
FLAGGED = '<strong class="status flagged"><span aria-hidden="true">⚠</span> {}'


def _behind(page: str) -> str:
    return page[page.index('id="behind"') : page.index('id="indicators"')]


def test_the_progress_view_shows_a_changed_actual_at_once(admin, round_2020):
    assert "3,400件" in twice(admin, OVERVIEW)
    value = IndicatorValue.objects.get(indicator__key="I-17-1", fy=2020, role="actual")
    value.text = "3,999件"
    value.save()
    page = html(admin, OVERVIEW)
    assert "3,999件" in page and "3,400件" not in page


def test_the_progress_view_shows_a_draft_and_an_approval_at_once(admin, round_2020):
    assert "未実施の理由" in _behind(twice(admin, OVERVIEW))
    entry = ContentEntry.objects.get(
        report__round=round_2020, report__department__name="福祉支援課", status="未実施"
    )
    entry.note = "人手が足りなかった"
    entry.save()
    behind = _behind(html(admin, OVERVIEW))
    assert "人手が足りなかった" in behind and behind.count('class="unapproved"') == 1
    shien = Report.objects.get(round=round_2020, department__name="福祉支援課")
    services.approve(shien, round_2020.user)
    assert 'class="unapproved"' not in _behind(html(admin, OVERVIEW))


def test_readers_who_see_other_drafts_never_share_a_copy(admin, round_2020):
    somu = login_client("cache-somu-staff", role="staff", departments=("総務課",))
    shien = login_client("cache-shien-staff", role="staff", departments=("福祉支援課",))
    assert "未実施の理由" in _behind(twice(admin, OVERVIEW))
    behind = _behind(twice(somu, OVERVIEW))
    assert "未実施の理由" not in behind and "遅れの理由" in behind  # 福祉支援課 is not approved
    assert "未実施の理由" in _behind(twice(shien, OVERVIEW))
    # The dashboard's boards too.
    assert FLAGGED.format("未実施") in twice(admin, DASHBOARD)
    assert FLAGGED.format("未実施") not in twice(somu, DASHBOARD)
    assert FLAGGED.format("未実施") in twice(shien, DASHBOARD)


def test_the_dashboard_shows_a_changed_status_and_deadline_at_once(admin, round_2020):
    page = twice(admin, DASHBOARD)
    assert "遅れ" in page
    Round.objects.filter(pk=round_2020.pk).update(deadline=date.today() + timedelta(days=3))
    assert "あと3日" in html(admin, DASHBOARD)
    entry = ContentEntry.objects.get(report__round=round_2020, status="遅れ")
    entry.status = "予定どおり"
    entry.save()
    page = html(admin, DASHBOARD)
    assert FLAGGED.format("遅れ") not in page and FLAGGED.format("未実施") in page


# ------------------------------------------------------------------------ the committee report

REPORT = reverse("reports:committee", args=[CITY, 2019])


@pytest.fixture
def viewer(db):
    from shinchoku.rounds.demo import load_demo_round

    load_demo_round()
    return login_client("cache-iin", role="viewer", org_slug=CITY_ORG)


def test_the_committee_report_shows_a_changed_actual_and_note_at_once(viewer):
    page = twice(viewer, REPORT)
    value = IndicatorValue.objects.filter(indicator__plan__slug=CITY, fy=2019, role="actual")[0]
    assert value.text in page
    value.text = "12,345,678人"
    value.save()
    assert "12,345,678人" in html(viewer, REPORT)
    note = ProgressNote.objects.filter(indicator__plan__slug=CITY, fy=2019).first()
    note.done = "委員会の前に書き直した取組"
    note.save()
    assert "委員会の前に書き直した取組" in html(viewer, REPORT)


def test_the_committee_report_shows_an_opinion_and_its_answer_at_once(admin, round_2020):
    """The report of FY2020 answers the committee's opinions on FY2019."""
    member = login_client("cache-iin-2", role="viewer", org_slug=COUNCIL)
    url = reverse("reports:committee", args=[ACTION, 2020])
    twice(member, url)
    plan = Plan.objects.get(slug=ACTION)
    opinion = reviews.create_opinion(plan, 2019, "窓口の案内を分かりやすく", user=admin.user)
    assert "窓口の案内を分かりやすく" in html(member, url)
    reviews.answer(
        opinion, user=admin.user, version=opinion.version, policy="案内を作り直す", action=""
    )
    assert "案内を作り直す" in html(member, url)


def test_the_committee_report_shows_an_approval_at_once(db):
    """A sheet approved after the report was kept: its content statuses show at once."""
    user = get_user_model().objects.create_user("cache-approver", last_name="承認")
    member = login_client("cache-member", role="viewer", org_slug=COUNCIL)
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, 2020, date(2021, 5, 31), user)
    somu = fill(round_.reports.get(department__name="総務課"), CHOSEN, {("item-16", 2): "遅れ"})
    services.approve(services.submit(somu, user), user)
    url = reverse("reports:committee", args=[ACTION, 2020])
    assert "未実施の理由" not in twice(member, url)
    shien = fill(round_.reports.get(department__name="福祉支援課"), {}, {("item-2", 1): "未実施"})
    assert "未実施の理由" not in html(member, url)  # not approved: never in the report
    services.approve(services.submit(shien, user), user)
    assert "未実施の理由" in html(member, url)


def test_the_committee_report_says_when_it_was_made_on_every_request(viewer):
    from django.utils import timezone

    from shinchoku.reports.report import wareki_datetime

    twice(viewer, REPORT)
    page, now = html(viewer, REPORT), timezone.now()
    assert any(wareki_datetime(now - timedelta(minutes=m)) in page for m in (0, 1))
