"""The opinions list (filters, xlsx, query count), and who gets in: outsiders 404 on every URL,
anonymous users to the login page, draft and registered plans have no opinions."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Indicator, Node, Plan
from shinchoku.reviews import services
from shinchoku.reviews.models import Opinion
from tests.conftest import CITY_ORG, login_client
from tests.reviews.helpers import (
    ACTION,
    DEPT,
    action_plan,
    dept,
    item_of,
    other_dept,
    plan_url,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return login_client("pg-admin", role="admin")


@pytest.fixture
def plan():
    return action_plan()


def record(plan, admin, text, *, fy=2019, node=None, indicator=None, department=None, status=""):
    opinion = services.create_opinion(
        plan,
        fy,
        text,
        user=admin.user,
        node_key=node.key if node else "",
        indicator_key=indicator.key if indicator else "",
        department=department,
    )
    if status:
        opinion = services.answer(opinion, user=admin.user, version=opinion.version, policy="方針")
        if status != "in_progress":
            services.set_status(
                opinion, status, user=admin.user, version=opinion.version, reason="理由"
            )
    return opinion


def goals(plan) -> list[Node]:
    return list(Node.objects.filter(plan=plan, parent=None).order_by("seq"))


def under(goal: Node) -> Node:
    """An item under the goal."""
    return Node.objects.filter(plan=goal.plan, parent__parent=goal).order_by("seq").first() or goal


def test_filters_by_fy_status_goal_and_department(plan, admin):
    g1, g2 = goals(plan)[:2]
    mine, other = dept(DEPT), other_dept()
    a = record(plan, admin, "目標1の事業への意見", node=under(g1), department=mine)
    b = record(plan, admin, "目標2の事業への意見", node=under(g2), department=other, status="done")
    c = record(plan, admin, "翌年度の意見", fy=2020, node=g1, department=mine, status="in_progress")
    d = record(plan, admin, "計画全体への意見")

    def listed(**params) -> set[str]:
        response = admin.get(plan_url("list"), params)
        assert response.status_code == 200
        return {r.opinion.text for r in response.context["rows"]}

    assert listed() == {a.text, b.text, c.text, d.text}
    assert listed(fy=2019) == {a.text, b.text, d.text}
    assert listed(status="done") == {b.text}
    assert listed(goal=g1.key) == {a.text, c.text}
    assert listed(department=other.pk) == {b.text}
    assert listed(fy=2019, goal=g1.key, status="open") == {a.text}
    assert listed(fy="x", status="nonsense") == {a.text, b.text, c.text, d.text}  # ignored
    page = admin.get(plan_url("list")).content.decode()
    for words in ("意見・助言", "未対応", "対応中", "対応済", "計画全体"):
        assert words in page


def test_the_xlsx_holds_the_filtered_list_with_japanese_headers(plan, admin):
    g1 = goals(plan)[0]
    item = under(g1)
    record(plan, admin, "=1+1 と書かれた意見", node=item, department=dept(DEPT), status="done")
    record(plan, admin, "別の年度", fy=2020)
    response = admin.get(plan_url("xlsx"), {"fy": 2019})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[3]][:12] == [
        "年度",
        "番号",
        "基本目標",
        "対象",
        "意見・助言",
        "区分",
        "担当部署",
        "状況",
        "対応方針",
        "対応内容",
        "見送りの理由",
        "公開",
    ]
    row = [c.value for c in ws[4]]
    assert row[0] == "令和元年度" and row[1] == 1
    assert row[2] == f"{g1.label} {g1.title}".strip()
    assert item.title in row[3]
    assert row[4] == "=1+1 と書かれた意見" and ws["E4"].data_type == "s"  # text, not a formula
    assert row[6:9] == [DEPT, "対応済", "方針"]
    assert ws.max_row == 4  # the FY2020 opinion is filtered out
    assert "令和元年度" in ws["A1"].value


def test_the_list_reads_a_fixed_number_of_queries(plan, admin):
    g1, g2 = goals(plan)[:2]
    record(plan, admin, "一つ目", node=under(g1), department=dept(DEPT))
    admin.get(plan_url("list"))  # warm the session and membership caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(plan_url("list")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    assert small <= 12
    ind = Indicator.objects.filter(plan=plan).first()
    for i in range(8):
        record(plan, admin, f"追加{i}", node=under(g2), department=other_dept(), status="done")
        record(plan, admin, f"指標{i}", indicator=ind, department=dept(DEPT))
    assert count() == small


def all_urls(opinion: Opinion) -> list[tuple[str, str]]:
    gets = [
        plan_url("list"),
        plan_url("xlsx"),
        plan_url("new"),
        url("detail", opinion),
        url("edit", opinion),
    ]
    posts = [url(n, opinion) for n in ("edit", "answer", "status", "assign", "public")] + [
        plan_url("new")
    ]
    return [("get", u) for u in gets] + [("post", u) for u in posts]


def test_an_outsider_gets_404_on_every_url_and_changes_nothing(plan, admin):
    opinion = record(plan, admin, "外部から見えない意見")
    for role in ("admin", "staff", "viewer"):
        outsider = login_client(f"city-{role}", role=role, org_slug=CITY_ORG)
        for method, u in all_urls(opinion):
            data = {"version": str(opinion.version), "text": "x", "status": "done", "public": "1"}
            response = getattr(outsider, method)(u, data if method == "post" else None)
            assert response.status_code == 404, (role, method, u)
    opinion.refresh_from_db()
    assert opinion.version == 1 and Opinion.objects.filter(plan=plan).count() == 1


def test_anonymous_users_are_sent_to_log_in(plan, admin):
    opinion = record(plan, admin, "ログインが必要")
    for method, u in all_urls(opinion):
        response = getattr(Client(), method)(u)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], u


@pytest.mark.parametrize("kind", ["draft", "external"])
def test_draft_and_registered_plans_have_no_opinions(plan, admin, kind):
    council = Organization.objects.get(slug="nishitokyo-shakyo")
    other = Plan.objects.create(
        organization=council,
        slug=f"{kind}-plan",
        title="次期計画" if kind == "draft" else "西東京市地域福祉計画",
        kind="action_plan",
        first_fy=2024,
        last_fy=2028,
        status="draft" if kind == "draft" else "active",
        owner_name="西東京市" if kind == "external" else "",
    )
    assert admin.get(plan_url("list", other.slug)).status_code == 404
    assert admin.get(plan_url("new", other.slug)).status_code == 404
    with pytest.raises(services.OpinionError):
        services.create_opinion(other, 2024, "x", user=admin.user)
    # The plan's navigation offers the tab only where opinions exist.
    assert "意見・助言" in admin.get(f"/plans/{ACTION}/").content.decode()


def test_the_target_select_prints_numbers_and_titles_and_keys_survive(plan, admin):
    page = admin.get(plan_url("new")).content.decode()
    g1 = goals(plan)[0]
    item = item_of(plan, dept(DEPT))
    assert f'value="node:{g1.key}"' in page and g1.title in page
    assert f'value="node:{item.key}"' in page
    ind = Indicator.objects.filter(plan=plan).first()
    assert f'value="indicator:{ind.key}"' in page and f"指標: {ind.name}" in page
    opinion = record(plan, admin, "指標への意見", indicator=ind)
    assert opinion.node_key == ind.node.key and opinion.indicator_key == ind.key


def test_the_form_opens_on_the_latest_round_with_data():
    """The city plan has FY2019 actuals; with a FY2019 round and a newer, empty FY2021 round the
    form defaults to 令和元年度, not to the newest round nor to the FY that ended today."""
    from datetime import date

    from shinchoku.rounds.latest import fys_with_data
    from shinchoku.rounds.models import Round

    city = Plan.objects.get(slug="nishitokyo-chiiki-fukushi-4")
    assert 2019 in fys_with_data([city])[city.pk] and 2021 not in fys_with_data([city])[city.pk]
    for fy in (2019, 2021):
        Round.objects.get_or_create(
            plan=city, kind="yearly", fy=fy, defaults={"deadline": date(2030, 1, 1)}
        )
    Round.objects.get_or_create(
        plan=city, kind="final", fy=2023, defaults={"deadline": date(2030, 1, 1)}
    )
    city_admin = login_client("fy-admin", role="admin", org_slug=CITY_ORG)

    def selected() -> str:
        page = city_admin.get(plan_url("new", city.slug)).content.decode()
        select = re.search(
            r'<select name="fy" id="opinion-fy"[^>]*>.*?</select>', page, re.S
        ).group(0)
        assert select.count(" selected") == 1, select
        return re.search(r'<option value="(\d+)" selected>', select).group(1)

    assert selected() == "2019"
    # No round at all: the FY that ended, within the plan's period (令和5年度 today).
    Round.objects.filter(plan=city).delete()
    assert selected() == "2023"
