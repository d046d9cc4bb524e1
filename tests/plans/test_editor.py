"""The plan editor: every change is validated, recorded with before/after, and never lost."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.plans import editing
from shinchoku.plans.models import (
    ChangeRecord,
    Content,
    Indicator,
    IndicatorValue,
    Node,
    Plan,
    ProgressNote,
    SdgGoal,
    Section,
)
from tests.conftest import login_client

ACTION = "nishitokyo-action-plan-2019"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return login_client("editor", role="admin")


def _node(key: str) -> Node:
    return Node.objects.get(plan__slug=ACTION, key=key)


def _node_post(node: Node, **changes) -> dict:
    data = {
        "label": node.label,
        "title": node.title,
        "subtitle": node.subtitle,
        "departments": [d.pk for d in node.departments.all()],
        "kinds_text": "、".join(nk.kind.name for nk in node.nodekind_set.all()),
        "sdgs": [g.pk for g in node.sdgs.all()],
        "version": node.version,
    }
    data.update(changes)
    return data


def test_create_a_plan_of_any_shape(admin) -> None:
    response = admin.post(
        reverse("plans:create"),
        {
            "slug": "new-plan",
            "title": "第5次計画",
            "kind": "other",
            "first_fy": 2024,
            "last_fy": 2029,
            "philosophy": "",
            "level_names_text": "基本目標\n基本施策\n取組\n事業",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(slug="new-plan")
    assert plan.level_names == ["基本目標", "基本施策", "取組", "事業"]
    assert plan.organization.slug == "nishitokyo-shakyo"
    record = ChangeRecord.objects.get(plan_slug="new-plan")
    assert (record.action, record.kind, record.user_name) == ("add", "plan", "editor")


def test_plan_form_errors_are_in_japanese_and_write_nothing(admin) -> None:
    response = admin.post(
        reverse("plans:create"),
        {"slug": "Bad Slug", "title": "", "kind": "other", "first_fy": 2029, "last_fy": 2024,
         "level_names_text": ""},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "英小文字" in html  # slug rule
    assert "最終年度" in html  # last FY before first FY
    assert "階層名" in html
    assert not Plan.objects.filter(title="").exists()


def test_add_edit_reorder_move_and_delete_nodes(admin) -> None:
    plan = Plan.objects.get(slug=ACTION)
    parent = _node("P1-1")
    response = admin.post(
        reverse("plans:add_node", args=[ACTION]) + "?parent=P1-1",
        {
            "label": "99",
            "title": "新しい事業",
            "subtitle": "",
            "kinds_text": "独自事業、市補助事業",
        },
    )
    assert response.status_code == 302
    new = Node.objects.get(plan=plan, title="新しい事業")
    assert (new.parent_id, new.level) == (parent.pk, 3)
    assert [nk.kind.name for nk in new.nodekind_set.all()] == ["独自事業", "市補助事業"]
    last_child = parent.children.order_by("order").last()
    assert last_child == new
    seqs = list(Node.objects.filter(plan=plan).order_by("seq").values_list("id", flat=True))
    assert seqs.index(new.pk) == seqs.index(last_child.pk)

    admin.post(
        reverse("plans:move_node", args=[ACTION, new.key]),
        {"direction": "up", "version": new.version},
    )
    new.refresh_from_db()
    order = list(parent.children.order_by("order").values_list("key", flat=True))
    assert order[-2] == new.key

    # Move under another heading: the level follows the new parent.
    target = _node("P2-1")
    admin.post(
        reverse("plans:move_node", args=[ACTION, new.key]),
        {"parent": target.pk, "version": new.version},
    )
    new.refresh_from_db()
    assert (new.parent_id, new.level) == (target.pk, 3)
    # Moving a node under itself or its own child is not offered.
    response = admin.post(
        reverse("plans:move_node", args=[ACTION, "P2"]),
        {"parent": target.pk, "version": _node("P2").version},
    )
    assert response.status_code == 200 and _node("P2").parent_id is None

    response = admin.post(
        reverse("plans:delete_node", args=[ACTION, new.key]), {"version": new.version}
    )
    assert response.status_code == 302
    assert not Node.objects.filter(pk=new.pk).exists()
    kinds = list(
        ChangeRecord.objects.filter(plan_slug=ACTION, node_key=new.key).values_list(
            "action", flat=True
        )
    )
    assert kinds.count("add") == 1 and kinds.count("remove") == 1 and "change" in kinds


def test_edit_node_records_before_and_after(admin) -> None:
    node = _node("item-16")
    goal = SdgGoal.objects.get(number=17)
    response = admin.post(
        reverse("plans:edit_node_form", args=[ACTION, "item-16"]),
        _node_post(node, title="自己財源の確保と強化", sdgs=[goal.pk]),
    )
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.title == "自己財源の確保と強化"
    assert list(node.sdgs.values_list("number", flat=True)) == [17]
    record = ChangeRecord.objects.filter(plan_slug=ACTION, node_key="item-16").first()
    assert '"タイトル": "自己財源の強化"' in record.before
    assert '"タイトル": "自己財源の確保と強化"' in record.after
    page = admin.get(reverse("plans:node_history", args=[ACTION, "item-16"])).content.decode()
    assert "自己財源の強化" in page and "自己財源の確保と強化" in page and "editor" in page


def test_second_save_of_the_same_record_is_refused_and_shows_the_other_change(admin) -> None:
    other = login_client("other-editor", role="admin")
    node = _node("item-16")
    opened = node.version  # both opened the form at this version
    first = other.post(
        reverse("plans:edit_node_form", args=[ACTION, "item-16"]),
        _node_post(node, title="先に保存した題名", version=opened),
    )
    assert first.status_code == 302
    second = admin.post(
        reverse("plans:edit_node_form", args=[ACTION, "item-16"]),
        _node_post(node, title="後から保存した題名", version=opened),
    )
    html = second.content.decode()
    assert second.status_code == 409
    assert "先に保存した題名" in html  # the other change is shown
    assert "other-editor" in html  # and who made it
    assert 'value="後から保存した題名"' in html  # the user's own input is kept
    node.refresh_from_db()
    assert node.title == "先に保存した題名"
    # Saving again, now knowingly over the other change, works.
    third = admin.post(
        reverse("plans:edit_node_form", args=[ACTION, "item-16"]),
        _node_post(node, title="後から保存した題名", version=node.version),
    )
    assert third.status_code == 302
    node.refresh_from_db()
    assert node.title == "後から保存した題名"


def test_concurrent_cell_edits_on_one_content_do_not_lose_updates(admin) -> None:
    content = Content.objects.filter(node__plan__slug=ACTION, node__key="item-16").first()
    version = content.version
    url_2020 = reverse("plans:schedule_cell", args=[ACTION, content.pk, 2020])
    url_2021 = reverse("plans:schedule_cell", args=[ACTION, content.pk, 2021])
    assert admin.post(url_2020, {"text": "試行", "version": version}).status_code == 302
    refused = admin.post(url_2021, {"text": "本格実施", "version": version})
    assert refused.status_code == 409
    assert editing.phase_grid(content, "", [2021])[2021] != "本格実施"


def test_schedule_cell_splits_the_span_around_it(admin) -> None:
    content = Content.objects.filter(node__plan__slug=ACTION, node__key="item-16").first()
    years = Plan.objects.get(slug=ACTION).fiscal_years
    before = editing.phase_grid(content, "", years)
    url = reverse("plans:schedule_cell", args=[ACTION, content.pk, 2021])
    response = admin.post(url, {"text": "見直し", "version": content.version})
    assert response.status_code == 302
    after = editing.phase_grid(content, "", years)
    assert after[2021] == "見直し"
    assert {fy: p for fy, p in after.items() if fy != 2021} == {
        fy: p for fy, p in before.items() if fy != 2021
    }
    # Clearing the cell leaves that year without a phase.
    content.refresh_from_db()
    admin.post(url, {"text": "", "version": content.version})
    assert editing.phase_grid(content, "", years)[2021] == ""


def test_set_phase_keeps_spans_exact() -> None:
    content = Content.objects.filter(node__plan__slug=ACTION).first()
    content.schedule.all().delete()
    content.schedule.create(track="", from_fy=2019, to_fy=2023, phase="実施", order=0)
    editing.set_phase(content, "", 2021, "評価")
    spans = list(content.schedule.order_by("from_fy").values_list("from_fy", "to_fy", "phase"))
    assert spans == [(2019, 2020, "実施"), (2021, 2021, "評価"), (2022, 2023, "実施")]


def test_target_cell_keeps_the_text_as_typed(admin) -> None:
    indicator = Indicator.objects.filter(node__plan__slug=ACTION).first()
    url = reverse("plans:target_cell", args=[ACTION, indicator.pk, 2022])
    response = admin.post(url, {"text": "１，２００千円", "version": indicator.version})
    assert response.status_code == 302
    value = indicator.values.get(role="target", fy=2022)
    assert value.text == "１，２００千円" and value.number == 1200 and value.value_unit == "千円"


def test_the_cell_forms_name_what_is_typed(admin) -> None:
    indicator = Indicator.objects.filter(node__plan__slug=ACTION).first()
    html = admin.get(reverse("plans:target_cell", args=[ACTION, indicator.pk, 2022])).text
    assert '<label for="id_text">目標値' in html and 'id_text">本文' not in html
    content = Content.objects.filter(node__plan__slug=ACTION).first()
    html = admin.get(reverse("plans:schedule_cell", args=[ACTION, content.pk, 2022])).text
    assert '<label for="id_text">工程表の表記' in html and 'id_text">本文' not in html


def test_sections_contents_and_indicators_can_be_added_edited_and_deleted(admin) -> None:
    node = _node("item-16")
    base = reverse("plans:add_object", args=[ACTION, "section"]) + "?node=item-16"
    admin.post(base, {"heading": "評価", "style": "bullets", "body_text": "一つ目\n\n二つ目"})
    section = Section.objects.get(node=node, heading="評価")
    assert section.body == ["一つ目", "二つ目"]
    admin.post(
        reverse("plans:move_object", args=[ACTION, "section", section.pk]),
        {"direction": "up", "version": section.version},
    )
    headings = list(node.sections.order_by("order").values_list("heading", flat=True))
    assert headings[-2] == "評価"

    goal = Node.objects.get(plan__slug="nishitokyo-katsudo-4", key="G6")
    admin.post(
        reverse("plans:add_object", args=[ACTION, "content"]) + "?node=item-16",
        {
            "label": "6",
            "text": "寄付つき商品の開発",
            "tag": "新規",
            "note": "",
            "goal_nodes": [goal.pk],
        },
    )
    content = Content.objects.get(node=node, label="6")
    assert list(content.goals.values_list("key", flat=True)) == ["G6"]

    admin.post(
        reverse("plans:add_object", args=[ACTION, "indicator"]) + "?node=item-16",
        {"label": "2", "name": "寄付件数", "unit": "件", "direction": "up", "notes": "",
         "baseline_fy": 2018, "baseline_value": "12件", "baseline_estimate": "on"},
    )  # fmt: skip
    indicator = Indicator.objects.get(node=node, name="寄付件数")
    baseline = indicator.values.get(role="baseline")
    assert (baseline.fy, baseline.text, baseline.estimate) == (2018, "12件", True)

    for kind, obj in [("section", section), ("content", content), ("indicator", indicator)]:
        obj.refresh_from_db()
        response = admin.post(
            reverse("plans:delete_object", args=[ACTION, kind, obj.pk]), {"version": obj.version}
        )
        assert response.status_code == 302
        assert not type(obj).objects.filter(pk=obj.pk).exists()
    removed = ChangeRecord.objects.filter(plan_slug=ACTION, node_key="item-16", action="remove")
    assert removed.count() == 3


def test_deleting_progress_asks_first_and_keeps_a_copy_in_the_history(admin) -> None:
    indicator = Indicator.objects.filter(node__plan__slug=ACTION, node__key="item-16").first()
    IndicatorValue.objects.create(indicator=indicator, role="actual", fy=2019, text="9,900千円")
    ProgressNote.objects.create(indicator=indicator, fy=2019, done="寄付を募った", next="継続")
    url = reverse("plans:delete_node", args=[ACTION, "item-16"])
    page = admin.get(url).content.decode()
    assert "実績" in page
    version = _node("item-16").version
    refused = admin.post(url, {"version": version})
    assert refused.status_code == 400
    assert Node.objects.filter(plan__slug=ACTION, key="item-16").exists()
    done = admin.post(url, {"confirm_progress": "yes", "version": version})
    assert done.status_code == 302
    assert not Node.objects.filter(plan__slug=ACTION, key="item-16").exists()
    copy = ChangeRecord.objects.get(plan_slug=ACTION, kind="indicator", action="remove")
    assert "9,900千円" in copy.before and "寄付を募った" in copy.before


def test_a_goal_linked_from_another_plan_cannot_be_deleted() -> None:
    client = login_client("katsudo-admin", role="admin")
    url = reverse("plans:delete_node", args=["nishitokyo-katsudo-4", "G6"])
    version = Node.objects.get(plan__slug="nishitokyo-katsudo-4", key="G6").version
    response = client.post(url, {"confirm_progress": "yes", "version": version})
    assert response.status_code == 400
    assert Node.objects.filter(plan__slug="nishitokyo-katsudo-4", key="G6").exists()


def test_htmx_form_fragment_and_redirect_header(admin) -> None:
    url = reverse("plans:edit_node_form", args=[ACTION, "item-16"])
    fragment = admin.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div class="edit-form"') and "<html" not in fragment
    node = _node("item-16")
    response = admin.post(url, _node_post(node, subtitle="副題"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("plans:edit_node", args=[ACTION, "item-16"])


def test_csrf_is_enforced_on_editor_posts() -> None:
    from django.test import Client

    from tests.conftest import login_client as make

    user = make("csrf-admin", role="admin").user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("plans:move_node", args=[ACTION, "item-16"]), {"direction": "up"}
    )
    assert response.status_code == 403
