"""The staff pages speak Japanese: no English word left in what the user reads."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import COUNCIL, login_client

# What may stand in Latin letters on a Japanese page: file formats and addresses, login IDs.
ALLOWED = {"Excel", "xlsx", "ID", "jp", "example", "name", "mm", "dd", "yyyy"}


def words(html: str) -> set[str]:
    main = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<[^>]+>", " ", main)  # the text only, not attributes
    main = re.sub(r"[\w.+-]+@[\w.-]+", " ", main)  # e-mail addresses
    main = re.sub(r"[\w-]*(council-admin|lang-)[\w-]*", " ", main)  # login IDs
    return {w for w in re.findall(r"[A-Za-z]{2,}", main)} - ALLOWED


def test_staff_pages_have_no_english_left(admin):
    person = login_client("lang-person", role="staff", departments=("総務課",)).user
    pages = [
        reverse("staff:list", args=[COUNCIL]),
        reverse("staff:add", args=[COUNCIL]),
        reverse("staff:person", args=[COUNCIL, person.pk]),
    ]
    for url in pages:
        response = admin.get(url)
        assert response.status_code == 200
        assert words(response.content.decode()) == set(), url
    errors = admin.post(reverse("staff:add", args=[COUNCIL]), {"email": "x"})
    assert words(errors.content.decode()) == set()
    operator = login_client("lang-operator", superuser=True)
    assert words(operator.get(reverse("staff:index")).content.decode()) == set()
    anonymous = Client()
    for url in (
        reverse("accounts:password_reset"),
        reverse("accounts:password_reset_done"),
        reverse("accounts:invitation_accept", args=["MQ", "x-y"]),
        reverse("accounts:password_reset_confirm", args=["MQ", "x-y"]),
        reverse("accounts:password_reset_complete"),
    ):
        response = anonymous.get(url, follow=True)
        assert words(response.content.decode()) == set(), url


def test_staff_pages_in_english_when_chosen(admin):
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin.get(reverse("staff:list", args=[COUNCIL])).content.decode()
    assert "Add a person" in html and "職員の追加" not in html


def test_staff_list_preview_and_problems_have_no_english_left(admin):
    from tests.staff.test_roster import upload, workbook

    login_client("lang-moved", role="staff", departments=("総務課",))
    good = upload(
        admin,
        workbook(
            [
                ["新しい 人", "", "atarashii@example.jp", "閲覧", "", ""],
                ["移る 人", "lang-moved", "moved@example.jp", "承認者", "福祉支援課", "停止"],
            ]
        ),
    )
    assert good.status_code == 200 and "この内容で反映する" in good.content.decode()
    assert words(good.content.decode()) == set()
    bad = upload(admin, workbook([["", "x", "不正な値", "課長", "無い課", "休職"]]))
    assert bad.status_code == 400
    assert words(bad.content.decode()) == set()
