"""A forgotten password reset by e-mail, end to end, with the same answer for unknown addresses."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from shinchoku.jobs.runner import run_pending
from tests.conftest import login_client
from tests.staff.conftest import STRONG, link_in, log_in


def main_of(response) -> str:
    return response.text.split("<main")[1].split("</main>")[0]


def ask(address: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Client().post(reverse("accounts:password_reset"), {"email": address}, follow=True)


def test_login_page_links_to_the_reset():
    page = Client().get(reverse("accounts:login"))
    assert reverse("accounts:password_reset") in page.text and "パスワードをお忘れの方" in page.text
    form = Client().get(reverse("accounts:password_reset"))
    assert form.status_code == 200 and 'name="csrfmiddlewaretoken"' in form.text
    assert "Forgot" not in form.text


def test_reset_by_email_end_to_end(db, mailbox, django_capture_on_commit_callbacks, settings):
    settings.SHINCHOKU_BASE_URL = "https://shinchoku.example.jp"
    user = login_client("wasure", role="staff").user
    user.email = "wasure@example.jp"
    user.set_password("Old-password-2025")
    user.save()
    known = ask("Wasure@example.jp", django_capture_on_commit_callbacks)
    unknown = ask("nobody@example.jp", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert "メールをご確認ください" in known.text
    assert main_of(known) == main_of(unknown)
    assert mailbox == []  # sent by the worker, not the request
    run_pending()
    assert len(mailbox) == 1 and mailbox[0].to == ["wasure@example.jp"]
    assert "新しいパスワード" in mailbox[0].subject
    body = mailbox[0].body
    assert "https://shinchoku.example.jp/accounts/password/reset/" in body and "wasure" in body
    visitor = Client()
    page = visitor.get(link_in(body), follow=True)
    assert 'name="new_password1"' in page.text
    form_url = page.redirect_chain[-1][0]
    done = visitor.post(form_url, {"new_password1": STRONG, "new_password2": STRONG}, follow=True)
    assert "パスワードを変更しました" in done.text
    assert log_in("wasure", STRONG).ok and not log_in("wasure", "Old-password-2025").ok
    # the link is spent
    assert "このリンクは使えません" in Client().get(link_in(body), follow=True).text


def test_no_mail_for_a_deactivated_user(db, mailbox, django_capture_on_commit_callbacks):
    user = login_client("teishi", role="staff").user
    user.email = "teishi@example.jp"
    user.is_active = False
    user.save()
    ask("teishi@example.jp", django_capture_on_commit_callbacks)
    run_pending()
    assert mailbox == []
