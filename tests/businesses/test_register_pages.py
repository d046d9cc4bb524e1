"""The register of 事務事業: who reads and edits it, what the list and a business page show,
the 管理者's forms (a stale version is refused), the item page's businesses, the demo register."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shinchoku.businesses import demo_register
from shinchoku.businesses.models import (
    Business,
    BusinessEvaluation,
    BusinessYear,
    EvaluationRound,
    RegisterSettings,
)
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import BusinessKind, Node, Plan
from tests.businesses.register_setup import DEPT, clients, load_register, snapshot
from tests.conftest import COUNCIL, login_client

pytestmark = pytest.mark.django_db
ACTION = "nishitokyo-action-plan-2019"


@pytest.fixture
def register():
    return load_register()


@pytest.fixture
def people():
    return clients()


def first(register) -> Business:
    return next(b for b in register if b.department.name == DEPT)


def urls(business: Business) -> dict[str, tuple[str, str]]:
    """Every register URL of the council: name → (method, url)."""
    org, pk = COUNCIL, business.pk
    return {
        "register": ("get", reverse("businesses:register", args=[org])),
        "business": ("get", reverse("businesses:business", args=[org, pk])),
        "xlsx": ("get", reverse("businesses:register_xlsx", args=[org])),
        "new": ("get", reverse("businesses:business_new", args=[org])),
        "edit": ("get", reverse("businesses:business_edit", args=[org, pk])),
        "years": ("get", reverse("businesses:business_years", args=[org, pk])),
        "settings": ("get", reverse("businesses:register_settings", args=[org])),
        "upload": ("post", reverse("businesses:register_upload", args=[org])),
        "apply": ("post", reverse("businesses:register_apply", args=[org, "no-such-token"])),
    }


READ = ("register", "business", "xlsx")
EDIT = ("new", "edit", "years", "settings", "upload")


@pytest.mark.parametrize("role", ["admin", "staff", "other_staff", "approver", "viewer"])
def test_every_member_reads_the_register_a_business_and_the_workbook(register, people, role):
    for name in READ:
        method, url = urls(first(register))[name]
        response = getattr(people[role], method)(url)
        assert response.status_code == 200, (role, name)


@pytest.mark.parametrize("role", ["staff", "other_staff", "approver", "viewer"])
def test_only_the_administrator_edits_the_register(register, people, role):
    for name in EDIT:
        method, url = urls(first(register))[name]
        assert getattr(people[role], method)(url).status_code == 403, (role, name)
    page = people[role].get(urls(first(register))["register"][1]).content.decode()
    assert "事業を追加" not in page and "台帳の設定" not in page


def test_the_administrator_opens_every_form(register, people):
    for name in ("new", "edit", "years", "settings"):
        _method, url = urls(first(register))[name]
        assert people["admin"].get(url).status_code == 200, name
    page = people["admin"].get(urls(first(register))["register"][1]).content.decode()
    assert "事業を追加" in page and "Excelから事務事業台帳を読み込む" in page


def test_another_organizations_user_gets_404_on_every_url(register, people):
    for name, (method, url) in urls(first(register)).items():
        assert getattr(people["outsider"], method)(url).status_code == 404, name
    missing = reverse("businesses:register", args=["no-such-org"])
    assert people["admin"].get(missing).status_code == 404


def test_a_business_of_another_organization_is_404(register, people):
    city = Organization.objects.get(slug="nishitokyo-city")
    other = Business.objects.create(
        organization=city, code="X1", name="市の事業", department=city.departments.first()
    )
    url = reverse("businesses:business", args=[COUNCIL, other.pk])
    assert people["admin"].get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(register, people):
    for name, (method, url) in urls(first(register)).items():
        response = getattr(people["anonymous"], method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    response = people["anonymous"].get(reverse("businesses:index"))
    assert "/accounts/login/" in response["Location"]


def test_the_index_sends_a_member_to_their_register_and_lists_organizations_to_the_operator(
    register, people
):
    response = people["viewer"].get(reverse("businesses:index"))
    assert response["Location"] == reverse("businesses:register", args=[COUNCIL])
    operator = login_client("reg-operator", superuser=True)
    page = operator.get(reverse("businesses:index")).content.decode()
    assert (
        "西東京市社会福祉協議会" in page and reverse("businesses:register", args=[COUNCIL]) in page
    )
    assert operator.get(reverse("businesses:register", args=[COUNCIL])).status_code == 200


def test_every_member_finds_the_register_in_the_menu(register, people):
    page = people["viewer"].get(reverse("plans:list")).content.decode()
    assert f'href="{reverse("businesses:index")}">事務事業</a>' in page


def test_the_list_shows_each_department_with_the_full_and_unit_cost(register, people):
    business = first(register)
    BusinessYear.objects.filter(business=business, fiscal_year=2021).update(
        settlement=Decimal("9708"), staff_years=Decimal("0.5"), output=Decimal("400")
    )
    BusinessYear.objects.filter(business=business, fiscal_year=2020).update(direction="拡充")
    response = people["viewer"].get(reverse("businesses:register", args=[COUNCIL]))
    groups = {g.department.name: g for g in response.context["groups"]}
    assert set(groups) == {"福祉活動推進課", "福祉支援課", "総務課"}
    row = next(r for r in groups[DEPT].rows if r.business == business)
    # 9,708 + 0.5 × 8,000 = 13,708; ÷ 400 = 34.3
    assert (row.cost.full, row.cost.unit, row.direction) == (
        Decimal("13708.0"),
        Decimal("34.3"),
        "拡充",
    )
    page = response.content.decode()
    assert "13,708" in page and "34.3" in page and "令和3年度(2021年度)の数値" in page


def test_the_list_is_filtered_by_department_and_kind(register, people):
    dept = Department.objects.get(organization__slug=COUNCIL, name="総務課")
    url = reverse("businesses:register", args=[COUNCIL])
    response = people["admin"].get(url, {"department": dept.pk})
    assert [g.department.name for g in response.context["groups"]] == ["総務課"]
    kind = BusinessKind.objects.get(organization__slug=COUNCIL, name="市委託事業")
    response = people["admin"].get(url, {"kind": kind.pk})
    kinds = {r.business.kind_id for g in response.context["groups"] for r in g.rows}
    assert kinds == {kind.pk}
    response = people["admin"].get(url, {"department": "abc", "kind": "99999999"})
    assert response.status_code == 200 and "条件に合う事業はありません" in response.content.decode()


def test_the_business_page_shows_its_items_figures_and_evaluations(register, people):
    business = first(register)
    round_ = EvaluationRound.objects.create(organization=business.organization, fiscal_year=2020)
    BusinessEvaluation.objects.create(
        round=round_, business=business, stage="done", director_judgement="改善・見直し"
    )
    response = people["staff"].get(reverse("businesses:business", args=[COUNCIL, business.pk]))
    page = response.content.decode()
    node = business.nodes.get()
    assert reverse("plans:node", args=[ACTION, node.key]) in page
    assert [y.fiscal_year for y in response.context["years"]] == [2019, 2020, 2021]
    assert all(y.full is not None and y.unit is not None for y in response.context["years"])
    assert "令和2年度(2020年度)" in page and "改善・見直し" in page and "評価完了" in page


def test_the_item_page_lists_the_items_businesses(register, people):
    business = first(register)
    BusinessYear.objects.filter(business=business, fiscal_year=2021).update(direction="継続")
    node = business.nodes.get()
    page = people["viewer"].get(reverse("plans:node", args=[ACTION, node.key])).content.decode()
    assert "この項目を実施する事務事業" in page
    assert reverse("businesses:business", args=[COUNCIL, business.pk]) in page
    assert "継続" in page


# --------------------------------------------------------------------------- editing


def business_post(business: Business | None = None, **changes) -> dict:
    dept = Department.objects.get(organization__slug=COUNCIL, name=DEPT)
    node = Node.objects.get(plan__slug=ACTION, key="item-2")
    data = {
        "code": "N-1",
        "name": "新しい事業",
        "department": str(dept.pk),
        "kind": "市委託事業",
        "new_kind": "",
        "purpose": "目的の文",
        "target": "市民",
        "output_name": "相談件数",
        "output_unit": "件",
        "nodes": [str(node.pk)],
    }
    if business is not None:
        data["version"] = str(business.version)
    data.update(changes)
    return data


def test_the_administrator_adds_a_business_with_a_new_kind(register, people):
    url = reverse("businesses:business_new", args=[COUNCIL])
    response = people["admin"].post(url, business_post(new_kind="県補助事業"))
    created = Business.objects.get(organization__slug=COUNCIL, code="N-1")
    assert response["Location"] == reverse("businesses:business", args=[COUNCIL, created.pk])
    assert created.kind.name == "県補助事業" and created.nodes.get().key == "item-2"


def test_bad_input_is_named_on_its_field_and_nothing_is_stored(register, people):
    before = snapshot()
    url = reverse("businesses:business_new", args=[COUNCIL])
    response = people["admin"].post(url, business_post(code=first(register).code))
    assert response.status_code == 400
    assert "別の事業が使っています" in response.content.decode()
    response = people["admin"].post(url, business_post(name="", department="abc"))
    assert response.status_code == 400 and "担当課を選んでください" in response.content.decode()
    other = Node.objects.exclude(plan__organization__slug=COUNCIL).first()
    response = people["admin"].post(url, business_post(nodes=[str(other.pk)]))
    assert response.status_code == 400
    assert snapshot() == before


def test_an_edit_with_a_stale_version_is_refused_and_stores_nothing(register, people):
    business = first(register)
    url = reverse("businesses:business_edit", args=[COUNCIL, business.pk])
    stale = business_post(business, code=business.code, name="先に保存")
    assert people["admin"].post(url, stale).status_code == 302
    before = snapshot()
    response = people["admin"].post(url, {**stale, "name": "後から保存"})
    assert response.status_code == 409
    assert "ほかの人が変更しました" in response.content.decode()
    assert snapshot() == before
    assert Business.objects.get(pk=business.pk).name == "先に保存"


def test_figures_of_a_year_are_saved_checked_and_guarded_by_the_version(register, people):
    business = first(register)
    url = reverse("businesses:business_years", args=[COUNCIL, business.pk])
    post = {
        "fiscal_year": "2022",
        "budget": "1,200",
        "settlement": "1100.5",
        "staff_years": "0.25",
        "output": "30",
        "version": str(business.version),
    }
    assert people["admin"].post(url, post).status_code == 302
    year = BusinessYear.objects.get(business=business, fiscal_year=2022)
    assert (year.budget, year.settlement, year.staff_years) == (
        Decimal("1200"),
        Decimal("1100.5"),
        Decimal("0.25"),
    )
    before = snapshot()
    response = people["admin"].post(url, {**post, "budget": "1200"})  # the old version
    assert response.status_code == 409
    fresh = str(Business.objects.get(pk=business.pk).version)
    response = people["admin"].post(url, {**post, "staff_years": "0.125", "version": fresh})
    assert response.status_code == 400 and "小数点以下は2桁まで" in response.content.decode()
    response = people["admin"].post(url, {**post, "output": "-3", "version": fresh})
    assert response.status_code == 400 and "0以上" in response.content.decode()
    assert snapshot() == before
    page = people["admin"].get(url, {"fy": "2022"}).content.decode()
    assert 'value="1100.5"' in page


def test_the_register_settings_change_the_full_cost(register, people):
    settings = RegisterSettings.of(first(register).organization)
    url = reverse("businesses:register_settings", args=[COUNCIL])
    post = {"staff_rate": "7500", "version": str(settings.version)}
    assert people["admin"].post(url, post).status_code == 302
    assert RegisterSettings.of(settings.organization).staff_rate == Decimal("7500")
    response = people["admin"].post(url, {**post, "staff_rate": "7000"})
    assert response.status_code == 409
    response = people["admin"].post(
        url, {"staff_rate": "abc", "version": str(settings.version + 1)}
    )
    assert response.status_code == 400 and "数値を入力してください" in response.content.decode()
    assert RegisterSettings.of(settings.organization).staff_rate == Decimal("7500")


# --------------------------------------------------------------------------- demo


def test_the_demo_register_holds_a_business_per_item_with_kind_and_department(register):
    plan = Plan.objects.get(slug=ACTION)
    items = Node.objects.filter(
        plan=plan, nodedepartment__isnull=False, nodekind__isnull=False
    ).distinct()
    assert len(register) == items.count() == 25
    business = Business.objects.get(organization=plan.organization, code="15")
    assert business.name == "事務事業評価の実施" and business.department.name == "総務課"
    assert business.kind.name == "独自事業" and business.nodes.get().key == "item-15"
    years = list(business.years.all())
    assert [y.fiscal_year for y in years] == [2019, 2020, 2021]
    for y in years:
        assert Decimal("0.1") <= y.staff_years <= Decimal("1.5")
        assert 0 < y.settlement <= y.budget and y.output > 0


def test_the_demo_register_loads_twice_without_change(register):
    before = snapshot()
    assert [b.pk for b in demo_register.load()] == [b.pk for b in register]
    assert snapshot() == before


def test_without_the_action_plan_the_demo_register_does_nothing(empty_db):
    assert demo_register.load() == []
    assert not Business.objects.exists()
