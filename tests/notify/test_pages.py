"""The notification pages and the header badge: each user's own only, CSRF, versions, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.notify.models import Kind, MailPreference, Notification
from shinchoku.notify.services import kinds_for, notify
from tests.conftest import login_client
from tests.notify.conftest import deliver, user

LIST = reverse("notify:list")
PREFS = reverse("notify:preferences")
READ_ALL = reverse("notify:read_all")


def make(recipient, n: int, kind: str = Kind.ROUND_OPENED, link: str = "/dashboard/") -> None:
    for i in range(n):
        notify([recipient], kind, f"お知らせ{i:02d}", "本文", link, f"test:{kind}:{i}")


def test_every_role_sees_only_their_own_list(people):
    for name in ("admin", "shien", "shien-boss", "viewer", "outsider"):
        make(user(people, name), 2)
    federation = login_client("n-federation", superuser=True)
    for name, client in [*people.items(), ("federation", federation)]:
        if name == "retired":
            continue
        page = client.get(LIST)
        assert page.status_code == 200, name
        mine = Notification.objects.filter(recipient=client.user).count()
        assert page.text.count('class="notify-new"') == mine, name
    assert Client().get(LIST).status_code == 302  # anonymous: to the login page


def test_opening_marks_read_and_goes_to_the_link_only_for_the_owner(people):
    shien = user(people, "shien")
    make(shien, 1, link="/plans/")
    row = Notification.objects.get(recipient=shien)
    url = reverse("notify:open", args=[row.pk])
    for name in ("admin", "shien-boss", "viewer", "outsider"):
        assert people[name].get(url).status_code == 404, name
    assert login_client("n-federation", superuser=True).get(url).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    response = people["shien"].get(url)
    assert response.status_code == 302 and response["Location"] == "/plans/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_foreign_link_is_never_followed(people):
    shien = user(people, "shien")
    notify([shien], Kind.ROUND_OPENED, "s", "b", "//evil.example/", "test:evil")
    row = Notification.objects.get(recipient=shien)
    response = people["shien"].get(reverse("notify:open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == LIST


def test_the_list_is_newest_first_and_paginated(people):
    shien = user(people, "shien")
    make(shien, 25)
    page = people["shien"].get(LIST).text
    assert page.index("お知らせ24") < page.index("お知らせ23")
    assert "お知らせ04" not in page and "2ページ中1ページ目" in page
    assert "令和" in page  # the time in 和暦 with the western year
    assert "お知らせ04" in people["shien"].get(LIST + "?page=2").text


def test_mark_all_read_is_a_post_with_csrf(people):
    shien = user(people, "shien")
    make(shien, 3)
    make(user(people, "katsudo"), 2)
    assert people["shien"].get(READ_ALL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(shien)
    assert strict.post(READ_ALL).status_code == 403
    assert Notification.objects.filter(recipient=shien, read_at__isnull=True).count() == 3
    response = people["shien"].post(READ_ALL, follow=True)
    assert "すべてのお知らせを既読にしました" in response.text
    assert not Notification.objects.filter(recipient=shien, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # katsudo's stay


def _notification_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "notify_notification" in q["sql"]]


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_and_the_badge_take_a_fixed_number_of_queries(people, n):
    shien = user(people, "shien")
    make(shien, n)
    client = people["shien"]
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(LIST)
    assert page.status_code == 200
    # the badge's count, the paginator's count, the page's rows
    assert len(_notification_queries(ctx)) == 3, _notification_queries(ctx)
    assert len(ctx.captured_queries) <= 10, [q["sql"] for q in ctx.captured_queries]
    assert f'<span class="notify-count">{n}</span>' in page.text


def test_the_total_queries_of_the_list_do_not_grow(people):
    shien = user(people, "shien")
    client = people["shien"]
    make(shien, 2)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    make(shien, 40)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_badge_on_another_page_is_one_query_and_none_for_the_anonymous(people):
    make(user(people, "shien"), 4)
    with CaptureQueriesContext(connection) as ctx:
        page = people["shien"].get(reverse("plans:list"))
    assert page.status_code == 200
    assert len(_notification_queries(ctx)) == 1
    assert '<span class="notify-count">4</span>' in page.text and "お知らせ" in page.text
    with CaptureQueriesContext(connection) as ctx:
        page = Client().get(reverse("accounts:login"))
    assert page.status_code == 200 and _notification_queries(ctx) == []
    assert "notify-badge" not in page.text


# --------------------------------------------------------------------------- preferences


def test_preferences_default_all_on_and_saved_with_a_version(people):
    client = people["shien"]
    page = client.get(PREFS)
    assert page.status_code == 200
    offered = kinds_for(client.user)  # 部署担当: not "submitted" nor "opinion answered"
    assert page.text.count('type="checkbox"') == len(offered) == 7
    assert page.text.count("checked") == len(offered)
    assert "提出期限が近づいたとき" in page.text
    wanted = [k for k in offered if k != Kind.RETURNED]
    response = client.post(PREFS, {"kinds": wanted, "version": 0})
    assert response.status_code == 302
    pref = MailPreference.objects.get(user=client.user)
    assert pref.muted == [Kind.RETURNED] and pref.version == 1
    # A page opened before that save is refused, the stored choice shown.
    stale = client.post(PREFS, {"kinds": offered, "version": 0})
    assert stale.status_code == 409 and "別の画面でメールの設定が変更されました" in stale.text
    assert MailPreference.objects.get(user=client.user).muted == [Kind.RETURNED]
    # Without a version: refused with a message, nothing stored.
    bad = client.post(PREFS, {"kinds": offered})
    assert bad.status_code == 422 and "再読み込み" in bad.text
    bad = client.post(PREFS, {"kinds": ["nonsense"], "version": 1})
    assert bad.status_code == 422
    assert MailPreference.objects.get(user=client.user).muted == [Kind.RETURNED]
    ok = client.post(PREFS, {"kinds": offered, "version": 1})
    assert ok.status_code == 302 and MailPreference.objects.get(user=client.user).muted == []


def test_preference_off_means_in_the_product_but_no_mail(
    people, django_capture_on_commit_callbacks
):
    client = people["shien"]
    wanted = [k for k in kinds_for(client.user) if k != Kind.ROUND_OPENED]
    client.post(PREFS, {"kinds": wanted, "version": 0})
    with django_capture_on_commit_callbacks(execute=True):
        make(client.user, 1, kind=Kind.ROUND_OPENED)
        make(client.user, 1, kind=Kind.APPROVED)
    received = deliver()
    assert received == {"shien": ["お知らせ00"]}
    rows = {n.kind: n.mail for n in Notification.objects.filter(recipient=client.user)}
    assert rows == {"round_opened": "not_wanted", "approved": "sent"}
    assert "お知らせ00" in client.get(LIST).text


def test_nobody_is_notified_twice_for_the_same_key(people, django_capture_on_commit_callbacks):
    shien = user(people, "shien")
    with django_capture_on_commit_callbacks(execute=True):
        assert len(notify([shien, shien], Kind.APPROVED, "s", "b", "/", "same")) == 1
        assert notify([shien], Kind.APPROVED, "s", "b", "/", "same") == []
    assert deliver() == {"shien": ["s"]}
    assert Notification.objects.filter(recipient=shien).count() == 1
