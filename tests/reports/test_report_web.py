"""The report page, its downloads and who may see them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from shinchoku.jobs.housekeeping import beat
from shinchoku.jobs.models import ReportJob
from shinchoku.jobs.runner import run_pending
from tests.conftest import CITY_ORG, login_client

from .conftest import CITY

pytestmark = pytest.mark.django_db
PAGE = reverse("reports:committee", args=[CITY, 2019])
XLSX = reverse("reports:xlsx", args=[CITY, 2019])
PDF = reverse("reports:pdf", args=[CITY, 2019])


@pytest.fixture
def viewer(db):
    """A committee member: 閲覧 in the city's organization."""
    return login_client("委員", role="viewer", org_slug=CITY_ORG)


@pytest.fixture
def outsider(db):
    """A member of the council, another organization."""
    return login_client("社協職員", role="admin")


def test_the_page_shows_the_report_with_charts_and_downloads(viewer):
    response = viewer.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "第4期西東京市地域福祉計画" in html and "令和元年度(2019年度)" in html
    assert "基本目標１ 一人一人が活躍する地域づくり" in html
    assert "20,135世帯" in html and "94.9%" in html
    assert html.count("<svg") == 15 + 1  # one per indicator, and the bands of every goal
    assert html.count('role="img"') == html.count("<svg")
    assert XLSX in html and PDF in html
    assert "PDFをダウンロード" in html and "Excel(xlsx)をダウンロード" in html  # the app's locale


def test_the_report_speaks_english_when_asked(viewer):
    from django.conf import settings

    viewer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = viewer.get(PAGE).content.decode()
    assert "Download PDF" in html
    assert (
        "Judgements by 基本目標" in html and "Achievement rate" in html
    )  # the report too (issue 15)
    assert "基本目標ごとの判定" not in html and "達成率" not in html


def test_the_workbook_downloads(viewer):
    response = viewer.get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"{CITY}_2019_report.xlsx" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "概要"


def test_the_pdf_is_made_in_the_background_and_its_progress_shown(viewer):
    beat("test-worker:1")  # a worker is running
    response = viewer.post(PDF)
    assert response.status_code == 302
    job_url = response["Location"]
    token = job_url.rstrip("/").rsplit("/", 1)[1]
    page = viewer.get(job_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="status"' in html and "<progress" in html and "hx-get" in html
    assert run_pending(queues=["reports"]) == 1
    status = viewer.get(job_url, headers={"HX-Request": "true"})
    html = status.content.decode()
    assert "hx-get" not in html  # done: polling stops
    file_url = reverse("reports:pdf_file", args=[CITY, 2019, token])
    assert file_url in html
    pdf = viewer.get(file_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Somebody else, even of the same organization, cannot fetch it.
    other = login_client("委員2", role="viewer", org_slug=CITY_ORG)
    assert other.get(file_url).status_code == 404
    assert other.get(job_url).status_code == 404


def test_a_running_job_polls_itself(viewer):
    from django.utils import timezone

    beat("test-worker:1")
    viewer.post(PDF)
    job = ReportJob.objects.get(user=viewer.user)
    ReportJob.objects.filter(pk=job.pk).update(state="running", started=timezone.now())
    url = reverse("reports:pdf_job", args=[CITY, 2019, job.token])
    html = viewer.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-get="' + url in html and "<progress" in html
    assert "ページを組版しています" in html


@pytest.mark.parametrize("url", [PAGE, XLSX])
def test_another_organization_gets_404_like_a_missing_plan(outsider, url):
    assert outsider.get(url).status_code == 404


def test_another_organization_cannot_start_a_pdf(outsider):
    assert outsider.post(PDF).status_code == 404


@pytest.mark.parametrize("url", [PAGE, XLSX, reverse("reports:index", args=[CITY])])
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_year_without_approved_data_says_so_in_japanese(viewer):
    response = viewer.get(reverse("reports:committee", args=[CITY, 2021]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "令和3年度(2021年度)の承認済みの進捗データがありません。" in html
    assert reverse("reports:committee", args=[CITY, 2019]) in html


def test_the_index_goes_to_the_latest_year(viewer):
    response = viewer.get(reverse("reports:index", args=[CITY]))
    assert response.status_code == 302 and response["Location"] == PAGE


def test_the_progress_overview_links_to_the_report(viewer):
    from shinchoku.plans.models import Plan
    from shinchoku.rounds.progress_views import committee_report_url

    assert committee_report_url(Plan.objects.get(slug=CITY), 2019) == PAGE


def test_the_page_reads_a_fixed_number_of_queries(viewer, django_assert_max_num_queries):
    viewer.get(PAGE)  # warm the session and membership caches
    with django_assert_max_num_queries(20):
        assert viewer.get(PAGE).status_code == 200
