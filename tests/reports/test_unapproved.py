"""A draft never reaches the committee: only approved sheets and values are in the report."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shinchoku.reports.pdf import report_html, report_pdf
from shinchoku.reports.report import ReportError, committee_report
from shinchoku.reports.xlsx import report_xlsx

from .conftest import DRAFT_ONLY, pdf_pages

DRAFT_TEXTS = (DRAFT_ONLY, "下書きだけの取組", "下書きの展開", "下書きの遅れ")


def xlsx_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_the_report_shows_the_approved_sheet_and_nothing_of_the_draft(action_round):
    report = committee_report(action_round.plan, 2020)
    departments = {it.department for g in report.goals for it in g.items}
    assert departments == {"総務課"}
    html = report_html(report)
    workbook = xlsx_text(report_xlsx(report))
    pdf = "".join(pdf_pages(report_pdf(report))).replace("\n", "")
    for text in (html, workbook, pdf):
        assert "承認済みの取組" in text
        assert "令和2年度(2020年度)" in text
        for draft in DRAFT_TEXTS:
            assert draft not in text


def test_a_year_with_only_drafts_has_no_report(action_round):
    # Undo the approval: now every sheet of FY2020 is a draft or submitted.
    from shinchoku.plans.models import IndicatorValue, ProgressNote

    action_round.reports.filter(status="approved").update(status="submitted")
    IndicatorValue.objects.filter(
        indicator__node__plan=action_round.plan, role="actual", fy=2020
    ).delete()
    ProgressNote.objects.filter(indicator__node__plan=action_round.plan, fy=2020).delete()
    with pytest.raises(ReportError, match="承認済みの進捗データがありません"):
        committee_report(action_round.plan, 2020)
