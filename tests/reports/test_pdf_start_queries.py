"""Issue 16: a member's click on 「PDFを作成」 reads in a fixed number of queries (≤ 12).

Once the report's content key is remembered for the plan's version (the first click, or any
click after a change, builds the report once), a click queues the job without reading the
report: the worker reads it (jobs.tasks.render_report).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinchoku.jobs.models import ReportJob
from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, rounds_rolled_back, sized

# Session and user; the plan and the member's access; the plan's version (the memo's key); the
# member's active job; a PDF of the same content; the expected time; the job, its task and the
# task's id on the job, in a savepoint (two queries in a test's transaction, none in autocommit).
PDF_START = 12


@pytest.fixture(scope="module")
def approved(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round, every sheet approved (rolled back after the module)."""
    with rounds_rolled_back(django_db_blocker, "pdf-start-runner"):
        yield


@pytest.fixture(params=SIZES)
def plan(request, approved, db):
    return sized(request.param)


def test_a_click_with_no_pdf_yet_queues_the_job_in_a_fixed_number_of_queries(
    plan, django_assert_num_queries
):
    client = login_client("pdf-reader", superuser=True)
    url = reverse("reports:pdf", args=[ACTION, 2020])
    assert client.post(url).status_code == 302  # remembers the report's content key
    ReportJob.objects.all().delete()
    with django_assert_num_queries(PDF_START):
        assert client.post(url).status_code == 302
    job = ReportJob.objects.get()
    assert job.state == "queued" and job.html == "" and job.content_key.startswith("sha256:")
