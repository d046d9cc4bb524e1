"""One unit per indicator on the sheet: a plain number takes the indicator's unit (in the Excel
sheet and the form) and is judged; a unit that cannot be converted is refused with a message
naming both units. The demo action plan, FY2020, 総務課."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.plans.models import IndicatorValue, Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import IndicatorEntry, Report
from shinchoku.rounds.progress import plan_progress
from shinchoku.rounds.services import RoundError
from shinchoku.rounds.sheet_xlsx import read_sheet
from tests.conftest import login_client
from tests.public.rounds import ACTION, filled

DEPT = "総務課"


@pytest.fixture
def someone(db):
    return get_user_model().objects.create_user("単位の担当", last_name="単位")


@pytest.fixture
def report(db, someone) -> Report:
    round_ = services.open_round(Plan.objects.get(slug=ACTION), 2020, date(2021, 5, 31), someone)
    return round_.reports.select_related("round__plan", "department").get(department__name=DEPT)


def _url(name: str, report: Report) -> str:
    return reverse(
        f"rounds:{name}", args=[report.round.plan.slug, report.round.fy, report.department_id]
    )


def _key(report: Report, name: str) -> str:
    return next(
        ln.indicator.key
        for item in services.sheet(report)
        for ln in item.indicators
        if ln.indicator.name == name
    )


def _type_into_actual(client, report: Report, key: str, value) -> object:
    """Download the department's sheet, type `value` into the indicator's actual, upload."""
    data = client.get(_url("sheet_xlsx", report)).content
    cell = next(
        c
        for c in read_sheet(data).cells
        if (c.kind, c.key, c.field) == ("indicator", key, "actual")
    )
    wb = load_workbook(io.BytesIO(data))
    wb[cell.sheet][cell.cell].value = value
    out = io.BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("調査票.xlsx", out.getvalue())
    return client.post(_url("sheet_upload", report), {"file": upload})


def test_a_plain_number_in_the_excel_sheet_takes_the_unit_and_is_judged(report, someone):
    report = services.save(
        report,
        filled(report, lambda line: f"1{line.indicator.unit}"),
        version=report.version,
        user=someone,
    )
    staff = login_client("単位の係", role="staff", departments=(DEPT,))
    key = _key(report, "会員件数")  # 件, FY2020 target 4,250件
    response = _type_into_actual(staff, report, key, 4260)
    assert response.status_code == 302, getattr(response, "context", None)
    assert IndicatorEntry.objects.get(report=report, indicator_key=key).actual == "4260"
    report.refresh_from_db()
    services.approve(services.submit(report, someone), someone)
    stored = IndicatorValue.objects.get(
        indicator__key=key, indicator__plan__slug=ACTION, fy=2020, role="actual"
    )
    assert stored.text == "4260"  # kept exactly as typed
    judged = next(
        ip
        for ip in plan_progress(Plan.objects.get(slug=ACTION), 2020).indicators
        if ip.indicator.key == key
    )
    assert judged.judgement.determined and judged.judgement.band == "達成"
    assert judged.actual_figure is not None and judged.actual_figure.shown == "4,260件"


def test_a_unit_that_does_not_convert_is_refused_naming_both_units(report):
    staff = login_client("単位の係2", role="staff", departments=(DEPT,))
    key = _key(report, "研修の回数")  # 回
    response = _type_into_actual(staff, report, key, "5万円")
    assert response.status_code == 400
    (problem,) = response.context["problems"]
    assert "「万円」" in problem.message and "「回」" in problem.message
    assert "「」" not in problem.message
    assert not IndicatorEntry.objects.filter(report=report, indicator_key=key).exists()


def test_the_form_accepts_a_plain_number_and_refuses_another_unit(report, someone):
    key = _key(report, "会員収入額")  # 千円
    data = services.SheetInput(indicators={key: {"actual": "3310000円", "note": ""}})
    report = services.save(report, data, version=report.version, user=someone)
    data = services.SheetInput(indicators={key: {"actual": "3400", "note": ""}})
    report = services.save(report, data, version=report.version, user=someone)
    assert IndicatorEntry.objects.get(report=report, indicator_key=key).actual == "3400"
    data = services.SheetInput(indicators={key: {"actual": "30人", "note": ""}})
    with pytest.raises(RoundError) as refused:
        services.save(report, data, version=report.version, user=someone)
    message = str(refused.value)
    assert "「人」" in message and "「千円」" in message and "「」" not in message
