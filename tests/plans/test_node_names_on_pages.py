"""The city plan's nodes on the item page, in the opinion form's target select and in search
results: 「基本目標１」 once over the heading, no 「・」 before a 施策の方向 without a number."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shinchoku.plans.models import Node
from tests.conftest import CITY_ORG, login_client

pytestmark = pytest.mark.django_db
CITY = "nishitokyo-chiiki-fukushi-4"


@pytest.fixture
def admin():
    return login_client("names-admin", role="admin", org_slug=CITY_ORG)


def test_the_item_page_names_the_level_once_and_its_children_without_a_bullet(admin):
    goal = Node.objects.get(plan__slug=CITY, key="C1")
    assert goal.label == "基本目標１"
    page = admin.get(reverse("plans:node", args=[CITY, "C1"])).content.decode()
    assert '<p class="level-name">基本目標１</p>' in page
    assert "基本目標 基本目標" not in page
    child = goal.children.order_by("seq").first()
    assert child.label == "・"
    assert str(child) == child.title
    # The child list: the title straight after the link, no bullet label and no leading space.
    assert re.search(rf'nodes/{child.key}/">{re.escape(child.title)}</a>', page), page
    child_page = admin.get(reverse("plans:node", args=[CITY, child.key])).content.decode()
    assert "<title>・" not in child_page and "<title> " not in child_page


def test_the_opinion_target_and_search_results_have_no_stray_bullet(admin):
    child = Node.objects.get(plan__slug=CITY, key="C1").children.order_by("seq").first()
    page = admin.get(reverse("reviews:new", args=[CITY])).content.decode()
    option = re.search(rf'<option value="node:{child.key}"[^>]*>([^<]*)</option>', page)
    assert option and option.group(1) == "　" + child.title, option
    found = admin.get(reverse("search:page"), {"q": child.title}).content.decode()
    assert child.title in found
    assert f"・ {child.title}" not in found and f"・{child.title}" not in found
