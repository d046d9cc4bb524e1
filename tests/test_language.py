"""Screens are Japanese by default whatever the browser says; English only when chosen."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_japanese_even_for_an_english_browser(client: Client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "| 進捗</title>" in html
    assert "ログイン" in html
    assert response["Content-Language"] == "ja"


def test_english_when_chosen(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/accounts/login/")
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_unknown_language_cookie_falls_back_to_japanese(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="ja">' in client.get("/accounts/login/").content.decode()


def test_the_round_report_and_public_pages_speak_both_languages() -> None:
    """Every page of the yearly round, in Japanese by default and in English when chosen."""
    from django.urls import reverse

    from shinchoku.rounds.demo import load_demo_round
    from tests.conftest import CITY_ORG, login_client

    load_demo_round()
    city = "nishitokyo-chiiki-fukushi-4"
    admin = login_client("lang-admin", role="admin", org_slug=CITY_ORG)
    dept = admin.get(reverse("rounds:board", args=[city, 2019])).context["reports"][0]
    pages = [
        reverse("rounds:list", args=[city]),
        reverse("rounds:settings", args=[city]),
        reverse("rounds:board", args=[city, 2019]),
        reverse("rounds:sheet", args=[city, 2019, dept.department_id]),
        reverse("rounds:overview", args=[city, 2019]),
        reverse("rounds:dashboard"),
        reverse("reports:committee", args=[city, 2019]),
        reverse("public:plan", args=[city]),
    ]
    expected = {"ja": ("進捗調査", "Progress rounds"), "en": ("Progress rounds", "進捗調査")}
    for language, (shown, not_shown) in expected.items():
        admin.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in pages:
            response = admin.get(url)
            html = response.content.decode()
            assert response.status_code == 200, (language, url)
            assert f'<html lang="{language}">' in html, (language, url)
        board = admin.get(pages[2]).content.decode()
        assert shown in board and not_shown not in board, language
