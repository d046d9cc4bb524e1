"""The search page: /search/?q=… across the plans the user may read (issue 15, part 6).

On the demo plans: 会費 is in the council's activity plan (実施内容) and action plan (item 17's
title and texts); 防災 is in the city's plan (the item 防災対策の充実 and the indicator
防災市民組織の数).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Content, Indicator, Node, Plan, Section, WelfareIssue
from shinchoku.reviews.models import Opinion
from tests.conftest import CITY_ORG, login_client

URL = reverse("search:page")
KATSUDO = "nishitokyo-katsudo-4"
ACTION = "nishitokyo-action-plan-2019"
CITY_SLUG = "nishitokyo-chiiki-fukushi-4"
ROLES = ("admin", "staff", "approver", "viewer")


def search(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def main(page: str) -> str:
    return re.search(r"<main.*?</main>", page, re.S).group(0)


def plans_listed(page: str) -> set[str]:
    return set(re.findall(r'<h2><a href="/plans/([^/]+)/">', page))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_member_finds_kaihi_in_the_councils_plans(role):
    client = login_client(f"council-{role}", role=role)
    page = search(client, "会費")
    assert plans_listed(page) == {KATSUDO, ACTION}
    assert "<mark>会費</mark>" in page
    assert 'href="/plans/nishitokyo-action-plan-2019/nodes/item-17/"' in page
    assert "会員<mark>会費</mark>制度の啓発・増強" in page  # the item's title, highlighted
    assert "件見つかりました" in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_the_city_finds_bousai_in_its_plan_and_the_council_does_not(role):
    city = login_client(f"city-{role}", role=role, org_slug=CITY_ORG)
    page = search(city, "防災")
    assert plans_listed(page) == {CITY_SLUG}
    assert "<mark>防災</mark>対策の充実" in page
    indicator = Indicator.objects.get(plan__slug=CITY_SLUG, name__contains="防災市民組織")
    assert reverse("rounds:indicator", args=[CITY_SLUG, indicator.key]) in page
    council = login_client(f"council-{role}", role=role)
    assert plans_listed(search(council, "防災")) == set()


@pytest.mark.django_db
def test_an_outsider_sees_none_of_the_councils_plans():
    Organization.objects.create(slug="elsewhere", name="よその社協", kind="council")
    outsider = login_client("outsider", role="admin", org_slug="elsewhere")
    page = search(outsider, "会費")
    assert plans_listed(page) == set()
    assert "見つかりませんでした" in page
    assert "会員会費制度" not in page
    city = login_client("city-viewer", role="viewer", org_slug=CITY_ORG)
    assert plans_listed(search(city, "会費")) == set()


@pytest.mark.django_db
def test_the_federation_operator_sees_every_organization():
    client = login_client("federation", superuser=True)
    assert plans_listed(search(client, "防災")) >= {CITY_SLUG}
    assert plans_listed(search(client, "会費")) >= {KATSUDO, ACTION}


@pytest.mark.django_db
def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL, {"q": "会費"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees"), [("admin", True), ("approver", True), ("staff", False), ("viewer", False)]
)
def test_a_draft_plan_is_found_only_by_those_who_may_see_drafts(role, sees):
    Plan.objects.filter(slug=ACTION).update(status=Plan.Status.DRAFT)
    client = login_client(f"council-{role}", role=role)
    page = search(client, "会費")
    assert (ACTION in plans_listed(page)) is sees
    assert KATSUDO in plans_listed(page)
    assert ("策定中" in main(page)) is sees


def _opinion(plan: Plan, text: str, number: int = 1, fy: int = 2019) -> Opinion:
    return Opinion.objects.create(plan=plan, fy=fy, number=number, text=text)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_committee_opinions_are_found_by_every_member(role):
    opinion = _opinion(Plan.objects.get(slug=ACTION), "会費の使い道をもっと市民に知らせてほしい。")
    opinion.policy = "広報紙で特集する"
    opinion.save()
    client = login_client(f"council-{role}", role=role)
    page = search(client, "会費 使い道")
    assert reverse("reviews:detail", args=[ACTION, 2019, 1]) in page
    assert "委員会の意見" in page
    assert "令和元年度(2019年度) 意見1" in page
    page = search(client, "広報紙 特集")  # the answer is searched too
    assert reverse("reviews:detail", args=[ACTION, 2019, 1]) in page


@pytest.mark.django_db
def test_opinions_of_a_draft_plan_are_not_shown():
    _opinion(Plan.objects.get(slug=ACTION), "会費の使い道をもっと市民に知らせてほしい。")
    Plan.objects.filter(slug=ACTION).update(status=Plan.Status.DRAFT)
    page = search(login_client("council-admin", role="admin"), "使い道")
    assert "/opinions/" not in page


@pytest.mark.django_db
def test_width_and_case_do_not_matter_on_either_side():
    node = Node.objects.get(plan__slug=ACTION, key="item-17")
    Section.objects.create(
        plan=node.plan, node=node, order=99, heading="広報", body=["ＳＮＳで会費のＰＲを行う"]
    )
    client = login_client("council-staff", role="staff")
    for q in ("sns", "ＳＮＳ", "Sns", "ｓｎｓ"):
        page = search(client, q)
        assert "<mark>ＳＮＳ</mark>で会費の" in page, q
    half = search(client, "ｶｲﾋ")
    assert "見つかりませんでした" in half  # kana is not kanji: no false friends


@pytest.mark.django_db
def test_several_words_must_all_be_found():
    client = login_client("council-viewer", role="viewer")
    one = search(client, "会費")
    both = search(client, "会費　PR")
    count = lambda page: int(re.search(r"(\d+)件見つかりました", page).group(1))  # noqa: E731
    assert 0 < count(both) < count(one)
    assert "<mark>PR</mark>" in both


@pytest.mark.django_db
def test_a_title_with_markup_is_escaped():
    node = Node.objects.get(plan__slug=ACTION, key="item-17")
    node.title = '<script>alert("x")</script>会費<b>太字</b>'
    node.save()
    page = search(login_client("council-admin", role="admin"), "会費")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>会費</mark>&lt;b&gt;太字" in page
    page = search(login_client("council-admin2", role="admin"), "<script>")
    assert "<mark>&lt;script&gt;</mark>" in page


@pytest.mark.django_db
def test_empty_and_too_short_queries_get_a_message():
    client = login_client("council-staff", role="staff")
    assert "検索する言葉を入力してください" in search(client, "")
    assert "検索する言葉を入力してください" in search(client, "   ")
    short = search(client, "の")
    assert "検索する言葉が短すぎます。2文字以上の言葉を入力してください。" in short
    mixed = search(client, "会費 の")
    assert "2文字未満の言葉は検索に使っていません：" in mixed
    assert "<mark>会費</mark>" in mixed


@pytest.mark.django_db
def test_the_page_is_japanese_and_the_header_has_the_search_box():
    client = login_client("council-staff", role="staff")
    page = search(client, "会費")
    for english in ("Search", "result", "Items and goals", "Contents", "Words to search"):
        assert english not in main(page), english
    assert 'action="/search/"' in page
    assert '<label for="site-search-q" class="visually-hidden">計画を検索</label>' in page


def _grow(plan: Plan, n: int) -> None:
    """Add n matching items (each with a section, a content, an indicator), opinions, issues."""
    parent = Node.objects.filter(plan=plan, level=1).first()
    for i in range(n):
        node = Node.objects.create(
            plan=plan, parent=parent, key=f"grow-{i}", level=2, seq=10_000 + i, title=f"会費{i}"
        )
        Section.objects.create(plan=plan, node=node, heading="会費", body=[f"会費の説明{i}"])
        Content.objects.create(node=node, label="1", text=f"会費の周知{i}")
        Indicator.objects.create(node=node, key=f"grow-ind-{i}", name=f"会費の納入率{i}", unit="％")
        _opinion(plan, f"会費について{i}", number=100 + i)
        WelfareIssue.objects.create(
            plan=plan, number=100 + i, title=f"会費の課題{i}", voices=["会費"]
        )
    Section.objects.create(plan=plan, heading="会費の考え方", body=["会費は大切な財源です。"])


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_data():
    client = login_client("council-viewer", role="viewer")
    search(client, "会費")  # warm the session and membership caches of the test client
    with CaptureQueriesContext(connection) as small:
        search(client, "会費")
    _grow(Plan.objects.get(slug=ACTION), 60)
    with CaptureQueriesContext(connection) as large:
        page = search(client, "会費", page=2)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(small) <= 12, "\n".join(q["sql"][:90] for q in small.captured_queries)
    assert "ページ中2ページ目" in page
    assert page.count("<li><a href=") == 20


@pytest.mark.django_db
def test_results_are_paginated_and_keep_the_query():
    _grow(Plan.objects.get(slug=ACTION), 15)
    client = login_client("council-viewer", role="viewer")
    first = search(client, "会費")
    assert "次のページ" in first and "前のページ" not in first
    assert "（1〜20件目を表示）" in first
    assert "?q=%E4%BC%9A%E8%B2%BB&amp;page=2" in first
    last = search(client, "会費", page=999)  # past the end: the last page
    assert "前のページ" in last and "次のページ" not in last


@pytest.mark.django_db
def test_a_content_is_found_by_its_own_text_not_by_its_items_title():
    from shinchoku.core.search import normalize, split_terms
    from shinchoku.search.finder import find

    client = login_client("council-viewer", role="viewer")
    hits = find(client.user, split_terms("会費").terms)
    contents = [h for h in hits if h.kind == "content"]
    assert contents
    assert all("会費" in normalize(h.body) for h in contents)
    assert "圏域ごとに社協協力員をサポートする仕組みの検討" not in search(client, "会費")
    _opinion(Plan.objects.get(slug=ACTION), "広報紙を読みやすく。")
    assert "/opinions/" not in search(client, "令和元年度")  # the heading is not the opinion


@pytest.mark.django_db
def test_the_page_is_english_in_the_english_ui():
    from django.conf import settings

    client = login_client("council-staff", role="staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = main(search(client, "会費"))
    assert re.search(r"<p class=\"search-count\" role=\"status\">\d+ results</p>", page)
    assert "Items and goals" in page and "Contents" in page
    assert "件見つかりました" not in page and "検索する言葉" not in page
    assert "Enter a word to search for" in main(search(client, ""))


@pytest.mark.django_db
def test_welfare_issues_and_their_voices_are_plan_texts():
    plan = Plan.objects.get(slug=KATSUDO)
    WelfareIssue.objects.create(
        plan=plan, number=99, title="災害時の要配慮者", voices=["避難所までの道が不安だという声"]
    )
    page = search(login_client("council-viewer", role="viewer"), "避難所")
    assert "計画の本文" in page
    assert "<mark>避難所</mark>までの道が不安" in page
    assert f'href="{reverse("plans:detail", args=[KATSUDO])}">災害時の要配慮者' in page


@pytest.mark.django_db
def test_the_query_is_escaped_where_it_is_shown_again():
    page = search(login_client("council-viewer", role="viewer"), '"><script>x</script>')
    assert "<script>x" not in page
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in page
