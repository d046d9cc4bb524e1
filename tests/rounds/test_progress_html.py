"""The progress view's body and the dashboard's board print what their old templates printed.

Their repeated rows are written in Python (rounds.progress_html, issue 16). The templates as
they were before (_overview_body.html, _no_figures.html, _dashboard_board.html rebuilt from
today's files and the old loops, tests/rounds/oracle_templates/hunks.txt; the partials only
they included, _indicator_rows.html, _project_rows.html, _bar.html, in
tests/rounds/oracle_templates; with the app's _status.html, _withheld.html, _band.html) are
rendered here on the same context and compared byte for byte, on both plan shapes (the demo
action and city plans with indicators, the fixture council's plan without), in both
languages, for a reader who sees the drafts and one who does not, with the cases the demo
lacks: names with HTML characters, an indicator where lower is better, sheets overdue, final
targets at risk.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.template.backends.django import DjangoTemplates
from django.test import RequestFactory
from django.utils import translation

from shinchoku.accounts.permissions import APPROVED_ONLY, DraftScope
from shinchoku.plans.models import Indicator, Node, Plan
from shinchoku.rounds.models import Round
from shinchoku.rounds.progress_views import (
    DeptStatus,
    PlanBoard,
    board_context,
    overview_body_context,
)
from tests.conftest import CITY_ORG, login_client
from tests.evaluations.scene import actuals
from tests.rounds import no_figures
from tests.rounds.test_progress_views import ACTION, CITY, action_round, city_round  # noqa: F401
from tests.template_oracle import APP, engine, old_text, read_hunks

pytestmark = pytest.mark.django_db

ORACLE_DIR = Path(__file__).resolve().parent / "oracle_templates"
EVERY = DraftScope(every=True)
BODY = "rounds/progress/_overview_body.html"
BOARD = "rounds/progress/_dashboard_board.html"


def oracle() -> DjangoTemplates:
    """The project's template engine with the old templates in front of the app's: the three
    rebuilt from today's files (tests/template_oracle.py), the partials only they included."""
    hunks = read_hunks(ORACLE_DIR / "hunks.txt")
    old = {name: old_text(APP / "rounds" / "templates" / name, h) for name, h in hunks.items()}
    return engine(old, [ORACLE_DIR])


def same_ids(html: str) -> str:
    """The charts number their SVG ids from a counter: compare them without the numbers."""
    return re.sub(r"\bsc\d+-", "sc-", html)


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def bodies(plan: Plan, fy: int, drafts: DraftScope, request) -> list[tuple[str, str]]:
    """(old template's, new) progress view body of the plan's FY, with and without the charts
    (without: a bar per goal in the table instead)."""
    from django.template.loader import render_to_string

    pairs = []
    for charts in (True, False):
        old_context = {**overview_body_context(plan, fy, drafts), "charts": charts}
        new_context = {**overview_body_context(plan, fy, drafts), "charts": charts}
        old = oracle().get_template(BODY).render(old_context, request)
        new = render_to_string(BODY, new_context, request=request)
        pairs.append((same_ids(old), same_ids(new)))
    return pairs


def boards(plan: Plan, fy: int, drafts: DraftScope, request) -> tuple[str, str]:
    """(old template's, new) dashboard board of the plan's round of the FY, every other sheet
    overdue."""
    from django.template.loader import render_to_string

    round_ = Round.objects.get(plan=plan, fy=fy, kind=Round.Kind.YEARLY)
    round_.plan = plan
    printed = []
    for template in (oracle().get_template(BOARD), None):
        board = PlanBoard(plan, round_, [round_], [], -3, drafts)
        board.departments = [DeptStatus(r, i % 2 == 0) for i, r in enumerate(board.pp.reports)]
        context = board_context(board)
        if template is None:
            printed.append(render_to_string(BOARD, context, request=request))
        else:
            printed.append(template.render(context, request))
    return printed[0], printed[1]


def unkind_names(plan: Plan) -> None:
    """Names with HTML characters, and an indicator where lower is better."""
    first = Indicator.objects.filter(plan=plan).order_by("pk").first()
    Indicator.objects.filter(pk=first.pk).update(name="割合 <&> \"'", direction="down")
    node = Node.objects.filter(plan=plan, level=1).order_by("seq").first()
    Node.objects.filter(pk=node.pk).update(title="目標 <b>&</b>")


def compare(plan: Plan, fys: list[int], request, *, with_boards: bool = True) -> str:
    printed = []
    for language in ("ja", "en"):
        with translation.override(language):
            for fy in fys:
                for drafts in (EVERY, APPROVED_ONLY):
                    pairs = bodies(plan, fy, drafts, request)
                    if with_boards and Round.objects.filter(plan=plan, fy=fy).exists():
                        pairs.append(boards(plan, fy, drafts, request))
                    for old, new in pairs:
                        assert new == old, (plan.slug, fy, language, drafts)
                        printed.append(old)
    return "".join(printed)


def test_the_action_plan_prints_as_the_templates_printed_it(action_round):  # noqa: F811
    plan = Plan.objects.select_related("organization").get(slug=ACTION)
    unkind_names(plan)
    actuals(plan)  # FY2021 and FY2022: forecasts, some final targets at risk
    admin = login_client("action-admin", role="admin").user
    every = compare(plan, [2020, 2022, 2019], request_as(admin))
    for case in (
        "table-frame-long",
        "tag-down",
        "割合 &lt;&amp;&gt; &quot;&#x27;",
        "目標 &lt;b&gt;&amp;&lt;/b&gt;",
        'class="flagged-row"',
        "status flagged",
        'class="unapproved"',
        'class="withheld"',
        'class="data at-risk"',
        'class="bar"',
        'role="img"',
        "depth-2",
    ):
        assert case in every, case


def test_the_city_plan_prints_as_the_templates_printed_it(city_round):  # noqa: F811
    plan = Plan.objects.select_related("organization").get(slug=CITY)
    admin = login_client("city-admin", role="admin", org_slug=CITY_ORG).user
    every = compare(plan, [2019, 2020], request_as(admin))
    assert "progress-table" in every


def test_a_plan_without_indicators_prints_as_the_templates_printed_it():
    plan = no_figures.load_plan()
    no_figures.make_round(plan, unapproved=("総務係",))
    round_ = Round.objects.get(plan=plan, fy=no_figures.FY)
    round_.deadline = round_.deadline - timedelta(days=3)
    round_.save()
    admin = login_client("midori-admin", role="admin", org_slug=no_figures.ORG).user
    every = compare(plan, [no_figures.FY, no_figures.FY + 1], request_as(admin))
    for case in (
        "projects-table",
        'rowspan="',
        'class="withheld"',
        'class="unapproved"',
        "status flagged",
        "evaluations-table",
        "c-contents",
    ):
        assert case in every, case
