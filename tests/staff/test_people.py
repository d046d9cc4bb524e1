"""Adding a person with an invitation, accepting it, editing with a version, deactivating."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from shinchoku.accounts.models import Membership
from shinchoku.jobs.runner import run_pending
from shinchoku.plans.history import user_name
from shinchoku.staff.tokens import InvitationTokenGenerator
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.staff.conftest import STRONG, dept, link_in, log_in

User = get_user_model()


def add(client, django_capture_on_commit_callbacks, **fields):
    data = {"name": "山田 花子", "email": "hanako@example.jp", "role": "staff"} | fields
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("staff:add", args=[COUNCIL]), data)


def test_add_sends_an_invitation_that_sets_the_password(
    admin, mailbox, django_capture_on_commit_callbacks, settings
):
    settings.SHINCHOKU_BASE_URL = "https://shinchoku.example.jp"
    response = add(
        admin,
        django_capture_on_commit_callbacks,
        departments=[dept("総務課").pk, dept("福祉支援課").pk],
    )
    user = User.objects.get(email="hanako@example.jp")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:person", args=[COUNCIL, user.pk])
    assert user.username == "hanako@example.jp"  # the login ID defaults to the e-mail
    assert user.get_full_name() == "山田 花子"
    assert not user.has_usable_password()
    member = Membership.objects.get(user=user)
    assert member.organization.slug == COUNCIL and member.role == "staff"
    assert {d.name for d in member.departments.all()} == {"総務課", "福祉支援課"}
    # nothing is sent in the request: the mail task does it
    assert mailbox == []
    assert run_pending() == 1
    assert len(mailbox) == 1 and mailbox[0].to == ["hanako@example.jp"]
    body = mailbox[0].body
    assert "招待" in mailbox[0].subject and "hanako@example.jp" in body
    assert body.count("https://shinchoku.example.jp/accounts/invitation/") == 1
    # the list shows the invitation pending
    listing = admin.get(reverse("staff:list", args=[COUNCIL])).text
    assert "山田 花子" in listing and "未設定" in listing
    # accepting: Django's confirm view moves the token into the session, then the form
    visitor = Client()
    page = visitor.get(link_in(body), follow=True)
    assert page.status_code == 200 and "パスワードの設定" in page.text
    form_url = page.redirect_chain[-1][0]
    weak = visitor.post(form_url, {"new_password1": "abc", "new_password2": "abc"})
    assert weak.status_code == 200 and "has-error" in weak.text
    user.refresh_from_db()
    assert not user.has_usable_password()
    done = visitor.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302
    assert visitor.get(reverse("staff:index")).status_code == 403  # logged in, as staff
    assert log_in("hanako@example.jp", STRONG).ok
    # the link works once
    again = Client().get(link_in(body), follow=True)
    assert "この招待リンクは使えません" in again.text
    assert "設定済み" in admin.get(reverse("staff:list", args=[COUNCIL])).text


def test_expired_or_forged_invitation_is_refused(
    admin, mailbox, django_capture_on_commit_callbacks
):
    add(admin, django_capture_on_commit_callbacks, username="hanako")
    user = User.objects.get(username="hanako")

    class TenDaysAgo(InvitationTokenGenerator):
        def _now(self):
            return datetime.now() - timedelta(days=10)

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    old = TenDaysAgo().make_token(user)
    page = Client().get(reverse("accounts:invitation_accept", args=[uid, old]), follow=True)
    assert "この招待リンクは使えません" in page.text
    forged = Client().get(reverse("accounts:invitation_accept", args=[uid, "abc-123"]), follow=True)
    assert "この招待リンクは使えません" in forged.text
    # a password-reset token is not an invitation token
    from django.contrib.auth.tokens import default_token_generator

    other = default_token_generator.make_token(user)
    assert (
        "この招待リンクは使えません"
        in Client().get(reverse("accounts:invitation_accept", args=[uid, other]), follow=True).text
    )
    # resending gives a fresh link that works
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("staff:resend", args=[COUNCIL, user.pk]))
    run_pending()
    assert len(mailbox) == 2
    page = Client().get(link_in(mailbox[-1].body), follow=True)
    assert 'name="new_password1"' in page.text


def test_add_refuses_bad_input_with_field_messages(admin, django_capture_on_commit_callbacks):
    from shinchoku.orgs.models import Department

    city_department = Department.objects.filter(organization__slug=CITY_ORG).first()
    assert city_department is not None
    login_client("taken", role="staff", org_slug=CITY_ORG).user.__class__.objects.filter(
        username="taken"
    ).update(email="taken@example.jp")
    cases = [
        ({"name": ""}, 'id="id_name_error">氏名を入力してください'),
        ({"email": "not-an-address"}, 'id="id_email_error">メールアドレスとして正しくありません'),
        ({"email": "TAKEN@example.jp"}, "ほかの団体の別の利用者"),
        ({"username": "taken"}, "別のログインIDにしてください"),
        ({"username": "with space"}, "空白は使えません"),
        ({"role": "owner"}, 'id="id_role_error"'),
        ({"departments": [999999]}, 'id="id_departments_error"'),
        ({"departments": [city_department.pk]}, 'id="id_departments_error"'),
    ]
    for fields, expected in cases:
        response = add(admin, django_capture_on_commit_callbacks, **fields)
        assert response.status_code == 400, fields
        assert expected in response.text, fields
    assert not User.objects.filter(last_name="山田 花子").exists()
    page = add(admin, django_capture_on_commit_callbacks, name="").text
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_name_error"' in page


def test_edit_needs_the_current_version(admin):
    person = login_client("sato", role="staff", departments=("総務課",)).user
    member = Membership.objects.get(user=person)
    url = reverse("staff:person", args=[COUNCIL, person.pk])
    form = {
        "name": "佐藤 一郎",
        "email": "sato@example.jp",
        "username": "sato",
        "role": "approver",
        "departments": [dept("福祉支援課").pk],
        "version": member.version,
    }
    assert admin.post(url, form).status_code == 302
    member.refresh_from_db()
    person.refresh_from_db()
    assert member.role == "approver" and member.version == 2
    assert person.get_full_name() == "佐藤 一郎" and person.email == "sato@example.jp"
    assert [d.name for d in member.departments.all()] == ["福祉支援課"]
    # a second tab still holding version 1
    stale = admin.post(url, form | {"name": "古い画面", "role": "viewer"})
    assert stale.status_code == 409
    assert "ほかの人がこの職員の情報を変更しました" in stale.text
    person.refresh_from_db()
    member.refresh_from_db()
    assert person.get_full_name() == "佐藤 一郎" and member.role == "approver"
    missing = admin.post(url, {k: v for k, v in form.items() if k != "version"})
    assert missing.status_code == 400


def test_deactivate_blocks_login_and_keeps_the_name(admin):
    person = login_client("suzuki", role="staff", departments=("総務課",)).user
    person.set_password(STRONG)
    person.last_name = "鈴木"
    person.save()
    session = log_in("suzuki", STRONG)
    assert session.ok and session.get(reverse("rounds:dashboard")).status_code == 200
    page = admin.get(reverse("staff:person", args=[COUNCIL, person.pk])).text
    assert 'data-confirm="鈴木さんを停止しますか？' in page and "staff/staff.js" in page
    from shinchoku.plans import history
    from shinchoku.plans.models import ChangeRecord, Plan

    plan = Plan.objects.filter(organization__slug=COUNCIL).first()
    written = history.record(
        plan, user=person, source="web", action="update", kind="node", key="k", label="事業"
    )
    name_in_history = user_name(person)
    member = Membership.objects.get(user=person)
    url = reverse("staff:set_active", args=[COUNCIL, person.pk])
    response = admin.post(url, {"active": "0", "version": member.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active and User.objects.filter(pk=person.pk).exists()
    assert user_name(person) == name_in_history == "鈴木"
    written.refresh_from_db()
    assert written.user_id == person.pk and written.user_name == "鈴木"
    assert ChangeRecord.objects.filter(user=person).count() == 1
    assert not log_in("suzuki", STRONG).ok
    # a session opened before is over too
    assert session.get(reverse("rounds:dashboard")).status_code == 302
    page = admin.get(reverse("staff:list", args=[COUNCIL]))
    assert "鈴木" in page.text and "停止" in page.text
    # a stale version changes nothing
    assert admin.post(url, {"active": "1", "version": member.version}).status_code == 409
    person.refresh_from_db()
    assert not person.is_active
    member.refresh_from_db()
    assert admin.post(url, {"active": "1", "version": member.version}).status_code == 302
    assert log_in("suzuki", STRONG).ok


def test_admin_cannot_deactivate_themselves_or_the_last_admin(admin, operator):
    me = Membership.objects.get(user=admin.user)
    url = reverse("staff:set_active", args=[COUNCIL, admin.user.pk])
    response = admin.post(url, {"active": "0", "version": me.version})
    assert response.status_code == 400 and "自分自身を停止することはできません" in response.text
    admin.user.refresh_from_db()
    assert admin.user.is_active
    # the demo data may hold other council admins: leave only this one active
    Membership.objects.filter(organization__slug=COUNCIL, role="admin").exclude(
        user=admin.user
    ).update(role="viewer")
    response = operator.post(url, {"active": "0", "version": me.version})
    assert response.status_code == 400 and "最後の在職中の管理者" in response.text
    # nor demote the last one
    edit = {
        "name": "x",
        "email": "admin@example.jp",
        "username": admin.user.username,
        "role": "staff",
        "version": me.version,
    }
    response = operator.post(reverse("staff:person", args=[COUNCIL, admin.user.pk]), edit)
    assert response.status_code == 400 and "最後の在職中の管理者" in response.text
    me.refresh_from_db()
    assert me.role == "admin"


def test_last_login_is_shown_in_local_time_with_wareki(admin):
    from datetime import UTC
    from datetime import datetime as dt

    person = login_client("late-night", role="staff").user
    person.last_login = dt(2026, 3, 31, 15, 30, tzinfo=UTC)  # 2026-04-01 00:30 in Tokyo
    person.save()
    page = admin.get(reverse("staff:list", args=[COUNCIL])).text
    assert "令和8年4月1日" in page and "00:30" in page
    page = admin.get(reverse("staff:person", args=[COUNCIL, person.pk])).text
    assert "令和8年4月1日" in page and "00:30" in page
