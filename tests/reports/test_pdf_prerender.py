"""The committee report's PDF made before a member asks (issue 16): a change the report prints
queues one pre-render (a job without a user) after the commit; the worker lays it out; a
member's click then finds that PDF by its content and is done at once, with no layout."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shinchoku.jobs import prerender
from shinchoku.jobs.housekeeping import beat
from shinchoku.jobs.models import ReportJob
from shinchoku.jobs.runner import run_pending
from shinchoku.plans.models import Plan
from shinchoku.reports.pdf import report_html_and_key
from shinchoku.reports.report import committee_report
from shinchoku.rounds import services
from tests.conftest import CITY_ORG, COUNCIL, login_client

from .conftest import ACTION, CITY, fill

pytestmark = pytest.mark.django_db


def due_now() -> None:
    """Bring the pre-renders' tasks forward (they wait `prerender.DELAY` to gather changes)."""
    DBTaskResult.objects.filter(task_path__endswith="prerender_report").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def renders() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="render_report").count()


def test_the_content_key_ignores_the_time_it_was_made_and_sees_every_change():
    plan = Plan.objects.get(slug=CITY)
    now = timezone.now()
    first = report_html_and_key(committee_report(plan, 2019, now=now))
    later = report_html_and_key(committee_report(plan, 2019, now=now + timedelta(hours=3)))
    assert first[0] != later[0] and first[1] == later[1]  # another time, the same content
    plan.title += "（改訂）"
    plan.save()
    changed = report_html_and_key(committee_report(plan, 2019, now=now))
    assert changed[1] != first[1]


def test_a_prerender_is_laid_out_and_a_members_click_takes_it_at_once():
    beat("test-worker:1")
    plan = Plan.objects.get(slug=CITY)
    job = prerender.queue_committee(plan.pk, 2019)
    assert job is not None and job.user is None and job.state == "queued"
    assert prerender.queue_committee(plan.pk, 2019) is None  # one waits at a time
    assert run_pending(queues=["reports"]) == 0  # it waits DELAY for more changes
    due_now()
    assert run_pending(queues=["reports"]) == 1
    job.refresh_from_db()
    assert job.state == "done" and bytes(job.pdf).startswith(b"%PDF")
    assert job.content_key.startswith("sha256:") and job.html == ""
    # A member clicks: done at once with that PDF, no layout queued.
    before = renders()
    viewer = login_client("委員", role="viewer", org_slug=CITY_ORG)
    response = viewer.post(reverse("reports:pdf", args=[CITY, 2019]))
    # The pre-render remembered the report's content key: the click does not read the report.
    assert "reports/report_pdf.html" not in [t.name for t in response.templates]
    mine = ReportJob.objects.get(user=viewer.user)
    assert response["Location"].endswith(f"/{mine.token}/")
    assert mine.state == "done" and bytes(mine.pdf) == bytes(job.pdf)
    assert renders() == before
    # Nothing changed since: the next pre-render finds that PDF and removes itself.
    again = prerender.queue_committee(plan.pk, 2019)
    due_now()
    assert run_pending(queues=["reports"]) == 1
    assert not ReportJob.objects.filter(pk=again.pk).exists()


def test_a_change_after_the_prerender_is_laid_out_again_on_click():
    plan = Plan.objects.get(slug=CITY)
    prerender.queue_committee(plan.pk, 2019)
    due_now()
    run_pending(queues=["reports"])
    plan.title += "（改訂）"
    plan.save()
    viewer = login_client("委員", role="viewer", org_slug=CITY_ORG)
    viewer.post(reverse("reports:pdf", args=[CITY, 2019]))
    mine = ReportJob.objects.get(user=viewer.user)
    assert mine.state == "queued"  # the pre-rendered PDF shows the old title


def test_approving_a_sheet_queues_one_prerender_after_the_commit(
    django_capture_on_commit_callbacks,
):
    make = get_user_model().objects.create_user
    staff, chief = make("担当", last_name="担当"), make("課長", last_name="課長")
    plan = Plan.objects.get(slug=ACTION)
    round_ = services.open_round(plan, 2020, date(2021, 5, 31), staff)
    reports = list(round_.reports.all()[:2])
    for report in reports:
        report = services.save(
            report,
            fill(report, lambda line: f"1{line.indicator.unit}"),
            version=report.version,
            user=staff,
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.approve(services.submit(report, staff), chief)
    # Two approvals, one pre-render waiting (it reads the report when it runs).
    waiting = ReportJob.objects.filter(plan=plan, fy=2020, user__isnull=True)
    assert [j.state for j in waiting] == ["queued"]
    task = DBTaskResult.objects.get(pk=waiting[0].task_id)
    assert task.task_path.endswith("prerender_report") and task.run_after > timezone.now()


def test_a_prerender_of_a_year_without_a_report_removes_itself():
    plan = Plan.objects.get(slug=CITY)
    job = prerender.queue_committee(plan.pk, 2031)
    due_now()
    assert run_pending(queues=["reports"]) == 1
    assert not ReportJob.objects.filter(pk=job.pk).exists()


def test_prerenders_are_nobodys_and_listed_to_nobody():
    from shinchoku.jobs.report_jobs import recent_jobs

    plan = Plan.objects.get(slug=ACTION)
    prerender.queue_committee(plan.pk, 2019)
    admin = login_client("管理", role="admin", org_slug=COUNCIL)
    assert recent_jobs(admin.user) == []


def test_the_newest_prerender_of_a_report_keeps_its_pdf_past_a_day():
    from shinchoku.jobs.housekeeping import prune

    plan = Plan.objects.get(slug=CITY)
    now = timezone.now()

    def done(days: float, **fields) -> ReportJob:
        at = now - timedelta(days=days)
        return ReportJob.objects.create(
            kind="committee", plan=plan, fy=2019, filename="x.pdf", state="done",
            started=at, finished=at, pdf=b"%PDF-", size=5, **fields,
        )  # fmt: skip

    newest, older = done(3), done(5)
    members = done(3, user=get_user_model().objects.create_user("委員"))
    prune(now)
    kept = {j.pk: j.pdf is not None for j in ReportJob.objects.all()}
    assert kept == {newest.pk: True, older.pk: False, members.pk: False}
