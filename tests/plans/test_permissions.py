"""Who may see and change plans: every view, every role, another organization, anonymous."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shinchoku.plans.models import Content, Indicator, Node, Plan, Section
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
CITY = "nishitokyo-chiiki-fukushi-4"
ROLES = ["admin", "staff", "approver", "viewer"]

pytestmark = pytest.mark.django_db


def _objects() -> dict[str, int]:
    plan = Plan.objects.get(slug=ACTION)
    return {
        "section": Section.objects.filter(plan=plan, node__isnull=False).first().pk,
        "content": Content.objects.filter(node__plan=plan).first().pk,
        "indicator": Indicator.objects.filter(node__plan=plan).first().pk,
    }


def browse_urls() -> list[str]:
    return [
        reverse("plans:detail", args=[ACTION]),
        reverse("plans:roadmap", args=[ACTION]),
        reverse("plans:indicators", args=[ACTION]),
        reverse("plans:node", args=[ACTION, "item-16"]),
        reverse("plans:history", args=[ACTION]),
        reverse("plans:node_history", args=[ACTION, "item-16"]),
    ]


def edit_urls() -> list[str]:
    ids = _objects()
    content = ids["content"]
    indicator = ids["indicator"]
    return [
        reverse("plans:edit", args=[ACTION]),
        reverse("plans:edit_plan", args=[ACTION]),
        reverse("plans:add_node", args=[ACTION]),
        reverse("plans:edit_node", args=[ACTION, "item-16"]),
        reverse("plans:edit_node_form", args=[ACTION, "item-16"]),
        reverse("plans:move_node", args=[ACTION, "item-16"]),
        reverse("plans:delete_node", args=[ACTION, "item-16"]),
        reverse("plans:add_object", args=[ACTION, "section"]) + "?node=item-16",
        reverse("plans:add_object", args=[ACTION, "content"]) + "?node=item-16",
        reverse("plans:add_object", args=[ACTION, "indicator"]) + "?node=item-16",
        *[reverse("plans:edit_object", args=[ACTION, k, pk]) for k, pk in ids.items()],
        *[reverse("plans:delete_object", args=[ACTION, k, pk]) for k, pk in ids.items()],
        reverse("plans:schedule_cell", args=[ACTION, content, 2020]),
        reverse("plans:target_cell", args=[ACTION, indicator, 2020]),
    ]


def test_anonymous_is_sent_to_the_login_page() -> None:
    client = Client()
    for url in ["/", *browse_urls(), *edit_urls(), reverse("plans:create")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


@pytest.mark.parametrize("role", ROLES)
def test_every_role_of_the_owner_can_browse(role: str) -> None:
    client = login_client(f"u-{role}", role=role)
    for url in browse_urls():
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["staff", "approver", "viewer"])
def test_only_the_administrator_changes_structure(role: str) -> None:
    client = login_client(f"u-{role}", role=role)
    for url in [*edit_urls(), reverse("plans:create")]:
        assert client.get(url).status_code == 403, url
    node = Node.objects.get(plan__slug=ACTION, key="item-16")
    response = client.post(
        reverse("plans:edit_node_form", args=[ACTION, "item-16"]),
        {"title": "乗っ取り", "version": node.version},
    )
    assert response.status_code == 403
    node.refresh_from_db()
    assert node.title == "自己財源の強化"
    response = client.post(
        reverse("plans:move_node", args=[ACTION, "item-16"]), {"direction": "up"}
    )
    assert response.status_code == 403


def test_the_administrator_can_open_every_editor_page() -> None:
    client = login_client("u-admin", role="admin")
    for url in [*edit_urls(), reverse("plans:create")]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_another_organization_cannot_see_or_edit(role: str) -> None:
    client = login_client(f"city-{role}", role=role, org_slug=CITY_ORG)
    for url in [*browse_urls(), *edit_urls()]:
        assert client.get(url).status_code == 404, url
    # Its own plan is visible, and the list shows only its own plans.
    assert client.get(reverse("plans:detail", args=[CITY])).status_code == 200
    listing = client.get("/").content.decode()
    assert "第4期西東京市地域福祉計画" in listing
    assert "アクションプラン" not in listing


def test_another_organizations_administrator_cannot_post_changes() -> None:
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    ids = _objects()
    section = Section.objects.get(pk=ids["section"])
    response = client.post(
        reverse("plans:edit_object", args=[ACTION, "section", section.pk]),
        {"heading": "書き換え", "style": "paragraphs", "body_text": "x", "version": 1},
    )
    assert response.status_code == 404
    response = client.post(reverse("plans:delete_node", args=[ACTION, "item-16"]))
    assert response.status_code == 404
    assert Node.objects.filter(plan__slug=ACTION, key="item-16").exists()
    section.refresh_from_db()
    assert section.heading != "書き換え"


def test_an_object_of_another_plan_is_not_reachable_through_this_plan() -> None:
    """Ids are checked against the plan in the address: no editing across plans by id."""
    client = login_client("u-admin", role="admin")
    other = Section.objects.filter(plan__slug="nishitokyo-katsudo-4").first()
    assert (
        client.get(reverse("plans:edit_object", args=[ACTION, "section", other.pk])).status_code
        == 404
    )


def test_inactive_user_is_refused() -> None:
    client = login_client("u-gone", role="admin")
    client.user.is_active = False
    client.user.save()
    assert client.get(reverse("plans:detail", args=[ACTION])).status_code in (302, 403)


def test_federation_operator_sees_every_organization(federation_client) -> None:
    listing = federation_client.get("/").content.decode()
    assert "第4期西東京市地域福祉計画" in listing and "アクションプラン" in listing
