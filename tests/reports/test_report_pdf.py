"""The committee report PDF for the city plan, FY2019: the content of 資料2, laid out for print."""

from __future__ import annotations

import re

import pytest

from shinchoku.plans.models import Plan
from shinchoku.reports.pdf import report_html, report_pdf
from shinchoku.reports.report import committee_report

from .conftest import CITY, pdf_fonts, pdf_pages

# Marked as database tests so that pytest-django runs them before the transactional tests,
# which empty every table (the demo plans the module fixture reads) when they finish.
pytestmark = pytest.mark.django_db

NO_LINE_START = "。、，．）」』】〕！？：；ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ"


@pytest.fixture(scope="module")
def city_pdf(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        report = committee_report(Plan.objects.get(slug=CITY), 2019)
        html = report_html(report)
        return report, html, report_pdf(report)


@pytest.fixture(scope="module")
def pages(city_pdf):
    return pdf_pages(city_pdf[2])


def test_it_is_a_pdf_on_a4_landscape(city_pdf):
    from io import BytesIO

    from pypdf import PdfReader

    data = city_pdf[2]
    assert data.startswith(b"%PDF")
    for page in PdfReader(BytesIO(data)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595)  # A4 landscape in points


def test_the_japanese_font_is_embedded_and_no_other_font_is_used(city_pdf):
    fonts = pdf_fonts(city_pdf[2])
    assert fonts and all(embedded for _name, embedded in fonts)
    assert all("IPAexGothic" in name for name, _ in fonts), fonts


def test_the_first_page_names_the_plan_the_year_in_wareki_and_the_date(pages, city_pdf):
    report = city_pdf[0]
    first = pages[0]
    assert "第4期西東京市地域福祉計画" in first
    assert "令和元年度(2019年度)" in first
    assert report.generated_text.replace(" ", "") in first
    assert "基本目標ごとの判定" in first


def test_every_page_is_numbered_page_of_pages(pages):
    total = len(pages)
    assert total > 6  # a summary and at least one page per 基本目標
    for n, text in enumerate(pages, start=1):
        assert f"{n}/{total}" in text


def test_the_goal_tables_repeat_their_header_on_every_page_they_run_over(pages):
    header = "担当部署"
    indicator_pages = [p for p in pages if "取組状況" in p and re.search(r"\d+人|\d+件|\d+世帯", p)]
    assert indicator_pages
    for text in indicator_pages:
        assert header in text and "達成率" in text and "最終目標への進捗" in text
    # Every page carries the plan and the year in its running head.
    for text in pages:
        assert "第4期西東京市地域福祉計画令和元年度(2019年度)進捗状況" in text


def test_it_holds_every_figure_and_note_of_the_city_table(pages):
    text = "".join(pages).replace("\n", "")  # cells wrap their text over lines
    for figure in (
        "504人", "515人", "513人", "700人",
        "19,177世帯", "20,135世帯", "20,186世帯",
        "48.4%", "50.70%", "58.40%",
        "1,161件", "1,494件", "1,405件", "1,100件",
        "2.09人/km", "2.18人/km", "2.13人/km",
    ):  # fmt: skip
        assert figure in text, figure
    for goal in range(1, 7):
        assert f"基本目標{goal}" in text or f"基本目標{'１２３４５６'[goal - 1]}" in text
    assert "地域共生課" in text and "交通課" in text and "高齢者支援課" in text
    assert "出前講座を６回開催し、広報啓発を図った。" in text
    assert "令和2年度に向けた今後の展開" in text
    # No FY target in the city plan: rate empty, progress toward 令和5年度 shown.
    assert "判定不可" in text and "4.6%" in text and "94.9%" in text


def test_no_line_starts_with_a_closing_mark(city_pdf):
    from io import BytesIO

    from pypdf import PdfReader

    for page in PdfReader(BytesIO(city_pdf[2])).pages:
        for line in (page.extract_text() or "").splitlines():
            line = line.strip()
            assert not (line and line[0] in NO_LINE_START), line


def test_the_html_asks_for_the_page_rules_and_repeats_table_headers(city_pdf):
    html = city_pdf[1]
    assert "size: A4 landscape" in html
    assert 'counter(page) " / " counter(pages)' in html
    assert "display: table-header-group" in html
    assert "ipaexg.ttf" in html
