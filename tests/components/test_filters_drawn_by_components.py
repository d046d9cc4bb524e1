"""The filters, the search box and the FY choices drawn by the field partial keep their contracts:
the same GET names, ids and chosen option as the hand-written controls they replace, now with the
label tied to the control and the help to the field (issue 15)."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from shinchoku.orgs.models import Department
from shinchoku.plans.models import Node, Plan
from tests.conftest import COUNCIL, login_client

ACTION = "nishitokyo-action-plan-2019"
CITY = "nishitokyo-chiiki-fukushi-4"


def field(html: str, id_: str) -> str:
    """The field partial around the control with this id."""
    found = re.search(rf'<div class="field">\s*<label for="{re.escape(id_)}">.*?</div>', html, re.S)
    assert found, id_
    return found.group(0)


def test_the_roadmap_filters_keep_their_names_ids_and_choice(db):
    client = login_client("filters-staff", role="viewer")
    plan = Plan.objects.get(slug=ACTION)
    dept = plan.organization.departments.get(name="福祉支援課")
    goal = Node.objects.filter(served_by__node__plan=plan).first()
    url = reverse("plans:roadmap", args=[ACTION])
    html = client.get(url, {"department": dept.id, "goal": goal.id}).content.decode()
    drawn = field(html, "f-dept")
    assert '<select name="department" id="f-dept">' in drawn
    assert '<option value="">すべて</option>' in drawn
    assert f'<option value="{dept.id}" selected>福祉支援課</option>' in drawn
    drawn = field(html, "f-goal")
    assert '<select name="goal" id="f-goal">' in drawn
    assert f'<option value="{goal.id}" selected>{goal.label} {goal.title}</option>' in drawn


def test_the_search_box_keeps_its_name_id_and_words_with_its_help(db):
    client = login_client("filters-search", role="viewer")
    html = client.get(reverse("search:page"), {"q": "防災"}).content.decode()
    drawn = field(html, "search-q")
    assert re.search(r'<input type="search" name="q" value="防災"[^>]*id="search-q"', drawn)
    assert 'maxlength="200"' in drawn
    assert 'aria-describedby="search-q_helptext"' in drawn
    assert '<p class="help" id="search-q_helptext">' in drawn


def test_the_staff_filters_keep_their_names_and_choice(db):
    client = login_client("filters-admin", role="admin")
    dept = Department.objects.filter(organization__slug=COUNCIL).first()
    url = reverse("staff:list", args=[COUNCIL])
    html = client.get(url, {"department": dept.pk, "role": "staff", "active": "0"}).content
    html = html.decode()
    assert f'<option value="{dept.pk}" selected>{dept.name}</option>' in field(
        html, "staff-department"
    )
    assert '<select name="role" id="staff-role">' in html
    assert '<option value="staff" selected>' in field(html, "staff-role")
    assert '<option value="0" selected>' in field(html, "staff-active")
    upload = re.search(r'<input type="file" name="file"[^>]*>', html).group(0)
    assert 'id="id_file"' in upload and "required" in upload and 'accept=".xlsx,' in upload


def test_the_public_fy_choice_keeps_its_name_id_and_year(db):
    from shinchoku.rounds.demo import load_demo_round

    load_demo_round()  # the city plan's FY2019 round, published
    html = Client().get(reverse("public:plan", args=[CITY]), {"fy": "2019"}).content.decode()
    drawn = field(html, "fy-select")
    assert '<select name="fy" id="fy-select">' in drawn
    assert '<option value="2019" selected>令和元年度(2019年度)</option>' in drawn
