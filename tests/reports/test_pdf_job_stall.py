"""A PDF job whose process died, or that runs far too long, fails with a retry; no endless poll."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from shinchoku.reports import jobs
from tests.conftest import CITY_ORG, login_client

from .conftest import CITY

pytestmark = pytest.mark.django_db
PDF = reverse("reports:pdf", args=[CITY, 2019])


@pytest.fixture
def viewer(db):
    return login_client("委員", role="viewer", org_slug=CITY_ORG)


def dead_pid() -> int:
    """The id of a process that was killed with SIGKILL mid-way."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.pid


def status_of(client, job: jobs.Job) -> str:
    url = reverse("reports:pdf_job", args=[CITY, 2019, job.token])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def assert_failed_with_retry(html: str) -> None:
    assert "PDFの作成が途中で止まりました。" in html
    assert "PDFを作成できませんでした。もう一度お試しください。" in html
    assert "hx-get" not in html and "<progress" not in html  # polling stops
    assert f'action="{PDF}"' in html and "もう一度PDFを作成する" in html


def test_a_job_whose_process_was_killed_fails_with_a_retry_button(viewer):
    job = jobs.Job(token="tok-killed", user_id=viewer.user.pk, slug=CITY, fy=2019, filename="x")
    job.state, job.started, job.pid = "rendering", time.time() - 3, dead_pid()
    job.save()
    assert_failed_with_retry(status_of(viewer, job))
    stored = jobs.load(job.token)
    assert (stored.state, stored.reason) == ("failed", "stalled")


def test_a_job_running_far_longer_than_expected_fails_with_a_retry_button(viewer):
    job = jobs.Job(token="tok-hung", user_id=viewer.user.pk, slug=CITY, fy=2019, filename="x")
    job.state, job.expected = "rendering", 4.0
    job.started = time.time() - jobs.STALL_SECONDS - 1
    job.save()
    assert_failed_with_retry(status_of(viewer, job))


def test_a_queued_job_of_a_live_process_keeps_polling(viewer):
    job = jobs.Job(token="tok-queued", user_id=viewer.user.pk, slug=CITY, fy=2019, filename="x")
    job.started = time.time() - 30
    job.save()
    html = status_of(viewer, job)
    assert "hx-get" in html and "<progress" in html
    assert jobs.load(job.token).state == "queued"


def test_the_retry_button_starts_a_new_job(viewer):
    job = jobs.Job(token="tok-retry", user_id=viewer.user.pk, slug=CITY, fy=2019, filename="x")
    job.state, job.pid = "rendering", dead_pid()
    job.save()
    assert_failed_with_retry(status_of(viewer, job))
    response = viewer.post(PDF)
    assert response.status_code == 302
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert token != job.token
    jobs.wait(token)
    assert jobs.load(token).state == "done"
