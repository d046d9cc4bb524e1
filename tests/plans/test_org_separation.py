"""Organizations stay apart: a link into another organization's plan is a reference only.

Organization Y (a council) links its plan to organization X's (the city's). X's pages show the
link and Y's texts only once X's 管理者 accepts; X still edits and deletes its own goals; Y's
reference then dangles; no message and no status code tells one organization about the
other's plans.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.plans.interchange import dumps, export_plan, load_documents, validate
from shinchoku.plans.links import incoming
from shinchoku.plans.models import ChangeRecord, ContentGoal, LinkAcceptance, Node, Plan
from shinchoku.plans.workbook import write_workbook
from tests.conftest import login_client
from tests.factories import plan_doc
from tests.plans.test_workbook_web import confirm, upload

X_ORG, Y_ORG = "city-x", "council-y"
X_PLAN, Y_PLAN = "city-plan", "council-plan"
Y_TEXT = "社協の見守り訪問を広げる"
X_GOAL = "誰もが安心して暮らせるまち"


def x_doc() -> dict:
    doc = plan_doc(slug=X_PLAN, org_slug=X_ORG)
    doc["organization"]["name"] = "エックス市"
    doc["plan"]["title"] = "エックス市地域福祉計画"
    doc["plan"]["nodes"][0]["title"] = X_GOAL
    return doc


def y_doc(goal: tuple[str, str] = (X_PLAN, "goal-1"), relation: str = X_PLAN) -> dict:
    doc = plan_doc(slug=Y_PLAN, org_slug=Y_ORG)
    doc["organization"]["name"] = "ワイ社会福祉協議会"
    doc["plan"]["title"] = "ワイ地域福祉活動計画"
    doc["plan"]["relations"] = [{"type": "embodies", "plan": relation}]
    content = doc["plan"]["nodes"][0]["children"][0]["contents"][0]
    content["text"] = Y_TEXT
    content["goals"].append({"plan": goal[0], "node": goal[1]})
    return doc


def y_link() -> ContentGoal:
    """Y's content's link into X's plan."""
    return ContentGoal.objects.get(plan_slug=X_PLAN, content__node__plan__slug=Y_PLAN)


@pytest.fixture
def two_orgs(empty_db):
    load_documents([x_doc()])
    load_documents([y_doc()])


@pytest.fixture
def x_admin(two_orgs):
    return login_client("x-admin", role="admin", org_slug=X_ORG)


@pytest.fixture
def y_admin(two_orgs):
    return login_client("y-admin", role="admin", org_slug=Y_ORG)


def page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, (name, args)
    return response.content.decode()


def decide(client, decision: str, slug: str = X_PLAN, from_slug: str = Y_PLAN):
    url = reverse("plans:link_decision", args=[slug, from_slug])
    return client.post(url, {"decision": decision})


# --------------------------------------------------------------------------- acceptance


def test_the_linked_organization_sees_nothing_of_the_link_until_it_accepts(x_admin):
    goal_page = page(x_admin, "plans:node", X_PLAN, "goal-1")
    assert Y_TEXT not in goal_page
    plan_page, waiting_list = page(x_admin, "plans:detail", X_PLAN).split('"incoming-links"')
    assert "ワイ地域福祉活動計画" not in plan_page
    # Only in the list waiting for a decision, with who links and how.
    assert "ワイ地域福祉活動計画" in waiting_list and "ワイ社会福祉協議会" in waiting_list
    [waiting] = incoming(Plan.objects.get(slug=X_PLAN))
    assert (waiting.from_plan.slug, waiting.relations, waiting.goals) == (
        Y_PLAN,
        ["embodies"],
        1,
    )
    assert waiting.state == ""

    assert decide(x_admin, "accepted").status_code == 302

    acceptance = LinkAcceptance.objects.get()
    assert acceptance.decision == "accepted" and acceptance.user == x_admin.user
    record = ChangeRecord.objects.get(plan_slug=X_PLAN, kind="link")
    assert record.key == Y_PLAN and "受け入れる" in record.after
    assert Y_TEXT in page(x_admin, "plans:node", X_PLAN, "goal-1")
    assert "ワイ地域福祉活動計画" in page(x_admin, "plans:detail", X_PLAN)


def test_a_declined_link_stays_hidden_and_can_be_accepted_later(x_admin):
    assert decide(x_admin, "declined").status_code == 302
    assert Y_TEXT not in page(x_admin, "plans:node", X_PLAN, "goal-1")
    assert incoming(Plan.objects.get(slug=X_PLAN))[0].state == "declined"
    assert decide(x_admin, "accepted").status_code == 302
    assert Y_TEXT in page(x_admin, "plans:node", X_PLAN, "goal-1")
    assert ChangeRecord.objects.filter(plan_slug=X_PLAN, kind="link").count() == 2


def test_only_the_linked_organizations_administrator_decides(two_orgs):
    viewer = login_client("x-viewer", role="viewer", org_slug=X_ORG)
    assert decide(viewer, "accepted").status_code == 403
    assert 'name="decision"' not in page(viewer, "plans:detail", X_PLAN)
    y_admin = login_client("y-admin", role="admin", org_slug=Y_ORG)
    assert decide(y_admin, "accepted").status_code == 404
    x_admin = login_client("x-admin", role="admin", org_slug=X_ORG)
    assert decide(x_admin, "maybe").status_code == 302
    # A plan that does not link here, and no plan at all, are the same 404.
    assert decide(x_admin, "accepted", from_slug="no-such-plan").status_code == 404
    load_documents([plan_doc(slug="unrelated", org_slug=Y_ORG)])
    assert decide(x_admin, "accepted", from_slug="unrelated").status_code == 404
    assert not LinkAcceptance.objects.exists()


def test_a_link_changes_nothing_in_the_linked_plan(two_orgs):
    before = dumps(export_plan(Plan.objects.get(slug=X_PLAN)))
    load_documents([y_doc(goal=(X_PLAN, "goal-2"))], replace=True)
    assert dumps(export_plan(Plan.objects.get(slug=X_PLAN))) == before


def test_same_organization_links_show_without_any_decision(empty_db):
    load_documents([plan_doc(slug="base", org_slug=Y_ORG)])
    doc = y_doc(goal=("base", "goal-1"), relation="base")
    load_documents([doc])
    client = login_client("y-viewer", role="viewer", org_slug=Y_ORG)
    assert Y_TEXT in page(client, "plans:node", "base", "goal-1")
    assert "ワイ地域福祉活動計画" in page(client, "plans:detail", "base")


def test_the_linking_side_sees_the_goal_name_only_once_accepted(x_admin, y_admin):
    html = page(y_admin, "plans:node", Y_PLAN, "item-1-1")
    assert f"{X_PLAN}:goal-1" in html
    assert "エックス市地域福祉計画" not in html and X_GOAL not in html
    assert "エックス市地域福祉計画" not in page(y_admin, "plans:detail", Y_PLAN)
    assert X_GOAL not in page(y_admin, "plans:edit_node", Y_PLAN, "item-1-1")
    assert X_GOAL not in page(y_admin, "plans:roadmap", Y_PLAN)
    decide(x_admin, "accepted")
    html = page(y_admin, "plans:node", Y_PLAN, "item-1-1")
    assert "エックス市地域福祉計画" in html and X_GOAL in html
    assert X_GOAL in page(y_admin, "plans:edit_node", Y_PLAN, "item-1-1")
    assert X_GOAL in page(y_admin, "plans:roadmap", Y_PLAN)
    # Its own plan page names the related plan once accepted, without a link into it.
    detail = page(y_admin, "plans:detail", Y_PLAN)
    assert "エックス市地域福祉計画" in detail
    assert reverse("plans:detail", args=[X_PLAN]) not in detail


# --------------------------------------------------------------------------- deleting


def test_the_linked_organization_deletes_its_goal_and_the_reference_dangles(x_admin, y_admin):
    decide(x_admin, "accepted")
    goal = Node.objects.get(plan__slug=X_PLAN, key="goal-1")
    impact_page = x_admin.get(reverse("plans:delete_node", args=[X_PLAN, "goal-1"]))
    assert "ワイ" not in impact_page.content.decode()
    response = x_admin.post(
        reverse("plans:delete_node", args=[X_PLAN, "goal-1"]),
        {"confirm_progress": "yes", "version": goal.version},
    )
    assert response.status_code in (204, 302)
    assert not Node.objects.filter(pk=goal.pk).exists()
    link = y_link()
    assert (link.node, link.node_key, link.content.text) == (None, "goal-1", Y_TEXT)
    html = page(y_admin, "plans:node", Y_PLAN, "item-1-1")
    assert "リンク先の目標が見つかりません" in html
    # The reference is exported as written, and loads back the same.
    y_plan = Plan.objects.get(slug=Y_PLAN)
    exported = dumps(export_plan(y_plan))
    assert f'"plan": "{X_PLAN}",\n' in exported and '"node": "goal-1"' in exported
    load_documents([export_plan(y_plan)], replace=True)
    assert dumps(export_plan(Plan.objects.get(slug=Y_PLAN))) == exported


def test_a_goal_served_by_another_plan_of_the_same_organization_stays_protected(empty_db):
    load_documents([plan_doc(slug="base", org_slug=Y_ORG)])
    load_documents([y_doc(goal=("base", "goal-1"), relation="base")])
    admin = login_client("y-admin", role="admin", org_slug=Y_ORG)
    goal = Node.objects.get(plan__slug="base", key="goal-1")
    response = admin.post(
        reverse("plans:delete_node", args=["base", "goal-1"]),
        {"confirm_progress": "yes", "version": goal.version},
    )
    assert response.status_code == 400
    assert "結び付いて" in response.content.decode()
    assert Node.objects.filter(plan__slug="base", key="goal-1").exists()


def test_the_linking_side_keeps_its_pending_references_when_it_edits_the_content(y_admin):
    content = y_link().content
    form = y_admin.get(reverse("plans:edit_object", args=[Y_PLAN, "content", content.pk]))
    assert "目標1" in form.content.decode()  # its own goal is offered
    assert "エックス市地域福祉計画" not in form.content.decode()
    own = Node.objects.get(plan__slug=Y_PLAN, key="goal-1")
    response = y_admin.post(
        reverse("plans:edit_object", args=[Y_PLAN, "content", content.pk]),
        {
            "label": "1",
            "text": "書き直した内容",
            "tag": "新規",
            "note": "",
            "goal_nodes": [own.pk],
            "version": content.version,
        },
    )
    assert response.status_code in (204, 302), response.content.decode()[:2000]
    assert list(
        ContentGoal.objects.filter(content=content).values_list("plan_slug", "node_key")
    ) == [(Y_PLAN, "goal-1"), (X_PLAN, "goal-1")]


# --------------------------------------------------------------------------- messages


def test_an_upload_accepts_any_other_organizations_reference_without_looking_it_up(y_admin):
    """A link to X's goal, to a key X does not have, and to no plan at all read the same.

    Issue 13 changed the relations (関連計画): a workbook names only its organization's plans,
    the plans it registered (他の計画) and the plans it already names, so the relation here is
    to Y's own plan; a relation to X's plan and to no plan are refused alike (below).
    """
    answers = []
    for target in [(X_PLAN, "goal-1"), (X_PLAN, "no-such-goal"), ("no-such-plan", "goal-1")]:
        doc = y_doc(goal=target, relation=Y_PLAN)
        doc["plan"]["slug"] = "council-second"
        response = upload(y_admin, write_workbook(doc))
        html = response.content.decode()
        assert response.status_code == 200, html[:3000]
        assert "がありません" not in html and "登録されていません" not in html
        answers.append(html.replace(target[0], "T").replace(target[1], "K"))
        assert confirm(y_admin).status_code == 302
        Plan.objects.get(slug="council-second").delete()
    assert answers[0].count("T:K") == answers[1].count("T:K") == answers[2].count("T:K")


def test_an_upload_refuses_a_relation_to_any_unregistered_plan_alike(y_admin):
    """Issue 13: X's plan and no plan at all get the same refusal, at the same cell.

    (X_PLAN itself is accepted: Y's plan already names it, so a download loads back.)
    """
    load_documents([plan_doc(slug="city-plan-2", org_slug=X_ORG)])
    answers = []
    for relation in ["city-plan-2", "no-such-plan"]:
        doc = y_doc(goal=(Y_PLAN, "goal-1"), relation=relation)
        doc["plan"]["slug"] = "council-second"
        response = upload(y_admin, write_workbook(doc))
        assert response.status_code == 400
        html = response.content.decode()
        assert "計画を登録" in html
        answers.append(
            html.split('class="problems"')[1].split("</section>")[0].replace(relation, "T")
        )
    assert answers[0] == answers[1]
    assert not Plan.objects.filter(slug="council-second").exists()
    # The plan Y already names (its own, loaded with this relation) still loads as it was.
    again = export_plan(Plan.objects.get(slug=Y_PLAN))
    assert upload(y_admin, write_workbook(again)).status_code == 200


def test_checking_a_document_looks_only_into_its_own_organizations_plans(two_orgs):
    from shinchoku.plans.interchange import known_plans

    doc = y_doc(goal=(X_PLAN, "no-such-goal"))
    assert validate(doc, known_plans()) == []
    own = y_doc(goal=(Y_PLAN, "no-such-goal"))
    assert [p.message for p in validate(own, known_plans())] == [
        f"計画「{Y_PLAN}」に「no-such-goal」がありません。"
    ]
    x_org = Plan.objects.get(slug=X_PLAN).organization
    y_org = Plan.objects.get(slug=Y_PLAN).organization
    assert set(known_plans(y_org)) == {Y_PLAN}
    assert set(known_plans(x_org)) == {X_PLAN}


# --------------------------------------------------------------------------- 404 alike


def slug_urls(slug: str, key: str = "goal-1") -> list[str]:
    return [
        reverse("plans:detail", args=[slug]),  # plans/views.py _get_plan
        reverse("plans:node", args=[slug, key]),
        reverse("plans:edit", args=[slug]),  # plans/edit_views.py _plan
        reverse("plans:edit_node", args=[slug, key]),
        reverse("plans:plan_workbook", args=[slug]),  # workbook_views
        reverse("rounds:list", args=[slug]),  # rounds/access.py plan_for
        reverse("rounds:settings", args=[slug]),
        reverse("rounds:overview_latest", args=[slug]),
        reverse("reports:index", args=[slug]),  # reports views
        reverse("plans:link_decision", args=[slug, Y_PLAN]),
    ]


@pytest.mark.parametrize("role", ["admin", "staff", "approver", "viewer"])
def test_another_organizations_plan_is_a_404_like_a_missing_one(two_orgs, role):
    client = login_client(f"y-{role}", role=role, org_slug=Y_ORG)
    for url in [*slug_urls(X_PLAN), *slug_urls("no-such-plan")]:
        method = client.post if "/links/" in url else client.get
        assert method(url).status_code == 404, url


def test_a_missing_node_key_of_an_own_plan_is_a_404(two_orgs):
    client = login_client("x-admin", role="admin", org_slug=X_ORG)
    assert client.get(reverse("plans:node", args=[X_PLAN, "no-such"])).status_code == 404
    assert client.get(reverse("plans:edit_node", args=[X_PLAN, "no-such"])).status_code == 404


def test_a_member_whose_role_does_not_allow_it_still_gets_403(two_orgs):
    viewer = login_client("x-viewer", role="viewer", org_slug=X_ORG)
    assert viewer.get(reverse("plans:edit", args=[X_PLAN])).status_code == 403
    assert viewer.get(reverse("rounds:settings", args=[X_PLAN])).status_code == 403


def test_anonymous_users_go_to_the_login_page_whether_or_not_the_plan_exists(two_orgs):
    for slug in (X_PLAN, "no-such-plan"):
        response = Client().get(reverse("plans:detail", args=[slug]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --------------------------------------------------------------------------- demo


def test_the_demo_links_between_the_council_and_the_city_come_out_accepted(db):
    pairs = set(
        LinkAcceptance.objects.filter(decision="accepted").values_list(
            "plan__slug", "from_plan__slug"
        )
    )
    assert pairs == {
        ("nishitokyo-chiiki-fukushi-4", "nishitokyo-katsudo-4"),
        ("nishitokyo-katsudo-4", "nishitokyo-chiiki-fukushi-4"),
    }
    city_admin = login_client("city-admin", role="admin", org_slug="nishitokyo-city")
    html = page(city_admin, "plans:detail", "nishitokyo-chiiki-fukushi-4")
    assert "第四次西東京市地域福祉活動計画" in html
