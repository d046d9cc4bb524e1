"""The final evaluation (最終評価): opened at the end of the plan, filled, submitted, returned and
approved through the web, with each item's history pre-filled, beside the yearly rounds.

On the demo action plan (FY2019–2023, contents and indicators) and on the fixture council's plan
loaded from tests/fixtures/other_shape_plan.xlsx (事業 rows under four levels, no indicators).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.core.wareki import fy_label
from shinchoku.orgs.models import Department, Organization
from shinchoku.plans.models import IndicatorValue, Node, PendingUpload, Plan
from shinchoku.reviews.models import Opinion
from shinchoku.rounds import final_services, services
from shinchoku.rounds.final import final_departments, final_evaluation
from shinchoku.rounds.models import ItemEntry, PlanSettings, Report, Round
from shinchoku.rounds.services import RoundError
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"
MIDORI, MIDORI_ORG = "midori-katsudo-3", "midori-shakyo"
DEADLINE = date(2024, 5, 31)


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(slug=ACTION)


@pytest.fixture
def admin(db) -> Client:
    return login_client("final-admin", role="admin")


@pytest.fixture
def staff(db) -> Client:
    return login_client("final-staff", role="staff", departments=("福祉支援課",))


@pytest.fixture
def approver(db) -> Client:
    return login_client("final-chief", role="approver", departments=("福祉支援課",))


def dept(name: str, org: str = "nishitokyo-shakyo") -> Department:
    return Department.objects.get(organization__slug=org, name=name)


def final_url(name: str, report: Report | None = None, slug: str = ACTION) -> str:
    args = [slug] if report is None else [slug, report.department_id]
    return reverse(f"rounds:{name}", args=args)


def report_of(round_: Round, name: str) -> Report:
    return round_.reports.get(department__name=name)


def filled(report: Report, status: str = "実施済") -> dict[str, str]:
    """Every field of the final sheet, as a department fills it in the browser."""
    post = {"version": str(report.version)}
    for ln in final_services.final_sheet(report):
        key = ln.node.key
        post[f"i|{key}|followup"] = f"{ln.node.title}を計画期間中に継続して実施した"
        post[f"i|{key}|issues"] = "担い手の確保が課題"
        post[f"i|{key}|final_status"] = status
    return post


# --------------------------------------------------------------------------- opening


def test_it_opens_in_the_last_fy_with_a_sheet_per_department(plan, admin):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    assert round_.is_final and round_.fy == plan.last_fy == 2023
    names = sorted(round_.reports.values_list("department__name", flat=True))
    assert names == sorted(d.name for d in final_departments(plan))
    assert {"福祉支援課", "福祉活動推進課", "総務課"} <= set(names)
    assert round_.events.get().action == "open"


def test_every_leaf_item_with_a_department_is_on_a_sheet(plan, admin):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    keys = {ln.node.key for r in round_.reports.all() for ln in final_services.final_sheet(r)}
    leaves = Node.objects.filter(plan=plan, children__isnull=True, departments__isnull=False)
    assert keys == set(leaves.values_list("key", flat=True))


def test_it_refuses_a_second_final_round(plan, admin):
    final_services.open_final_round(plan, DEADLINE, admin.user)
    with pytest.raises(RoundError, match="既に始まっています"):
        final_services.open_final_round(plan, DEADLINE, admin.user)


def test_it_refuses_draft_and_external_plans(plan, admin):
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status"])
    with pytest.raises(RoundError, match="下書き"):
        final_services.open_final_round(plan, DEADLINE, admin.user)
    plan.status = Plan.Status.ACTIVE
    plan.owner_name = "西東京市"
    plan.save(update_fields=["status", "owner_name"])
    with pytest.raises(RoundError, match="他の団体の計画"):
        final_services.open_final_round(plan, DEADLINE, admin.user)
    assert not Round.objects.filter(plan=plan, kind=Round.Kind.FINAL).exists()


def test_it_refuses_before_the_last_fy(plan, admin):
    with pytest.raises(RoundError, match="最終年度"):
        final_services.open_final_round(plan, DEADLINE, admin.user, today=date(2022, 6, 1))


def test_the_round_list_offers_it_to_the_admin_only(plan, admin, staff):
    page = admin.get(final_url("list")).content.decode()
    assert "最終評価を始める" in page
    assert "最終評価を始める" not in staff.get(final_url("list")).content.decode()
    response = admin.post(final_url("final_open"), {"deadline": "2024-05-31"})
    assert response.status_code == 302
    assert response["Location"] == final_url("final_board")
    page = admin.get(final_url("list")).content.decode()
    assert "最終評価を始める" not in page
    assert final_url("final_board") in page


def test_a_staff_member_cannot_open_it(plan, staff):
    assert staff.post(final_url("final_open"), {"deadline": "2024-05-31"}).status_code == 403
    assert not Round.objects.filter(plan=plan, kind=Round.Kind.FINAL).exists()


def test_a_draft_plan_is_never_offered_it(plan, admin):
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status"])
    response = admin.get(final_url("list"))
    assert "最終評価を始める" not in response.content.decode()


def test_yearly_and_final_rounds_of_the_same_fy_coexist(plan, admin):
    yearly = services.open_round(plan, 2023, DEADLINE, admin.user)
    final = final_services.open_final_round(plan, DEADLINE, admin.user)
    assert {yearly.kind, final.kind} == {"yearly", "final"} and yearly.fy == final.fy
    board = admin.get(reverse("rounds:board", args=[ACTION, 2023]))
    assert board.status_code == 200 and board.context["round"].pk == yearly.pk
    assert admin.get(final_url("final_board")).context["round"].pk == final.pk
    # Opening the FY's yearly round again is refused for the yearly round only.
    with pytest.raises(RoundError, match="既にあります"):
        services.open_round(plan, 2023, DEADLINE, admin.user)
    # The yearly sheet of the FY is the yearly round's.
    sheet = admin.get(reverse("rounds:sheet", args=[ACTION, 2023, dept("福祉支援課").pk]))
    assert sheet.context["round"].pk == yearly.pk
    listed = admin.get(final_url("list")).context["rounds"]
    assert [r.pk for r in listed if r.fy == 2023] == [yearly.pk]


# --------------------------------------------------------------------------- the sheet


def test_fill_submit_return_and_approve_through_the_web(plan, admin, staff, approver):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    report = report_of(round_, "福祉支援課")
    url = final_url("final_sheet", report)
    page = staff.get(url)
    assert page.status_code == 200
    assert "その後の取組" in page.content.decode() and "評価・課題" in page.content.decode()
    # A submit with a field missing is refused with what is missing; the rest is saved.
    post = filled(report)
    first = next(k for k in post if k.endswith("|issues"))
    post[first] = ""
    response = staff.post(final_url("final_submit", report), post, follow=True)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert "まだ入力されていない欄があります" in response.content.decode()
    # Filled: submitted.
    response = staff.post(final_url("final_submit", report), filled(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    # The approver returns it with a comment, the department corrects and submits again.
    comment = {"version": report.version, "comment": "評価・課題をもう少し具体的に"}
    assert approver.post(final_url("final_return", report), comment).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    assert (
        staff.post(final_url("final_submit", report), filled(report, "一部実施")).status_code == 302
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    approve = {"version": report.version}
    assert approver.post(final_url("final_approve", report), approve).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    entries = ItemEntry.objects.filter(report=report)
    assert entries and {e.final_status for e in entries} == {"一部実施"}
    assert not any(e.done or e.evaluation for e in entries)  # no yearly fields


def test_a_stale_version_is_refused_and_nothing_is_stored(plan, admin, staff):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    report = report_of(round_, "福祉支援課")
    post = filled(report)
    assert staff.post(final_url("final_sheet", report), post).status_code == 302
    response = staff.post(final_url("final_sheet", report), {**post, "i|x|issues": ""})
    assert response.status_code == 409
    missing_version = {k: v for k, v in post.items() if k != "version"}
    assert staff.post(final_url("final_sheet", report), missing_version).status_code == 400


def test_a_status_not_on_the_plans_list_is_refused(plan, admin, staff):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    report = report_of(round_, "福祉支援課")
    response = staff.post(final_url("final_sheet", report), filled(report, "完了"))
    assert response.status_code == 422
    assert "状況「完了」は使えません" in response.content.decode()
    assert not ItemEntry.objects.filter(report=report).exists()


def test_the_statuses_come_from_the_plans_settings(plan, admin, staff):
    PlanSettings.objects.update_or_create(plan=plan, defaults={"final_statuses": ["完了", "継続"]})
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    report = report_of(round_, "福祉支援課")
    page = staff.get(final_url("final_sheet", report)).content.decode()
    assert '<option value="完了">完了</option>' in page and "実施済" not in page
    assert staff.post(final_url("final_sheet", report), filled(report, "完了")).status_code == 302


def test_the_admin_edits_the_statuses_on_the_settings_page(plan, admin):
    url = reverse("rounds:settings", args=[ACTION])
    form = admin.get(url).context["form"]
    assert form.initial["final_statuses"] == "実施済\n一部実施\n未実施\n再検討"
    post = {k: v for k, v in form.initial.items() if v is not None}
    post["final_when_no_target"] = "on" if post.pop("final_when_no_target") else ""
    post["final_statuses"] = "完了\n継続\n廃止"
    response = admin.post(url, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PlanSettings.of(plan).final_statuses == ["完了", "継続", "廃止"]
    post["final_statuses"] = "完了\n完了"
    post["version"] = PlanSettings.of(plan).version
    assert admin.post(url, post).status_code == 422


def test_approved_final_evaluation_needs_every_sheet(plan, admin):
    assert final_evaluation(plan).round is None and not final_evaluation(plan).approved
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    reports = list(round_.reports.all())
    for i, report in enumerate(reports):
        lines = final_services.final_sheet(report)
        data = final_services.read_post(filled(report), lines)
        final_services.save(report, data, version=report.version, user=admin.user, lines=lines)
        final_services.submit(report, admin.user)
        final_services.approve(report, admin.user)
        assert final_evaluation(plan).approved == (i == len(reports) - 1)
    result = final_evaluation(plan)
    row = next(r for r in result.rows if r.number == "1")
    assert row.goal == "Ⅰ 事業活動の再構築"
    assert row.category == "(1) 生活困窮者等への自立支援"
    assert row.item == "生活困窮者自立相談支援事業" and row.department == "福祉活動推進課"
    assert row.final_status == "実施済" and row.followup.startswith("生活困窮者自立相談支援事業")
    # Item 14 has three departments: a row for each.
    assert [r.department for r in result.rows if r.number == "14"] == [
        "福祉活動推進課",
        "福祉支援課",
        "総務課",
    ]


# --------------------------------------------------------------------------- history


def test_the_sheet_shows_the_items_whole_history(plan, admin, staff):
    fukushi = dept("福祉支援課")
    yearly = services.open_round(plan, 2020, DEADLINE, admin.user)
    report = yearly.reports.get(department=fukushi)
    lines = services.sheet(report)
    item = next(i for i in lines if i.indicators)
    data = services.SheetInput()
    for i in lines:
        data.items[i.node.key] = {"done": "", "next": "", "evaluation": "A"}
        for c in i.contents:
            data.contents[(i.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for ln in i.indicators:
            if not ln.readonly:
                data.indicators[ln.indicator.key] = {
                    "actual": "",
                    "note": "",
                    "done": "",
                    "next": "",
                }
    data.items[item.node.key] = {
        "done": "相談会を12回開いた",
        "next": "出張相談を増やす",
        "evaluation": "B",
    }
    ind = item.indicators[0].indicator
    for i in lines:
        for ln in i.indicators:
            if not ln.readonly:
                data.indicators[ln.indicator.key]["actual"] = ln.final or ln.target or "1"
    data.indicators[ind.key]["actual"] = "123" + (ind.unit or "")
    services.save(report, data, version=report.version, user=admin.user, lines=lines)
    services.submit(report, admin.user)
    services.approve(report, admin.user)
    Opinion.objects.create(
        plan=plan,
        fy=2020,
        number=1,
        node_key=item.node.key,
        text="利用者の声を聞いてほしい",
        status=Opinion.Status.DONE,
        policy="アンケートを行う",
        action="年1回のアンケートを始めた",
    )
    Opinion.objects.create(
        plan=plan,
        fy=2021,
        number=1,
        indicator_key=ind.key,
        text="目標値が低い",
    )
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    final = report_of(round_, "福祉支援課")
    line = next(ln for ln in final_services.final_sheet(final) if ln.node.key == item.node.key)
    texts = line.history.texts
    assert [(t.fy_label, t.done, t.next) for t in texts] == [
        (fy_label(2020), "相談会を12回開いた", "出張相談を増やす")
    ]
    history = next(h for h in line.history.indicators if h.key == ind.key)
    assert (fy_label(2020), "123" + (ind.unit or "")) in history.actuals
    assert history.final and history.achievement
    assert [o.text for o in line.history.opinions] == ["利用者の声を聞いてほしい", "目標値が低い"]
    assert line.history.opinions[1].indicator == ind.name
    page = staff.get(final_url("final_sheet", final)).content.decode()
    for text in (
        "相談会を12回開いた",
        "出張相談を増やす",
        "令和2年度",
        "年1回のアンケートを始めた",
    ):
        assert text in page
    assert IndicatorValue.objects.filter(indicator=ind, fy=2020, role="actual").exists()


def test_the_sheet_page_queries_do_not_grow_with_items(plan, admin, staff):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    counts = {}
    client = admin
    for name in ("総務課", "福祉支援課"):
        report = report_of(round_, name)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(final_url("final_sheet", report)).status_code == 200
        counts[name] = (len(final_services.final_sheet(report)), len(ctx.captured_queries))
    (few, q_few), (many, q_many) = sorted(counts.values())
    assert many > few
    assert q_many == q_few
    assert q_many <= 30


# --------------------------------------------------------------------------- permissions


def test_who_may_do_what(plan, admin, staff, approver):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    mine, other = report_of(round_, "福祉支援課"), report_of(round_, "総務課")
    viewer = login_client("final-viewer", role="viewer")
    outsider = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    anonymous = Client()
    # The board: every member of the organization; the outsider gets a 404.
    for client in (admin, staff, approver, viewer):
        assert client.get(final_url("final_board")).status_code == 200
    assert outsider.get(final_url("final_board")).status_code == 404
    assert anonymous.get(final_url("final_board")).status_code == 302
    # Sheets: the department's own staff and approver, and the 管理者.
    for client in (admin, staff, approver):
        assert client.get(final_url("final_sheet", mine)).status_code == 200
    assert staff.get(final_url("final_sheet", other)).status_code == 403
    assert viewer.get(final_url("final_sheet", mine)).status_code == 403
    for name in ("final_sheet", "final_sheet_xlsx"):
        assert outsider.get(final_url(name, mine)).status_code == 404
    assert staff.post(final_url("final_sheet", other), filled(other)).status_code == 403
    assert viewer.post(final_url("final_submit", mine), filled(mine)).status_code == 403
    # Only approvers (and the 管理者) approve; staff and viewers cannot.
    staff.post(final_url("final_submit", mine), filled(mine))
    mine.refresh_from_db()
    for client in (staff, viewer):
        response = client.post(final_url("final_approve", mine), {"version": mine.version})
        assert response.status_code == 403
    assert outsider.post(final_url("final_approve", mine), {"version": 1}).status_code == 404
    # Closing is the 管理者's.
    assert staff.post(final_url("final_close"), {"version": round_.version}).status_code == 403
    assert outsider.post(final_url("final_close"), {"version": round_.version}).status_code == 404
    # No final round yet on another plan: 404.
    assert (
        admin.get(reverse("rounds:final_board", args=["nishitokyo-katsudo-4"])).status_code == 404
    )


def test_close_and_reopen(plan, admin):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    response = admin.post(final_url("final_close"), {"version": round_.version}, follow=True)
    assert "承認されていない部署があります" in response.content.decode()
    for report in round_.reports.all():
        lines = final_services.final_sheet(report)
        data = final_services.read_post(filled(report), lines)
        final_services.save(report, data, version=report.version, user=admin.user, lines=lines)
        final_services.submit(report, admin.user)
        final_services.approve(report, admin.user)
    assert admin.post(final_url("final_close"), {"version": round_.version}).status_code == 302
    round_.refresh_from_db()
    assert not round_.is_open
    reopen = {"version": round_.version, "comment": "誤字の修正"}
    assert admin.post(final_url("final_reopen"), reopen).status_code == 302
    round_.refresh_from_db()
    assert round_.is_open and not round_.published


# --------------------------------------------------------------------------- another plan shape


@pytest.fixture
def midori(db) -> Plan:
    Organization.objects.create(slug=MIDORI_ORG, name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-admin", role="admin", org_slug=MIDORI_ORG)
    response = admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    assert response.status_code == 200
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    plan = Plan.objects.get(slug=MIDORI)
    plan.admin = admin
    return plan


def test_the_council_plan_without_indicators_is_evaluated_end_to_end(midori):
    admin = midori.admin
    with pytest.raises(RoundError, match="最終年度"):
        final_services.open_final_round(
            midori, DEADLINE, admin.user, today=date(midori.first_fy, 6, 1)
        )
    round_ = final_services.open_final_round(
        midori, DEADLINE, admin.user, today=date(midori.last_fy, 6, 1)
    )
    assert round_.reports.count() == len(final_departments(midori)) > 1
    for report in round_.reports.select_related("department"):
        staff = login_client(
            f"midori-{report.department_id}",
            role="staff",
            org_slug=MIDORI_ORG,
            departments=(report.department.name,),
        )
        assert staff.get(final_url("final_sheet", report, MIDORI)).status_code == 200
        response = staff.post(final_url("final_submit", report, MIDORI), filled(report, "再検討"))
        assert response.status_code == 302, response.content.decode()[:2000]
        report.refresh_from_db()
        assert report.status == Report.Status.SUBMITTED
        response = admin.post(
            final_url("final_approve", report, MIDORI), {"version": report.version}
        )
        assert response.status_code == 302
    result = final_evaluation(midori)
    assert result.approved
    leaves = Node.objects.filter(plan=midori, children__isnull=True, departments__isnull=False)
    assert {r.node_key for r in result.rows} == set(leaves.values_list("key", flat=True))
    # Four levels: the (n) sub-heading is there between the 事業区分 and the 事業.
    assert all(r.goal and r.category and r.subcategory for r in result.rows)
    assert {r.final_status for r in result.rows} == {"再検討"}


# --------------------------------------------------------------------------- the command line


def _run(*args: str) -> tuple[str, str]:
    from io import StringIO

    from django.core.management import call_command

    out, err = StringIO(), StringIO()
    call_command("round", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_round_command_opens_shows_and_closes_the_final_round(plan, admin):
    import json

    from django.core.management import CommandError

    services.open_round(plan, 2023, DEADLINE, admin.user)
    name = admin.user.username
    with pytest.raises(CommandError, match="最終年度"):
        _run("open", ACTION, "2022", "--final", "--deadline", "2024-05-31", "--user", name)
    out, _err = _run("open", ACTION, "R5", "--final", "--deadline", "2024-05-31", "--user", name)
    assert "最終評価を始めました" in out
    final = Round.objects.get(plan=plan, kind=Round.Kind.FINAL)
    out, _err = _run("status", ACTION, "2023", "--final", "--json")
    doc = json.loads(out)
    assert doc["kind"] == "final" and len(doc["departments"]) == final.reports.count()
    out, _err = _run("status", ACTION, "2023", "--json")
    assert json.loads(out)["kind"] == "yearly"
    with pytest.raises(CommandError, match="承認されていない部署"):
        _run("close", ACTION, "2023", "--final", "--user", name)
    with pytest.raises(CommandError, match="公開"):
        _run("publish", ACTION, "2023", "--final", "--user", name)
    with pytest.raises(CommandError, match="既に始まっています"):
        _run("open", ACTION, "2023", "--final", "--deadline", "2024-05-31", "--user", name)


def test_the_autosave_returns_the_status_line(plan, admin, staff):
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    report = report_of(round_, "福祉支援課")
    response = staff.post(final_url("final_sheet", report), filled(report), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="save-status"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and report.version == 2


def test_the_final_entries_stay_out_of_the_yearly_views(plan, admin):
    from shinchoku.rounds.progress import plan_progress, years_with_values

    before = years_with_values(plan)
    round_ = final_services.open_final_round(plan, DEADLINE, admin.user)
    for report in round_.reports.all():
        lines = final_services.final_sheet(report)
        data = final_services.read_post(filled(report), lines)
        final_services.save(report, data, version=report.version, user=admin.user, lines=lines)
        final_services.submit(report, admin.user)
        final_services.approve(report, admin.user)
    progress = plan_progress(plan, 2023)
    assert progress.round is None and progress.items == []
    assert years_with_values(plan) == before
    node = Node.objects.filter(plan=plan, children__isnull=True).first()
    page = admin.get(reverse("plans:node", args=[ACTION, node.key])).content.decode()
    assert "担い手の確保が課題" not in page
