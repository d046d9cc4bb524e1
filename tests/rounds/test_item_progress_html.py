"""The item page's yearly progress written in Python (rounds.item_progress_html) prints what
rounds/_item_progress.html prints, byte for byte (issue 16).

On every item of the demo action plan (indicators, contents), of the city's plan (indicators
with 取組状況 / 今後の展開) and of the fixture council's plan (事業 rows, no indicator), with a
published round, an open round whose sheets are drafts, submitted or approved (texts holding
HTML's special characters, contents behind), for readers who see every draft, none, or one
department's, in Japanese and in English.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

from shinchoku.accounts.permissions import APPROVED_ONLY, DraftScope
from shinchoku.plans.models import Node, Plan
from shinchoku.rounds import services
from shinchoku.rounds.item_progress_html import years_html
from shinchoku.rounds.models import Report
from shinchoku.rounds.templatetags.progress import _indicators_of, item_years
from tests.public.rounds import ACTION, CITY, filled, open_round, published_round
from tests.rounds import no_figures

pytestmark = pytest.mark.django_db

ODD = "実施 <b>した</b> & \"引用\" 'と'\n二行目"


def _odd_actual(line) -> str:
    return f"12{line.indicator.unit}"


def _rounds(slug: str, first: int) -> None:
    """FY `first` published; FY `first`+1 open: of the sheets with contents, the first a draft
    with odd texts and contents behind, the second submitted, the third approved; the rest
    untouched."""
    user = get_user_model().objects.create_user(f"html-{slug}", last_name="担当")
    published_round(slug, first, user, done=ODD, next_="続ける & 広げる", note="注 <記>")
    round_ = open_round(slug, first + 1, user)
    sheets = [
        (report, filled(report, _odd_actual, done=ODD, next_="次 <も>", note="メモ & 注"))
        for report in round_.reports.order_by("department__order", "pk")
    ]
    with_contents = [(report, data) for report, data in sheets if data.contents]
    for n, (report, data) in enumerate((with_contents or sheets)[:3]):
        for n_key, pos in list(data.contents)[:2]:
            data.contents[(n_key, pos)] = {"status": "遅れ", "note": "遅れた <理由>"}
        report = services.save(report, data, version=report.version, user=user)
        if n >= 1:
            report = services.submit(report, user)
        if n == 2:
            services.approve(report, user)


def _scopes(plan: Plan) -> list[DraftScope]:
    first = (
        Report.objects.filter(round__plan=plan)
        .exclude(status=Report.Status.APPROVED)
        .order_by("department__order")
        .values_list("department_id", flat=True)
        .first()
    )
    scopes = [DraftScope(every=True), APPROVED_ONLY]
    if first is not None:
        scopes.append(DraftScope(departments=frozenset({first})))
    return scopes


MARKS = (
    "unapproved-value",
    "pending-text",
    "withheld",
    "flagged-row",
    "item-report",
    "final ",
    "&lt;b&gt;",
)


def _compare(plan: Plan) -> set[str]:
    """Compare the two on every node of the plan; the kinds of row the plan's pages showed."""
    seen: set[str] = set()
    for node in Node.objects.filter(plan=plan).order_by("seq"):
        for drafts in _scopes(plan):
            years, band_names = item_years(plan, node, drafts, _indicators_of(node))
            context = {"plan": plan, "node": node, "years": years, "band_names": band_names}
            expected = render_to_string("rounds/_item_progress.html", context)
            assert years_html(plan, years, band_names) == expected, (node.key, drafts)
            seen |= {mark for mark in MARKS if mark in expected}
    return seen


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("slug,first", [(ACTION, 2020), (CITY, 2020)])
def test_every_item_of_the_plans_with_figures_prints_as_the_template(slug, first, language):
    _rounds(slug, first)
    plan = Plan.objects.select_related("organization").get(slug=slug)
    with translation.override(language):
        seen = _compare(plan)
    # Every kind of row was compared: drafts' figures and texts, withheld sheets, contents
    # behind, escaped texts (the city's plan sets only its final targets).
    assert {"unapproved-value", "pending-text", "withheld", "&lt;b&gt;"} <= seen, seen
    assert ("flagged-row" in seen) == (slug == ACTION)  # the city's plan has no contents


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_project_of_the_plan_without_figures_prints_as_the_template(language):
    plan = no_figures.load_plan()
    submitted = no_figures.leaves(plan)[0].departments.all()[0].name
    no_figures.make_round(plan, unapproved=(submitted,))
    plan = Plan.objects.select_related("organization").get(pk=plan.pk)
    with translation.override(language):
        seen = _compare(plan)
    assert {"item-report", "withheld", "flagged-row"} <= seen, seen


def test_no_years_prints_what_the_template_prints():
    plan = Plan.objects.get(slug=ACTION)
    assert years_html(plan, [], []) == render_to_string(
        "rounds/_item_progress.html", {"plan": plan, "years": [], "band_names": []}
    )
