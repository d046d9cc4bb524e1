"""One unit per indicator in every report: the demo action plan's FY2019 round, with actuals
typed in another unit than their indicator's (3,310,000円 for 千円, 4,500千円 for 万円) and a
bare number (4210 for 件). The committee PDF and workbook, the progress pages, the charts and
the public CSV / JSON show each figure in its indicator's unit, the figure as reported beside it.
"""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.reports.charts import indicator_chart_svg
from shinchoku.reports.pdf import report_html, report_pdf
from shinchoku.reports.report import committee_report
from shinchoku.reports.xlsx import report_xlsx
from tests.conftest import login_client
from tests.public.rounds import ACTION, published_round

from .conftest import pdf_pages

pytestmark = pytest.mark.django_db

TYPED = {
    "会員収入額": "3,310,000円",  # 千円, target 3,300千円
    "寄附金額": "4,500千円",  # 万円, target 400万円
    "会員件数": "4210",  # 件, target 4,200件: a bare number takes the indicator's unit
}


REPORTED = "単位換算前の報告値"


def typed(line) -> str:
    return TYPED.get(line.indicator.name, f"1{line.indicator.unit}")


@pytest.fixture
def round_(db):
    user = get_user_model().objects.create_user("units-publisher", last_name="公開")
    return published_round(ACTION, 2019, user, actual_for=typed)


@pytest.fixture
def report(round_):
    return committee_report(Plan.objects.get(slug=ACTION), 2019)


def row_of(report, name: str):
    return next(r for g in report.goals for r in g.rows if r.name == name)


def test_the_actuals_are_kept_exactly_as_typed(round_):
    actuals = dict(
        IndicatorValue.objects.filter(
            indicator__plan__slug=ACTION, role="actual", fy=2019, indicator__name__in=TYPED
        ).values_list("indicator__name", "text")
    )
    assert actuals == TYPED


def test_every_actual_is_judged_in_its_indicator_unit(report):
    for name in TYPED:
        judgement = row_of(report, name).ip.judgement
        assert judgement.determined, (name, judgement.reason)
        assert judgement.band == "達成"
    assert row_of(report, "会員収入額").rate == "100.3%"  # 3,310 ÷ 3,300
    assert row_of(report, "寄附金額").rate == "112.5%"  # 450 ÷ 400
    assert row_of(report, "会員件数").rate == "100.2%"  # 4,210 ÷ 4,200


def _goal_sheet_row(wb, name: str):
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[4]]
        for row in ws.iter_rows(min_row=5):
            if row[1].value == name:
                return {h: c for h, c in zip(header, row, strict=False) if h}
    raise AssertionError(name)


def test_the_workbook_holds_one_unit_per_row_and_the_figure_as_reported(report):
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    income = _goal_sheet_row(wb, "会員収入額")
    actual, target = income["令和元年度 実績"], income["令和元年度 目標"]
    assert actual.value == 3310 and target.value == 3300
    assert '"千円"' in actual.number_format and '"千円"' in target.number_format
    assert income[REPORTED].value == "令和元年度 実績: 3,310,000円"
    assert actual.comment is not None and "3,310,000円" in actual.comment.text
    donation = _goal_sheet_row(wb, "寄附金額")
    assert donation["令和元年度 実績"].value == 450 and donation["令和元年度 目標"].value == 400
    assert '"万円"' in donation["令和元年度 実績"].number_format
    assert donation[REPORTED].value == "令和元年度 実績: 4,500千円"
    members = _goal_sheet_row(wb, "会員件数")
    assert members["令和元年度 実績"].value == 4210
    assert '"件"' in members["令和元年度 実績"].number_format
    assert members["判定"].value == "達成"
    assert not members[REPORTED].value  # a bare number is no other unit
    # Every other row reports in its own unit: nothing to say beside it.
    noted = set()
    for ws in wb.worksheets[1:]:
        header = [c.value for c in ws[4]]
        for row in ws.iter_rows(min_row=5):
            if not isinstance(row[0].value, int):
                break
            if row[header.index(REPORTED)].value:
                noted.add(row[1].value)
    assert noted == {"会員収入額", "寄附金額"}


def test_the_pdf_shows_the_converted_figure_with_the_figure_as_reported(report):
    html = report_html(report)
    assert "3,310千円" in html and "（報告: 3,310,000円）" in html
    assert "450万円" in html and "（報告: 4,500千円）" in html
    assert "4,210件" in html
    assert "「」" not in html
    html_cell = '（報告: <span class="nb">3,310,000円</span>）'
    assert html_cell in html  # the figure as reported breaks as a whole, under the figure
    text = re.sub(r"\s+", "", "".join(pdf_pages(report_pdf(report))))
    assert "3,310千円（報告:3,310,000円）" in text
    assert "450万円（報告:4,500千円）" in text
    assert "4,210件" in text
    # 3,310,000円 appears only as the figure as reported, never as a figure of the 千円 row.
    assert text.count("3,310,000円") == text.count("報告:3,310,000円")


def test_the_chart_draws_the_figure_in_the_indicator_unit(report):
    svg = str(indicator_chart_svg(row_of(report, "会員収入額").ip))
    assert ">3,310<" in svg  # the bar's label, in 千円 like the targets beside it
    assert "3,310千円（報告: 3,310,000円）" in svg
    assert ">3,310,000<" not in svg


def _indicator_key(name: str) -> str:
    return Indicator.objects.get(plan__slug=ACTION, name=name).key


def test_the_progress_pages_show_one_unit(round_):
    admin = login_client("units-admin", role="admin")
    key = _indicator_key("会員収入額")
    for url in (
        reverse("rounds:overview", args=[ACTION, 2019]),
        reverse("rounds:indicator", args=[ACTION, key]),
        reverse("plans:indicators", args=[ACTION]),
    ):
        page = admin.get(url).content.decode()
        assert "3,310千円" in page and "報告: 3,310,000円" in page, url
        assert "「」" not in page
    listing = admin.get(reverse("plans:indicators", args=[ACTION])).content.decode()
    assert "450万円" in listing and "報告: 4,500千円" in listing and "4,210件" in listing


def test_the_public_pages_and_downloads_show_one_unit(round_, client):
    raw = client.get(reverse("public:csv", args=[ACTION])).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(raw)))

    def actual(name: str) -> dict[str, str]:
        return next(r for r in rows if r["指標"] == name and r["区分"] == "実績")

    def figures(row: dict[str, str]) -> tuple[str, str, str]:
        return row["数値"], row["単位"], row["記載どおりの値"]

    assert figures(actual("会員収入額")) == ("3310", "千円", "3,310,000円")
    assert figures(actual("寄附金額")) == ("450", "万円", "4,500千円")
    assert figures(actual("会員件数")) == ("4210", "件", "4210")
    assert actual("会員件数")["達成状況"] == "達成"
    data = json.loads(client.get(reverse("public:json", args=[ACTION])).content)
    income = next(i for i in data["indicators"] if i["name"] == "会員収入額")["actuals"][0]
    assert (income["number"], income["unit"], income["text"]) == (3310, "千円", "3,310,000円")
    page = client.get(reverse("public:indicator", args=[ACTION, _indicator_key("会員収入額")]))
    text = page.content.decode()
    assert "3,310千円" in text and "報告: 3,310,000円" in text


def test_a_round_without_units_is_unchanged(db):
    """Actuals typed in the indicator's own unit show exactly as typed, with nothing beside."""
    user = get_user_model().objects.create_user("units-plain", last_name="公開")
    published_round(ACTION, 2019, user)
    report = committee_report(Plan.objects.get(slug=ACTION), 2019)
    html = report_html(report)
    assert "報告:" not in html
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    assert all(REPORTED != c.value for ws in wb.worksheets[1:] for c in ws[4])
