"""The department's sheet input (issue 12 parts 3, 5 and 6): a content with nothing planned needs
no status and every message names a row as the screen does; a draft keeps every valid field and
marks the refused ones; a formula in an input cell of the Excel sheet is refused.

Real database (the demo action plan), the test client and real files; nothing of ours is mocked.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import ContentEntry, IndicatorEntry, ItemEntry, Report
from shinchoku.rounds.sheet_views import differences
from shinchoku.rounds.sheet_xlsx import read_sheet
from shinchoku.rounds.sheet_xlsx_apply import _names
from tests.conftest import login_client

ACTION = "nishitokyo-action-plan-2019"
DEPT = "福祉活動推進課"


@pytest.fixture
def admin(db):
    return login_client("soumu-admin", role="admin")


@pytest.fixture
def staff(db):
    return login_client("katsudo-staff", role="staff", departments=(DEPT,))


def report_of(admin, fy: int) -> Report:
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, fy, date(fy + 1, 5, 31), admin.user)
    return round_.reports.select_related("round__plan", "department").get(department__name=DEPT)


@pytest.fixture
def report2019(admin) -> Report:
    return report_of(admin, 2019)


@pytest.fixture
def report2020(admin) -> Report:
    return report_of(admin, 2020)


def url(report: Report, step: str = "sheet") -> str:
    return reverse(f"rounds:{step}", args=[ACTION, report.round.fy, report.department_id])


def shared_unplanned(report: Report):
    """(item, content line) of 事業共通3, which has no phase in FY2019."""
    return next(
        (item, c)
        for item in services.sheet(report)
        for c in item.contents
        if c.content.label == "事業共通3"
    )


def form_of(report: Report, *, skip_unplanned: bool = False, **overrides) -> dict[str, str]:
    """Everything the sheet asks for, filled as a department would."""
    post = {"version": str(report.version)}
    for item in services.sheet(report):
        key = item.node.key
        post.update({f"i|{key}|done": "講座を開いた", f"i|{key}|next": "続ける"})
        post[f"i|{key}|evaluation"] = "B"
        for c in item.contents:
            if c.planned or not skip_unplanned:
                post[f"c|{key}|{c.position}|status"] = "予定どおり"
        for ln in item.indicators:
            if not ln.readonly:  # another department reports it
                post[f"n|{ln.indicator.key}|actual"] = f"7{ln.indicator.unit}"
    post.update(overrides)
    return post


def in_kai(report: Report):
    """An indicator counted in 回 (出張相談会の実施), and its item."""
    return next(
        (item, ln)
        for item in services.sheet(report)
        for ln in item.indicators
        if ln.indicator.unit == "回"
    )


# --------------------------------------------------------------------------- part 3


def test_nothing_planned_needs_no_status_and_is_shown_as_not_applicable(staff, report2019):
    item, line = shared_unplanned(report2019)
    assert line.planned == "" and line.position == 6
    gaps = services.missing(report2019)
    assert f"{item.node} 事業共通3の状況" not in gaps
    assert not any("実施内容6" in g for g in gaps)
    # Where 事業共通3 is planned this year, its status is asked for by that name.
    assert any(g.endswith(" 事業共通3の状況") for g in gaps)
    assert f"{item.node} 実施内容1の状況" in gaps  # a planned row still needs its status
    page = staff.get(url(report2019))
    assert page.status_code == 200
    row = re.search(
        rf'<tr class="not-planned">\s*<th scope="row"><span class="row-no">事業共通3</span>'
        rf'.*?name="c\|{item.node.key}\|6\|status"',
        page.text,
        re.S,
    )
    assert row and "対象外（今年度の予定なし）" in row.group(0)
    # Submitted with every 対象外 row left without a status.
    response = staff.post(url(report2019, "submit"), form_of(report2019, skip_unplanned=True))
    assert response.status_code == 302
    report2019.refresh_from_db()
    assert report2019.status == Report.Status.SUBMITTED


def test_the_department_may_still_report_on_a_content_with_nothing_planned(staff, report2019):
    item, _line = shared_unplanned(report2019)
    post = form_of(report2019, **{f"c|{item.node.key}|6|status": "前倒し"})
    assert staff.post(url(report2019), post).status_code == 302
    entry = ContentEntry.objects.get(report=report2019, node_key=item.node.key, position=6)
    assert entry.status == "前倒し"


def test_every_message_names_the_row_as_the_screen_and_the_sheet_do(staff, report2019):
    item, _line = shared_unplanned(report2019)
    key = item.node.key
    data = services.SheetInput(contents={(key, 6): {"status": "たぶん", "note": ""}})
    problems = services.check(report2019, data)
    assert [p.where for p in problems] == [f"{item.node} 事業共通3"]
    assert problems[0].field == f"c|{key}|6|status"
    where, message = problems[0]  # still unpacks as (where, message)
    assert where == problems[0].where
    assert "状況「たぶん」" in message
    # The page refuses it beside the select, named 事業共通3.
    response = staff.post(url(report2019), form_of(report2019, **{f"c|{key}|6|status": "たぶん"}))
    assert response.status_code == 422
    assert "事業共通3" in response.text and "実施内容6" not in response.text
    assert f'id="c|{key}|6|status" name="c|{key}|6|status" aria-invalid="true"' in response.text
    # A conflict lists it as 事業共通3 too, and so does the Excel sheet's merge.
    stored = services.sheet(report2019)
    diffs = differences(stored, services.SheetInput(contents={(key, 6): {"status": "遅れ"}}))
    assert diffs == [(f"{item.node} 事業共通3 状況", "", "遅れ")]
    assert _names(stored)[("content", f"{key}#6")] == f"{item.node} 事業共通3"
    # The Excel sheet shows the row as 事業共通3, 対象外.
    data = staff.get(url(report2019, "sheet_xlsx")).content
    ws = load_workbook(io.BytesIO(data))["実施内容"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == f"content:{key}#6")
    values = [c.value for c in row]
    assert "事業共通3" in values and "対象外（今年度の予定なし）" in values


# --------------------------------------------------------------------------- part 5


def test_a_draft_keeps_the_valid_fields_and_marks_the_refused_one(staff, report2020):
    item, line = in_kai(report2020)
    name = f"n|{line.indicator.key}|actual"
    post = form_of(
        report2020, **{name: "5万円", f"i|{item.node.key}|done": "相談会を3回開いた（後で書いた）"}
    )
    response = staff.post(url(report2020), post)
    assert response.status_code == 422
    report2020.refresh_from_db()
    assert report2020.status == Report.Status.DRAFT
    # The valid fields are stored, the invalid one is not.
    assert ItemEntry.objects.get(report=report2020, node_key=item.node.key).done == (
        "相談会を3回開いた（後で書いた）"
    )
    assert ContentEntry.objects.filter(report=report2020).exists()
    entry = IndicatorEntry.objects.filter(report=report2020, indicator_key=line.indicator.key)
    assert not entry.filter(actual="5万円").exists()
    # The refused field keeps what was typed, marked beside it with its message.
    html = response.text
    field = re.search(rf'<input type="text" id="{re.escape(name)}"[^>]*>', html).group(0)
    assert 'value="5万円"' in field and 'aria-invalid="true"' in field
    assert f'aria-describedby="{name}|error' in field
    message = re.search(rf'<span class="field-error" id="{re.escape(name)}\|error">([^<]*)', html)
    assert message and "単位「万円」" in message.group(1) and "回" in message.group(1)
    assert "次の欄は保存されていません" in html and f'href="#{name}"' in html
    # The form carries the new version: the next save goes on without a conflict.
    assert f'name="version" value="{report2020.version}"' in html
    fixed = form_of(report2020, **{name: "5回"})
    assert staff.post(url(report2020), fixed).status_code == 302
    stored = IndicatorEntry.objects.get(report=report2020, indicator_key=line.indicator.key)
    assert stored.actual == "5回"


def test_the_htmx_save_answers_with_each_refused_field(staff, report2020):
    item, line = in_kai(report2020)
    name = f"n|{line.indicator.key}|actual"
    post = form_of(report2020, **{name: "5万円", f"i|{item.node.key}|next": "続けて開く"})
    response = staff.post(url(report2020), post, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    report2020.refresh_from_db()
    html = response.text
    assert "data-saved" in html  # the rest was saved
    assert f'data-field="{name}"' in html and "単位「万円」" in html
    assert f'value="{report2020.version}" id="sheet-version"' in html and "hx-swap-oob" in html
    assert ItemEntry.objects.get(report=report2020, node_key=item.node.key).next == "続けて開く"
    # Saved fully afterwards: no refused field is listed any more.
    again = staff.post(
        url(report2020), form_of(report2020, **{name: "5回"}), HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 200 and "data-field" not in again.text


def test_submit_with_an_invalid_field_is_refused_with_the_field_marked(staff, report2020):
    _item, line = in_kai(report2020)
    name = f"n|{line.indicator.key}|actual"
    response = staff.post(url(report2020, "submit"), form_of(report2020, **{name: "5万円"}))
    assert response.status_code == 422
    report2020.refresh_from_db()
    assert report2020.status == Report.Status.DRAFT
    assert "提出されていません" in response.text
    field = re.search(rf'<input type="text" id="{re.escape(name)}"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in field and 'value="5万円"' in field
    # What was valid is kept.
    assert ItemEntry.objects.filter(report=report2020, evaluation="B").exists()


def test_rows_of_another_department_are_still_refused_whole(admin, report2020):
    data = services.SheetInput(items={"no-such-item": {"done": "x"}})
    with pytest.raises(services.RoundError):
        services.save_draft(report2020, data, version=report2020.version, user=admin.user)
    assert not ItemEntry.objects.filter(report=report2020).exists()


# --------------------------------------------------------------------------- part 6


def _input_cell(data: bytes, kind: str, field: str):
    return next(c for c in read_sheet(data).cells if c.kind == kind and c.field == field)


def _input_cell_value(data: bytes, cell) -> str:
    wb = load_workbook(io.BytesIO(data), data_only=True)
    return str(wb[cell.sheet][cell.cell].value)


def _with_cached_value(data: bytes, cached: str) -> bytes:
    """Give every formula of the workbook a cached value, as Excel leaves one after saving."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    found = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and b"<f>" in body:
                text = body.decode("utf-8")
                text, n = re.subn(
                    r"<f>([^<]*)</f>(<v\s*/>|<v></v>)?", rf"<f>\1</f><v>{cached}</v>", text
                )
                found += n
                body = text.encode("utf-8")
            dst.writestr(info, body)
    assert found == 1
    return out.getvalue()


@pytest.mark.parametrize("cached", [None, "1"])
def test_a_formula_in_an_input_cell_is_refused_with_sheet_and_cell(staff, report2020, cached):
    data = staff.get(url(report2020, "sheet_xlsx")).content
    cell = _input_cell(data, "item", "done")
    wb = load_workbook(io.BytesIO(data))
    wb[cell.sheet][cell.cell].value = "=チャリティー事業で増収"
    other = _input_cell(data, "item", "next")
    wb[other.sheet][other.cell].value = "来年も続ける"  # valid, but nothing is stored either
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = buffer.getvalue()
    if cached is not None:
        upload = _with_cached_value(upload, cached)
        # read as values only, the cell now holds text like any other
        assert _input_cell_value(upload, cell) == cached
    response = staff.post(
        url(report2020, "sheet_upload"), {"file": SimpleUploadedFile("調査票.xlsx", upload)}
    )
    assert response.status_code == 400  # as every upload error
    problems = response.context["problems"]
    assert [(p.sheet, p.cell) for p in problems] == [(cell.sheet, cell.cell)]
    assert "数式「=チャリティー事業で増収」が入っています" in problems[0].message
    assert "文字や数値をそのまま入力してください" in problems[0].message
    assert cell.sheet in response.text and cell.cell in response.text
    assert not ItemEntry.objects.filter(report=report2020).exists()
    report2020.refresh_from_db()
    assert report2020.status == Report.Status.NOT_STARTED


# --------------------------------------------------------------------------- the council's plan


def test_the_fixture_council_plan_names_its_rows_and_asks_only_what_is_planned(db):
    """The other plan shape (tests/fixtures/other_shape_plan.xlsx): rows named as on its screen."""
    from shinchoku.orgs.models import Organization
    from shinchoku.plans.models import PendingUpload
    from tests.plans.test_other_shape import FIXTURE, SLUG

    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    admin = login_client("midori-admin", role="admin", org_slug="midori-shakyo")
    admin.post(
        reverse("plans:workbook_upload"),
        {"file": SimpleUploadedFile("みどり計画.xlsx", FIXTURE.read_bytes())},
    )
    token = PendingUpload.objects.get(user=admin.user).token
    assert admin.post(reverse("plans:workbook_confirm", args=[token])).status_code == 302
    plan = Plan.objects.get(slug=SLUG)
    round_ = services.open_round(plan, plan.first_fy, date(plan.first_fy + 1, 5, 31), admin.user)
    seen = 0
    for report in round_.reports.all():
        lines = services.sheet(report)
        gaps = services.missing(report, lines)
        for item in lines:
            for c in item.contents:
                seen += 1
                label = c.content.label or (c.content.shared.label if c.content.shared_id else "")
                name = label or str(c.position)
                name = f"実施内容{name}" if name.isdigit() else name
                asked = f"{item.node} {name}の状況" in gaps
                assert asked == bool(c.planned), (item.node, c.position, c.planned)
    assert seen
