"""「前回の意見への対応」 in the committee report (page and workbook): the report of FY n lists the
opinions recorded for FY n-1 with their status and answers; on the demo action plan (indicators)
and on the fixture council's plan (no indicators)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shinchoku.reports.pdf import report_html
from shinchoku.reports.report import committee_report
from shinchoku.reviews import services
from shinchoku.rounds.models import Round
from tests.conftest import login_client
from tests.public.rounds import ACTION, published_round
from tests.reviews.helpers import DEPT, action_plan, dept, item_of
from tests.rounds import no_figures

pytestmark = pytest.mark.django_db


def life(plan, user, department, fy, node_key=""):
    """Three opinions of FY `fy`: one 対応済 with its answer, one 見送り, one still 未対応."""
    done = services.create_opinion(
        plan, fy, "相談窓口を増やしてほしい", user=user, node_key=node_key, department=department
    )
    done = services.answer(
        done,
        user=user,
        version=done.version,
        policy="出張相談を始める",
        action="月2回の出張相談を開始した",
    )
    services.set_status(done, "done", user=user, version=done.version)
    declined = services.create_opinion(
        plan, fy, "新しい拠点を建ててほしい", user=user, department=department
    )
    services.set_status(
        declined, "declined", user=user, version=declined.version, reason="予算の制約のため"
    )
    services.create_opinion(plan, fy, "まだ答えていない意見", user=user)
    services.create_opinion(plan, fy + 1, "今年度の意見は来年の報告へ", user=user)


def sheet_text(data: bytes, name: str) -> str:
    ws = load_workbook(io.BytesIO(data))[name]
    return "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None)


def test_the_action_plans_report_answers_last_years_opinions():
    admin = login_client("rp-admin", role="admin")
    plan = action_plan()
    life(plan, admin.user, dept(DEPT), 2019, node_key=item_of(plan, dept(DEPT)).key)
    published_round(ACTION, 2020, admin.user)
    page = admin.get(reverse("reports:committee", args=[ACTION, 2020])).content.decode()
    section = page[page.index("前回の意見への対応") :]
    for words in (
        "令和元年度",
        "相談窓口を増やしてほしい",
        "対応済",
        "出張相談を始める",
        "月2回の出張相談を開始した",
        "見送り",
        "予算の制約のため",
        "未対応",
        DEPT,
    ):
        assert words in section, words
    assert "今年度の意見は来年の報告へ" not in page
    html = report_html(committee_report(plan, 2020))  # what the PDF is laid out from
    assert "前回の意見への対応" in html and "月2回の出張相談を開始した" in html
    data = admin.get(reverse("reports:xlsx", args=[ACTION, 2020])).content
    text = sheet_text(data, "前回の意見への対応")
    for words in (
        "令和元年度",
        "相談窓口を増やしてほしい",
        "対応済",
        "月2回の出張相談を開始した",
        "予算の制約のため",
        "見送りの理由",
    ):
        assert words in text, words


def test_the_council_plan_without_indicators_has_the_section_too():
    plan = no_figures.load_plan()
    admin = login_client("rp-midori", role="admin", org_slug=no_figures.ORG)
    team = no_figures.leaves(plan)[0].departments.all()[0]
    life(plan, admin.user, team, 2024)
    round_ = no_figures.make_round(plan)  # the approved FY2024 sheets, read as FY2025's
    Round.objects.filter(pk=round_.pk).update(fy=2025)
    page = admin.get(reverse("reports:committee", args=[plan.slug, 2025])).content.decode()
    section = page[page.index("前回の意見への対応") :]
    assert (
        "令和6年度" in section
        and "月2回の出張相談を開始した" in section
        and "予算の制約のため" in section
    )
    data = admin.get(reverse("reports:xlsx", args=[plan.slug, 2025])).content
    assert "相談窓口を増やしてほしい" in sheet_text(data, "前回の意見への対応")


def test_a_report_without_last_years_opinions_has_no_section():
    plan = no_figures.load_plan()
    admin = login_client("rp-midori2", role="admin", org_slug=no_figures.ORG)
    no_figures.make_round(plan)
    page = admin.get(reverse("reports:committee", args=[plan.slug, 2024])).content.decode()
    assert "前回の意見への対応" not in page
    data = admin.get(reverse("reports:xlsx", args=[plan.slug, 2024])).content
    assert "前回の意見への対応" not in load_workbook(io.BytesIO(data)).sheetnames
