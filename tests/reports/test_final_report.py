"""The final evaluation report (最終評価): the page, Excel and an A4 PDF in the 4 levels real plans
print (基本目標, 事業区分, 番号, 事業項目, その後の取組, 評価・課題, 状況)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from shinchoku.plans.models import Plan
from shinchoku.reports.final import HEADERS, NOT_APPROVED
from shinchoku.rounds import final_services
from shinchoku.rounds.models import Round
from tests.conftest import CITY_ORG, login_client
from tests.reports.conftest import pdf_pages

ACTION = "nishitokyo-action-plan-2019"


def _fill(report, user, status="実施済"):
    lines = final_services.final_sheet(report)
    data = {
        ln.node.key: {
            "followup": f"{ln.node.title}は計画期間を通じて実施した",
            "issues": "担い手の高齢化が課題",
            "final_status": status,
        }
        for ln in lines
    }
    final_services.save(report, data, version=report.version, user=user, lines=lines)
    final_services.submit(report, user)


@pytest.fixture
def admin(db):
    return login_client("fr-admin", role="admin")


@pytest.fixture
def final_round(admin) -> Round:
    plan = Plan.objects.get(slug=ACTION)
    round_ = final_services.open_final_round(plan, date(2024, 5, 31), admin.user)
    for report in round_.reports.select_related("department"):
        _fill(report, admin.user, "一部実施" if report.department.name == "総務課" else "実施済")
        if report.department.name != "総務課":
            final_services.approve(report, admin.user)
    return round_


def url(name: str) -> str:
    return reverse(f"reports:{name}", args=[ACTION])


def test_the_page_prints_the_approved_rows_under_their_goals(final_round, admin):
    response = admin.get(url("final"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Ⅰ 事業活動の再構築",
        "(1) 生活困窮者等への自立支援",
        "生活困窮者自立相談支援事業",
    ):
        assert text in page
    for heading in ("事業区分", "番号", "事業項目", "その後の取組", "評価・課題", "状況"):
        assert f">{heading}</th>" in page
    assert "生活困窮者自立相談支援事業は計画期間を通じて実施した" in page
    # 総務課 has not been approved: its texts are not printed yet.
    assert str(NOT_APPROVED) == "（未承認）" and "（未承認）" in page and "一部実施" not in page
    assert response.context["report"].approved is False


def test_every_download_holds_the_rows(final_round, admin):
    for report in final_round.reports.exclude(status="approved"):
        final_services.approve(report, admin.user)
    response = admin.get(url("final_xlsx"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["最終評価"]
    assert [c.value for c in ws[4]] == HEADERS
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    first = next(r for r in rows if r[2] == "1")
    assert first[:4] == [
        "Ⅰ 事業活動の再構築",
        "(1) 生活困窮者等への自立支援",
        "1",
        "生活困窮者自立相談支援事業",
    ]
    assert first[4:8] == [
        "生活困窮者自立相談支援事業は計画期間を通じて実施した",
        "担い手の高齢化が課題",
        "実施済",
        "福祉活動推進課",
    ]
    assert "一部実施" in {r[6] for r in rows}
    assert "未承認" not in (ws["A2"].value or "")


@pytest.mark.django_db
def test_the_pdf_is_a4_with_the_table(final_round, admin):
    """The PDF is laid out by the worker: a progress page, then the download."""
    from shinchoku.jobs.models import ReportJob
    from shinchoku.jobs.runner import run_pending

    start = admin.post(url("final_pdf"))
    assert start.status_code == 302
    job = ReportJob.objects.get(user=admin.user, kind="final")
    assert start["Location"] == reverse("reports:final_pdf_job", args=[ACTION, job.token])
    page = admin.get(start["Location"]).content.decode()
    assert "最終評価報告（PDF）" in page and 'role="status"' in page
    assert run_pending(queues=["reports"]) == 1
    status = admin.get(start["Location"], headers={"HX-Request": "true"}).content.decode()
    file_url = reverse("reports:final_pdf_file", args=[ACTION, job.token])
    assert file_url in status and "hx-get" not in status
    response = admin.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "%E6%9C%80%E7%B5%82%E8%A9%95%E4%BE%A1" in response["Content-Disposition"]  # 最終評価
    assert f'filename="{ACTION}_final.pdf"' in response["Content-Disposition"]
    from shinchoku.audit.models import Action, AuditEvent

    event = AuditEvent.objects.filter(action=Action.DOWNLOAD).latest("created")
    title = job.plan.title
    assert (event.url_name, event.filename) == (
        "reports:final_pdf_file",
        f"{title}_最終評価報告書.pdf",
    )
    assert admin.get(file_url.replace(job.token, "x" + job.token)).status_code == 404
    pages = PdfReader(io.BytesIO(response.content)).pages
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = "".join(pdf_pages(response.content))
    for words in (
        "最終評価",
        "事業区分",
        "評価・課題",
        "生活困窮者自立相談支援事業",
        "担い手の高齢化が課題",
    ):
        assert words in text


def test_who_may_see_it(final_round, admin):
    viewer = login_client("fr-viewer", role="viewer")
    assert viewer.get(url("final")).status_code == 200
    outsider = login_client("fr-city", role="admin", org_slug=CITY_ORG)
    for name in ("final", "final_xlsx"):
        assert outsider.get(url(name)).status_code == 404
    assert outsider.post(url("final_pdf")).status_code == 404
    from django.test import Client

    assert Client().get(url("final")).status_code == 302


def test_without_a_final_round_there_is_no_report(admin):
    assert admin.get(url("final")).status_code == 404
