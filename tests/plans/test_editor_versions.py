"""Every editor form carries the version it was opened with: without it a post is refused (400),
with a stale one it is refused (409) showing the other change, and nothing is written either way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.plans import editing
from shinchoku.plans.models import ChangeRecord, Content, Indicator, Node, Plan, Section
from tests.conftest import login_client

ACTION = "nishitokyo-action-plan-2019"
NO_VERSION = "開いたときの版の情報がありません"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return login_client("version-admin", role="admin")


def _node(key: str) -> Node:
    return Node.objects.get(plan__slug=ACTION, key=key)


def _section() -> Section:
    return Section.objects.filter(node=_node("item-16")).first()


def _content() -> Content:
    return Content.objects.filter(node=_node("item-16")).first()


def _indicator() -> Indicator:
    return Indicator.objects.filter(node=_node("item-16")).first()


def _plan() -> Plan:
    return Plan.objects.get(slug=ACTION)


# (name, the record whose version guards the form, its url) for every form opened by a GET.
FORMS = {
    "plan": (_plan, lambda o: reverse("plans:edit_plan", args=[ACTION])),
    "node": (lambda: _node("item-16"),
             lambda o: reverse("plans:edit_node_form", args=[ACTION, o.key])),
    "move": (lambda: _node("item-16"), lambda o: reverse("plans:move_node", args=[ACTION, o.key])),
    "section": (_section, lambda o: reverse("plans:edit_object", args=[ACTION, "section", o.pk])),
    "content": (_content, lambda o: reverse("plans:edit_object", args=[ACTION, "content", o.pk])),
    "indicator": (_indicator,
                  lambda o: reverse("plans:edit_object", args=[ACTION, "indicator", o.pk])),
    "schedule": (_content, lambda o: reverse("plans:schedule_cell", args=[ACTION, o.pk, 2020])),
    "target": (_indicator, lambda o: reverse("plans:target_cell", args=[ACTION, o.pk, 2020])),
}  # fmt: skip


def form_data(client, url: str) -> dict:
    """What the browser would post back: the form as the page rendered it."""
    form = client.get(url).context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "on" if value is True else str(value)
    return data


@pytest.mark.parametrize("name", FORMS)
def test_an_editor_form_without_its_version_is_refused_and_writes_nothing(admin, name) -> None:
    get, url_of = FORMS[name]
    obj = get()
    url = url_of(obj)
    data = form_data(admin, url)
    assert data["version"] == str(obj.version)
    del data["version"]
    before = ChangeRecord.objects.count()
    response = admin.post(url, data)
    assert response.status_code == 400
    assert NO_VERSION in response.content.decode()
    assert type(obj).objects.get(pk=obj.pk).version == obj.version
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("name", FORMS)
def test_an_editor_form_with_a_stale_version_is_refused_with_the_other_change(admin, name) -> None:
    get, url_of = FORMS[name]
    obj = get()
    url = url_of(obj)
    data = form_data(admin, url)
    editing.claim_version(obj, obj.version)  # somebody else saved after the form was opened
    before = ChangeRecord.objects.count()
    response = admin.post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "開いた後に" in html or "別の人" in html or "ほかの人" in html
    assert type(obj).objects.get(pk=obj.pk).version == obj.version  # not moved on by us
    assert ChangeRecord.objects.count() == before
    # The refused form now carries the stored version: saving again is a deliberate overwrite.
    assert f'value="{obj.version}"' in html


# Buttons: move up / down and delete post the version their page was rendered with.
BUTTONS = {
    "node up": (lambda: _node("item-16"), "plans:move_node", {"direction": "up"}),
    "node delete": (lambda: _node("item-16"), "plans:delete_node", {"confirm_progress": "yes"}),
    "section down": (_section, "plans:move_object", {"direction": "down"}),
    "content delete": (_content, "plans:delete_object", {}),
}


def _button_url(view: str, obj) -> str:
    if isinstance(obj, Node):
        return reverse(view, args=[ACTION, obj.key])
    kind = type(obj).__name__.lower()
    return reverse(view, args=[ACTION, kind, obj.pk])


@pytest.mark.parametrize("name", BUTTONS)
def test_a_button_without_its_version_is_refused(admin, name) -> None:
    get, view, data = BUTTONS[name]
    obj = get()
    response = admin.post(_button_url(view, obj), data)
    assert response.status_code == 400
    assert NO_VERSION in response.content.decode()
    assert type(obj).objects.get(pk=obj.pk).version == obj.version


@pytest.mark.parametrize("name", BUTTONS)
def test_a_button_with_a_stale_version_is_refused_with_the_other_change(admin, name) -> None:
    get, view, data = BUTTONS[name]
    obj = get()
    opened = obj.version
    editing.claim_version(obj, opened)
    response = admin.post(_button_url(view, obj), {**data, "version": opened})
    assert response.status_code == 409
    assert "開いた後に" in response.content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    # With the current version the same button works.
    again = admin.post(_button_url(view, obj), {**data, "version": obj.version})
    assert again.status_code == 302


def test_indicator_keys_are_unique_within_a_plan_in_the_database() -> None:
    from django.db import IntegrityError, transaction

    first = _indicator()
    node = Node.objects.filter(plan__slug=ACTION).exclude(pk=first.node_id).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(node=node, key=first.key, name="重複")
    # Another plan may use the same key.
    city = Node.objects.exclude(plan__slug=ACTION).first()
    Indicator.objects.create(node=city, key=first.key, name="別の計画の指標")


def test_a_key_taken_meanwhile_is_retried_with_a_fresh_one() -> None:
    """insert_with_retry chooses the key again after the database refuses a taken one."""
    node = _node("item-16")
    taken = editing.new_indicator_key(node.plan)
    Indicator.objects.create(node=node, key=taken, name="先")
    keys = iter([taken, "fresh-key"])

    def insert() -> Indicator:
        return Indicator.objects.create(node=node, key=next(keys), name="後")

    created = editing.insert_with_retry(insert)
    assert created.key == "fresh-key"
    with pytest.raises(editing.KeyTaken):
        editing.insert_with_retry(lambda: Indicator.objects.create(node=node, key=taken, name="x"))
