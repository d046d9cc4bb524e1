"""The committee report PDF never lets text leave its cell (issue 15 part 4).

Checked on WeasyPrint's own layout: every text box laid out inside a table cell lies within that
cell's padding box, on every page. The action plan's FY2020 report has the most value columns
(baseline, FY2019, FY2020 actual and target, final target) and the widest texts of the demo data.
"""

from __future__ import annotations

import pytest
from weasyprint.formatting_structure import boxes

from shinchoku.plans.models import Plan
from shinchoku.reports.pdf import layout, report_html
from shinchoku.reports.report import committee_report
from shinchoku.reports.templatetags.report_cells import cell

from .approved_rounds import approve_round
from .conftest import ACTION

pytestmark = pytest.mark.django_db


def text_outside_cells(document, tolerance: float = 0.5) -> list[tuple[int, str, float]]:
    """(page, text, how far out in CSS px) for each text box that leaves its table cell."""
    found: list[tuple[int, str, float]] = []

    def walk(box, cell_box, page: int) -> None:
        if isinstance(box, boxes.TableCellBox):
            cell_box = box
        if isinstance(box, boxes.TextBox) and cell_box is not None:
            left = cell_box.border_box_x() + cell_box.border_left_width
            right = cell_box.border_box_x() + cell_box.border_width() - cell_box.border_right_width
            out = max(left - box.position_x, box.position_x + box.width - right)
            if out > tolerance:
                found.append((page, box.text, round(out, 1)))
        for child in getattr(box, "children", None) or []:
            walk(child, cell_box, page)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, None, number)
    return found


@pytest.fixture(scope="module")
def action_fy2020(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        plan = Plan.objects.get(slug=ACTION)
        rounds = [approve_round(plan, 2019), approve_round(plan, 2020)]
        try:
            yield layout(report_html(committee_report(plan, 2020)))
        finally:
            for round_ in rounds:
                round_.delete()


def test_no_text_leaves_its_cell_on_any_page(action_fy2020):
    assert len(action_fy2020.pages) > 5
    assert text_outside_cells(action_fy2020) == []


def test_the_checker_sees_text_that_leaves_its_cell(action_fy2020):
    """The same report with every cell forced onto one line has text outside its cells."""
    html = report_html(committee_report(Plan.objects.get(slug=ACTION), 2020))
    html = html.replace("</style>", ".report-table td { white-space: nowrap; }</style>", 1)
    outside = text_outside_cells(layout(html))
    assert any("年1回(年4~6回)" in text for _page, text, _out in outside)


def test_a_plain_figure_stays_on_one_line_and_a_text_wraps():
    assert 'class="nb"' in cell("1,900人")
    assert 'class="nb"' in cell("△12.5%")
    assert 'class="nb"' not in cell("年1回(年4~6回)")
    assert 'class="nb"' not in cell("次期介護保険事業計画による")
