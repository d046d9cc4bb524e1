"""The kinds each role can receive (services.KINDS_BY_ROLE) are those the events really send,
and the preferences page offers only those, keeping the others as they were."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.urls import reverse

from shinchoku.accounts.models import Membership, Role
from shinchoku.notify.models import Kind, MailPreference, Notification
from shinchoku.notify.reminders import daily, remind_now
from shinchoku.notify.services import KINDS_BY_ROLE, kinds_for
from shinchoku.orgs.models import Department
from shinchoku.reviews import services as reviews
from shinchoku.rounds import services
from tests.conftest import COUNCIL, login_client
from tests.notify.conftest import DEADLINE, FY, KATSUDO, SHIEN, SOUMU, filled, report_of, user

PREFS = reverse("notify:preferences")


def _save_submit(report, who):
    report = services.save(report, filled(report), version=report.version, user=who)
    return services.submit(report, who)


def test_every_kind_sent_is_in_the_recipients_role_and_every_listed_kind_is_sent(people, plan):
    admin = user(people, "admin")
    # 福祉活動推進課 loses its 部署担当: its two 承認者 are told what the staff would be.
    katsudo = user(people, "katsudo")
    katsudo.is_active = False
    katsudo.save()
    boss1 = login_client("n-kboss1", role="approver", departments=(KATSUDO,)).user
    boss2 = login_client("n-kboss2", role="approver", departments=(KATSUDO,)).user
    round_ = services.open_round(plan, FY, DEADLINE, admin)
    daily(DEADLINE - timedelta(days=7))
    daily(DEADLINE + timedelta(days=1))
    remind_now(round_, admin)
    _save_submit(report_of(round_, SOUMU), user(people, "soumu"))  # no 承認者: the 管理者
    shien, shien_boss = user(people, "shien"), user(people, "shien-boss")
    report = _save_submit(report_of(round_, SHIEN), shien)
    report = services.return_report(report, shien_boss, "確認してください。")
    report = services.approve(_save_submit(report, shien), shien_boss)
    report = _save_submit(report_of(round_, KATSUDO), boss1)
    report = services.return_report(report, boss2, "確認してください。")
    services.approve(_save_submit(report, boss1), boss2)
    opinion = reviews.create_opinion(plan, FY, "周知を強めてほしい", user=admin)
    dept = Department.objects.get(organization__slug=COUNCIL, name=KATSUDO)
    opinion = reviews.assign(opinion, dept, user=admin, version=opinion.version)
    reviews.answer(opinion, user=boss1, version=opinion.version, policy="周知する", action="済")
    other = reviews.create_opinion(plan, FY, "相談件数を増やしてほしい", user=admin)
    shien_dept = Department.objects.get(organization__slug=COUNCIL, name=SHIEN)
    reviews.assign(other, shien_dept, user=admin, version=other.version)

    received = defaultdict(set)
    for row in Notification.objects.select_related("recipient"):
        role = Membership.objects.get(user=row.recipient).role
        assert row.kind in kinds_for(row.recipient), (row.recipient.username, row.kind)
        received[role].add(row.kind)
    assert dict(received) == {role: set(kinds) for role, kinds in KINDS_BY_ROLE.items() if kinds}


def _boxes(page) -> list[str]:
    return [k for k in Kind.values if f'value="{k}"' in page]


def test_each_role_is_offered_its_own_kinds(people):
    staff = [
        Kind.ROUND_OPENED,
        Kind.RETURNED,
        Kind.APPROVED,
        Kind.DEADLINE_NEAR,
        Kind.DEADLINE_PASSED,
        Kind.REMINDER,
        Kind.OPINION_ASSIGNED,
    ]
    expected = {
        "shien": staff,
        "shien-boss": sorted([*staff, Kind.SUBMITTED], key=Kind.values.index),
        "admin": [Kind.SUBMITTED, Kind.DEADLINE_PASSED, Kind.OPINION_ANSWERED],
        "outsider": [Kind.SUBMITTED, Kind.DEADLINE_PASSED, Kind.OPINION_ANSWERED],
        "viewer": [],
    }
    for name, kinds in expected.items():
        page = people[name].get(PREFS)
        assert page.status_code == 200, name
        assert _boxes(page.text) == kinds, name
        assert page.text.count('type="checkbox"') == len(kinds), name
    assert "選ぶ項目はありません" in people["viewer"].get(PREFS).text
    operator = login_client("n-operator", superuser=True)
    page = operator.get(PREFS)
    assert page.status_code == 200 and _boxes(page.text) == []


def test_saving_keeps_the_kinds_not_offered(people):
    admin = people["admin"]
    # Muted while the user was 部署担当 (and one the 管理者 sees too).
    MailPreference.objects.create(
        user=admin.user, muted=[Kind.RETURNED, Kind.DEADLINE_PASSED], version=3
    )
    page = admin.get(PREFS).text
    assert _boxes(page) == [Kind.SUBMITTED, Kind.DEADLINE_PASSED, Kind.OPINION_ANSWERED]
    assert page.count("checked") == 2  # submitted and opinion answered; deadline passed off
    response = admin.post(PREFS, {"kinds": [Kind.DEADLINE_PASSED], "version": 3})
    assert response.status_code == 302
    pref = MailPreference.objects.get(user=admin.user)
    assert pref.version == 4
    assert pref.muted == [Kind.SUBMITTED, Kind.RETURNED, Kind.OPINION_ANSWERED]
    # A kind the role is not offered is refused, nothing stored.
    bad = admin.post(PREFS, {"kinds": [Kind.ROUND_OPENED], "version": 4})
    assert bad.status_code == 422
    assert MailPreference.objects.get(user=admin.user).muted == pref.muted
    # Stale version: refused (409), nothing stored.
    stale = admin.post(PREFS, {"kinds": [], "version": 3})
    assert stale.status_code == 409
    assert MailPreference.objects.get(user=admin.user).version == 4
    # The viewer, offered nothing, has no form to send; a hand-made post changes nothing hidden.
    viewer = people["viewer"]
    MailPreference.objects.create(user=viewer.user, muted=[Kind.REMINDER], version=1)
    assert viewer.post(PREFS, {"version": 1}).status_code == 302
    assert MailPreference.objects.get(user=viewer.user).muted == [Kind.REMINDER]
    assert Role.VIEWER in KINDS_BY_ROLE
