"""「次期計画を作る」 per role; who sees the draft; 策定; the lineage on both plans."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.evaluations.succession import Keep, create_next_plan
from shinchoku.plans.models import Indicator, Node, Plan, PreviousEvaluation
from shinchoku.rounds import services
from shinchoku.rounds.services import RoundError
from tests.conftest import CITY_ORG, login_client
from tests.evaluations.scene import ACTION, actuals, final_round, load_other_shape

NEW = "nishitokyo-action-plan-2024"
ROLES = {
    "staff": dict(role="staff", departments=("福祉活動推進課",)),
    "approver": dict(role="approver", departments=("福祉活動推進課",)),
    "viewer": dict(role="viewer"),
}


@pytest.fixture
def action(db):
    plan = Plan.objects.get(slug=ACTION)
    actuals(plan)
    final_round(plan)
    return plan


@pytest.fixture
def admin(db):
    return login_client("np-admin", role="admin")


def url(slug: str = ACTION) -> str:
    return reverse("evaluations:next_plan", args=[slug])


def post(client, plan: Plan, **fields):
    data = {
        "slug": NEW,
        "title": "アクションプラン（2024〜2028）",
        "first_fy": "2024",
        "last_fy": "2028",
        "version": str(plan.version),
        "node": list(Node.objects.filter(plan=plan).values_list("key", flat=True)),
        "content": [f"{k}|{p}" for k, p in Keep.everything(plan).contents],
        "indicator": list(Keep.everything(plan).indicators),
        "expanded": ["item-3"],
    }
    data.update(fields)
    return client.post(url(plan.slug), data)


def draft_of(plan: Plan) -> Plan:
    return create_next_plan(
        plan,
        slug=NEW,
        title="アクションプラン（2024〜2028）",
        first_fy=2024,
        last_fy=2028,
        keep=Keep.everything(plan),
        user=None,
    )


def test_the_admin_sees_the_form_with_everything_checked(
    action, admin, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        response = admin.get(url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "次期計画を作る" in html
    assert 'value="nishitokyo-action-plan-2024"' in html
    assert "令和6年度(2024年度)" in html and "令和10年度(2028年度)" in html
    assert 'name="node" value="item-1" checked' in html
    assert 'name="content" value="item-1|1" checked' in html
    assert 'name="indicator" value="I-1-1" checked' in html
    assert 'name="expanded" value="item-1">' in html  # 充実・強化 is a choice, not a default
    assert 'name="version"' in html and "csrfmiddlewaretoken" in html


def test_the_admin_creates_the_draft_from_the_form(action, admin):
    response = post(admin, action)
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[NEW])
    draft = Plan.objects.get(slug=NEW)
    assert draft.is_draft
    assert Node.objects.get(plan=draft, key="item-3").tag == "充実・強化"
    assert Node.objects.get(plan=draft, key="item-1").tag == "継続"
    assert "次期計画の案を作りました" in admin.get(response["Location"]).content.decode()


def test_unchecked_records_stay_behind(action, admin):
    post(admin, action, node=["P1", "P1-1", "item-1"], content=["item-1|2"], indicator=[])
    draft = Plan.objects.get(slug=NEW)
    assert set(Node.objects.filter(plan=draft).values_list("key", flat=True)) == {
        "P1",
        "P1-1",
        "item-1",
    }
    (content,) = Node.objects.get(plan=draft, key="item-1").contents.all()
    assert content.continues_position == 2


def test_unticking_a_record_drops_everything_under_it(action, admin):
    """Contents and indicators still ticked under an unticked item stay behind with it."""
    everything = Keep.everything(action)
    item_1 = Node.objects.get(plan=action, key="item-1")
    assert item_1.contents.exists() and item_1.indicators.exists()
    post(admin, action, node=[k for k in everything.nodes if k != "item-1"])
    draft = Plan.objects.get(slug=NEW)
    keys = set(Node.objects.filter(plan=draft).values_list("key", flat=True))
    assert "item-1" not in keys and "item-2" in keys
    assert not Indicator.objects.filter(
        plan=draft, continues_key__in=[i.key for i in item_1.indicators.all()]
    ).exists()
    # Unticking a goal drops its items, even those left ticked.
    post(admin, action, slug="second-draft", node=[k for k in everything.nodes if k != "P1"])
    draft = Plan.objects.get(slug="second-draft")
    assert not Node.objects.filter(plan=draft, key__in=["P1", "P1-1", "item-1"]).exists()


def test_errors_are_japanese_next_to_their_fields_and_nothing_is_written(action, admin):
    response = post(admin, action, slug="悪い ID", title="", first_fy="2028", last_fy="2024")
    html = response.content.decode()
    assert response.status_code == 200
    assert "計画IDは英小文字・数字・ハイフンで書いてください" in html
    assert "計画名を書いてください。" in html
    assert "終了年度は開始年度と同じか後の年度にしてください。" in html
    assert html.count('class="field has-error"') + html.count('class="field keep-tree') >= 2
    assert not Plan.objects.filter(title="").exists()
    assert 'value="悪い ID"' in html  # what was typed is kept


def test_a_form_without_its_version_or_with_an_old_one_is_refused(action, admin):
    response = post(admin, action, version="")
    assert "古い版" in response.content.decode()
    response = post(admin, action, version=str(action.version - 1 if action.version > 1 else 99))
    assert "この計画が変更されています" in response.content.decode()
    assert not Plan.objects.filter(slug=NEW).exists()


def test_it_is_refused_until_the_final_evaluation_is_approved(admin, db):
    plan = Plan.objects.get(slug=ACTION)
    final_round(plan, approved=False)
    html = admin.get(url()).content.decode()
    assert "最終評価がまだ承認されていません" in html
    assert 'name="node"' not in html
    response = post(admin, plan)
    assert "最終評価がまだ承認されていません" in response.content.decode()
    assert not Plan.objects.filter(slug=NEW).exists()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_other_members_may_not_make_the_next_plan(action, role):
    client = login_client(f"np-{role}", **ROLES[role])
    assert client.get(url()).status_code == 403
    assert post(client, action).status_code == 403
    assert not Plan.objects.filter(slug=NEW).exists()


def test_an_outsider_gets_404_and_anonymous_the_login_page(action):
    outsider = login_client("np-city-admin", role="admin", org_slug=CITY_ORG)
    assert outsider.get(url()).status_code == 404
    assert post(outsider, action).status_code == 404
    assert outsider.post(reverse("evaluations:adopt", args=[ACTION])).status_code == 404
    response = Client().get(url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_button_shows_to_the_admin_only_once_approved(db, admin):
    plan = Plan.objects.get(slug=ACTION)
    detail = reverse("plans:detail", args=[ACTION])
    assert url() not in admin.get(detail).content.decode()
    final_round(plan)
    assert url() in admin.get(detail).content.decode()
    viewer = login_client("np-viewer2", role="viewer")
    assert url() not in viewer.get(detail).content.decode()


@pytest.mark.parametrize("role,status", [("approver", 200), ("staff", 404), ("viewer", 404)])
def test_the_draft_is_seen_by_the_admin_and_approvers_only(action, admin, role, status):
    draft_of(action)
    client = login_client(f"np-{role}", **ROLES[role])
    detail = reverse("plans:detail", args=[NEW])
    assert admin.get(detail).status_code == 200
    assert client.get(detail).status_code == status
    assert client.get(reverse("plans:node", args=[NEW, "item-1"])).status_code == status
    listed = NEW in client.get(reverse("plans:list")).content.decode()
    assert listed == (status == 200)
    old = client.get(reverse("plans:detail", args=[ACTION])).content.decode()
    assert (NEW in old) == (status == 200)  # the successor link only for those who may see it


def test_the_draft_is_never_public_and_gets_no_round(action):
    draft = draft_of(action)
    assert Client().get(reverse("public:plan", args=[NEW])).status_code == 404
    with pytest.raises(RoundError) as refused:
        services.open_round(draft, 2024, date(2025, 5, 31), None)
    assert "策定中の計画では進捗調査を始められません" in str(refused.value)
    # the other plan the draft makes concrete does not list it
    katsudo = login_client("np-viewer3", role="viewer").get(
        reverse("plans:detail", args=["nishitokyo-katsudo-4"])
    )
    assert NEW not in katsudo.content.decode()


def test_adopting_the_draft(action, admin):
    draft = draft_of(action)
    adopt = reverse("evaluations:adopt", args=[NEW])
    html = admin.get(reverse("plans:detail", args=[NEW])).content.decode()
    assert adopt in html and "この計画は次期計画の案（策定中）です" in html
    assert admin.get(adopt).status_code == 405
    approver = login_client("np-approver2", **ROLES["approver"])
    assert approver.post(adopt, {"version": draft.version}).status_code == 403
    response = admin.post(adopt, {"version": draft.version - 1})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_draft
    admin.post(adopt, {"version": draft.version})
    draft.refresh_from_db()
    assert not draft.is_draft
    viewer = login_client("np-viewer4", role="viewer")
    assert viewer.get(reverse("plans:detail", args=[NEW])).status_code == 200
    services.open_round(draft, 2024, date(2025, 5, 31), None)


def test_both_plans_show_the_lineage(action, admin):
    draft_of(action)
    item = admin.get(reverse("plans:node", args=[NEW, "item-1"])).content.decode()
    assert "前計画の「1 生活困窮者自立相談支援事業」を継続" in item
    assert reverse("plans:node", args=[ACTION, "item-1"]) in item
    old_item = admin.get(reverse("plans:node", args=[ACTION, "item-1"])).content.decode()
    assert reverse("plans:node", args=[NEW, "item-1"]) in old_item
    old = admin.get(reverse("plans:detail", args=[ACTION])).content.decode()
    assert "次期計画: " in old and reverse("plans:detail", args=[NEW]) in old
    new = admin.get(reverse("plans:detail", args=[NEW])).content.decode()
    assert "前計画" in new and reverse("plans:detail", args=[ACTION]) in new
    assert "前計画の評価" in new
    assert "生活困窮者自立相談支援事業のその後の取組" in new
    assert "<td>(1) 生活困窮者等への自立支援</td>" in new


def test_an_expanded_item_says_so(action, admin):
    post(admin, action)
    item = admin.get(reverse("plans:node", args=[NEW, "item-3"])).content.decode()
    assert "前計画の「3 ふれあいのまちづくり事業」を充実・強化" in item


def test_the_fixture_council_plan_through_the_form(db):
    plan = load_other_shape()
    final_round(plan)
    admin = login_client("midori-np-admin", role="admin", org_slug="midori-shakyo")
    html = admin.get(url(plan.slug)).content.decode()
    assert 'name="indicator"' not in html
    assert 'value="midori-katsudo-3-next"' in html or 'name="slug"' in html
    response = post(
        admin,
        plan,
        slug="midori-katsudo-4",
        first_fy="2030",
        last_fy="2035",
        indicator=[],
        expanded=["j13"],
    )
    assert response.status_code == 302
    draft = Plan.objects.get(slug="midori-katsudo-4")
    row = PreviousEvaluation.objects.get(plan=draft, source_key="j13")
    assert (row.category, row.subcategory, row.number) == (
        "(2) 権利擁護の推進",
        "① 成年後見制度の利用促進",
        "13",
    )
    item = admin.get(reverse("plans:node", args=["midori-katsudo-4", "j13"])).content.decode()
    assert "前計画の「13 市民後見人の養成」を充実・強化" in item
    page = admin.get(reverse("plans:detail", args=["midori-katsudo-4"])).content.decode()
    assert "① 成年後見制度の利用促進" in page


def test_another_organization_never_hears_of_the_draft(action):
    from shinchoku.plans.models import PlanRelation

    draft = draft_of(action)
    city = Plan.objects.get(slug="nishitokyo-chiiki-fukushi-4")
    PlanRelation.objects.create(
        plan=draft, other=city, other_slug=city.slug, type="aligned", order=9
    )
    city_admin = login_client("np-city-admin2", role="admin", org_slug=CITY_ORG)
    page = city_admin.get(reverse("plans:detail", args=[city.slug])).content.decode()
    assert NEW not in page and draft.title not in page
    decision = reverse("plans:link_decision", args=[city.slug, NEW])
    assert city_admin.post(decision, {"decision": "accepted"}).status_code == 404


def test_the_form_reads_a_fixed_number_of_queries_whatever_the_plan(action, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, slug: str) -> int:
        client.get(url(slug))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(slug)).status_code == 200
        return len(ctx.captured_queries)

    big = count(admin, ACTION)
    small_plan = load_other_shape()
    final_round(small_plan)
    small = count(
        login_client("midori-np-q", role="admin", org_slug="midori-shakyo"), small_plan.slug
    )
    assert big == small
    assert big <= 20
