"""「最終目標の達成見通し」 in the committee report, and the forecast on the indicator chart.

The report lists the indicators whose final target is at risk as of its FY (worst first), with
the forecast value, the final target and the judgement, in the HTML page, the PDF (every text
inside its cell) and the workbook (sheet 「見通し」). The indicator page's chart draws the linear
trend from the latest actual to the final FY dashed, only when there is a forecast.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from defusedxml.ElementTree import fromstring
from django.urls import reverse

from shinchoku.core.forecast import AT_RISK, OFF_TRACK
from shinchoku.plans.models import Indicator, Plan
from shinchoku.reports.charts import indicator_chart_svg, indicator_chart_table
from shinchoku.reports.pdf import layout, report_html, report_pdf
from shinchoku.reports.report import committee_report
from shinchoku.reports.xlsx import report_workbook
from shinchoku.rounds.forecasts import at_risk, forecast_of, forecasts_for
from shinchoku.rounds.progress import plan_progress
from tests.conftest import CITY_ORG, login_client
from tests.rounds import no_figures

from .conftest import CITY, pdf_pages
from .test_report_pdf_cells import text_outside_cells

pytestmark = pytest.mark.django_db
TITLE = "最終目標の達成見通し"
PAGE = reverse("reports:committee", args=[CITY, 2019])
SVG = "{http://www.w3.org/2000/svg}"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The city's FY2019 report, its HTML, its PDF and the PDF's layout (laid out once)."""
    with django_db_blocker.unblock():
        report = committee_report(Plan.objects.get(slug=CITY), 2019)
        html = report_html(report)
        return report, html, report_pdf(report), layout(html)


def test_the_report_lists_the_plans_final_targets_at_risk_as_of_its_fy(city):
    report = city[0]
    expected = at_risk(Plan.objects.get(slug=CITY), up_to_fy=2019)
    assert expected
    assert [r.forecast.indicator.pk for r in report.at_risk] == [f.indicator.pk for f in expected]
    assert [r.number for r in report.at_risk] == list(range(1, len(expected) + 1))
    assert {r.forecast.judgement for r in report.at_risk} == {AT_RISK, OFF_TRACK}
    bousai = next(r for r in report.at_risk if r.name == "防災市民組織の数")
    assert bousai.department == "危機管理課"
    assert (bousai.forecast.linear_text, bousai.forecast.target_text) == ("109組織", "150組織")


@pytest.mark.parametrize("role", ["admin", "staff", "approver", "viewer"])
def test_the_page_shows_the_section_to_every_role(role):
    client = login_client(f"city-{role}", role=role, org_slug=CITY_ORG, departments=("地域共生課",))
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="forecast"') : html.index('id="goal-1"')]
    assert TITLE in section and "95%以上で「達成見込み」、50%以上で「要注意」" in section
    for f in at_risk(Plan.objects.get(slug=CITY), up_to_fy=2019):
        assert f.indicator.name in section
        assert f.linear_text in section and f.target_text in section and f.label in section


def test_the_page_is_not_shown_to_another_organization_nor_anonymous(client):
    outsider = login_client("社協職員", role="admin")
    assert outsider.get(PAGE).status_code == 404
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_the_section_follows_the_plans_thresholds():
    from shinchoku.rounds.models import PlanSettings

    plan = Plan.objects.get(slug=CITY)
    settings = PlanSettings.of(plan)
    settings.forecast_on_track, settings.forecast_at_risk = "1.5", "1.2"
    settings.save()
    report = committee_report(plan, 2019)
    assert "150%以上で「達成見込み」、120%以上で「要注意」" in report.forecast_rules_text
    assert all(r.forecast.judgement == OFF_TRACK for r in report.at_risk)


def test_the_pdf_has_the_section_on_its_own_page_with_every_row(city):
    report, _html, pdf, _layout = city
    pages = pdf_pages(pdf)
    page = next(p for p in pages if TITLE in p and "最終目標の達成が危ぶまれる指標" in p)
    assert pages.index(page) == 1  # after the summary, before the goals
    for r in report.at_risk:
        f = r.forecast
        for text in (r.name, f.linear_text, f.target_text, f.latest_text, f.label):
            assert squeeze(text) in page, text


def test_no_text_of_the_section_leaves_its_cell(city):
    _report, _html, _pdf, document = city
    assert text_outside_cells(document) == []


def test_the_workbook_has_a_sheet_of_the_final_targets_at_risk(city):
    report = city[0]
    wb = openpyxl.load_workbook(io.BytesIO(_saved(report_workbook(report))))
    assert wb.sheetnames[:2] == ["概要", "見通し"]
    ws = wb["見通し"]
    assert ws["A1"].value == TITLE
    header = [c.value for c in ws[4]]
    assert header == [
        "No.",
        "指標",
        "担当部署",
        "最新の実績",
        "実績の年度",
        "見込み値(傾向)",
        "最終目標",
        "目標年度",
        "見通し",
    ]
    rows = [
        dict(zip(header, r, strict=True))
        for r in ws.iter_rows(min_row=5, max_row=4 + len(report.at_risk))
    ]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "見通しの判定" in notes
    assert any("95%以上で「達成見込み」" in n for n in notes)
    assert [r["指標"].value for r in rows] == [r.name for r in report.at_risk]
    bousai = next(r for r in rows if r["指標"].value == "防災市民組織の数")
    assert (bousai["最新の実績"].value, bousai["見込み値(傾向)"].value) == (101, 109)
    assert bousai["最終目標"].value == 150
    assert bousai["最終目標"].number_format.endswith('"組織"')
    assert bousai["目標年度"].value == "令和5年度" and bousai["見通し"].value == "達成困難"
    bus = next(r for r in rows if r["指標"].value == "はなバス輸送人員")
    assert bus["見込み値(傾向)"].value == pytest.approx(1.93)
    assert ws.print_title_rows == "$4:$4" and ws.page_setup.orientation == "landscape"


def _saved(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_plan_without_indicators_has_no_section_and_no_error():
    plan = no_figures.load_plan()
    no_figures.make_round(plan)
    report = committee_report(plan, no_figures.FY)
    assert report.at_risk == []
    assert "見通し" not in report_workbook(report).sheetnames
    client = login_client("midori-admin", role="admin", org_slug=no_figures.ORG)
    response = client.get(reverse("reports:committee", args=[no_figures.SLUG, no_figures.FY]))
    assert response.status_code == 200
    assert 'id="forecast"' not in response.content.decode()
    html = report_html(report)
    assert (
        '<section class="report-forecast"' not in html
        and "forecast-table" not in html.split("</style>")[1]
    )


# --------------------------------------------------------------------------- the chart


def _city_ip(name: str):
    pp = plan_progress(Plan.objects.get(slug=CITY), 2019)
    return next(ip for ip in pp.indicators if ip.indicator.name == name)


def test_the_chart_draws_the_forecast_dashed_to_the_final_year():
    ip = _city_ip("自治会・町内会等の加入世帯数")
    forecast = forecast_of(ip.indicator, last_fy=2023)
    root = fromstring(str(indicator_chart_svg(ip, forecast)))
    lines = [p for p in root.iter(SVG + "path") if p.get("class") == "forecast-line"]
    assert len(lines) == 1 and lines[0].get("stroke-dasharray")
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "見通し（傾向）" in texts and "最終目標" in texts and "23,951" in texts
    desc = root.find(SVG + "desc").text
    assert "見通し（傾向）: 令和5年度 23,951世帯（令和元年度までの実績の傾向、達成見込み）" in desc
    assert "最終目標 20,186世帯" in desc
    table = str(indicator_chart_table(ip, forecast))
    assert "見通し（傾向）" in table and "23,951世帯" in table


def test_without_a_forecast_the_chart_has_no_dashed_forecast():
    ip = _city_ip("自治会・町内会等の加入世帯数")
    as_of_2018 = forecast_of(ip.indicator, last_fy=2023, up_to_fy=2018)  # one actual only
    assert as_of_2018.forecast.reason is not None
    for svg in (indicator_chart_svg(ip), indicator_chart_svg(ip, as_of_2018)):
        assert "forecast-line" not in svg and "見通し（傾向）" not in svg
        assert "最終目標" not in svg


def test_the_indicator_page_draws_the_forecast_only_when_there_is_one():
    admin = login_client("city-admin", role="admin", org_slug=CITY_ORG)
    with_forecast = Indicator.objects.get(node__plan__slug=CITY, name="防災市民組織の数")
    html = admin.get(reverse("rounds:indicator", args=[CITY, with_forecast.key])).content.decode()
    assert html.count('class="forecast-line"') == 1 and "見通し（傾向）" in html
    assert "達成困難" in html
    plan = Plan.objects.get(slug=CITY)
    without = next(f.indicator for f in forecasts_for(plan) if not f.forecast.determined)
    html = admin.get(reverse("rounds:indicator", args=[CITY, without.key])).content.decode()
    assert "forecast-line" not in html and "見通し（傾向）" not in html
