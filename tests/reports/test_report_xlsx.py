"""The committee workbook: read back with openpyxl, as a committee secretary would open it."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shinchoku.plans.models import Indicator, Plan, ProgressNote
from shinchoku.reports.report import committee_report
from shinchoku.reports.xlsx import report_xlsx

from .conftest import CITY

pytestmark = pytest.mark.django_db


def workbook(slug: str = CITY, fy: int = 2019) -> openpyxl.Workbook:
    data = report_xlsx(committee_report(Plan.objects.get(slug=slug), fy))
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(ws, header_row: int = 4) -> list[dict]:
    header = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        if not isinstance(row[0].value, int):
            break
        out.append({h: c for h, c in zip(header, row, strict=False) if h})
    return out


def test_a_summary_sheet_and_one_sheet_per_goal():
    wb = workbook()
    # 「見通し」 (issue 17): the final targets at risk, after the summary.
    assert wb.sheetnames == ["概要", "見通し"] + [f"基本目標{n}" for n in "１２３４５６"]
    summary = wb["概要"]
    assert "第4期西東京市地域福祉計画" in summary["A1"].value
    assert "令和元年度(2019年度)" in summary["A1"].value
    assert [c.value for c in summary[4]] == [
        "基本目標",
        "達成",
        "概ね達成",
        "未達成",
        "判定不可",
        "計",
    ]
    assert [c.value for c in summary[5]][1:] == [0, 0, 0, 2, 2]
    total = next(r for r in summary.iter_rows() if r[0].value == "計")
    assert [c.value for c in total][1:] == [0, 0, 0, 15, 15]


def test_figures_are_numbers_with_their_unit_in_the_number_format():
    ws = workbook()["基本目標１"]
    rows = rows_of(ws)
    assert [r["指標"].value for r in rows] == [
        "ボランティア・市民活動センターの登録者数",
        "自治会・町内会等の加入世帯数",
    ]
    first = rows[0]
    assert first["平成29年度(現状値)"].value == 504
    assert first["平成30年度"].value == 515
    assert first["令和元年度 実績"].value == 513
    assert first["最終目標(令和5年度)"].value == 700
    assert first["令和元年度 実績"].number_format.startswith('#,##0"人"')
    assert rows[1]["令和元年度 実績"].value == 20135
    assert '"世帯"' in rows[1]["令和元年度 実績"].number_format
    assert first["達成率"].value == "―"  # no FY target in the city plan
    assert first["最終目標への進捗"].value == pytest.approx(0.0459, abs=1e-4)
    assert first["最終目標への進捗"].number_format == "0.0%;△0.0%"  # negatives with △ (core.signed)
    assert first["判定"].value == "判定不可"
    assert first["令和元年度の取組状況"].value.startswith("機関紙の発行")
    assert first["令和2年度に向けた今後の展開"].value.startswith("次世代の育成")


def test_percentages_keep_their_decimals_and_text_stays_text():
    rows = rows_of(workbook()["基本目標４"])
    awareness = rows[0]
    assert awareness["令和元年度 実績"].value == pytest.approx(50.7)
    assert awareness["令和元年度 実績"].number_format.startswith('#,##0.00"%"')
    assert awareness["平成30年度"].value == "－"  # no figure that year, kept as written
    assert awareness["平成30年度"].data_type == "s"


def test_every_sheet_prints_on_a4_landscape_fit_to_width_with_repeated_headers():
    for ws in workbook().worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$4:$4"
        assert ws.print_area and ws.print_area.endswith(f"{ws.max_row}")
        assert "&P" in ws.oddFooter.center.text


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_text_that_looks_like_a_formula_stays_text(hostile):
    indicator = Indicator.objects.get(node__plan__slug=CITY, name="防災市民組織の数")
    indicator.name = hostile
    indicator.save()
    ProgressNote.objects.filter(indicator=indicator, fy=2019).update(done=hostile, next=hostile)
    data = report_xlsx(committee_report(Plan.objects.get(slug=CITY), 2019))
    ws = openpyxl.load_workbook(io.BytesIO(data))["基本目標５"]
    row = rows_of(ws)[0]
    for column in ("指標", "令和元年度の取組状況", "令和2年度に向けた今後の展開"):
        cell = row[column]
        assert cell.value == hostile and cell.data_type == "s", column
        assert cell.quotePrefix
    # And in the file itself: a string cell, no <f> formula element anywhere.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in sheets)
