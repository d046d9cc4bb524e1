"""Plans of other bodies registered by an organization (他の計画), and plans naming them.

The 管理者 registers the city's plan by name, owner, kind and period, with or without its goals;
its plans' workbooks then name it (整合) by its ID. Before it is registered, the workbook is
refused at the 関連計画 cell with how to register it. A registered plan has no rounds.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.orgs.models import Organization
from shinchoku.plans.interchange import dumps, export_plan
from shinchoku.plans.models import ChangeRecord, Content, ContentGoal, Node, PendingUpload, Plan
from shinchoku.rounds.models import Round
from shinchoku.rounds.services import RoundError, open_round
from tests.conftest import CITY_ORG, COUNCIL, login_client

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
MIDORI = "midori-shakyo"
MIDORI_PLAN = "midori-katsudo-3"
LAST_BEFORE_FIRST = "最終年度が開始年度より前になっています"
CITY_PLAN = "midori-chiiki-fukushi-3"
GOALS = "\n".join(
    [
        "1 誰もが支え合う地域づくり",
        "1-1 見守りの充実",
        "1-2 居場所づくり",
        "2 安心して暮らせるまち",
        "2-1 相談支援の充実",
    ]
)


def register_form(**changes) -> dict:
    data = {
        "slug": CITY_PLAN,
        "title": "第3次みどり市地域福祉計画",
        "owner_name": "みどり市",
        "kind": "city_plan",
        "first_fy": "2024",
        "last_fy": "2029",
        "tree_source": "goals",
        "goals_text": GOALS,
    }
    data.update(changes)
    return data


def register(client, **changes):
    return client.post(reverse("plans:outside_new"), register_form(**changes))


@pytest.fixture
def council_admin(db):
    return login_client("council-admin", role="admin")


@pytest.fixture
def midori_admin(db):
    Organization.objects.create(slug=MIDORI, name="みどり市社会福祉協議会", kind="council")
    return login_client("midori-admin", role="admin", org_slug=MIDORI)


def fixture_with_relation(plan_id: str = CITY_PLAN, relation: str = "整合") -> bytes:
    """The fixture council's workbook with a row in its 関連計画 sheet."""
    wb = load_workbook(FIXTURE)
    ws = wb["関連計画"]
    ws.append([relation, plan_id])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes):
    return client.post(
        reverse("plans:workbook_upload"), {"file": SimpleUploadedFile("みどり計画.xlsx", data)}
    )


def confirm(client):
    token = PendingUpload.objects.filter(user=client.user).latest("created").token
    return client.post(reverse("plans:workbook_confirm", args=[token]))


# --------------------------------------------------------------------------- registering


def test_the_administrator_registers_a_plan_with_typed_goals(council_admin):
    response = register(
        council_admin, slug="tokyo-plan", owner_name="東京都", kind="prefectural_plan"
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(slug="tokyo-plan")
    assert plan.is_external and plan.owner_name == "東京都"
    assert plan.organization.slug == COUNCIL
    assert plan.kind == Plan.Kind.PREFECTURAL
    nodes = list(Node.objects.filter(plan=plan).order_by("seq").values_list("label", "level"))
    assert nodes == [("1", 1), ("1-1", 2), ("1-2", 2), ("2", 1), ("2-1", 2)]
    assert plan.level_names == ["基本目標", "施策"]
    assert ChangeRecord.objects.filter(plan_slug="tokyo-plan", action="add").exists()
    # The list shows it with its owner and its period in 和暦 with the western year.
    html = council_admin.get(reverse("plans:outside_list")).content.decode()
    assert "東京都" in html and "令和6年度(2024年度)" in html and "tokyo-plan" in html
    # The plan list shows it in its own section, not among the council's plans.
    listing = council_admin.get(reverse("plans:list")).content.decode()
    own, registered = listing.split('id="outside-plans"')
    assert "第3次みどり市地域福祉計画" in registered and "第3次みどり市地域福祉計画" not in own
    assert "他の計画（登録）" in listing


def test_a_plan_is_registered_without_goals_or_with_a_file(council_admin):
    assert register(council_admin, slug="kuni-plan", tree_source="none").status_code == 302
    assert not Node.objects.filter(plan__slug="kuni-plan").exists()
    # The city's plan as exported: its goals come in, its departments stay out.
    city = json.dumps(export_plan(Plan.objects.get(slug="nishitokyo-chiiki-fukushi-4"))).encode()
    response = council_admin.post(
        reverse("plans:outside_new"),
        {
            **register_form(slug="city-copy", tree_source="file"),
            "file": SimpleUploadedFile("city.json", city),
        },
    )
    assert response.status_code == 302, response.content.decode().split("<main")[1][:3000]
    plan = Plan.objects.get(slug="city-copy")
    assert plan.nodes.count() == 23 and plan.organization.slug == COUNCIL
    assert not plan.nodes.filter(departments__isnull=False).exists()
    council = Organization.objects.get(slug=COUNCIL)
    assert not council.departments.filter(name="地域共生課").exists()


def test_bad_input_is_refused_with_japanese_messages_and_nothing_stored(council_admin):
    response = register(
        council_admin, goals_text="1 目標\n1-1-1 孫だけ\n見出しなし", last_fy="2020"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2行目" in html and "上位の目標「1-1」" in html
    assert "3行目" in html and "「番号 目標名」" in html
    assert LAST_BEFORE_FIRST in html
    response = register(council_admin, slug="nishitokyo-katsudo-4")
    assert response.status_code == 400
    assert "使われています" in response.content.decode()
    response = council_admin.post(
        reverse("plans:outside_new"),
        {
            **register_form(tree_source="file"),
            "file": SimpleUploadedFile("x.txt", b"hello"),
        },
    )
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert not Plan.objects.filter(slug=CITY_PLAN).exists()


@pytest.mark.parametrize("role", ["staff", "approver", "viewer"])
def test_only_the_administrator_registers_edits_and_deletes(council_admin, role):
    register(council_admin)
    plan = Plan.objects.get(slug=CITY_PLAN)
    client = login_client(f"council-{role}", role=role, departments=("地域福祉推進係",))
    assert client.get(reverse("plans:outside_list")).status_code == 200
    assert client.get(reverse("plans:outside_new")).status_code == 403
    assert register(client, slug="other-id").status_code == 403
    assert client.get(reverse("plans:outside_edit", args=[CITY_PLAN])).status_code == 403
    url = reverse("plans:outside_delete", args=[CITY_PLAN])
    assert client.post(url, {"version": plan.version}).status_code == 403
    assert Plan.objects.filter(slug=CITY_PLAN).exists()
    assert not Plan.objects.filter(slug="other-id").exists()
    # It reads the registered plan like any plan of its organization.
    assert client.get(reverse("plans:detail", args=[CITY_PLAN])).status_code == 200


def test_another_organization_gets_404_and_anonymous_the_login_page(council_admin):
    register(council_admin)
    plan = Plan.objects.get(slug=CITY_PLAN)
    city = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    for url in [
        reverse("plans:outside_edit", args=[CITY_PLAN]),
        reverse("plans:detail", args=[CITY_PLAN]),
        reverse("plans:matrix_index", args=[CITY_PLAN]),
    ]:
        assert city.get(url).status_code == 404, url
    url = reverse("plans:outside_delete", args=[CITY_PLAN])
    assert city.post(url, {"version": plan.version}).status_code == 404
    assert CITY_PLAN not in city.get(reverse("plans:outside_list")).content.decode()
    # The council's own plan is not a registered plan: its edit page is a 404 too.
    assert (
        council_admin.get(reverse("plans:outside_edit", args=["nishitokyo-katsudo-4"])).status_code
        == 404
    )
    response = Client().get(reverse("plans:outside_new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_is_edited_with_its_version(council_admin):
    register(council_admin)
    plan = Plan.objects.get(slug=CITY_PLAN)
    url = reverse("plans:outside_edit", args=[CITY_PLAN])
    form = council_admin.get(url).content.decode()
    assert f'name="version" value="{plan.version}"' in form
    changed = register_form(title="第3次みどり市地域福祉計画（改定版）", tree_source="keep")
    response = council_admin.post(url, {**changed, "version": plan.version})
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert plan.title == "第3次みどり市地域福祉計画（改定版）"
    assert plan.nodes.count() == 5
    # A second save from the same (now old) page is refused; nothing changes.
    stale = council_admin.post(url, {**changed, "title": "古い画面", "version": plan.version - 1})
    assert stale.status_code == 409
    assert "変更" in stale.content.decode()
    plan.refresh_from_db()
    assert plan.title == "第3次みどり市地域福祉計画（改定版）"
    missing = council_admin.post(url, {**changed, "title": "版なし"})
    assert missing.status_code == 400
    # New goals replace the old ones by their numbers.
    response = council_admin.post(
        url, {**register_form(goals_text="1 ひとつだけ"), "version": plan.version}
    )
    assert response.status_code == 302
    assert list(plan.nodes.values_list("title", flat=True)) == ["ひとつだけ"]


def test_deleting_is_refused_while_another_plan_refers_to_it(council_admin):
    register(council_admin)
    plan = Plan.objects.get(slug=CITY_PLAN)
    katsudo = Plan.objects.get(slug="nishitokyo-katsudo-4")
    relation = katsudo.relations.create(other=plan, other_slug=CITY_PLAN, type="aligned", order=9)
    url = reverse("plans:outside_delete", args=[CITY_PLAN])
    response = council_admin.post(url, {"version": plan.version}, follow=True)
    html = response.content.decode()
    assert "削除できません" in html and "第四次西東京市地域福祉活動計画" in html
    assert Plan.objects.filter(slug=CITY_PLAN).exists()
    relation.delete()
    # A content serving one of its goals refers to it too.
    goal = Node.objects.get(plan=plan, key="g1-1")
    content = katsudo.nodes.filter(contents__isnull=False).first().contents.first()
    link = ContentGoal.objects.create(
        content=content, node=goal, plan_slug=CITY_PLAN, node_key="g1-1", order=5
    )
    response = council_admin.post(url, {"version": plan.version}, follow=True)
    assert "削除できません" in response.content.decode()
    link.delete()
    # Without the version, or with an old one, nothing is deleted either.
    assert council_admin.post(url, {}).status_code == 302
    council_admin.post(url, {"version": plan.version + 5})
    assert Plan.objects.filter(slug=CITY_PLAN).exists()
    response = council_admin.post(url, {"version": plan.version})
    assert response.status_code == 302
    assert not Plan.objects.filter(slug=CITY_PLAN).exists()
    assert ChangeRecord.objects.filter(plan_slug=CITY_PLAN, action="remove").exists()


# --------------------------------------------------------------------------- rounds, public


def test_a_registered_plan_has_no_rounds(council_admin):
    register(council_admin)
    plan = Plan.objects.get(slug=CITY_PLAN)
    with pytest.raises(RoundError, match="進捗調査を始められません"):
        open_round(plan, 2024, date(2025, 5, 31), council_admin.user)
    page = council_admin.get(reverse("rounds:list", args=[CITY_PLAN]))
    assert page.status_code == 200
    assert 'name="deadline"' not in page.content.decode()
    council_admin.post(
        reverse("rounds:list", args=[CITY_PLAN]), {"fy": 2024, "deadline": "2025-05-31"}
    )
    assert not Round.objects.filter(plan=plan).exists()
    # Never on the public pages.
    assert Client().get(reverse("public:plan", args=[CITY_PLAN])).status_code == 404


def test_the_interchange_format_carries_the_owner_and_the_new_words(council_admin):
    register(council_admin, kind="national_plan", owner_name="国")
    doc = export_plan(Plan.objects.get(slug=CITY_PLAN))
    assert doc["plan"]["owner"] == "国" and doc["plan"]["kind"] == "national_plan"
    own = export_plan(Plan.objects.get(slug="nishitokyo-katsudo-4"))
    assert "owner" not in own["plan"]
    from shinchoku.plans.interchange import validate

    own["plan"]["relations"].append({"type": "previous", "plan": CITY_PLAN})
    assert validate(own) == []
    assert '"type": "previous"' in dumps(own)


# --------------------------------------------------------------------------- the fixture council


def test_the_fixture_councils_workbook_names_the_city_plan_after_registering_it(midori_admin):
    data = fixture_with_relation()
    response = upload(midori_admin, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "関連計画" in html and "B2" in html
    assert CITY_PLAN in html and "「他の計画」→「計画を登録」" in html
    assert not Plan.objects.filter(slug=MIDORI_PLAN).exists()
    assert not PendingUpload.objects.exists()

    assert register(midori_admin).status_code == 302

    response = upload(midori_admin, data)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert confirm(midori_admin).status_code == 302
    plan = Plan.objects.get(slug=MIDORI_PLAN)
    [relation] = plan.relations.all()
    assert (relation.type, relation.other.slug) == ("aligned", CITY_PLAN)
    detail = midori_admin.get(reverse("plans:detail", args=[MIDORI_PLAN])).content.decode()
    assert "第3次みどり市地域福祉計画" in detail
    # The matrix lists the registered plan, and shows its goals against the council's 事業.
    index = midori_admin.get(reverse("plans:matrix_index", args=[MIDORI_PLAN])).content.decode()
    assert "第3次みどり市地域福祉計画" in index
    page = midori_admin.get(reverse("plans:matrix", args=[MIDORI_PLAN, CITY_PLAN]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "見守りの充実" in html and "小地域見守りネットワーク事業" in html
    # Every 事業 is a column, with or without 実施内容 rows (20 leaves, 4 with contents).
    leaves = Node.objects.filter(plan__slug=MIDORI_PLAN, children__isnull=True)
    assert page.context["m"].items == list(leaves.order_by("seq")) and leaves.count() == 20
    # Downloaded and uploaded again, the workbook loads as it was.
    again = midori_admin.get(reverse("plans:plan_workbook", args=[MIDORI_PLAN])).content
    assert upload(midori_admin, again).status_code == 200


def test_an_unregistered_id_reads_the_same_whoever_has_it(midori_admin):
    """Another organization's plan and no plan at all get the same refusal."""
    answers = []
    for plan_id in ["nishitokyo-chiiki-fukushi-4", "no-such-plan-x"]:
        html = upload(midori_admin, fixture_with_relation(plan_id)).content.decode()
        assert "計画を登録" in html
        problems = html.split('class="problems"')[1].split("</section>")[0]
        answers.append(problems.replace(plan_id, "ID"))
    assert answers[0] == answers[1]


def test_a_previous_plan_relation_loads_from_the_workbook(midori_admin):
    register(midori_admin, slug="midori-katsudo-2", owner_name="みどり市社会福祉協議会")
    response = upload(midori_admin, fixture_with_relation("midori-katsudo-2", "前計画"))
    assert response.status_code == 200, response.content.decode()[:3000]
    assert confirm(midori_admin).status_code == 302
    [relation] = Plan.objects.get(slug=MIDORI_PLAN).relations.all()
    assert relation.type == "previous" and relation.other.slug == "midori-katsudo-2"


def test_a_plan_naming_it_shows_it_and_its_contents_may_serve_its_goals(council_admin):
    register(council_admin)
    registered = Plan.objects.get(slug=CITY_PLAN)
    detail = council_admin.get(reverse("plans:detail", args=[CITY_PLAN])).content.decode()
    assert "みどり市" in detail and "登録内容を編集" in detail
    katsudo = Plan.objects.get(slug="nishitokyo-katsudo-4")
    katsudo.relations.create(other=registered, other_slug=CITY_PLAN, type="previous", order=9)
    html = council_admin.get(reverse("plans:detail", args=[katsudo.slug])).content.decode()
    assert "前計画" in html and registered.title in html
    content = Content.objects.filter(node__plan=katsudo).order_by("id").first()
    form = council_admin.get(
        reverse("plans:edit_object", args=[katsudo.slug, "content", content.pk])
    )
    assert "見守りの充実" in form.content.decode()  # a goal of the registered plan is offered
