"""Another council's plan, of another shape, typed into the template and saved by LibreOffice.

The fixture tests/fixtures/other_shape_plan.xlsx (made by make_other_shape_workbook.py) has four
levels 基本目標 → 基本施策 → 取組 → 事業, 事業 rows with 施策内容 and 担当係, no indicators, and
the previous plan's evaluation table. It must load, be browsed and be edited with no code change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shinchoku.orgs.models import Organization
from shinchoku.plans.interchange import dumps, export_plan
from shinchoku.plans.models import ChangeRecord, Content, Node, PendingUpload, Plan
from shinchoku.plans.workbook import read_workbook
from tests.conftest import login_client

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
SLUG = "midori-katsudo-3"


@pytest.fixture
def midori_admin(db):
    """The federation has created the council and its 管理者 in the Django admin."""
    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    return login_client("midori-admin", role="admin", org_slug="midori-shakyo")


@pytest.fixture
def loaded(midori_admin):
    response = midori_admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    token = PendingUpload.objects.get(user=midori_admin.user).token
    response = midori_admin.post(reverse("plans:workbook_confirm", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[SLUG])
    return midori_admin


def test_the_fixture_was_written_by_libreoffice_and_reads_without_problems():
    data = FIXTURE.read_bytes()
    assert b"LibreOffice" in data or b"Microsoft" not in data  # docProps/app.xml says who saved
    result = read_workbook(data, {})
    assert [str(p) for p in result.problems] == []
    plan = result.doc["plan"]
    assert plan["level_names"] == ["基本目標", "基本施策", "取組", "事業"]


def test_the_preview_lists_what_will_be_added(midori_admin):
    response = midori_admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    page = response.content.decode()
    assert "第3次みどり市地域福祉活動計画" in page
    assert "新しい計画として登録されます。" in page
    assert "小地域見守りネットワーク事業" in page
    assert not Plan.objects.filter(slug=SLUG).exists()


def test_it_loads_with_its_four_levels_departments_and_evaluations(loaded):
    plan = Plan.objects.get(slug=SLUG)
    assert plan.organization.slug == "midori-shakyo"
    assert (plan.first_fy, plan.last_fy) == (2024, 2029)
    levels = {lvl: Node.objects.filter(plan=plan, level=lvl).count() for lvl in (1, 2, 3, 4)}
    assert levels == {1: 3, 2: 5, 3: 10, 4: 20}
    project = Node.objects.get(plan=plan, key="j02")
    assert project.parent.key == "g1-1-1"
    assert [d.name for d in project.departments.all()] == ["相談係"]
    assert project.departments.get().parent.name == "生活支援課"  # 係 under its 課
    assert project.sections.get().heading == "施策内容"
    assert not plan.nodes.filter(indicators__isnull=False).exists()
    evaluations = list(plan.previous_evaluations.values_list("item", "status"))
    assert len(evaluations) == 8
    assert ("多世代交流サロン", "未実施") in evaluations
    assert ("夜間電話相談", "再検討") in evaluations
    assert ChangeRecord.objects.filter(plan_slug=SLUG, user=loaded.user).exists()


def test_it_is_browsed_like_any_plan(loaded):
    pages = {
        "detail": reverse("plans:detail", args=[SLUG]),
        "roadmap": reverse("plans:roadmap", args=[SLUG]),
        "indicators": reverse("plans:indicators", args=[SLUG]),
        "project": reverse("plans:node", args=[SLUG, "j01"]),
        "goal": reverse("plans:node", args=[SLUG, "g1"]),
    }
    html = {name: loaded.get(url).content.decode() for name, url in pages.items()}
    assert "基本施策" in html["detail"] and "事業" in html["detail"]
    assert "夜間電話相談" in html["detail"]  # the previous plan's evaluation
    assert "施策内容" in html["project"] and "地域支援係" in html["project"]
    assert "令和6年度" in html["project"] and "見守り協定の締結" in html["project"]
    assert "見守り協定の締結" in html["roadmap"]
    # a goal's page shows every level below it, down to the 事業
    assert "地域の見守り体制の充実" in html["goal"] and "見守り活動の推進" in html["goal"]
    assert "小地域見守りネットワーク事業" in html["goal"]
    other = login_client("nishitokyo-admin", role="admin")
    assert other.get(pages["detail"]).status_code == 404
    assert other.get(pages["project"]).status_code == 404


def test_it_is_edited_in_the_browser_and_downloads_with_the_edits(loaded):
    node = Node.objects.get(plan__slug=SLUG, key="j05")
    response = loaded.post(
        reverse("plans:edit_node_form", args=[SLUG, "j05"]),
        {
            "label": node.label,
            "title": "ボランティア入門講座の開催",
            "subtitle": "",
            "departments": [d.pk for d in node.departments.all()],
            "kinds_text": "",
            "sdgs": [],
            "version": node.version,
        },
    )
    assert response.status_code == 302
    response = loaded.post(
        reverse("plans:add_node", args=[SLUG]) + "?parent=g1-2-1",
        {"label": "21", "title": "災害ボランティアセンター訓練", "subtitle": "", "kinds_text": ""},
    )
    assert response.status_code == 302
    added = Node.objects.get(plan__slug=SLUG, title="災害ボランティアセンター訓練")
    assert added.level == 4
    content = Content.objects.get(node__plan__slug=SLUG, node__key="j13")
    url = reverse("plans:schedule_cell", args=[SLUG, content.pk, 2025])
    assert loaded.post(url, {"text": "開講", "version": content.version}).status_code == 302

    download = loaded.get(reverse("plans:plan_workbook", args=[SLUG]))
    result = read_workbook(download.content, {})
    assert result.problems == []
    assert dumps(result.doc) == dumps(export_plan(Plan.objects.get(slug=SLUG)))
    titles = {n["title"] for g in result.doc["plan"]["nodes"] for n in _walk(g)}
    assert {"ボランティア入門講座の開催", "災害ボランティアセンター訓練"} <= titles
    history = loaded.get(reverse("plans:node_history", args=[SLUG, "j05"])).content.decode()
    assert "ボランティア講座の開催" in history and "ボランティア入門講座の開催" in history


def test_the_same_workbook_uploaded_again_changes_nothing(loaded):
    before = dumps(export_plan(Plan.objects.get(slug=SLUG)))
    response = loaded.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "追加 0件、変更 0件、削除 0件。" in page
    assert "変更はありません。" in page
    assert dumps(export_plan(Plan.objects.get(slug=SLUG))) == before


def _walk(node):
    yield node
    for child in node["children"]:
        yield from _walk(child)
