"""The 施策評価 view: each policy of a plan with its items' progress, businesses and costs.

On the demo action plan (基本方針 → 施策 → 実施項目, indicators) and on the fixture council's
plan (tests/fixtures/other_shape_plan.xlsx: 基本目標 → 基本施策 → 取組 → 事業, no indicators).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shinchoku.businesses.models import BusinessYear, Stage
from shinchoku.businesses.policy import policy_level
from shinchoku.plans.models import Node, Plan
from tests.businesses.test_report import council_round, evaluate, make_business
from tests.conftest import CITY_ORG, login_client
from tests.plans.test_other_shape import SLUG as MIDORI
from tests.plans.test_other_shape import loaded, midori_admin  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
ACTION = "nishitokyo-action-plan-2019"
NONE_LINKED = "関連する事務事業はありません"


def url(slug=ACTION, fy=None):
    return reverse("businesses:policies", args=[slug]) + (f"?fy={fy}" if fy else "")


def section(page: str, title: str) -> str:
    """The part of the page for one policy (from its heading to the next policy's)."""
    start = page.index(title)
    end = page.find('<section class="policy-card"', start)
    return page[start : end if end > 0 else len(page)]


@pytest.fixture
def round_2020():
    return council_round()


def test_the_policy_level_is_the_level_named_policy_else_level_two():
    plan = Plan(level_names=["基本方針", "施策", "実施項目"])
    assert policy_level(plan, 3) == 2
    assert policy_level(Plan(level_names=["基本目標", "基本施策", "取組", "事業"]), 4) == 2
    assert policy_level(Plan(level_names=["基本目標", "施策の方向"]), 2) == 2
    assert policy_level(Plan(level_names=["目標", "方針", "事業"]), 3) == 2
    assert policy_level(Plan(level_names=["事業"]), 1) == 1
    assert policy_level(Plan(level_names=[]), 3) == 2


def test_each_policy_of_the_action_plan_lists_its_items_and_businesses(round_2020):
    page = login_client("pol-viewer", role="viewer").get(url(fy=2020)).content.decode()
    assert "施策ごとの評価" in page
    policies = Node.objects.filter(plan__slug=ACTION, level=2).order_by("seq")
    for p in policies:
        assert p.title in page
    first = section(page, "生活困窮者等への自立支援")
    assert "生活困窮者自立相談支援事業" in first and "生活福祉資金貸付事業" in first  # its items
    assert "拡充" in first  # the latest completed evaluation's direction
    assert "5,000" in first  # its full cost in FY2020: 1,000 + 0.5 × 8,000
    kifu = section(page, "財源の確保")  # item 18 carries 歳末たすけあい募金事業 (廃止)
    assert "歳末たすけあい募金事業" in kifu and "廃止" in kifu and "1,600" in kifu
    assert NONE_LINKED in section(page, "組織体制の強化")
    assert NONE_LINKED not in first


def test_the_items_progress_comes_from_the_progress_computation(round_2020):
    """The items' bands are the ones the progress overview shows (one shared computation)."""
    from shinchoku.rounds.progress import plan_progress

    plan = Plan.objects.get(slug=ACTION)
    pp = plan_progress(plan, 2020)
    item = Node.objects.get(plan=plan, key="item-1")
    page = login_client("pol-admin", role="admin").get(url(fy=2020)).content.decode()
    first = section(page, "生活困窮者等への自立支援")
    for band, n in pp.tallies[item.id].rows():
        if n:
            assert f"{band} {n}" in first


def test_a_business_is_counted_once_per_policy_and_costs_are_summed(round_2020):
    org = round_2020.organization
    b = make_business(
        org, "7", "二つの項目の事業", "福祉支援課", settlement="100", staff="0", node="item-1"
    )
    b.businessnode_set.create(node=Node.objects.get(plan__slug=ACTION, key="item-2"), order=1)
    page = login_client("pol-admin", role="admin").get(url(fy=2020)).content.decode()
    first = section(page, "生活困窮者等への自立支援")
    assert first.count("二つの項目の事業") == 1
    assert "5,100" in first  # 5,000 + 100
    assert "未評価" in first  # never evaluated


def test_the_latest_completed_evaluation_gives_the_direction(round_2020):
    from shinchoku.businesses.models import EvaluationRound

    org = round_2020.organization
    b = org.businesses.get(code="1")
    later = EvaluationRound.objects.create(organization=org, fiscal_year=2023)
    evaluate(later, b, Stage.CHIEF, "縮小")  # not done: the FY2020 拡充 stays
    page = login_client("pol-admin", role="admin").get(url(fy=2020)).content.decode()
    first = section(page, "生活困窮者等への自立支援")
    assert "拡充" in first and "縮小" not in first


def test_costs_of_the_nearest_year_with_figures(round_2020):
    """The register has FY2020 figures; the page for FY2021 shows them, saying which year."""
    page = login_client("pol-admin", role="admin").get(url(fy=2021)).content.decode()
    assert "フルコスト 令和2年度" in page
    BusinessYear.objects.create(
        business=round_2020.organization.businesses.get(code="1"),
        fiscal_year=2021,
        settlement=Decimal("1"),
    )
    page = login_client("pol-admin2", role="admin").get(url(fy=2021)).content.decode()
    assert "フルコスト 令和3年度" in page


def test_the_other_shape_plan_shows_its_policies_and_none_linked(loaded):  # noqa: F811
    page = loaded.get(url(MIDORI)).content.decode()
    assert "基本施策ごとの評価" in page
    plan = Plan.objects.get(slug=MIDORI)
    for p in Node.objects.filter(plan=plan, level=2):
        assert p.title in page
    assert page.count(NONE_LINKED) == Node.objects.filter(plan=plan, level=2).count()
    project = Node.objects.get(plan=plan, key="j02")
    assert project.title in page  # a 事業 below its 基本施策


def test_a_business_linked_to_a_project_of_the_other_shape_plan(loaded):  # noqa: F811
    plan = Plan.objects.get(slug=MIDORI)
    project = Node.objects.get(plan=plan, key="j02")
    policy = project.parent.parent
    org = plan.organization
    make_business(org, "1", "見守り事業（登録簿）", project.departments.get().name)
    org.businesses.get(code="1").businessnode_set.create(node=project)
    page = loaded.get(url(MIDORI)).content.decode()
    part = section(page, policy.title)
    assert "見守り事業（登録簿）" in part and NONE_LINKED not in part
    assert page.count(NONE_LINKED) == Node.objects.filter(plan=plan, level=2).count() - 1


@pytest.mark.parametrize(
    ("role", "departments"),
    [("admin", ()), ("staff", ("総務課",)), ("approver", ("福祉支援課",)), ("viewer", ())],
)
def test_every_member_sees_the_policy_view(role, departments):
    client = login_client(f"pol-{role}", role=role, departments=departments)
    assert client.get(url()).status_code == 200


def test_another_organization_gets_a_404_and_anonymous_the_login(client):
    outsider = login_client("pol-city", role="admin", org_slug=CITY_ORG)
    assert outsider.get(url()).status_code == 404
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_progress_page_links_to_the_policy_view():
    page = login_client("pol-admin", role="admin").get(
        reverse("rounds:overview", args=[ACTION, 2020])
    )
    assert f"{url()}?fy=2020" in page.content.decode()
