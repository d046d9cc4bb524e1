"""Every change to people is in the audit log: actor, person, organization, what changed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from shinchoku.accounts.models import Membership
from shinchoku.audit.models import Action, AuditEvent
from shinchoku.jobs.runner import run_pending
from shinchoku.staff import transfers
from shinchoku.staff.models import Transfer
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.staff.conftest import STRONG, dept, link_in

User = get_user_model()


def events(action: str, person=None):
    found = AuditEvent.objects.filter(action=action).select_related("organization")
    if person is not None:
        found = found.filter(target=person)
    return list(found)


def one(action: str, person, actor) -> AuditEvent:
    found = events(action, person)
    assert len(found) == 1, [(e.action, e.target_name) for e in AuditEvent.objects.all()]
    event = found[0]
    assert event.user == actor and event.organization.slug == COUNCIL
    assert event.target_name == (person.get_full_name() or person.username)
    return event


def audit_page(client, **params) -> str:
    """The events table of the audit log page (the filter above it lists every action)."""
    response = client.get(reverse("audit:list"), params)
    assert response.status_code == 200
    text = response.text
    return text[text.index("<tbody>") :] if "<tbody>" in text else ""


def test_add_edit_deactivate_reactivate_are_audited_and_shown_in_japanese(
    admin, mailbox, django_capture_on_commit_callbacks
):
    data = {
        "name": "山田 花子",
        "email": "hanako@example.jp",
        "username": "hanako",
        "role": "staff",
        "departments": [dept("総務課").pk, dept("福祉支援課").pk],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(reverse("staff:add", args=[COUNCIL]), data).status_code == 302
    person = User.objects.get(username="hanako")
    added = one(Action.STAFF_ADDED, person, admin.user)
    assert added.detail["role"] == "staff"
    assert added.detail["departments"] == sorted(["総務課", "福祉支援課"])
    assert added.url_name == "staff:add" and added.ip == "127.0.0.1"
    sent = one(Action.INVITATION_SENT, person, admin.user)
    assert sent.detail == {"email": "hanako@example.jp"}

    member = Membership.objects.get(user=person)
    edit = data | {
        "name": "山田 華子",
        "email": "hanako2@example.jp",
        "role": "approver",
        "departments": [dept("福祉支援課").pk],
        "version": member.version,
    }
    assert admin.post(reverse("staff:person", args=[COUNCIL, person.pk]), edit).status_code == 302
    person.refresh_from_db()
    edited = one(Action.STAFF_EDITED, person, admin.user)
    assert edited.detail == {
        "name": {"before": "山田 花子", "after": "山田 華子"},
        "email": {"before": "hanako@example.jp", "after": "hanako2@example.jp"},
        "role": {"before": "staff", "after": "approver"},
        "departments": {
            "before": sorted(["総務課", "福祉支援課"]),
            "after": ["福祉支援課"],
        },
    }
    # saving the same values again is no change and no event
    member.refresh_from_db()
    again = edit | {"version": member.version}
    admin.post(reverse("staff:person", args=[COUNCIL, person.pk]), again)
    assert len(events(Action.STAFF_EDITED, person)) == 1

    member.refresh_from_db()
    url = reverse("staff:set_active", args=[COUNCIL, person.pk])
    assert admin.post(url, {"active": "0", "version": member.version}).status_code == 302
    one(Action.STAFF_DEACTIVATED, person, admin.user)
    member.refresh_from_db()
    assert admin.post(url, {"active": "1", "version": member.version}).status_code == 302
    one(Action.STAFF_REACTIVATED, person, admin.user)
    # a refused change (stale version) leaves no event
    admin.post(url, {"active": "0", "version": member.version})
    assert len(events(Action.STAFF_DEACTIVATED, person)) == 1

    page = audit_page(admin)
    for label in (
        "職員の追加",
        "招待メールの送信",
        "職員情報の変更",
        "職員の利用停止",
        "職員の利用再開",
    ):
        assert label in page, label
    assert "対象者: 山田 華子" in page
    assert "役割: 部署担当 → 承認者" in page
    assert "氏名: 山田 花子 → 山田 華子" in page
    assert "部署: 福祉支援課、総務課 → 福祉支援課" in page or "部署: 総務課、福祉支援課" in page
    assert "English" not in page and "Person edited" not in page
    # filtered by the new action
    only = audit_page(admin, action=Action.STAFF_EDITED)
    assert "職員情報の変更" in only and "対象者: 山田 華子" in only
    # the CSV has the person and the detail
    csv_text = b"".join(admin.get(reverse("audit:csv")).streaming_content).decode("utf-8-sig")
    assert "対象者" in csv_text.splitlines()[0] and "役割: 部署担当 → 承認者" in csv_text

    # the other organization's 管理者 sees none of it; the operator sees it
    outsider = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    assert "山田" not in audit_page(outsider)
    assert not AuditEvent.objects.filter(target=person).exclude(organization__slug=COUNCIL)
    operator = login_client("operator", superuser=True)
    assert "対象者: 山田 華子" in audit_page(operator)


def test_invitation_resent_and_accepted_are_audited(
    admin, mailbox, django_capture_on_commit_callbacks
):
    data = {"name": "鈴木 次郎", "email": "jiro@example.jp", "username": "jiro", "role": "viewer"}
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("staff:add", args=[COUNCIL]), data)
        admin.post(reverse("staff:resend", args=[COUNCIL, User.objects.get(username="jiro").pk]))
    person = User.objects.get(username="jiro")
    one(Action.INVITATION_SENT, person, admin.user)
    resent = one(Action.INVITATION_RESENT, person, admin.user)
    assert resent.url_name == "staff:resend"
    run_pending()
    visitor = Client()
    page = visitor.get(link_in(mailbox[-1].body), follow=True)
    form_url = page.redirect_chain[-1][0]
    assert form_url.startswith("/accounts/invitation/")
    visitor.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    accepted = one(Action.INVITATION_ACCEPTED, person, person)  # the person is the actor
    assert accepted.url_name == "accounts:invitation_accept"
    page = audit_page(admin)
    assert "招待メールの再送" in page and "招待の受諾(パスワード設定)" in page
    outsider = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    assert "鈴木" not in audit_page(outsider)


def test_transfers_recorded_applied_and_cancelled_are_audited(admin):
    person = login_client("sato", role="staff", departments=("総務課",)).user
    url = reverse("staff:transfer", args=[COUNCIL, person.pk])
    today = transfers.today()
    admin.post(url, {"t-effective": today.isoformat(), "t-departments": [dept("福祉支援課").pk]})
    recorded = one(Action.TRANSFER_RECORDED, person, admin.user)
    assert recorded.detail["departments"] == {"before": ["総務課"], "after": ["福祉支援課"]}
    assert recorded.detail["effective"] == today.isoformat()
    applied = one(Action.TRANSFER_APPLIED, person, admin.user)
    assert applied.detail["departments"]["after"] == ["福祉支援課"]

    later = today + timedelta(days=3)
    admin.post(url, {"t-effective": later.isoformat(), "t-departments": [dept("総務課").pk]})
    assert len(events(Action.TRANSFER_RECORDED, person)) == 2
    assert len(events(Action.TRANSFER_APPLIED, person)) == 1
    pending = Transfer.objects.get(user=person, applied_at__isnull=True)
    cancel = reverse("staff:cancel_transfer", args=[COUNCIL, person.pk, pending.pk])
    assert admin.post(cancel).status_code == 302
    cancelled = one(Action.TRANSFER_CANCELLED, person, admin.user)
    assert cancelled.detail["departments"]["after"] == ["総務課"]

    # the daily job applies a later one: no actor, still the person's organization
    admin.post(url, {"t-effective": later.isoformat(), "t-departments": [dept("総務課").pk]})
    assert transfers.apply_due(later) == 1
    by_job = [e for e in events(Action.TRANSFER_APPLIED, person) if e.user is None]
    assert len(by_job) == 1 and by_job[0].organization.slug == COUNCIL

    page = audit_page(admin)
    for label in ("人事異動の登録", "人事異動の反映", "人事異動の取消し", "発令日: "):
        assert label in page, label
    outsider = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    assert "sato" not in (seen := audit_page(outsider)) and "人事異動" not in seen


def test_a_change_by_the_operator_belongs_to_the_persons_organization(
    operator, admin, django_capture_on_commit_callbacks
):
    data = {
        "name": "高橋 三郎",
        "email": "saburo@example.jp",
        "username": "saburo",
        "role": "viewer",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post(reverse("staff:add", args=[COUNCIL]), data).status_code == 302
    person = User.objects.get(username="saburo")
    one(Action.STAFF_ADDED, person, operator.user)
    assert "対象者: 高橋 三郎" in audit_page(admin)
