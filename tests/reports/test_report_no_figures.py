"""The committee report of a plan without indicators: the fixture council's plan, FY2024.

The summary counts self-evaluations per 基本目標 on the plan's A–D scale; each 基本目標 lists
every 事業 with its evaluation, 取組状況, 今後の展開 and content statuses, in the HTML page, the
PDF and the workbook. Sheets not yet approved never reach the report; nothing speaks of
indicators.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from shinchoku.reports.pdf import report_pdf
from shinchoku.reports.report import committee_report
from shinchoku.reports.xlsx import report_workbook
from tests.conftest import login_client
from tests.rounds.no_figures import (
    FY,
    ORG,
    SCALE,
    SLUG,
    done_text,
    evaluation_of,
    leaves,
    load_plan,
    make_round,
    next_text,
)

from .conftest import pdf_pages

PAGE = reverse("reports:committee", args=[SLUG, FY])
XLSX = reverse("reports:xlsx", args=[SLUG, FY])
NAMES = {s["code"]: f"{s['code']} {s['name']}" for s in SCALE}
NOISE = ("指標はありません", "達成率", "判定不可", "最終目標", "指標0件")


@pytest.fixture
def plan(db):
    return load_plan()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_lists_every_project_with_its_evaluation_and_texts(plan):
    make_round(plan)
    report = committee_report(plan, FY)
    pages = pdf_pages(report_pdf(report))
    text = squeeze("".join(pages))
    assert "基本目標ごとの自己評価" in pages[0]
    assert squeeze("計5555") + "20" in squeeze(pages[0])  # A B C D and the total
    for i, node in enumerate(leaves(plan)):
        assert squeeze(node.title) in text, node.title
        assert squeeze(done_text(node)) in text and squeeze(next_text(node)) in text
        assert squeeze(NAMES[evaluation_of(i)]) in text
    assert "見守り協定の締結（自治会単位）:遅れ" in text  # the content status beside its 事業
    for noise in NOISE:
        assert noise not in text, noise


def workbook_text(plan) -> tuple[openpyxl.Workbook, str]:
    wb = report_workbook(committee_report(plan, FY))
    buf = io.BytesIO()
    wb.save(buf)
    wb = openpyxl.load_workbook(buf)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    return wb, "\n".join(c for c in cells if c != "None")


def test_the_workbook_has_the_evaluations_per_goal_and_a_row_per_project(plan):
    make_round(plan)
    wb, text = workbook_text(plan)
    summary = wb["概要"]
    assert [c.value for c in summary[4]][:6] == [
        "基本目標",
        "A 計画どおり実施",
        "B 概ね実施",
        "C 一部実施",
        "D 未実施",
        "計",
    ]
    assert [c.value for c in summary[8]][:6] == ["計", 5, 5, 5, 5, 20]
    rows = [
        row
        for ws in wb.worksheets[1:]
        for row in ws.iter_rows(min_row=5, values_only=True)
        if isinstance(row[0], int)
    ]
    assert len(rows) == 20
    for i, node in enumerate(leaves(plan)):
        row = next(r for r in rows if r[1] == f"{node.label} {node.title}")
        assert row[3] == node.departments.all()[0].name
        assert row[4] == NAMES[evaluation_of(i)]
        assert (row[5], row[6]) == (done_text(node), next_text(node))
    for noise in NOISE:
        assert noise not in text, noise


def test_an_unapproved_sheet_never_reaches_the_report(plan):
    make_round(plan, unapproved=("総務係",), closed=False, published=False)
    report = committee_report(plan, FY)
    assert report.evaluation_total == 14
    _wb, text = workbook_text(plan)
    html = login_client("m-viewer", role="viewer", org_slug=ORG).get(PAGE).content.decode()
    for node in leaves(plan):
        if node.departments.all()[0].name == "総務係":
            assert node.title in text and node.title in html  # listed …
            assert done_text(node) not in text and done_text(node) not in html  # … text withheld
    assert "承認済みの報告はありません。" in html and "承認済みの報告はありません。" in text


def test_the_page_and_downloads_for_the_council_and_no_one_else(plan):
    make_round(plan)
    for role in ("admin", "staff", "approver", "viewer"):
        client = login_client(f"m-{role}", role=role, org_slug=ORG)
        response = client.get(PAGE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "基本目標ごとの自己評価" in html and "配食サービスによる安否確認" in html
        assert client.get(XLSX).status_code == 200
    outsider = login_client("outsider", role="admin", org_slug="nishitokyo-shakyo")
    assert outsider.get(PAGE).status_code == 404
    assert outsider.get(XLSX).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(plan, django_assert_max_num_queries):
    make_round(plan)
    viewer = login_client("m-viewer", role="viewer", org_slug=ORG)
    viewer.get(PAGE)
    with django_assert_max_num_queries(20):
        assert viewer.get(PAGE).status_code == 200
