"""A round for any plan: every leaf item with a 担当 is reported on, with or without numbers.

The fixture council's plan (tests/fixtures/other_shape_plan.xlsx: 20 事業 with 担当係, only 4
with 実施内容 rows, no indicators) is loaded from its workbook as its 管理者 would, and runs a
whole FY2024 round through the web: one sheet filled in the browser, one through the Excel
sheet, a return and a resubmission, approvals, close and publish. So does a copy of it typed
without any 実施内容 row. Nothing of ours is mocked.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.orgs.models import Organization
from shinchoku.plans.models import Content, Node, PendingUpload, Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import (
    DEFAULT_SCALE,
    NO_NUMBERS_SCALE,
    ItemEntry,
    PlanSettings,
    Report,
    Round,
)
from shinchoku.rounds.sheet_xlsx import S_CONTENTS, S_ITEMS, read_sheet
from tests.conftest import login_client

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
SLUG = "midori-katsudo-3"
ORG = "midori-shakyo"
ACTION = "nishitokyo-action-plan-2019"
FY = 2024


# --------------------------------------------------------------------------- helpers


def without_contents(data: bytes) -> bytes:
    """The fixture as a council would type it with no 実施内容 row at all."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[S_CONTENTS]
    ws.delete_rows(2, ws.max_row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load(admin: Client, data: bytes) -> Plan:
    """Upload the plan's workbook and confirm it, as the council's 管理者 does."""
    response = admin.post(
        reverse("plans:workbook_upload"), {"file": SimpleUploadedFile("みどり計画.xlsx", data)}
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    return Plan.objects.get(slug=SLUG)


@pytest.fixture
def admin(db) -> Client:
    Organization.objects.create(slug=ORG, name="みどり市社会福祉協議会", kind="council")
    return login_client("midori-admin", role="admin", org_slug=ORG)


def staff_of(report: Report) -> Client:
    """A 部署担当 of the sheet's department (one per department and test)."""
    from django.contrib.auth import get_user_model

    name = f"staff-{report.department_id}"
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        return login_client(name, role="staff", org_slug=ORG, departments=(report.department.name,))
    client = Client()
    client.force_login(user)
    return client


def url(name: str, report: Report) -> str:
    return reverse(f"rounds:{name}", args=[SLUG, FY, report.department_id])


def form_of(report: Report, evaluation: str = "A") -> dict[str, str]:
    """Everything the sheet asks for, as a department fills it in the browser."""
    post = {"version": str(report.version)}
    for item in services.sheet(report):
        key = item.node.key
        post[f"i|{key}|done"] = f"{item.node.title}を実施した"
        post[f"i|{key}|next"] = "来年度も継続する"
        post[f"i|{key}|evaluation"] = evaluation
        for c in item.contents:
            post[f"c|{key}|{c.position}|status"] = "予定どおり"
    return post


def as_shown(report: Report) -> dict[str, str]:
    """The sheet's form as the page shows it with what is stored."""
    post = {"version": str(report.version)}
    for item in services.sheet(report):
        key = item.node.key
        post.update({f"i|{key}|{f}": getattr(item, f) for f in ("done", "next", "evaluation")})
        for c in item.contents:
            post[f"c|{key}|{c.position}|status"] = c.status
            post[f"c|{key}|{c.position}|note"] = c.note
    return post


def excel_filled(client: Client, report: Report) -> bytes:
    """The downloaded sheet with every input cell typed, as a person does in Excel."""
    response = client.get(url("sheet_xlsx", report))
    assert response.status_code == 200
    data = response.content
    wb = load_workbook(io.BytesIO(data))
    for cell in read_sheet(data).cells:
        value = {
            "done": "Excelで報告した取組",
            "next": "来年度も続ける",
            "evaluation": "B 概ね実施",  # code and name, as the drop-down's prompt shows them
            "status": "予定どおり",
            "note": None,
        }[cell.field]
        wb[cell.sheet][cell.cell].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def projects(plan: Plan) -> set[str]:
    return set(Node.objects.filter(plan=plan, level=4).values_list("key", flat=True))


def on_sheets(round_: Round) -> dict[str, list[str]]:
    """Node keys on each department's sheet."""
    return {
        r.department.name: [item.node.key for item in services.sheet(r)]
        for r in round_.reports.select_related("department", "round__plan")
    }


def run_whole_round(admin: Client, plan: Plan) -> Round:
    """Open → fill (browser, Excel, browser) → submit → return → approve → close → publish."""
    response = admin.post(
        reverse("rounds:list", args=[SLUG]), {"fy": str(FY), "deadline": "2025-05-31"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    round_ = Round.objects.get(plan=plan, fy=FY)

    sheets = on_sheets(round_)
    keys = [k for ks in sheets.values() for k in ks]
    assert sorted(keys) == sorted(projects(plan))  # all 20 事業, each on exactly one sheet
    for report in round_.reports.select_related("department"):
        mine = set(
            Node.objects.filter(plan=plan, level=4, departments=report.department).values_list(
                "key", flat=True
            )
        )
        assert set(sheets[report.department.name]) == mine

    reports = list(round_.reports.select_related("department", "round__plan"))
    browser, excel, *others = reports

    # One sheet in the browser: every 事業 is shown with the plan's scale for plans without numbers.
    staff = staff_of(browser)
    page = staff.get(url("sheet", browser)).content.decode()
    for item in services.sheet(browser):
        assert item.node.title in page
    assert "計画どおり実施" in page and "目標を達成した" not in page
    assert staff.post(url("sheet", browser), form_of(browser)).status_code == 302
    browser.refresh_from_db()
    assert services.missing(browser) == []
    assert staff.post(url("submit", browser), form_of(browser)).status_code == 302
    browser.refresh_from_db()
    assert browser.status == Report.Status.SUBMITTED

    # Another through the Excel sheet: download, type, upload, then submit.
    staff = staff_of(excel)
    response = staff.post(
        url("sheet_upload", excel),
        {"file": SimpleUploadedFile("調査票.xlsx", excel_filled(staff, excel))},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    excel.refresh_from_db()
    entries = {e.node_key: e for e in ItemEntry.objects.filter(report=excel)}
    assert set(entries) == set(sheets[excel.department.name])
    assert {e.evaluation for e in entries.values()} == {"B"}
    assert services.missing(excel) == []
    # Submitting from the sheet page posts its form, which now holds what the file brought.
    assert staff.post(url("submit", excel), as_shown(excel)).status_code == 302
    excel.refresh_from_db()
    assert excel.status == Report.Status.SUBMITTED

    for report in others:
        staff = staff_of(report)
        assert staff.post(url("submit", report), form_of(report)).status_code == 302

    # The 管理者 returns the browser sheet; the department corrects it and submits again.
    browser.refresh_from_db()
    response = admin.post(
        url("return", browser), {"version": browser.version, "comment": "評価を見直してください"}
    )
    assert response.status_code == 302
    browser.refresh_from_db()
    assert browser.status == Report.Status.RETURNED
    staff = staff_of(browser)
    assert staff.post(url("submit", browser), form_of(browser, "C")).status_code == 302

    for report in round_.reports.all():
        assert report.status == Report.Status.SUBMITTED, report.department.name
        assert admin.post(url("approve", report), {"version": report.version}).status_code == 302
    assert set(round_.reports.values_list("status", flat=True)) == {Report.Status.APPROVED}

    board = reverse("rounds:board", args=[SLUG, FY])
    round_.refresh_from_db()
    assert admin.post(f"{board}close/", {"version": round_.version}).status_code == 302
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED
    assert admin.post(f"{board}publish/", {"version": round_.version}).status_code == 302
    round_.refresh_from_db()
    assert round_.published

    # Every 事業 has its approved self-evaluation and texts.
    evaluations = dict(
        ItemEntry.objects.filter(report__round=round_).values_list("node_key", "evaluation")
    )
    assert set(evaluations) == projects(plan)
    assert {evaluations[k] for k in sheets[browser.department.name]} == {"C"}
    assert {evaluations[k] for k in sheets[excel.department.name]} == {"B"}
    return round_


# --------------------------------------------------------------------------- a whole round


def test_the_fixture_council_plan_runs_a_whole_round_with_all_20_projects(admin):
    plan = load(admin, FIXTURE.read_bytes())
    assert len(projects(plan)) == 20
    assert Content.objects.filter(node__plan=plan).count() == 4
    round_ = run_whole_round(admin, plan)
    # The 事業 with 実施内容 keep them on their sheet, with their status.
    with_contents = {
        item.node.key: item
        for r in round_.reports.select_related("department", "round__plan")
        for item in services.sheet(r)
        if item.contents
    }
    assert set(with_contents) == {"j01", "j04", "j13", "j20"}
    assert all(c.status == "予定どおり" for i in with_contents.values() for c in i.contents)


def test_a_copy_without_any_content_row_opens_and_runs_its_round(admin):
    plan = load(admin, without_contents(FIXTURE.read_bytes()))
    assert not Content.objects.filter(node__plan=plan).exists()
    run_whole_round(admin, plan)


def test_a_project_without_contents_needs_its_self_evaluation_before_submit(admin):
    plan = load(admin, without_contents(FIXTURE.read_bytes()))
    services.open_round(plan, FY, date(2025, 5, 31), admin.user)
    report = Report.objects.select_related("round__plan", "department").get(
        round__plan=plan, department__name="権利擁護係"
    )
    lines = services.sheet(report)
    assert [i.node.key for i in lines] == ["j12", "j13", "j14"]
    assert all(not i.contents and not i.indicators for i in lines)
    assert services.missing(report) == [f"{i.node}の自己評価" for i in lines]
    with pytest.raises(services.RoundError, match="自己評価"):
        services.submit(report, admin.user)
    # The Excel sheet holds the same three rows, on its sheet of items only.
    data = admin.get(url("sheet_xlsx", report)).content
    cells = read_sheet(data).cells
    assert {c.sheet for c in cells} == {S_ITEMS}
    assert sorted({c.key for c in cells}) == ["j12", "j13", "j14"]
    ws = load_workbook(io.BytesIO(data))[S_ITEMS]
    assert ws["D4"].value == "なし"  # 実施内容・指標: none
    page = admin.get(url("sheet", report)).content.decode()
    assert "この項目には実施内容も指標もありません。" in page


def test_an_item_with_children_is_not_on_a_sheet_even_with_a_department(admin):
    plan = load(admin, without_contents(FIXTURE.read_bytes()))
    action = Node.objects.get(plan=plan, key="g2-2-1")  # a 取組 above j12 and j13
    action.departments.add(Node.objects.get(plan=plan, key="j12").departments.get())
    round_ = services.open_round(plan, FY, date(2025, 5, 31), admin.user)
    keys = [k for ks in on_sheets(round_).values() for k in ks]
    assert "g2-2-1" not in keys and sorted(keys) == sorted(projects(plan))


def test_a_plan_whose_leaves_have_no_department_is_still_refused(admin):
    plan = load(admin, without_contents(FIXTURE.read_bytes()))
    for node in Node.objects.filter(plan=plan):
        node.departments.clear()
    with pytest.raises(services.RoundError, match="担当部署のある項目がない"):
        services.open_round(plan, FY, date(2025, 5, 31), admin.user)


def test_the_action_plans_sheets_are_unchanged(db):
    """Every leaf of the demo action plan with a 担当 has contents: no new rows appear."""
    plan = Plan.objects.get(slug=ACTION)
    leaves = Node.objects.filter(plan=plan, children__isnull=True, departments__isnull=False)
    assert leaves.exists()
    assert not leaves.filter(contents__isnull=True, indicators__isnull=True).exists()


# --------------------------------------------------------------------------- the default scale


def test_a_plan_without_indicators_gets_the_scale_for_plans_without_numbers(admin):
    plan = load(admin, FIXTURE.read_bytes())
    settings = PlanSettings.of(plan)
    assert settings.pk is None  # nothing is stored by looking
    assert settings.evaluation_scale == NO_NUMBERS_SCALE
    assert [f"{s['code']} {s['name']}" for s in settings.evaluation_scale] == [
        "A 計画どおり実施",
        "B 概ね実施",
        "C 一部実施",
        "D 未実施",
    ]
    assert not PlanSettings.objects.filter(plan=plan).exists()


def test_the_action_plan_keeps_its_default_scale(db, django_assert_num_queries):
    plan = Plan.objects.get(slug=ACTION)
    with django_assert_num_queries(1):
        settings = PlanSettings.of(plan)
    assert settings.evaluation_scale == DEFAULT_SCALE


def test_stored_settings_are_never_changed_by_the_default(admin):
    plan = load(admin, FIXTURE.read_bytes())
    PlanSettings.objects.create(plan=plan, evaluation_scale=[dict(s) for s in DEFAULT_SCALE])
    assert PlanSettings.of(plan).evaluation_scale == DEFAULT_SCALE


# --------------------------------------------------------------------------- the settings page


def settings_form(settings: PlanSettings, **overrides) -> dict[str, str]:
    return {
        "content_statuses": "\n".join(settings.content_statuses),
        "evaluation_scale": "\n".join(
            f"{s['code']} {s['name']} {s['definition']}" for s in settings.evaluation_scale
        ),
        "band_thresholds": "100 達成\n80 概ね達成",
        "below_band": "未達成",
        "version": str(settings.version),
        **overrides,
    }


def test_the_settings_page_offers_the_presets_and_a_plan_without_numbers_starts_with_its_own(
    admin,
):
    plan = load(admin, FIXTURE.read_bytes())
    page = admin.get(reverse("rounds:settings", args=[SLUG])).content.decode()
    assert "数値目標のない計画（実施状況）" in page and "数値目標のある計画（達成度）" in page
    assert "A 計画どおり実施 計画どおりに実施した" in page  # the textarea starts with it
    # Saving the page as shown stores the scale it showed.
    response = admin.post(
        reverse("rounds:settings", args=[SLUG]), settings_form(PlanSettings.of(plan))
    )
    assert response.status_code == 302
    assert PlanSettings.objects.get(plan=plan).evaluation_scale == NO_NUMBERS_SCALE


def test_a_preset_chosen_replaces_the_scale(db):
    admin = login_client("preset-admin", role="admin")
    plan = Plan.objects.get(slug=ACTION)
    settings = PlanSettings.of(plan)
    response = admin.post(
        reverse("rounds:settings", args=[ACTION]),
        settings_form(settings, scale_preset="no_numbers", evaluation_scale="ignored"),
    )
    assert response.status_code == 302
    stored = PlanSettings.objects.get(plan=plan)
    assert stored.evaluation_scale == NO_NUMBERS_SCALE and stored.version == 2
    # And back to the scale for plans with targets.
    response = admin.post(
        reverse("rounds:settings", args=[ACTION]),
        settings_form(stored, scale_preset="targets"),
    )
    assert response.status_code == 302
    assert PlanSettings.objects.get(plan=plan).evaluation_scale == DEFAULT_SCALE


def test_an_unknown_preset_is_refused(db):
    admin = login_client("preset-admin", role="admin")
    plan = Plan.objects.get(slug=ACTION)
    response = admin.post(
        reverse("rounds:settings", args=[ACTION]),
        settings_form(PlanSettings.of(plan), scale_preset="other"),
    )
    assert response.status_code == 422
    assert not PlanSettings.objects.filter(plan=plan).exists()


def test_a_stale_preset_choice_is_refused(db):
    plan = Plan.objects.get(slug=ACTION)
    first = login_client("preset-admin", role="admin")
    second = login_client("preset-admin-2", role="admin")
    shown = PlanSettings.of(plan)
    assert (
        second.post(
            reverse("rounds:settings", args=[ACTION]),
            settings_form(shown, content_statuses="実施\n未実施"),
        ).status_code
        == 302
    )
    response = first.post(
        reverse("rounds:settings", args=[ACTION]),
        settings_form(shown, scale_preset="no_numbers"),
    )
    assert response.status_code == 409
    assert PlanSettings.objects.get(plan=plan).evaluation_scale == DEFAULT_SCALE


def test_only_the_plans_admin_may_choose_a_preset(db):
    plan = Plan.objects.get(slug=ACTION)
    form = settings_form(PlanSettings.of(plan), scale_preset="no_numbers")
    target = reverse("rounds:settings", args=[ACTION])
    for client, status in [
        (login_client("preset-staff", role="staff", departments=("総務課",)), 403),
        (login_client("preset-approver", role="approver", departments=("総務課",)), 403),
        (login_client("preset-viewer", role="viewer"), 403),
    ]:
        assert client.post(target, form).status_code == status
        assert client.get(target).status_code == status
    Organization.objects.create(slug="other-shakyo", name="よその社協", kind="council")
    outsider = login_client("preset-outsider", role="admin", org_slug="other-shakyo")
    assert outsider.post(target, form).status_code == 404
    assert outsider.get(target).status_code == 404
    assert not PlanSettings.objects.filter(plan=plan).exists()
