"""PDF report jobs run by the worker: one active job per user and report, progress, download,
failure with a retry, a worker killed mid-way (queued again once, then failed), no worker at all.

The jobs are started through the views (Django's test client) and run by run_pending, the
worker's own loop body, on the real database.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shinchoku.jobs.compat import TaskResultStatus
from shinchoku.jobs.housekeeping import beat
from shinchoku.jobs.models import ReportJob, WorkerHeartbeat
from shinchoku.jobs.runner import run_pending
from tests.conftest import CITY_ORG, COUNCIL, login_client
from tests.jobs.helpers import dead_worker_id

from .conftest import CITY

pytestmark = pytest.mark.django_db
PDF = reverse("reports:pdf", args=[CITY, 2019])


@pytest.fixture
def viewer(db):
    beat("test-worker:1")  # a worker has been seen: pages show the bar, not the warning
    return login_client("委員", role="viewer", org_slug=CITY_ORG)


def start(client) -> tuple[ReportJob, str]:
    response = client.post(PDF)
    assert response.status_code == 302
    job = ReportJob.objects.get(token=response["Location"].rstrip("/").rsplit("/", 1)[1])
    return job, response["Location"]


def status(client, url: str) -> str:
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def claim_by_dead_worker(job: ReportJob) -> DBTaskResult:
    """What a worker killed with SIGKILL mid-render leaves: RUNNING, claimed by a dead pid."""
    row = DBTaskResult.objects.get(pk=job.task_id)
    row.claim(dead_worker_id())
    ReportJob.objects.filter(pk=job.pk).update(state="running", started=timezone.now())
    return row


def assert_failed_with_retry(html: str) -> None:
    assert "hx-get" not in html and "<progress" not in html  # polling stops
    assert f'action="{PDF}"' in html and "もう一度PDFを作成する" in html


def test_the_job_keeps_the_html_of_the_request_and_the_worker_makes_the_pdf(viewer):
    job, url = start(viewer)
    assert job.state == "queued" and job.kind == "committee" and job.fy == 2019
    assert job.user == viewer.user and job.user_name == "委員" and job.language == "ja"
    assert "第4期西東京市地域福祉計画" in job.html and job.pdf is None
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert (task.status, task.queue_name) == (TaskResultStatus.READY, "reports")
    html = viewer.get(url).content.decode()
    assert "ほかの資料の作成が終わるのを待っています" in html and "<progress" in html
    assert run_pending(queues=["reports"]) == 1
    job.refresh_from_db()
    assert job.state == "done" and bytes(job.pdf).startswith(b"%PDF")
    assert job.size == len(job.pdf) and job.html == ""
    assert job.started <= job.finished
    html = status(viewer, url)
    assert "PDFができました" in html and job.filename in html
    download = viewer.get(reverse("reports:pdf_file", args=[CITY, 2019, job.token]))
    assert download.status_code == 200 and download.content == bytes(job.pdf)
    assert "attachment" in download["Content-Disposition"]


def test_a_second_click_shows_the_job_already_under_way(viewer):
    first, url = start(viewer)
    second, url2 = start(viewer)
    assert second.pk == first.pk and url2 == url
    assert ReportJob.objects.filter(user=viewer.user).count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="render_report").count() == 1
    # Another user starts their own job for the same report.
    other = login_client("委員2", role="viewer", org_slug=CITY_ORG)
    theirs, _ = start(other)
    assert theirs.pk != first.pk
    # Once done, a click starts a new job.
    run_pending(queues=["reports"])
    third, _ = start(viewer)
    assert third.pk != first.pk


def test_the_database_refuses_a_second_active_job_for_the_same_report(viewer):
    from django.db import IntegrityError, transaction

    job, _ = start(viewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(
            kind=job.kind, plan=job.plan, fy=job.fy, user=job.user, filename="x.pdf"
        )
    final = dict(kind="final", plan=job.plan, fy=None, user=job.user, filename="f.pdf")
    ReportJob.objects.create(**final)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.create(**final)  # no FY: still one active job


def test_a_job_that_fails_says_so_and_the_retry_starts_a_new_one(viewer):
    job, url = start(viewer)
    # HTML that asks for a file outside the app: the layout refuses it and the render fails.
    ReportJob.objects.filter(pk=job.pk).update(
        html='<html><body><img src="file:///etc/hostname"></body></html>'
    )
    run_pending(queues=["reports"])
    job.refresh_from_db()
    assert job.state == "failed" and job.pdf is None
    assert job.message.startswith("PDFを作成できませんでした。もう一度お試しください。")
    assert DBTaskResult.objects.get(pk=job.task_id).status == TaskResultStatus.FAILED
    html = status(viewer, url)
    assert job.message in html
    assert_failed_with_retry(html)
    assert viewer.get(reverse("reports:pdf_file", args=[CITY, 2019, job.token])).status_code == 404
    retry, _ = start(viewer)
    assert retry.pk != job.pk and retry.token != job.token
    run_pending(queues=["reports"])
    retry.refresh_from_db()
    assert retry.state == "done"


def test_a_job_whose_worker_was_killed_runs_again_once_then_fails(viewer):
    job, url = start(viewer)
    row = claim_by_dead_worker(job)
    # Polling the page finds it: back in the queue, attempt counted, the bar still there.
    html = status(viewer, url)
    assert "<progress" in html and "中断" in html
    job.refresh_from_db()
    row.refresh_from_db()
    assert (job.state, job.attempts, row.status) == ("queued", 1, TaskResultStatus.READY)
    # Killed a second time: failed, with the reason and what to do, and a retry button.
    row.claim(dead_worker_id())
    ReportJob.objects.filter(pk=job.pk).update(state="running", started=timezone.now())
    html = status(viewer, url)
    job.refresh_from_db()
    row.refresh_from_db()
    assert (job.state, row.status) == ("failed", TaskResultStatus.FAILED)
    assert "2回中断" in job.message and "管理者" in job.message
    assert job.message in html
    assert_failed_with_retry(html)
    assert run_pending(queues=["reports"]) == 0


def test_a_requeued_job_is_finished_by_the_next_worker(viewer):
    job, url = start(viewer)
    claim_by_dead_worker(job)
    status(viewer, url)  # recovered
    assert run_pending(queues=["reports"]) == 1
    job.refresh_from_db()
    assert job.state == "done" and job.attempts == 1 and job.pdf is not None
    assert "PDFができました" in status(viewer, url)


def test_a_job_running_far_longer_than_expected_is_queued_again(viewer):
    job, url = start(viewer)
    row = DBTaskResult.objects.get(pk=job.task_id)
    row.claim("another-host:4242")  # alive or not, another host's pid is not checked
    ReportJob.objects.filter(pk=job.pk).update(state="running", started=timezone.now())
    assert "<progress" in status(viewer, url)
    assert ReportJob.objects.get(pk=job.pk).state == "running"  # not yet too long
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=301)
    )
    status(viewer, url)
    assert ReportJob.objects.get(pk=job.pk).state == "queued"


def test_without_a_worker_the_page_says_so_in_japanese(viewer):
    WorkerHeartbeat.objects.all().delete()
    _job, url = start(viewer)
    html = status(viewer, url)
    assert "PDFを作成するバックグラウンド処理が動いていない" in html
    assert "管理者に連絡してください" in html and "<progress" not in html
    assert "hx-get" in html  # it keeps asking: the worker may come back
    WorkerHeartbeat.objects.update_or_create(
        worker_id="old:1", defaults={"seen": timezone.now() - timedelta(minutes=3)}
    )
    assert "動いていない" in status(viewer, url)
    beat("test-worker:1")
    assert "<progress" in status(viewer, url)


def test_the_english_interface_stores_the_message_in_english(viewer):
    from django.conf import settings

    viewer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    job, url = start(viewer)
    assert job.language == "en"
    claim_by_dead_worker(job)
    status(viewer, url)
    DBTaskResult.objects.get(pk=job.task_id).claim(dead_worker_id())
    html = status(viewer, url)
    assert "interrupted twice" in ReportJob.objects.get(pk=job.pk).message
    assert "Prepare the PDF again" in html


@pytest.mark.parametrize(
    "role,org,superuser",
    [
        ("admin", CITY_ORG, False),
        ("staff", CITY_ORG, False),
        ("approver", CITY_ORG, False),
        ("viewer", CITY_ORG, False),
        (None, COUNCIL, True),
    ],
)
def test_every_member_role_may_make_the_pdf(role, org, superuser, db):
    client = login_client(f"u-{role}", role=role, org_slug=org, superuser=superuser)
    _job, url = start(client)
    assert client.get(url).status_code == 200


def test_an_outsider_gets_404_for_the_start_the_page_and_the_file(viewer):
    job, url = start(viewer)
    run_pending(queues=["reports"])
    outsider = login_client("社協職員", role="admin", org_slug=COUNCIL)
    assert outsider.post(PDF).status_code == 404
    assert outsider.get(url).status_code == 404
    assert (
        outsider.get(reverse("reports:pdf_file", args=[CITY, 2019, job.token])).status_code == 404
    )
    assert not ReportJob.objects.filter(user=outsider.user).exists()


def test_a_pruned_pdf_asks_to_prepare_it_again(viewer):
    from shinchoku.jobs.housekeeping import prune

    job, url = start(viewer)
    run_pending(queues=["reports"])
    prune(timezone.now() + timedelta(days=2))
    job.refresh_from_db()
    assert job.state == "done" and job.pdf is None
    html = status(viewer, url)
    assert "保存期間" in html or "もう一度" in html
    assert viewer.get(reverse("reports:pdf_file", args=[CITY, 2019, job.token])).status_code == 404


def test_the_expected_time_comes_from_the_last_done_job_of_the_plan(viewer):
    first, _ = start(viewer)
    run_pending(queues=["reports"])
    first.refresh_from_db()
    ReportJob.objects.filter(pk=first.pk).update(content_key="")  # not taken as it is
    second, _ = start(viewer)
    assert second.expected_seconds == pytest.approx(first.run_seconds)


def test_the_bar_is_estimated_from_the_expected_time(viewer):
    job, url = start(viewer)
    ReportJob.objects.filter(pk=job.pk).update(
        state="running", started=timezone.now() - timedelta(seconds=2), expected_seconds=4.0
    )
    html = status(viewer, url)
    value = int(re.search(r'<progress max="100" value="(\d+)"', html).group(1))
    assert 45 <= value <= 60


def test_recent_jobs_link_to_their_pages(viewer):
    from shinchoku.jobs.report_jobs import job_url, recent_jobs

    job, url = start(viewer)
    assert [j.pk for j in recent_jobs(viewer.user)] == [job.pk]
    assert job_url(recent_jobs(viewer.user)[0]) == url


def test_an_unchanged_report_is_laid_out_once_and_every_later_click_gets_that_pdf(viewer):
    first, _url = start(viewer)
    run_pending(queues=["reports"])
    first.refresh_from_db()
    tasks = DBTaskResult.objects.filter(task_path__endswith="render_report").count()
    # Another member's click, nothing changed since: done at once, with the same PDF.
    other = login_client("委員2", role="viewer", org_slug=CITY_ORG)
    theirs, url = start(other)
    assert theirs.pk != first.pk and theirs.user == other.user
    assert theirs.state == "done" and bytes(theirs.pdf) == bytes(first.pdf)
    assert theirs.content_key == first.content_key != ""
    assert DBTaskResult.objects.filter(task_path__endswith="render_report").count() == tasks
    assert "PDFができました" in status(other, url)
    download = other.get(reverse("reports:pdf_file", args=[CITY, 2019, theirs.token]))
    assert download.content == bytes(first.pdf)


def test_a_change_to_the_plan_or_another_language_lays_the_report_out_again(viewer):
    from shinchoku.plans.models import Plan

    first, _url = start(viewer)
    run_pending(queues=["reports"])
    first.refresh_from_db()
    # The English report is another PDF.
    viewer.post(reverse("set_language"), {"language": "en", "next": "/"})
    english, _ = start(viewer)
    assert english.state == "queued" and english.content_key != first.content_key
    run_pending(queues=["reports"])
    viewer.post(reverse("set_language"), {"language": "ja", "next": "/"})
    # A change to the plan (its title is printed on every page) makes the next click render.
    plan = Plan.objects.get(slug=CITY)
    plan.title = plan.title + "（改訂）"
    plan.save()
    again, _ = start(viewer)
    assert again.state == "queued" and again.content_key != first.content_key
    assert run_pending(queues=["reports"]) == 1
    again.refresh_from_db()
    assert again.state == "done" and bytes(again.pdf) != bytes(first.pdf)


def test_a_click_on_an_unchanged_report_builds_no_report(viewer):
    """While the plan's version stays, the report's content key is remembered: the next
    member's click finds the PDF without building the report's HTML again."""
    first = viewer.post(PDF)
    assert "reports/report_pdf.html" in [t.name for t in first.templates]
    run_pending(queues=["reports"])
    other = login_client("委員3", role="viewer", org_slug=CITY_ORG)
    response = other.post(PDF)
    assert response.status_code == 302
    assert "reports/report_pdf.html" not in [t.name for t in response.templates]
    theirs = ReportJob.objects.get(token=response["Location"].rstrip("/").rsplit("/", 1)[1])
    made = ReportJob.objects.get(token=first["Location"].rstrip("/").rsplit("/", 1)[1])
    assert theirs.state == "done" and bytes(theirs.pdf) == bytes(made.pdf)
    # Nothing made yet for the remembered content (the PDF pruned): the click queues the job
    # without building the report either; the worker reads it and lays it out.
    ReportJob.objects.all().delete()
    again = other.post(PDF)
    assert "reports/report_pdf.html" not in [t.name for t in again.templates]
    job = ReportJob.objects.get(token=again["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.state == "queued" and job.html == ""
    assert run_pending(queues=["reports"]) == 1
    job.refresh_from_db()
    assert job.state == "done" and job.content_key == made.content_key
    assert job.filename == made.filename and job.pdf[:5] == b"%PDF-"
    assert "第4期西東京市地域福祉計画" in pdf_text(bytes(job.pdf))


def test_a_job_queued_without_html_takes_a_pdf_of_the_same_content_made_meanwhile(viewer):
    first = viewer.post(PDF)  # builds the HTML (nothing remembered yet), remembers the key
    run_pending(queues=["reports"])
    made = ReportJob.objects.get(token=first["Location"].rstrip("/").rsplit("/", 1)[1])
    other = login_client("委員4", role="viewer", org_slug=CITY_ORG)
    # A member's job queued while no PDF was there (as if made before the first finished).
    made_pdf = bytes(made.pdf)
    ReportJob.objects.filter(pk=made.pk).update(pdf=None, state="failed")
    response = other.post(PDF)
    job = ReportJob.objects.get(token=response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.state == "queued" and job.html == ""
    ReportJob.objects.filter(pk=made.pk).update(pdf=made_pdf, state="done")
    tasks = DBTaskResult.objects.filter(task_path__endswith="render_report").count()
    run_pending(queues=["reports"])
    job.refresh_from_db()
    assert job.state == "done" and bytes(job.pdf) == made_pdf  # not laid out again
    assert DBTaskResult.objects.filter(task_path__endswith="render_report").count() == tasks


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)
