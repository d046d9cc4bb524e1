"""Small things people notice: the user's name once in the header, the folding phone menu, the
favicon (and /favicon.ico), and the login page's link to the public pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.accounts.templatetags.accounts_ui import identity
from shinchoku.orgs.models import Organization
from tests.conftest import COUNCIL, login_client

COUNCIL_NAME = "西東京市社会福祉協議会"


def header(html: str) -> str:
    return re.search(r'<header class="site">(.*?)</header>', html, re.S).group(1)


def named(client: Client, name: str) -> Client:
    client.user.last_name = name
    client.user.save()
    return client


@pytest.mark.django_db
def test_a_name_that_says_organization_and_role_is_shown_once():
    assert Organization.objects.get(slug=COUNCIL).name == COUNCIL_NAME
    admin = named(login_client("hdr-admin", role="admin"), f"{COUNCIL_NAME} 管理者")
    top = header(admin.get(reverse("todo:page")).text)
    assert top.count(COUNCIL_NAME) == 1  # once: no "· organization · role" after it
    assert 'class="who-detail"' not in top
    assert f'<span class="who-name">{COUNCIL_NAME} 管理者</span>' in top


@pytest.mark.django_db
def test_a_personal_name_gets_organization_and_role_on_a_second_line():
    staff = named(login_client("hdr-staff", role="staff", departments=("福祉支援課",)), "山田 花子")
    top = header(staff.get(reverse("todo:page")).text)
    assert '<span class="who-name">山田 花子</span>' in top
    assert f'<span class="who-detail">{COUNCIL_NAME}・部署担当</span>' in top


@pytest.mark.django_db
def test_the_family_name_comes_first():
    staff = login_client("hdr-order", role="staff")
    staff.user.last_name, staff.user.first_name = "山田", "花子"
    assert identity(staff.user)["name"] == "山田 花子"


@pytest.mark.django_db
def test_identity_of_the_federation_operator_and_a_partial_name():
    operator = login_client("hdr-operator", superuser=True).user
    operator.last_name = "連合会 太郎"
    assert identity(operator)["detail"] == "連合会の運用担当"
    approver = named(login_client("hdr-approver", role="approver"), f"{COUNCIL_NAME} 田中").user
    who = identity(approver)
    assert who["name"] == f"{COUNCIL_NAME} 田中" and who["detail"] == "承認者"


@pytest.mark.django_db
def test_the_menu_folds_behind_a_details_button_without_inline_script():
    admin = login_client("hdr-menu", role="admin")
    html = admin.get(reverse("todo:page")).text
    top = header(html)
    # Rendered closed: nothing flashes open on a phone before a script runs (app.css shows the
    # links on a wide screen whatever the state).
    assert '<details class="site-menu" data-site-menu>' in top
    assert "<summary>メニュー</summary>" in top
    assert 'aria-label="メインメニュー"' in top
    assert "監査ログ" in top and "ログアウト" in top
    assert "<script>" not in html and "onclick" not in html
    admin.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = header(admin.get(reverse("todo:page")).text)
    assert "<summary>Menu</summary>" in english


@pytest.mark.django_db
def test_favicon_is_linked_and_served():
    admin = login_client("hdr-icon", role="admin")
    for html in (
        admin.get(reverse("todo:page")).text,
        Client().get(reverse("accounts:login")).text,
        Client().get(reverse("public:index")).text,
    ):
        assert 'rel="icon" href="/static/shinchoku/favicon.svg" type="image/svg+xml"' in html
        assert 'href="/static/shinchoku/favicon-32.png"' in html
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/shinchoku/favicon.ico"
    from django.contrib.staticfiles import finders

    for name in ("favicon.svg", "favicon-32.png", "favicon.ico", "apple-touch-icon.png"):
        assert finders.find(f"shinchoku/{name}"), name
    with open(finders.find("shinchoku/favicon.svg"), encoding="utf-8") as f:
        assert f.read().startswith("<svg xmlns=")
    with open(finders.find("shinchoku/favicon.ico"), "rb") as f:
        assert f.read(4) == b"\x00\x00\x01\x00"  # an ICO header


@pytest.mark.django_db
def test_login_page_links_to_the_public_pages():
    html = Client().get(reverse("accounts:login")).text
    public = reverse("public:index")
    assert f'<a href="{public}">地域福祉計画の進捗状況（公開）</a>' in html
    assert "どなたでもログインせずに" in html
    page = Client().get(public)
    assert page.status_code == 200
