"""The committee report's goal sections written in Python (reports.report_html) print what the
template printed.

reports/_report_body.html as it was before its loop over the goals became `{% goal_sections
report %}` (issue 16) is rebuilt from today's file and the old loop (tests/reports/oracle_hunks.txt,
tests/template_oracle.py). Both are rendered here on the same
report and compared byte for byte, in Japanese and English, on both plan shapes (the demo plans
with indicators, the fixture council's plan without) and with the cases the demo lacks: notes
with line breaks and markup, an indicator where smaller is better, a baseline that is an
estimate, items without notes, and no content behind schedule. The PDF includes the same body.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from shinchoku.plans.models import Indicator, IndicatorValue, Plan
from shinchoku.reports import charts
from shinchoku.reports.report import committee_report
from shinchoku.rounds.models import ContentEntry, ItemEntry
from tests.rounds.no_figures import FY as NO_FIGURES_FY
from tests.rounds.no_figures import load_plan, make_round
from tests.template_oracle import APP, old_text, read_hunks

from .approved_rounds import approve_round
from .conftest import ACTION, CITY

pytestmark = pytest.mark.django_db
BODY = APP / "reports" / "templates" / "reports" / "_report_body.html"
HUNKS = read_hunks(Path(__file__).parent / "oracle_hunks.txt")


def bodies(plan: Plan, fy: int) -> tuple[str, str]:
    """(the old template's body, the body as it is printed now) of the plan's report."""
    report = committee_report(plan, fy)
    context = {"plan": plan, "report": report}
    oracle = engines["django"].from_string(old_text(BODY, HUNKS["reports/_report_body.html"]))
    charts._ids = itertools.count(1)  # the charts' ids count up per process
    old = oracle.render(context)
    charts._ids = itertools.count(1)
    new = render_to_string("reports/_report_body.html", context)
    return old, new


def same(plan: Plan, fy: int) -> str:
    for language in ("ja", "en"):
        with translation.override(language):
            old, new = bodies(plan, fy)
            assert new == old, language
    return new


def test_the_city_plans_report_prints_as_the_template_printed_it():
    html = same(Plan.objects.get(slug=CITY), 2019)
    assert html.count("<svg") == 15 + 1


def test_the_action_plans_report_prints_as_the_template_printed_it():
    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    html = same(plan, 2020)
    assert 'class="table-frame table-frame-long stick-2"' in html  # a goal with > 10 rows


def test_the_odd_cases_print_as_the_template_printed_them():
    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    indicators = Indicator.objects.filter(plan=plan).order_by("pk")
    indicators.filter(pk__in=[i.pk for i in indicators[:3]]).update(direction="down")
    IndicatorValue.objects.filter(indicator__plan=plan, role="baseline").filter(
        pk__in=IndicatorValue.objects.filter(indicator__plan=plan, role="baseline")
        .order_by("pk")
        .values("pk")[:2]
    ).update(estimate=True)
    entries = ItemEntry.objects.filter(report__round__plan=plan).order_by("pk")
    first = entries.first()
    first.done = '一行目\n<b>二行目</b> & "引用"'
    first.next = ""
    first.evaluation = ""
    first.save()
    ContentEntry.objects.filter(report__round__plan=plan).update(status="遅れ", note="a\nb <i>")
    html = same(plan, 2020)
    assert "一行目<br>&lt;b&gt;二行目&lt;/b&gt; &amp; &quot;引用&quot;" in html


def test_a_report_without_notes_or_delays_prints_as_the_template_printed_it():
    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    ItemEntry.objects.filter(report__round__plan=plan).update(done="", next="")
    html = same(plan, 2020)
    assert "no-notes" in html


def test_a_plan_without_indicators_prints_as_the_template_printed_it():
    plan = load_plan()
    make_round(plan)
    html = same(plan, NO_FIGURES_FY)
    assert "<svg" in html and "goal-table" not in html


def test_the_kept_figure_cells_are_the_cells_of_each_value():
    from shinchoku.reports.report import _cell
    from shinchoku.reports.templatetags.report_cells import cell

    plan = Plan.objects.get(slug=ACTION)
    approve_round(plan, 2020)
    report = committee_report(plan, 2020)
    values = [
        (v, row.ip.unit)
        for g in report.goals
        for row in g.rows
        for v in (row.ip.baseline, row.ip.actual, row.ip.final, *row.earlier)
    ]
    assert len(values) > 40
    for v, unit in [*values, *values, (None, "人")]:  # the second time from the cells kept
        assert _cell(v, unit) == cell(v, unit)
