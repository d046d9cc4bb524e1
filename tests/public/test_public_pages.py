"""The public pages through the test client: anonymous access, what is public, what is 404."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shinchoku.plans.models import Indicator, IndicatorValue, Node, Plan
from shinchoku.rounds import services
from tests.public.rounds import ACTION, CITY, published_round

CITY_PAGES = [
    "/public/",
    f"/public/{CITY}/",
    f"/public/{CITY}/?fy=2019",
    f"/public/{CITY}/nodes/C1/",
    f"/public/{CITY}/nodes/C1-1/",
    f"/public/{CITY}/indicators/I-1-1/",
    f"/public/{CITY}/data.csv",
    f"/public/{CITY}/data.json",
    f"/public/{CITY}/2019/data.csv",
    f"/public/{CITY}/2019/data.json",
]
ACTION_PAGES = [
    f"/public/{ACTION}/",
    f"/public/{ACTION}/nodes/P1/",
    f"/public/{ACTION}/nodes/item-16/",
    f"/public/{ACTION}/data.csv",
    f"/public/{ACTION}/data.json",
    f"/public/{ACTION}/2019/data.csv",
]


@pytest.mark.parametrize("url", CITY_PAGES)
def test_anonymous_visitors_see_the_published_plan(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 200, url


def test_pages_are_in_japanese_by_default(anonymous):
    page = anonymous.get(f"/public/{CITY}/").content.decode()
    assert '<html lang="ja">' in page
    assert "本文へ移動" in page  # the skip link, translated
    assert "公開年度" in page
    assert "令和元年度(2019年度)" in page


def test_the_index_lists_only_published_plans(anonymous):
    page = anonymous.get("/public/").content.decode()
    assert "第4期西東京市地域福祉計画" in page
    assert "アクションプラン" not in page
    assert "西東京市社会福祉協議会" not in page  # no published plan yet


@pytest.mark.parametrize("url", ACTION_PAGES)
def test_a_plan_without_a_published_round_is_404(anonymous, url):
    assert anonymous.get(url).status_code == 404


def test_a_closed_round_that_is_not_published_keeps_the_plan_404(anonymous, staff):
    round_ = published_round(ACTION, 2019, staff)
    services.unpublish_round(round_, staff)
    assert anonymous.get(f"/public/{ACTION}/").status_code == 404


def test_after_unpublishing_the_plan_disappears(anonymous, staff, city_round):
    assert anonymous.get(f"/public/{CITY}/").status_code == 200
    services.unpublish_round(city_round, staff)
    for url in CITY_PAGES[1:]:
        assert anonymous.get(url).status_code == 404, url
    assert "第4期西東京市地域福祉計画" not in anonymous.get("/public/").content.decode()


def test_a_reopened_round_is_not_public_until_published_again(anonymous, staff, city_round):
    round_ = city_round
    services.reopen_round(round_, staff, "数値の訂正")
    assert anonymous.get(f"/public/{CITY}/").status_code == 404
    services.close_round(round_, staff)
    # Reopening withdrew the publication: the corrected values are shown once published again.
    assert anonymous.get(f"/public/{CITY}/").status_code == 404
    services.publish_round(round_, staff)
    assert anonymous.get(f"/public/{CITY}/").status_code == 200


def test_publishing_makes_the_action_plan_public_with_its_structure(anonymous, staff):
    published_round(ACTION, 2019, staff, done="広報紙で周知した", next_="回数を増やす")
    assert anonymous.get(f"/public/{ACTION}/").status_code == 200
    item = anonymous.get(f"/public/{ACTION}/nodes/item-16/").content.decode()
    assert "自己財源の強化" in item
    assert "自己財源額" in item and "9,708千円" in item  # indicator and baseline
    assert "広報紙で周知した" in item and "回数を増やす" in item  # 取組状況 / 今後の展開
    assert "総務課" in item


def test_an_unknown_node_indicator_or_year_is_404(anonymous):
    assert anonymous.get(f"/public/{CITY}/nodes/nope/").status_code == 404
    assert anonymous.get(f"/public/{CITY}/indicators/nope/").status_code == 404
    assert anonymous.get(f"/public/{CITY}/?fy=2020").status_code == 404
    assert anonymous.get(f"/public/{CITY}/?fy=abc").status_code == 404
    assert anonymous.get(f"/public/{CITY}/2020/data.csv").status_code == 404
    assert anonymous.get("/public/no-such-plan/").status_code == 404


def test_the_public_pages_link_only_to_public_pages(anonymous):
    page = anonymous.get(f"/public/{CITY}/nodes/C1/").content.decode()
    assert "/accounts/" not in page
    assert 'href="/plans/' not in page


def test_the_indicator_page_shows_the_published_figures_in_a_table(anonymous):
    page = anonymous.get(f"/public/{CITY}/indicators/I-1-2/").content.decode()
    assert "<caption>" in page and 'scope="row"' in page and 'scope="col"' in page
    assert "20,135世帯" in page and "20,186世帯" in page and "19,177世帯" in page
    assert "19,181世帯" not in page  # the FY2018 参考値: FY2018 is not published


def test_the_fy2018_reference_values_never_show(anonymous):
    """The demo holds FY2018 actuals (参考値) of every city indicator; FY2018 is not published."""
    reference = IndicatorValue.objects.filter(
        indicator__node__plan__slug=CITY, role="actual", fy=2018
    )
    texts = {v.text for v in reference} - {
        v.text
        for v in IndicatorValue.objects.filter(indicator__node__plan__slug=CITY).exclude(
            role="actual", fy=2018
        )
    }
    assert "19,181世帯" in texts and len(texts) > 5
    keys = Indicator.objects.filter(node__plan__slug=CITY).values_list("key", flat=True)
    for url in CITY_PAGES + [f"/public/{CITY}/indicators/{k}/" for k in keys]:
        body = anonymous.get(url).content.decode("utf-8-sig")
        for text in texts:
            assert not re.search(rf"(?<![\d,.]){re.escape(text)}", body), (url, text)


def add_goal_with_indicators(plan: Plan, n: int) -> None:
    """More data under the plan: a goal, a child, indicators with values and notes."""
    last = Node.objects.filter(plan=plan).order_by("-seq").first()
    goal = Node.objects.create(
        plan=plan, key=f"extra-{n}", level=1, title=f"追加{n}", seq=last.seq + 1
    )
    child = Node.objects.create(
        plan=plan, key=f"extra-{n}-1", parent=goal, level=2, title="子", seq=last.seq + 2
    )
    for k in range(n):
        ind = Indicator.objects.create(node=child, key=f"extra-{n}-{k}", name=f"指標{k}", unit="件")
        for role, fy, text in (("baseline", 2017, "1件"), ("target", 2023, "9件")):
            IndicatorValue(indicator=ind, role=role, fy=fy, text=text).save()
        IndicatorValue(indicator=ind, role="actual", fy=2019, text="5件").save()
        ind.reports.create(fy=2019, done="やった", next="続ける")


@pytest.mark.parametrize(
    "url",
    [
        f"/public/{CITY}/",
        f"/public/{CITY}/nodes/C1/",
        f"/public/{CITY}/data.csv",
        f"/public/{CITY}/data.json",
        "/public/",
    ],
)
def test_the_query_count_does_not_grow_with_the_data(anonymous, url):
    plan = Plan.objects.get(slug=CITY)
    anonymous.get(url)  # warm caches (content types, sessions)
    cache.clear()  # the page as built, not as served from the cache (tests/public/test_cache.py)
    with CaptureQueriesContext(connection) as before:
        assert anonymous.get(url).status_code == 200
    add_goal_with_indicators(plan, 2)
    add_goal_with_indicators(plan, 6)
    cache.clear()
    with CaptureQueriesContext(connection) as after:
        assert anonymous.get(url).status_code == 200
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]


def test_public_data_refuses_values_of_unpublished_years(city_round):
    from shinchoku.public import data

    public = data.get_public_plan(CITY)
    ind = data.indicators_queryset(public.fys).get(node__plan__slug=CITY, key="I-1-2")
    assert sorted(v.fy for v in ind.values.all() if v.role == "actual") == [2019]
    item = data.judge_indicators([ind], public.fys, data.bands_of(public.plan))[0]
    data.check_published(item.any, public.fys)  # only FY2019
    with pytest.raises(ValueError, match="unpublished"):
        data.check_published(item.any, [2018])
