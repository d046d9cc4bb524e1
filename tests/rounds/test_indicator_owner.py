"""One responsible department per indicator (issue 12, part 2), on the demo action plan.

Item 14 (加入法人, I-14-1) has three 担当課: 総務課, 福祉活動推進課 and 福祉支援課, in that
order. Before this change each of them entered I-14-1 (23法人, 24法人, 23法人) and the last
approval won. Now 総務課 (the item's first 担当課) reports it, the two others see it read-only,
and an approval that would replace a value another department reported asks the approver.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse

from shinchoku.orgs.models import Department
from shinchoku.plans import reporting
from shinchoku.plans.models import ChangeRecord, Indicator, IndicatorValue, Plan
from shinchoku.rounds import ownership, services
from shinchoku.rounds.models import ActualSource, IndicatorEntry, Report, Round
from shinchoku.rounds.owner_migration import derive_sources
from shinchoku.rounds.services import ChoiceNeeded, SheetInput
from shinchoku.rounds.sheet_xlsx_apply import apply_upload
from shinchoku.rounds.sheet_xlsx_write import write_sheet
from tests.conftest import CITY_ORG, login_client

ACTION = "nishitokyo-action-plan-2019"
FY = 2020
KEY = "I-14-1"
SOMU, SUISHIN, SHIEN = "総務課", "福祉活動推進課", "福祉支援課"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("総務", last_name="総務")


@pytest.fixture
def round_(user) -> Round:
    plan = Plan.objects.get(slug=ACTION)
    return services.open_round(plan, FY, date(FY + 1, 5, 31), user)


def report_of(round_: Round, name: str) -> Report:
    return round_.reports.select_related("department", "round__plan").get(department__name=name)


def line_of(report: Report, key: str = KEY) -> services.IndicatorLine:
    return next(
        ln for item in services.sheet(report) for ln in item.indicators if ln.indicator.key == key
    )


def filled(report: Report) -> SheetInput:
    """What the department may fill: its items, contents and the indicators it reports."""
    data = SheetInput()
    for item in services.sheet(report):
        data.items[item.node.key] = {"done": "実施した", "next": "続ける", "evaluation": "B"}
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for ln in item.indicators:
            if not ln.readonly:
                data.indicators[ln.indicator.key] = {"actual": f"1{ln.indicator.unit}"}
    return data


def submitted(report: Report, user, legacy: str | None = None) -> Report:
    """Fill and submit the sheet; `legacy` is an I-14-1 entry as made before this change."""
    report = services.save(report, filled(report), version=report.version, user=user)
    if legacy is not None:
        IndicatorEntry.objects.update_or_create(
            report=report, indicator_key=KEY, defaults={"actual": legacy}
        )
    return services.submit(report, user)


def plan_actual(key: str = KEY) -> str | None:
    value = IndicatorValue.objects.filter(
        indicator__plan__slug=ACTION, indicator__key=key, role="actual", fy=FY
    ).first()
    return value.text if value else None


def dept(name: str) -> Department:
    return Department.objects.get(organization__slug="nishitokyo-shakyo", name=name)


# --------------------------------------------------------------------------- who reports it


def test_the_reporter_is_the_indicators_own_department_else_the_items_first(round_):
    indicator = Indicator.objects.select_related("node").get(plan__slug=ACTION, key=KEY)
    assert indicator.department_id is None
    assert reporting.reporter(indicator).name == SOMU
    indicator.department = dept(SHIEN)
    assert reporting.reporter(indicator).name == SHIEN
    lines = {n: line_of(report_of(round_, n)) for n in (SOMU, SUISHIN, SHIEN)}
    assert [n for n, ln in lines.items() if not ln.readonly] == [SOMU]
    assert all(ln.reporter.name == SOMU for ln in lines.values())


def test_the_sheet_reads_the_reporter_without_a_query_per_indicator(
    round_, django_assert_max_num_queries
):
    report = report_of(round_, SOMU)
    with django_assert_max_num_queries(12):
        lines = services.sheet(report)
    assert sum(len(i.indicators) for i in lines) >= 3


def test_only_the_reporting_department_gets_an_input_in_the_browser(round_, user):
    for name in (SOMU, SUISHIN, SHIEN):
        client = login_client(f"staff-{name}", role="staff", departments=(name,))
        report = report_of(round_, name)
        html = client.get(
            reverse("rounds:sheet", args=[ACTION, FY, report.department_id])
        ).content.decode()
        assert "加入法人" in html and "報告部署" in html
        has_input = f'name="n|{KEY}|actual"' in html
        assert has_input is (name == SOMU), name
        if name != SOMU:
            assert "この指標は総務課が報告します" in html
            assert "（まだ承認されていません）" in html
    # Once 総務課's figure is approved, the others see it (read-only) on their sheets.
    somu = submitted(report_of(round_, SOMU), user)
    services.approve(somu, user)
    assert plan_actual() == "1法人"
    client = login_client("staff-shien", role="staff", departments=(SHIEN,))
    shien = report_of(round_, SHIEN)
    html = client.get(reverse("rounds:sheet", args=[ACTION, FY, shien.department_id])).text
    assert "の承認された実績" in html and "<strong>1法人</strong>" in html
    assert f'name="n|{KEY}|actual"' not in html


def test_the_browser_refuses_input_to_a_read_only_indicator(round_):
    client = login_client("staff-shien", role="staff", departments=(SHIEN,))
    report = report_of(round_, SHIEN)
    url = reverse("rounds:sheet", args=[ACTION, FY, report.department_id])
    response = client.post(url, {"version": report.version, f"n|{KEY}|actual": "30法人"})
    assert response.status_code == 422
    assert "指標「加入法人」の実績: この指標は総務課が報告します" in response.text
    assert not IndicatorEntry.objects.filter(report=report, indicator_key=KEY).exists()
    report.refresh_from_db()
    assert report.version == 1
    # Submitting is refused the same way; the sheet needs no actual for it.
    assert "加入法人の実績" not in " ".join(services.missing(report))


def _indicator_rows(data: bytes) -> tuple[dict, list]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["指標"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    ids = book["識別情報"]
    inputs = [
        ids.cell(row=r, column=7).value for r in range(2, ids.max_row + 1)
    ]  # column G: the key of each input cell
    return {"ws": ws, "rows": rows}, inputs


def test_only_the_reporting_department_gets_an_input_in_the_excel_sheet(round_, user):
    somu = services.approve(submitted(report_of(round_, SOMU), user), user)
    assert somu.status == "approved"
    for name in (SOMU, SUISHIN, SHIEN):
        sheet, inputs = _indicator_rows(write_sheet(report_of(round_, name)))
        ws, r = sheet["ws"], sheet["rows"][f"indicator:{KEY}"]
        assert (KEY in inputs) is (name == SOMU), name
        cells = [ws.cell(row=r, column=c) for c in range(2, ws.max_column + 1)]
        texts = " ".join(str(c.value or "") for c in cells)
        if name == SOMU:
            assert any(c.protection.locked is False for c in cells)
        else:
            assert all(c.protection.locked is not False for c in cells), name
            assert "総務課が報告する指標です" in texts and "1法人" in texts
        # The guide counts what the department reports, and says what it only sees.
        guide = openpyxl.load_workbook(io.BytesIO(write_sheet(report_of(round_, name))))
        summary = next(
            str(row[1])
            for row in guide.worksheets[0].iter_rows(values_only=True)
            if row[0] == "件数"
        )
        shown_only = sum(
            1
            for item in services.sheet(report_of(round_, name))
            for ln in item.indicators
            if ln.readonly
        )
        assert ("参照のみ" in summary) is (shown_only > 0), (name, summary)
        if shown_only:
            assert f"ほかの部署が報告する指標 {shown_only}件は参照のみ" in summary


def test_an_excel_sheet_downloaded_before_the_reporter_changed_cannot_enter_it(round_, user):
    report = report_of(round_, SOMU)
    data = write_sheet(report)  # 総務課 reports I-14-1 when it downloads
    Indicator.objects.filter(plan__slug=ACTION, key=KEY).update(department=dept(SHIEN))
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["指標"]
    r = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=1).value.endswith(KEY))
    col = next(
        c
        for c in range(2, ws.max_column + 1)
        if ws.cell(row=r, column=c).protection.locked is False
    )
    ws.cell(row=r, column=col, value="30法人")
    out = io.BytesIO()
    book.save(out)
    result = apply_upload(report, out.getvalue(), user)
    assert result.status == "problems"
    problem = result.problems[0]
    assert problem.sheet == "指標" and problem.cell == ws.cell(row=r, column=col).coordinate
    assert "指標「加入法人」は福祉支援課が報告します" in problem.message
    assert not IndicatorEntry.objects.filter(report=report, indicator_key=KEY).exists()


# --------------------------------------------------------------------------- three departments


def test_three_departments_entering_i_14_1_can_no_longer_overwrite_each_other(round_, user):
    """The situation of the issue: entries made before the change, approved one after another."""
    suishin = submitted(report_of(round_, SUISHIN), user, legacy="23法人")
    somu = submitted(report_of(round_, SOMU), user, legacy="24法人")
    shien = submitted(report_of(round_, SHIEN), user, legacy="23法人")

    services.approve(suishin, user)  # nothing in the plan yet: no choice to make
    assert plan_actual() == "23法人"
    source = ActualSource.objects.get(plan__slug=ACTION, indicator_key=KEY, fy=FY)
    assert source.department.name == SUISHIN and source.text == "23法人"

    # The second, differing value needs a choice; without it nothing is approved.
    with pytest.raises(ChoiceNeeded) as refused:
        services.approve(somu, user)
    (conflict,) = refused.value.conflicts
    assert (conflict.existing, conflict.existing_by) == ("23法人", SUISHIN)
    assert (conflict.incoming, conflict.incoming_by) == ("24法人", SOMU)
    assert "「加入法人」" in str(refused.value)
    somu.refresh_from_db()
    assert somu.status == "submitted" and plan_actual() == "23法人"

    # The approver's page shows both values and who reported each, with a required choice.
    chief = login_client("chief", role="admin")
    url = reverse("rounds:sheet", args=[ACTION, FY, somu.department_id])
    html = chief.get(url).text
    assert f'name="choice|{KEY}" value="keep" required' in html
    assert "今の値 <strong>23法人</strong>（福祉活動推進課）を残す" in html
    assert "この調査票の値 <strong>24法人</strong>（総務課）を採る" in html
    approve_url = reverse("rounds:approve", args=[ACTION, FY, somu.department_id])
    response = chief.post(approve_url, {"version": somu.version})
    assert response.status_code == 422 and "承認されていません。" in response.text
    somu.refresh_from_db()
    assert somu.status == "submitted"
    response = chief.post(approve_url, {"version": somu.version, f"choice|{KEY}": "take"})
    assert response.status_code == 302
    somu.refresh_from_db()
    assert somu.status == "approved" and plan_actual() == "24法人"
    record = ChangeRecord.objects.filter(plan_slug=ACTION, key=KEY).first()
    assert "24法人" in record.after and "この調査票の値を採用" in record.after
    assert "23法人" in record.after and SUISHIN in record.after

    # The third keeps what the reporting department gave; its entry stays as it was typed.
    with pytest.raises(ChoiceNeeded):
        services.approve(shien, user)
    services.approve(shien, user, choices={KEY: "keep"})
    assert plan_actual() == "24法人"
    record = ChangeRecord.objects.filter(plan_slug=ACTION, key=KEY).first()
    assert "今の値（総務課）を残す" in record.after and "23法人" in record.after
    assert IndicatorEntry.objects.get(report=shien, indicator_key=KEY).actual == "23法人"
    source = ActualSource.objects.get(plan__slug=ACTION, indicator_key=KEY, fy=FY)
    assert source.department.name == SOMU


def test_a_department_correcting_its_own_approved_value_needs_no_choice(round_, user):
    somu = services.approve(submitted(report_of(round_, SOMU), user), user)
    somu = services.return_report(somu, user, "加入法人を確かめてください")
    data = filled(somu)
    data.indicators[KEY] = {"actual": "25法人"}
    somu = services.save(somu, data, version=somu.version, user=user)
    services.approve(services.submit(somu, user), user)
    assert plan_actual() == "25法人"


def test_an_actual_of_unknown_source_is_not_replaced_unseen(round_, user):
    indicator = Indicator.objects.get(plan__slug=ACTION, key=KEY)
    IndicatorValue(indicator=indicator, role="actual", fy=FY, text="20法人").save()
    somu = submitted(report_of(round_, SOMU), user)
    with pytest.raises(ChoiceNeeded) as refused:
        services.approve(somu, user)
    assert refused.value.conflicts[0].existing_by == ownership.UNKNOWN_SOURCE
    services.approve(somu, user, choices={KEY: "take"})
    assert plan_actual() == "1法人"


# --------------------------------------------------------------------------- the editor


def _indicator_post(indicator: Indicator, **changes) -> dict:
    data = {
        "label": indicator.label,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "department": indicator.department_id or "",
        "notes": indicator.notes,
        "version": indicator.version,
    }
    data.update(changes)
    return data


def test_the_admin_changes_the_reporting_department_in_the_editor(round_):
    admin = login_client("editor", role="admin")
    indicator = Indicator.objects.get(plan__slug=ACTION, key=KEY)
    url = reverse("plans:edit_object", args=[ACTION, "indicator", indicator.pk])
    page = admin.get(url).text
    assert "報告部署" in page and "（項目の最初の担当課: 総務課）" in page
    # The item's 担当課 come first, in the item's order, then the organization's others.
    first = page.index("総務課（この項目の担当課）")
    assert (
        first
        < page.index("福祉活動推進課（この項目の担当課）")
        < page.index("福祉支援課（この項目の担当課）")
    )
    # Without the version nothing changes.
    response = admin.post(url, _indicator_post(indicator, department=dept(SHIEN).pk, version=""))
    assert response.status_code in (200, 400)
    assert Indicator.objects.get(pk=indicator.pk).department_id is None
    response = admin.post(url, _indicator_post(indicator, department=dept(SHIEN).pk))
    assert response.status_code == 302
    assert Indicator.objects.get(pk=indicator.pk).department.name == SHIEN
    record = ChangeRecord.objects.filter(plan_slug=ACTION, key=KEY).first()
    assert SHIEN in record.after
    # The sheets follow: 福祉支援課 now enters it, 総務課 sees it read-only.
    assert line_of(report_of(round_, SHIEN)).readonly is False
    assert line_of(report_of(round_, SOMU)).readonly is True
    editor = admin.get(reverse("plans:edit_node", args=[ACTION, "item-14"])).text
    assert "報告部署: 福祉支援課" in editor


def test_a_department_given_an_indicator_during_an_open_round_gets_its_sheet(
    round_, django_capture_on_commit_callbacks
):
    """Changed to a department with no sheet in the open round, the indicator is still reported."""
    council = Department.objects.get(name=SOMU).organization
    new = Department.objects.create(organization=council, name="地域福祉推進室", order=99)
    assert not round_.reports.filter(department=new).exists()
    admin = login_client("editor", role="admin")
    indicator = Indicator.objects.get(plan__slug=ACTION, key=KEY)
    url = reverse("plans:edit_object", args=[ACTION, "indicator", indicator.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, _indicator_post(indicator, department=new.pk))
    assert response.status_code == 302
    report = round_.reports.get(department=new)
    assert report.status == Report.Status.NOT_STARTED
    line = line_of(report)
    assert line.readonly is False and line.reporter == new
    event = round_.events.get(action="add_sheets")
    assert event.comment == "地域福祉推進室"
    board = admin.get(reverse("rounds:board", args=[ACTION, FY])).text
    assert "計画の変更により調査票を追加: 地域福祉推進室" in board
    # Nothing else is added by a later change, and no sheet is ever removed.
    with django_capture_on_commit_callbacks(execute=True):
        indicator.refresh_from_db()
        admin.post(url, _indicator_post(indicator, department=""))
    assert round_.reports.filter(department=new).exists()
    assert round_.events.filter(action="add_sheets").count() == 1
    # A closed round is left as it was.
    closed_department = Department.objects.create(organization=council, name="法人運営室")
    round_.status = Round.Status.CLOSED
    round_.save()
    with django_capture_on_commit_callbacks(execute=True):
        indicator.refresh_from_db()
        admin.post(url, _indicator_post(indicator, department=closed_department.pk))
    assert not round_.reports.filter(department=closed_department).exists()


def test_only_the_admin_of_the_plans_organization_may_change_it(db):
    indicator = Indicator.objects.get(plan__slug=ACTION, key=KEY)
    url = reverse("plans:edit_object", args=[ACTION, "indicator", indicator.pk])
    post = _indicator_post(indicator, department=dept(SHIEN).pk)
    for role in ("staff", "approver", "viewer"):
        client = login_client(f"not-admin-{role}", role=role, departments=(SOMU,))
        assert client.get(url).status_code == 403, role
        assert client.post(url, post).status_code == 403, role
    outsider = login_client("outsider", role="admin", org_slug=CITY_ORG)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, post).status_code == 404
    assert Indicator.objects.get(pk=indicator.pk).department_id is None


# --------------------------------------------------------------------------- the migration


def test_the_migration_keeps_old_entries_and_records_where_actuals_came_from(round_, user):
    """A round as it was before the change: three entries of I-14-1, the last approval won."""
    reports = {n: report_of(round_, n) for n in (SUISHIN, SOMU, SHIEN)}
    for day, (n, actual) in enumerate(zip(reports, ("23法人", "24法人", "23法人"), strict=True)):
        IndicatorEntry.objects.create(report=reports[n], indicator_key=KEY, actual=actual)
        approved_at = datetime(2021, 6, 1 + day, 10, tzinfo=UTC)  # approved in this order
        Report.objects.filter(pk=reports[n].pk).update(status="approved", approved_at=approved_at)
    indicator = Indicator.objects.get(plan__slug=ACTION, key=KEY)
    IndicatorValue(indicator=indicator, role="actual", fy=FY, text="23法人").save()
    lines: list[str] = []
    counts = derive_sources(apps, None, log=lines.append)
    c = counts[(ACTION, FY)]
    assert c["sources"] == 1 and c["unknown"] == 0
    assert c["kept"] == 2 and c["kept_differing"] == 0  # 福祉活動推進課 and 福祉支援課 (23法人)
    source = ActualSource.objects.get(plan__slug=ACTION, indicator_key=KEY, fy=FY)
    assert source.department.name == SHIEN  # the last approval that reads 23法人
    assert IndicatorEntry.objects.filter(report__round=round_, indicator_key=KEY).count() == 3
    assert any(f"{ACTION} FY{FY}: 1 actuals attributed" in line for line in lines)
    # Run again: nothing new, nothing lost.
    again = derive_sources(apps, None, log=lines.append)[(ACTION, FY)]
    assert again["sources"] == 0 and again["existing"] == 1
    # 総務課 (the reporter) approving 24法人 later now asks, naming 福祉支援課.
    Report.objects.filter(pk=reports[SOMU].pk).update(status="submitted")
    with pytest.raises(ChoiceNeeded) as refused:
        services.approve(reports[SOMU], user)
    assert refused.value.conflicts[0].existing_by == SHIEN


# --------------------------------------------------------------------------- the other shape


def _load_other_shape() -> Plan:
    """みどり市's plan loaded from its workbook by its 管理者 (as tests/plans/test_other_shape)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shinchoku.orgs.models import Organization
    from shinchoku.plans.models import PendingUpload
    from tests.plans.test_other_shape import FIXTURE, SLUG

    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-admin", role="admin", org_slug="midori-shakyo")
    upload = {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())}
    assert admin.post(reverse("plans:workbook_upload"), upload).status_code == 200
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    return Plan.objects.get(slug=SLUG)


def test_the_fixture_council_plan_gets_one_reporter_per_indicator_too(user):
    """The other shape (事業 with 担当係, no indicators): an indicator on a 事業 two 係 share."""
    plan = _load_other_shape()
    node = next(
        n
        for n in plan.nodes.order_by("seq")
        if n.contents.exists() and n.nodedepartment_set.exists()
    )
    first = node.nodedepartment_set.order_by("order").first().department
    second = Department.objects.filter(organization=plan.organization).exclude(pk=first.pk)[0]
    node.nodedepartment_set.create(department=second, order=99)
    Indicator.objects.create(node=node, key="I-MIDORI-1", name="参加者数", unit="人")
    round_ = services.open_round(plan, plan.first_fy, date(plan.first_fy + 1, 5, 31), user)
    reports = round_.reports.select_related("department", "round__plan")
    lines = {
        r.department: line_of(r, "I-MIDORI-1")
        for r in reports.filter(department__in=[first, second])
    }
    assert lines[first].readonly is False and lines[second].readonly is True
    assert lines[second].reporter == first
