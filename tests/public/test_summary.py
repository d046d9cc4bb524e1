"""The one-page summary of a published year, for citizens: a public page and an A4 PDF.

On the demo action plan (indicators, the A 達成 … scale) with FY2019 published, and on the
fixture council's plan (no indicators, the A 計画どおり実施 … scale) with FY2024 published.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from pypdf import PdfReader

from shinchoku.plans.models import Node, Plan
from shinchoku.public.summary import year_summary
from shinchoku.public.summary_pdf import summary_pdf
from shinchoku.reviews.models import Opinion
from shinchoku.rounds import services
from shinchoku.rounds.models import ItemEntry, Round
from tests.public.rounds import ACTION, CITY, approve, filled, open_round
from tests.rounds import no_figures

PREVIEW = Path("/tmp/summary-preview")  # noqa: S108 - PDFs for a person to look at
GRADES = "ABCD"


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def pages(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF-")
    return len(PdfReader(io.BytesIO(pdf)).pages)


def keep(name: str, pdf: bytes) -> None:
    PREVIEW.mkdir(exist_ok=True)
    (PREVIEW / name).write_bytes(pdf)


def done_of(key: str) -> str:
    return f"{key}の取組として、地域の関係機関と連携し、相談会を年4回開催した。"


def action_round(user, done=done_of) -> Round:
    """FY2019 of the action plan: every sheet approved with A, B, C, D in turn, then published."""
    round_ = open_round(ACTION, 2019, user)
    turn = 0
    for report in round_.reports.all().order_by("department__order"):
        data = filled(report)
        for key, item in data.items.items():
            item["evaluation"] = GRADES[turn % 4]
            item["done"] = done(key)
            turn += 1
        approve(report, user, data)
    services.close_round(round_, user)
    services.publish_round(round_, user)
    return round_


def opinion(plan: Plan, fy: int, number: int, **fields) -> Opinion:
    fields.setdefault("text", f"意見{number}")
    return Opinion.objects.create(plan=plan, fy=fy, number=number, **fields)


@pytest.fixture
def action(staff):
    round_ = action_round(staff)
    plan = round_.plan
    item = ItemEntry.objects.filter(report__round=round_).first()
    opinion(
        plan,
        2019,
        1,
        text="見守り活動の担い手を増やす工夫を",
        node_key=item.node_key,
        status=Opinion.Status.DONE,
        policy="養成講座を増やす",
        action="養成講座を年2回に増やした",
        public=True,
    )
    opinion(plan, 2019, 2, text="内部でのみ扱う意見", public=False)
    opinion(plan, 2018, 1, text="前年度の公開意見", public=True)
    opinion(
        plan,
        2019,
        3,
        text="<script>alert(1)</script>広報の工夫を",
        status=Opinion.Status.DECLINED,
        reason="予算の都合で見送る",
        public=True,
    )
    return round_


@pytest.fixture
def council(db):
    plan = no_figures.load_plan()
    no_figures.make_round(plan)
    return plan


# --------------------------------------------------------------------------- the action plan


def test_the_action_plan_summary_counts_items_per_goal_and_grade(action):
    s = year_summary(action.plan, 2019)
    entries = ItemEntry.objects.filter(report__round=action)
    nodes = {n.key: n for n in Node.objects.filter(plan=action.plan)}
    goal_ids = [n.id for n in nodes.values() if n.parent_id is None]
    assert len(s.goals) == len(goal_ids)
    by_id = {n.id: n for n in nodes.values()}

    def goal(key):
        n = nodes[key]
        while n.parent_id:
            n = by_id[n.parent_id]
        return f"{n.label} {n.title}".strip()

    expected = Counter((goal(e.node_key), e.evaluation) for e in entries)
    for g in s.goals:
        for code, _label, n, _cls in g.grades:
            assert n == expected.get((g.name, code), 0), (g.name, code)
        assert g.graded == sum(v for (name, _c), v in expected.items() if name == g.name)
    assert [label for _c, label, _n, _cls in s.goals[0].grades][:4] == [
        "A 達成",
        "B 概ね達成",
        "C 未達成",
        "D 未着手",
    ]
    # Indicators: the action plan has them; every actual is 1 of its unit.
    assert s.has_indicators
    assert sum(g.indicators for g in s.goals) > 0
    assert all(0 <= g.reached <= g.indicators for g in s.goals)


def test_main_achievements_are_well_graded_items_spread_over_goals(action):
    s = year_summary(action.plan, 2019)
    assert s.achievements
    assert {a.grade for a in s.achievements} <= {"A 達成", "B 概ね達成"}
    # A first: every A-graded achievement comes before any B one.
    grades = [a.grade for a in s.achievements]
    assert grades == sorted(grades)
    firsts = [a.goal for a in s.achievements[: len({a.goal for a in s.achievements})]]
    assert len(set(firsts)) == len(firsts)  # one per goal before a second one


def test_only_public_opinions_of_the_year_are_shown_with_their_answers(action):
    s = year_summary(action.plan, 2019)
    assert [o.number for o in s.opinions] == [1, 3]
    first = s.opinions[0]
    assert first.answer == "養成講座を年2回に増やした"
    assert first.closed and first.concerns
    assert s.opinions[1].answer == "予算の都合で見送る"


def test_the_page_shows_the_summary_escaped_and_without_private_opinions(action):
    response = Client().get(f"/public/{ACTION}/2019/summary/")
    html = response.content.decode()
    text = text_of(response)
    assert action.plan.title in text
    assert "令和元年度(2019年度)" in text
    assert action.plan.organization.name in text
    assert "養成講座を年2回に増やした" in text
    assert "内部でのみ扱う意見" not in text
    assert "前年度の公開意見" not in text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'role="img"' in html  # the chart
    assert f"/public/{ACTION}/?fy=2019" in html  # where the full report is
    assert f"/public/{ACTION}/2019/summary.pdf" in html


def test_the_action_plan_pdf_is_one_a4_portrait_page(action):
    response = Client().get(f"/public/{ACTION}/2019/summary.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    keep("action-plan-2019.pdf", pdf)
    assert pages(pdf) == 1
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210
    assert round(float(box.height) / 72 * 25.4) == 297
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "令和元年度" in text


def test_the_pdf_stays_one_page_when_everything_is_long(staff):
    long_text = "地域の見守り活動を広げるため、関係機関と連携して相談会を開催した。" * 12
    round_ = action_round(staff, done=lambda key: long_text)
    for n in range(1, 13):
        opinion(
            round_.plan,
            2019,
            n,
            text="委員会からの意見として、担い手の確保に一層取り組むことを求める。" * 8,
            status=Opinion.Status.IN_PROGRESS,
            policy="次年度に向けて検討する。" * 10,
            public=True,
        )
    s = year_summary(round_.plan, 2019)
    pdf = summary_pdf(s, "https://example.org/public/x/?fy=2019", date(2026, 12, 3))
    keep("action-plan-2019-long.pdf", pdf)
    assert pages(pdf) == 1


def test_the_city_plan_with_its_many_indicators_is_one_page_too(city_round):
    response = Client().get(f"/public/{CITY}/{city_round.fy}/summary.pdf")
    keep("city-plan.pdf", response.content)
    assert pages(response.content) == 1


# --------------------------------------------------------------------------- the council plan


def test_the_council_plan_summary_uses_the_no_numbers_scale(council):
    s = year_summary(council, no_figures.FY)
    assert not s.has_indicators
    labels = [label for _c, label, _n, _cls in s.goals[0].grades]
    assert labels[:4] == ["A 計画どおり実施", "B 概ね実施", "C 一部実施", "D 未実施"]
    leaves = no_figures.leaves(council)
    assert sum(g.graded for g in s.goals) == len(leaves)
    wanted = Counter(no_figures.evaluation_of(i) for i in range(len(leaves)))
    for code in "ABCD":
        got = sum(n for g in s.goals for c, _l, n, _cls in g.grades if c == code)
        assert got == wanted[code], code
    assert {a.grade for a in s.achievements} <= {"A 計画どおり実施", "B 概ね実施"}
    assert s.achievements and all(a.text.endswith("の取組を実施した") for a in s.achievements)


def test_the_council_page_has_no_indicator_column_and_its_pdf_is_one_page(council):
    url = f"/public/{no_figures.SLUG}/{no_figures.FY}/"
    text = text_of(Client().get(url + "summary/"))
    assert "計画どおり実施" in text
    assert "指標の達成" not in text
    response = Client().get(url + "summary.pdf")
    keep("council-2024.pdf", response.content)
    assert pages(response.content) == 1


def test_a_goal_without_reports_is_drawn_as_no_report(db):
    plan = no_figures.load_plan()
    round_ = no_figures.make_round(plan)
    first_goal = Node.objects.filter(plan=plan, parent=None).order_by("seq").first()
    below = [n.key for n in Node.objects.filter(plan=plan) if _under(n, first_goal)]
    ItemEntry.objects.filter(report__round=round_, node_key__in=below).delete()
    s = year_summary(plan, no_figures.FY)
    assert s.goals[0].graded == 0
    assert "報告なし" in s.chart()
    assert "指標なし" not in s.chart()
    # The public plan page draws it the same way.
    page = Client().get(f"/public/{no_figures.SLUG}/").content.decode()
    assert "報告なし" in page and "指標なし" not in page


def _under(node: Node, goal: Node) -> bool:
    while node.parent_id:
        node = node.parent
    return node.id == goal.id


# --------------------------------------------------------------------------- links and 404


def test_the_plan_page_links_to_the_summary_of_the_year(action):
    html = Client().get(f"/public/{ACTION}/?fy=2019").content.decode()
    assert f"/public/{ACTION}/2019/summary/" in html
    assert f"/public/{ACTION}/2019/summary.pdf" in html


@pytest.mark.parametrize("suffix", ["summary/", "summary.pdf"])
def test_unknown_plans_and_years_are_404(action, suffix):
    client = Client()
    assert client.get(f"/public/{ACTION}/2020/{suffix}").status_code == 404
    assert client.get(f"/public/{ACTION}/1999/{suffix}").status_code == 404
    assert client.get(f"/public/no-such-plan/2019/{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["summary/", "summary.pdf"])
def test_a_round_closed_but_not_published_is_404(staff, suffix):
    round_ = action_round(staff)
    services.unpublish_round(round_, staff)
    assert Client().get(f"/public/{ACTION}/2019/{suffix}").status_code == 404


def test_draft_external_and_final_rounds_have_no_summary(action):
    plan = action.plan
    client = Client()
    url = f"/public/{ACTION}/2019/summary/"
    Plan.objects.filter(id=plan.id).update(status=Plan.Status.DRAFT)
    assert client.get(url).status_code == 404
    Plan.objects.filter(id=plan.id).update(status=Plan.Status.ACTIVE, owner_name="西東京市")
    assert client.get(url).status_code == 404
    Plan.objects.filter(id=plan.id).update(owner_name="")
    assert client.get(url).status_code == 200
    Round.objects.filter(id=action.id).update(kind=Round.Kind.FINAL)
    assert client.get(url).status_code == 404
    assert client.get(f"/public/{ACTION}/2019/summary.pdf").status_code == 404


def test_the_page_needs_no_login_and_its_queries_do_not_grow(action, django_assert_max_num_queries):
    client = Client()
    client.get(f"/public/{ACTION}/2019/summary/")
    with django_assert_max_num_queries(15):
        assert client.get(f"/public/{ACTION}/2019/summary/").status_code == 200
    for n in range(10, 30):
        opinion(action.plan, 2019, n, text=f"追加の意見{n}", node_key="", public=True)
    with django_assert_max_num_queries(15):
        assert client.get(f"/public/{ACTION}/2019/summary/").status_code == 200
