"""The workbook pages: template, download, upload → problems or preview → confirm, and who may."""

from __future__ import annotations

import copy
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.plans.interchange import dumps, export_plan
from shinchoku.plans.models import ChangeRecord, Indicator, PendingUpload, Plan
from shinchoku.plans.workbook import read_workbook, write_workbook
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.factories import plan_doc

CITY_PLAN = "nishitokyo-chiiki-fukushi-4"
ACTION_PLAN = "nishitokyo-action-plan-2019"


def upload(client, data: bytes, name: str = "plan.xlsx"):
    return client.post(reverse("plans:workbook_upload"), {"file": SimpleUploadedFile(name, data)})


def confirm(client, removals: bool = False):
    token = PendingUpload.objects.latest("created").token
    data = {"confirm_removals": "yes"} if removals else {}
    return client.post(reverse("plans:workbook_confirm", args=[token]), data)


def council_doc(slug: str = "council-new-plan") -> dict:
    return plan_doc(slug=slug, org_slug=COUNCIL)


def snapshot() -> str:
    return "".join(dumps(export_plan(p)) for p in Plan.objects.order_by("slug"))


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("staff", 403), ("approver", 403), ("viewer", 403), (None, 403)],
)
def test_only_administrators_open_the_workbook_page(db, role, status):
    client = login_client(f"user-{role}", role=role)
    assert client.get(reverse("plans:workbook")).status_code == status
    template = reverse("plans:workbook_template") + "?first_fy=2024&last_fy=2029"
    assert client.get(template).status_code == status
    if status == 403:
        before = snapshot()
        response = upload(client, write_workbook(council_doc()))
        assert response.status_code == 403
        assert snapshot() == before


def test_anonymous_users_are_sent_to_log_in(client, db):
    client.logout()
    for url in (reverse("plans:workbook"), reverse("plans:plan_workbook", args=[ACTION_PLAN])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_federation_operators_may_use_the_workbook_page(federation_client):
    assert federation_client.get(reverse("plans:workbook")).status_code == 200


@pytest.mark.parametrize("role", ["admin", "staff", "approver", "viewer"])
def test_members_download_their_plans_but_not_another_organizations(db, role):
    client = login_client(f"reader-{role}", role=role)
    response = client.get(reverse("plans:plan_workbook", args=[ACTION_PLAN]))
    assert response.status_code == 200
    result = read_workbook(response.content, {})
    assert result.problems == []  # links to other plans are references, not looked up
    assert client.get(reverse("plans:plan_workbook", args=[CITY_PLAN])).status_code == 404


def test_a_confirmation_belongs_to_its_uploader(admin_client_council):
    assert upload(admin_client_council, write_workbook(council_doc())).status_code == 200
    other_admin = login_client("second-admin", role="admin")
    assert confirm(other_admin).status_code == 404
    city_admin = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    assert confirm(city_admin).status_code == 404
    assert not Plan.objects.filter(slug="council-new-plan").exists()


# --------------------------------------------------------------------------- the template


def test_the_blank_template_has_the_fiscal_years_asked_for(admin_client_council):
    response = admin_client_council.get(
        reverse("plans:workbook_template") + "?first_fy=2026&last_fy=2031"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in wb["実施内容"][1] if c.value]
    assert headers[-6:][0] == "令和8年度(2026年度)"
    assert headers[-1] == "令和13年度(2031年度)"


def test_a_reversed_period_is_refused_in_japanese(admin_client_council):
    response = admin_client_council.get(
        reverse("plans:workbook_template") + "?first_fy=2030&last_fy=2026"
    )
    assert response.status_code == 400
    assert "終了年度" in response.content.decode() or "前" in response.content.decode()


# --------------------------------------------------------------------------- upload


def test_a_broken_workbook_lists_every_problem_with_sheet_and_cell(admin_client_council):
    wb = load_workbook(io.BytesIO(write_workbook(council_doc())))
    wb["体系"]["E3"] = None
    wb["指標"]["F2"] = "上がる"
    out = io.BytesIO()
    wb.save(out)
    before = snapshot()
    response = upload(admin_client_council, out.getvalue())
    assert response.status_code == 400
    page = response.content.decode()
    assert "<td>体系</td><td>E3</td>" in page
    assert "<td>指標</td><td>F2</td>" in page
    assert "タイトルを入力してください。" in page
    assert "下の2件の問題を直して" in page
    assert snapshot() == before
    assert not PendingUpload.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(admin_client_council):
    response = upload(admin_client_council, b"a,b\n1,2\n", name="plan.csv")
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()
    response = upload(admin_client_council, b"not a zip at all", name="plan.xlsx")
    assert response.status_code == 400
    assert "ワークブック" in response.content.decode() or "xlsx" in response.content.decode()


def test_a_new_plan_is_previewed_then_created_with_its_history(admin_client_council):
    response = upload(admin_client_council, write_workbook(council_doc()), name="新計画.xlsx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "テスト計画" in page and "新計画.xlsx" in page
    assert not Plan.objects.filter(slug="council-new-plan").exists()  # nothing written yet
    response = confirm(admin_client_council)
    assert response.status_code == 302
    plan = Plan.objects.get(slug="council-new-plan")
    assert plan.organization.slug == COUNCIL
    assert plan.organization.name == "西東京市社会福祉協議会"  # the workbook does not rename it
    records = ChangeRecord.objects.filter(plan_slug="council-new-plan")
    assert records.count() > 0
    assert set(records.values_list("source", flat=True)) == {ChangeRecord.Source.WORKBOOK}
    assert set(records.values_list("user_id", flat=True)) == {admin_client_council.user.pk}
    assert not PendingUpload.objects.exists()


def test_an_update_shows_before_and_after_and_keeps_what_is_unchanged(admin_client_council):
    doc = export_plan(Plan.objects.get(slug=ACTION_PLAN))
    item = doc["plan"]["nodes"][0]["children"][0]["children"][0]
    old_title = item["title"]
    item["title"] = "新しいタイトル"
    response = upload(admin_client_council, write_workbook(doc))
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    assert old_title in page and "新しいタイトル" in page
    assert confirm(admin_client_council).status_code == 302
    again = export_plan(Plan.objects.get(slug=ACTION_PLAN))
    assert dumps(again) == dumps(doc)
    change = ChangeRecord.objects.get(plan_slug=ACTION_PLAN, key=item["key"], action="change")
    assert old_title in change.before and "新しいタイトル" in change.after


def test_another_organizations_id_or_plan_is_refused(admin_client_council):
    before = snapshot()
    response = upload(admin_client_council, write_workbook(plan_doc(org_slug=CITY_ORG)))
    assert response.status_code == 400
    assert "組織ID" in response.content.decode()
    city = export_plan(Plan.objects.get(slug=CITY_PLAN))
    city["organization"]["slug"] = COUNCIL
    response = upload(admin_client_council, write_workbook(city))
    assert response.status_code == 400
    assert "別の組織の計画" in response.content.decode()
    assert snapshot() == before


def test_the_refusals_read_in_english_in_the_english_ui(admin_client_council):
    admin_client_council.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(admin_client_council, write_workbook(plan_doc(org_slug=CITY_ORG)))
    assert response.status_code == 400
    page = response.content.decode()
    assert f"does not match your organization ({COUNCIL})" in page and "一致しません" not in page
    doc = export_plan(Plan.objects.get(slug=ACTION_PLAN))
    doc["plan"]["title"] = "アップロードの題名"
    assert upload(admin_client_council, write_workbook(doc)).status_code == 200
    Plan.objects.filter(slug=ACTION_PLAN).update(philosophy="別の人が変えた理念")
    response = confirm(admin_client_council)
    assert response.status_code == 409
    assert "This plan changed after the preview." in response.content.decode()


def test_a_preview_made_stale_by_another_edit_is_refused(admin_client_council):
    doc = export_plan(Plan.objects.get(slug=ACTION_PLAN))
    doc["plan"]["title"] = "アップロードの題名"
    assert upload(admin_client_council, write_workbook(doc)).status_code == 200
    Plan.objects.filter(slug=ACTION_PLAN).update(philosophy="別の人が変えた理念")
    before = snapshot()
    response = confirm(admin_client_council)
    assert response.status_code == 409
    assert "プレビューの後に" in response.content.decode()
    assert snapshot() == before


def test_removing_reported_progress_needs_a_confirmation(db):
    client = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    doc = export_plan(Plan.objects.get(slug=CITY_PLAN))
    stripped = copy.deepcopy(doc)

    def strip(nodes):
        for node in nodes:
            for ind in node["indicators"]:
                if ind["actuals"]:
                    ind["actuals"] = []
                    return ind
            found = strip(node["children"])
            if found:
                return found
        return None

    indicator = strip(stripped["plan"]["nodes"])
    assert indicator is not None
    response = upload(client, write_workbook(stripped))
    assert response.status_code == 200
    assert 'name="confirm_removals"' in response.content.decode()
    before = snapshot()
    assert confirm(client).status_code == 400
    assert snapshot() == before
    assert confirm(client, removals=True).status_code == 302
    stored = Indicator.objects.get(node__plan__slug=CITY_PLAN, key=indicator["key"])
    assert not stored.values.filter(role="actual").exists()
    record = ChangeRecord.objects.filter(plan_slug=CITY_PLAN, key=indicator["key"]).first()
    assert record is not None and record.before


def test_the_workbook_page_is_in_japanese(admin_client_council):
    page = admin_client_council.get(reverse("plans:workbook")).content.decode()
    for words in ("開始年度", "終了年度", "計画ワークブック（.xlsx）", "ひな形をダウンロード"):
        assert words in page
    assert "fiscal year" not in page
