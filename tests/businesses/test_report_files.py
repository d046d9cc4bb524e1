"""The board's report as PDF (A4 landscape, page numbers, text inside its cells) and as xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import transaction
from pypdf import PdfReader

from shinchoku.businesses.report import evaluation_report
from shinchoku.businesses.report_pdf import report_html
from shinchoku.reports.pdf import layout
from tests.businesses.test_report import DRAFT_REASON, council_round, report_url
from tests.conftest import login_client
from tests.reports.conftest import pdf_pages
from tests.reports.test_report_pdf_cells import text_outside_cells

pytestmark = pytest.mark.django_db
NAMES = ["生活福祉資金貸付事業", "法人後見事業", "歳末たすけあい募金事業", "事務事業評価の運営"]


@pytest.fixture(scope="module")
def files(django_db_setup, django_db_blocker):
    """The PDF, the workbook and the PDF's layout of the FY2020 round (rolled back after)."""
    with django_db_blocker.unblock(), transaction.atomic():
        round_ = council_round()
        client = login_client("files-viewer", role="viewer")
        pdf = client.get(report_url(kind="pdf"))
        xlsx = client.get(report_url(kind="xlsx"))
        document = layout(report_html(evaluation_report(round_)))
        try:
            yield {"pdf": pdf, "xlsx": xlsx, "layout": document}
        finally:
            transaction.set_rollback(True)


def test_the_pdf_is_an_a4_landscape_pdf_with_every_business(files):
    response = files["pdf"]
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(data)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = "".join(pdf_pages(data))
    for name in NAMES:
        assert name in text
    assert "令和2年度（2020年度）事務事業評価結果報告書" in text
    assert "評価中" in text
    assert DRAFT_REASON.replace(" ", "") not in text


def test_every_pdf_page_is_numbered(files):
    pages = pdf_pages(files["pdf"].content)
    for n, text in enumerate(pages, start=1):
        assert f"{n}/{len(pages)}" in text


def test_no_text_leaves_its_cell_in_the_pdf(files):
    assert text_outside_cells(files["layout"]) == []


def workbook(files) -> openpyxl.Workbook:
    response = files["xlsx"]
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_the_summary_and_the_rows(files):
    wb = workbook(files)
    assert wb.sheetnames == ["集計", "評価結果"]
    summary = wb["集計"]
    assert summary["A1"].value == "令和2年度（2020年度） 事務事業評価結果報告書"
    header = [c.value for c in summary[5]]
    assert header[:9] == [
        "担当課",
        "拡充",
        "継続",
        "改善・見直し",
        "縮小",
        "統合",
        "廃止",
        "計",
        "評価中",
    ]
    table = {row[0]: row[1:9] for row in summary.iter_rows(min_row=6, max_row=8, values_only=True)}
    assert table["福祉支援課"] == (1, 1, 0, 0, 0, 0, 2, 0)
    assert table["総務課"] == (0, 0, 0, 0, 0, 1, 1, 1)
    assert table["計"] == (1, 1, 0, 0, 0, 1, 3, 1)
    notes = [row[0] for row in summary.iter_rows(values_only=True) if row[0]]
    assert any("評価中の1件" in str(n) for n in notes)
    progress = {
        row[0]: row[1:5] for row in summary.iter_rows(min_row=13, max_row=15, values_only=True)
    }
    assert progress == {"福祉支援課": (2, 2, 2, 2), "総務課": (1, 2, 1, 3), "計": (3, 4, 3, 5)}

    rows = wb["評価結果"]
    assert [c.value for c in rows[4]][:3] == ["事業番号", "事業名", "担当課"]
    body = [r for r in rows.iter_rows(min_row=5, values_only=True) if r[0]]
    assert [r[1] for r in body] == NAMES
    first = body[0]
    assert first[4] == 1000 and first[5] == 0.5 and first[6] == 5000  # numbers, not text
    assert first[9] == "拡充"
    assert "生活福祉資金貸付事業の総合評価の理由" in first[10]
    pending = body[3]
    assert pending[7].startswith("評価中")
    assert DRAFT_REASON not in " ".join(str(v) for v in pending if v)


def test_the_workbook_prints_one_page_wide_with_wrapped_tall_rows(files):
    wb = workbook(files)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    rows = wb["評価結果"]
    reasons = rows.cell(row=5, column=11)
    assert reasons.alignment.wrap_text
    assert rows.row_dimensions[5].height > 3 * 15  # three stages' reasons fit
    assert rows.print_title_rows == "$4:$4"
