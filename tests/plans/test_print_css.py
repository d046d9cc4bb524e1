"""/print.css: the printed pages' running header (issue 15 part 4)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.core.css import css_escape

pytestmark = pytest.mark.django_db


def test_it_puts_the_heading_in_the_top_margin_box_of_every_printed_page():
    response = Client().get(
        reverse("plans:print_css"), {"h": "第4期西東京市地域福祉計画 令和元年度"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert css.startswith("@media print { @page { @top-left {")
    assert '"第4期西東京市地域福祉計画 令和元年度"' in css


def test_a_heading_can_never_close_the_string_or_the_rule():
    css = Client().get(reverse("plans:print_css"), {"h": '"; } } body { x: "\\' + "\n<"}).content
    text = css.decode()
    inside = text.split('content: "', 1)[1].rsplit('"; font-size', 1)[0]
    assert '"' not in inside and "}" not in inside and "\n" not in inside and "<" not in inside


def test_a_plan_page_links_it_with_the_plan_and_its_period(admin_client_council):
    client = admin_client_council
    html = client.get("/plans/nishitokyo-action-plan-2019/").content.decode()
    assert 'rel="stylesheet" media="print" href="/print.css?h=' in html
    link = html.split('media="print" href="', 1)[1].split('"', 1)[0]
    css = client.get(link.replace("&amp;", "&")).content.decode()
    title = "第四次西東京市地域福祉活動計画を具現化するためのアクションプラン"
    assert css_escape(f"{title} 令和元年度(2019年度)～令和5年度(2023年度)") in css


def test_a_page_without_a_plan_links_no_header(admin_client_council):
    html = admin_client_council.get("/").content.decode()
    assert "/print.css" not in html
