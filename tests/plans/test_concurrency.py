"""Concurrent edits on PostgreSQL: nothing is lost, nothing collides, nobody gets a 500.

Each test lets several real threads post through the test client at the same moment (a barrier)
and checks that exactly one save of a record wins while the others are refused (409) with the
other change, that concurrent adds get distinct keys, and that concurrent opens and creates are
answered with a Japanese message. The tests build their own plan (the demo data is not there in
a transactional test) and close each thread's database connection.

SQLite takes one lock for the whole database at the first write, so these races cannot happen
there; the tests run on PostgreSQL (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import importlib
import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from shinchoku.plans import services as plan_services
from shinchoku.plans.interchange import export_plan, load_documents, validate
from shinchoku.plans.models import ChangeRecord, Indicator, Node, Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import PlanSettings, Report, Round
from tests.conftest import login_client
from tests.factories import plan_doc

ORG = "test-council"
N = 4

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL: SQLite locks the whole database at the first write, so "
        "concurrent saves cannot interleave there (run with DATABASE_URL=postgres://…)",
    ),
]


def race(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..n-1) in n threads released together; each result or the exception raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as e:
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"server errors under concurrency: {errors!r}"
    return results


def statuses(responses: list[Any]) -> list[int]:
    return sorted(r.status_code for r in responses)


@pytest.fixture
def plan() -> Plan:
    # A transactional test empties every table afterwards, the SDG goals of the data migration
    # too: put them back for the plan's items.
    from django.apps import apps

    importlib.import_module("shinchoku.plans.migrations.0002_sdg_goals").add_goals(apps, None)
    (plan,) = load_documents([plan_doc(slug=f"race-{uuid.uuid4().hex[:8]}", org_slug=ORG)])
    return plan


def admins(n: int) -> list:
    return [login_client(f"admin-{i}-{uuid.uuid4().hex[:6]}", role="admin", org_slug=ORG)
            for i in range(n)]  # fmt: skip


def node_post(node: Node, **changes) -> dict:
    data = {
        "label": node.label,
        "title": node.title,
        "subtitle": node.subtitle,
        "departments": [d.pk for d in node.departments.all()],
        "kinds_text": "、".join(nk.kind.name for nk in node.nodekind_set.all()),
        "sdgs": [g.pk for g in node.sdgs.all()],
        "version": node.version,
    }
    data.update(changes)
    return data


def test_concurrent_saves_of_one_node_keep_exactly_one_and_refuse_the_others(plan) -> None:
    clients = admins(N)
    node = Node.objects.get(plan=plan, key="item-1-1")
    url = reverse("plans:edit_node_form", args=[plan.slug, node.key])
    posts = [node_post(node, title=f"題名{i}") for i in range(N)]
    responses = race(N, lambda i: clients[i].post(url, posts[i]))
    assert statuses(responses) == [302] + [409] * (N - 1)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    node.refresh_from_db()
    assert node.title == f"題名{winner}" and node.version == 2
    refused = next(r for r in responses if r.status_code == 409).content.decode()
    assert f"題名{winner}" in refused  # the other change is shown
    changes = ChangeRecord.objects.filter(plan_slug=plan.slug, kind="node", action="change")
    assert changes.count() == 1


def test_concurrent_progress_settings_saves_keep_one_and_record_it(plan) -> None:
    clients = admins(N)
    url = reverse("rounds:settings", args=[plan.slug])

    def save(i: int):
        return clients[i].post(
            url,
            {
                "content_statuses": f"実施{i}\n未実施",
                "evaluation_scale": "A 達成\nB 未達成",
                "band_thresholds": "100 達成",
                "below_band": "未達成",
                "version": 1,
            },
        )

    responses = race(N, save)
    assert statuses(responses) == [302] + [409] * (N - 1)
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    settings_ = PlanSettings.objects.get(plan=plan)
    assert settings_.content_statuses == [f"実施{winner}", "未実施"] and settings_.version == 2
    record = ChangeRecord.objects.get(plan_slug=plan.slug, kind="settings")
    assert f"実施{winner}" in record.after and "予定どおり" in record.before


def _submitted_report(plan: Plan, admin) -> Report:
    round_ = services.open_round(plan, 2025, date(2026, 5, 31), admin.user)
    report = round_.reports.get()
    lines = services.sheet(report)
    data = services.SheetInput()
    for item in lines:
        data.items[item.node.key] = {"done": "実施した", "next": "続ける", "evaluation": "A"}
        for c in item.contents:
            data.contents[(item.node.key, c.position)] = {"status": "予定どおり", "note": ""}
        for ln in item.indicators:
            data.indicators[ln.indicator.key] = {"actual": "5", "note": "", "done": "", "next": ""}
    report = services.save(report, data, version=report.version, user=admin.user, lines=lines)
    return services.submit(report, admin.user)


def test_concurrent_approve_and_return_of_one_sheet_let_exactly_one_through(plan) -> None:
    (admin,) = admins(1)
    report = _submitted_report(plan, admin)
    approvers = [
        login_client(f"chief-{i}", role="approver", org_slug=ORG, departments=("総務課",))
        for i in range(N)
    ]
    fy, dept = report.round.fy, report.department_id
    seen = report.version

    def review(i: int):
        if i % 2:
            url = reverse("rounds:return", args=[plan.slug, fy, dept])
            return approvers[i].post(url, {"version": seen, "comment": f"直して{i}"})
        return approvers[i].post(reverse("rounds:approve", args=[plan.slug, fy, dept]),
                                 {"version": seen})  # fmt: skip

    responses = race(N, review)
    assert statuses(responses) == [302] + [409] * (N - 1)
    report.refresh_from_db()
    assert report.version == seen + 1
    assert report.status in (Report.Status.APPROVED, Report.Status.RETURNED)


def test_concurrent_indicator_adds_get_distinct_keys_and_the_plan_still_exports(plan) -> None:
    clients = admins(N)
    url = reverse("plans:add_object", args=[plan.slug, "indicator"]) + "?node=item-1-1"

    def add(i: int):
        post = {"label": str(i), "name": f"指標{i}", "unit": "人", "direction": "up", "notes": ""}
        return clients[i].post(url, post)

    responses = race(N, add)
    assert statuses(responses) == [302] * N
    keys = list(Indicator.objects.filter(plan=plan).values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    assert Indicator.objects.filter(node__key="item-1-1", name__startswith="指標").count() == N
    assert validate(export_plan(plan)) == []


def test_concurrent_node_adds_under_one_parent_get_distinct_keys(plan) -> None:
    clients = admins(N)
    url = reverse("plans:add_node", args=[plan.slug]) + "?parent=goal-1"
    responses = race(N, lambda i: clients[i].post(url, {"label": str(i), "title": f"事業{i}"}))
    assert statuses(responses) == [302] * N
    added = Node.objects.filter(plan=plan, title__startswith="事業", parent__key="goal-1")
    assert added.filter(title__in=[f"事業{i}" for i in range(N)]).count() == N
    keys = list(Node.objects.filter(plan=plan).values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    orders = list(added.values_list("order", flat=True))
    assert len(orders) == len(set(orders))


def test_concurrent_opens_of_one_round_give_one_round_and_messages(plan) -> None:
    clients = admins(N)
    url = reverse("rounds:list", args=[plan.slug])
    post = {"fy": "2025", "deadline": "2026-05-31"}
    responses = race(N, lambda i: clients[i].post(url, post))
    assert statuses(responses) == [302] + [422] * (N - 1)
    assert Round.objects.filter(plan=plan, fy=2025).count() == 1
    for r in responses:
        if r.status_code == 422:
            text = r.content.decode()
            assert "令和7年度" in text and ("既に" in text or "同時に" in text)


def test_concurrent_creates_of_one_slug_give_one_plan_and_messages(plan) -> None:
    clients = admins(N)
    slug = f"same-{uuid.uuid4().hex[:6]}"
    post = {
        "slug": slug,
        "title": "同じ計画",
        "kind": "other",
        "first_fy": 2024,
        "last_fy": 2029,
        "philosophy": "",
        "level_names_text": "基本目標\n事業",
    }
    responses = race(N, lambda i: clients[i].post(reverse("plans:create"), post))
    assert statuses(responses) == [200] * (N - 1) + [302]
    assert Plan.objects.filter(slug=slug).count() == 1
    for r in responses:
        if r.status_code == 200:
            # Either our check or the form's own uniqueness check names the slug field.
            assert r.context["form"].errors["slug"]


def test_a_node_edit_and_a_workbook_confirm_do_not_deadlock(plan) -> None:
    (admin,) = admins(1)
    for attempt in range(3):
        node = Node.objects.get(plan=plan, key="item-1-1")
        doc = export_plan(plan)
        doc["plan"]["title"] = f"読み込み{attempt}"
        prepared = plan_services.prepare(doc, plan.organization)
        url = reverse("plans:edit_node_form", args=[plan.slug, node.key])
        post = node_post(node, title=f"編集{attempt}")

        def work(i: int, url=url, post=post, prepared=prepared):
            if i == 0:
                return admin.post(url, post)
            return plan_services.apply(prepared, user=admin.user, source="workbook")

        edit, loaded = race(2, work)
        # The load and the edit wait for each other on the plan's row: the edit is either
        # saved, or refused with a message because the load changed or replaced the node.
        assert edit.status_code in (302, 409)
        assert loaded.title == f"読み込み{attempt}"
        plan = Plan.objects.get(slug=plan.slug)
