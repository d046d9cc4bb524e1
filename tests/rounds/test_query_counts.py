"""Issue 16: the sheet, its draft save and the progress view read in a fixed number of queries.

The draft save the browser sends while typing carries only the changed fields (partial=1): it
reads only their rows, raises the sheet's version in the same statement that checks it, and
writes one statement per changed row.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shinchoku.plans.models import Plan
from shinchoku.rounds import services
from shinchoku.rounds.models import IndicatorEntry, ItemEntry, Report
from tests.conftest import login_client
from tests.query_counts import ACTION, SIZES, item_of, rounds_rolled_back, sheet_of, sized

SHEET = 10  # last year's approved entries are read with the sheet's own (rounds/lastyear.py);
# the nodes with their 担当課, each content with its phases for the FY, each indicator with its
# values and last year's ProgressNote (one query each). A 部署担当 (not a superuser, as here)
# adds none: the ids of their membership's departments come with the user (accounts.backends).
# In a test the save's transaction is a savepoint: SAVEPOINT and RELEASE (BEGIN when served).
# The save names the sheet's plan, so its cache version (plans/cache_version.py) is raised
# without looking the plan up: one UPDATE per save (here already raised in the test's
# transaction by the first save, so not repeated).
DRAFT_SAVE = 11  # a save of indicator fields reads no content (SheetKeys.contents)
# The progress view and the dashboard keep what they render from the plan's data in the cache
# under its version (rounds/page_cache.py): a second request reads the plan with its version
# (the dashboard: the plans with theirs, and the rounds).
PROGRESS = 3
DASHBOARD = 4
# Not yet kept (the first request after a change): plan_progress reads in one query (the
# settings, the nodes with their departments, the indicators with their notes and values, the
# round with its sheets, their content and item entries: plans/rows.py); the early warning
# forecasts from what it read. The progress view adds its FY picker; the dashboard its plans,
# rounds and FYs with data (two), and each board's sheets come with its progress.
PROGRESS_MADE = 5
DASHBOARD_MADE = 7


@pytest.fixture(scope="module")
def rounds(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round approved and published, and its FY2021 round open."""
    with rounds_rolled_back(django_db_blocker, "round-runner", opened=2021):
        yield


@pytest.fixture(params=SIZES)
def plan(request, rounds, db):
    return sized(request.param)


def _sheet(plan: Plan) -> Report:
    return sheet_of(plan.rounds.get(fy=2021, kind="yearly"), item_of(plan))


def _url(report: Report) -> str:
    return reverse("rounds:sheet", args=[ACTION, 2021, report.department_id])


def _fields(report: Report) -> tuple[str, str]:
    """An item field and an indicator field of the sheet."""
    item = next(i for i in services.sheet(report) if i.indicators)
    key = item.indicators[0].indicator.key
    return f"i|{item.node.key}|done", f"n|{key}|done"


def _save(client, report: Report, version: int, **fields):
    return client.post(
        _url(report), {"version": version, "partial": "1", **fields}, HTTP_HX_REQUEST="true"
    )


def test_the_sheet_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("reader", superuser=True)
    url = _url(_sheet(plan))
    client.get(url)
    with django_assert_num_queries(SHEET):
        assert client.get(url).status_code == 200


def _staff(report: Report, name: str):
    """A 部署担当 of the sheet's department (the user benchmarks/pages.py measures with)."""
    return login_client(
        name,
        role="staff",
        org_slug=report.round.plan.organization.slug,
        departments=(report.department.name,),
    )


def test_the_sheet_of_a_departments_staff_costs_what_the_operators_does(
    plan, django_assert_num_queries
):
    """A 部署担当 (not a superuser) opens their sheet: the ids of their membership's departments
    come with the user (accounts.backends), no more query; benchmarks/pages.py counts this one."""
    report = _sheet(plan)
    client = _staff(report, "sheet-staff")
    url = _url(report)
    client.get(url)
    with django_assert_num_queries(SHEET):
        assert client.get(url).status_code == 200
    _item_field, note_field = _fields(report)
    assert _save(client, report, report.version, **{note_field: "一"}).status_code == 200
    report.refresh_from_db()
    with django_assert_num_queries(DRAFT_SAVE):
        response = _save(client, report, report.version, **{note_field: "担当の保存"})
    assert response.status_code == 200


def test_a_draft_save_reads_and_writes_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("writer", superuser=True)
    report = _sheet(plan)
    _item_field, note_field = _fields(report)
    assert _save(client, report, report.version, **{note_field: "一"}).status_code == 200
    report.refresh_from_db()
    with django_assert_num_queries(DRAFT_SAVE):
        response = _save(client, report, report.version, **{note_field: "二"})
    assert response.status_code == 200


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and "django_session" not in q["sql"]
    ]


def test_a_draft_save_writes_one_statement_per_changed_row(plan):
    client = login_client("writer", superuser=True)
    report = _sheet(plan)
    item_field, note_field = _fields(report)
    with CaptureQueriesContext(connection) as saved:
        response = _save(
            client, report, report.version, **{item_field: "進めた", note_field: "メモ"}
        )
    assert response.status_code == 200
    writes = _writes(saved.captured_queries)
    # The sheet's next version (checked in the same statement), then one per changed row.
    assert len(writes) == 3, writes
    assert writes[0].startswith('UPDATE "rounds_report"') and '"version" = ' in writes[0]
    report.refresh_from_db()
    # The same values again: only the version moves; a changed field writes only itself.
    with CaptureQueriesContext(connection) as again:
        _save(client, report, report.version, **{item_field: "進めた", note_field: "メモ2"})
    writes = _writes(again.captured_queries)
    assert len(writes) == 2, writes
    assert "rounds_indicatorentry" in writes[1]
    assert 'SET "done" = EXCLUDED."done"' in writes[1]  # the other fields are left alone
    key = note_field.split("|")[1]
    entry = IndicatorEntry.objects.get(report=report, indicator_key=key)
    assert entry.done == "メモ2"
    item_key = item_field.split("|")[1]
    assert ItemEntry.objects.get(report=report, node_key=item_key).done == "進めた"


def test_a_stale_draft_save_is_refused_and_loses_nothing(plan):
    first = login_client("first", superuser=True)
    second = login_client("second", superuser=True)
    report = _sheet(plan)
    _item_field, note_field = _fields(report)
    loaded = report.version
    assert _save(first, report, loaded, **{note_field: "先の人"}).status_code == 200
    response = _save(second, report, loaded, **{note_field: "後の人"})
    assert response.status_code == 409
    assert "先の人" in response.content.decode()  # the stored value is shown beside the input
    key = note_field.split("|")[1]
    assert IndicatorEntry.objects.get(report=report, indicator_key=key).done == "先の人"
    report.refresh_from_db()
    assert report.version == loaded + 1


def test_a_partial_save_leaves_the_fields_it_does_not_carry(plan):
    client = login_client("writer", superuser=True)
    report = _sheet(plan)
    item_field, note_field = _fields(report)
    assert _save(client, report, report.version, **{item_field: "一回目"}).status_code == 200
    report.refresh_from_db()
    assert _save(client, report, report.version, **{note_field: "別の欄"}).status_code == 200
    item_key = item_field.split("|")[1]
    assert ItemEntry.objects.get(report=report, node_key=item_key).done == "一回目"


def test_a_partial_save_of_another_departments_row_writes_nothing(plan):
    client = login_client("writer", superuser=True)
    report = _sheet(plan)
    mine = {i.node.key for i in services.sheet(report)}
    other = next(n for n in plan.nodes.order_by("seq") if n.key not in mine)
    before = report.version
    response = _save(client, report, before, **{f"i|{other.key}|done": "他部署"})
    assert response.status_code == 200
    assert not ItemEntry.objects.filter(report=report, node_key=other.key).exists()


def test_the_progress_view_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    client = login_client("reader", superuser=True)
    url = reverse("rounds:overview", args=[ACTION, 2020])
    client.get(url)
    with django_assert_num_queries(PROGRESS):
        assert client.get(url).status_code == 200
    cache.clear()
    with django_assert_num_queries(PROGRESS_MADE):
        assert client.get(url).status_code == 200


def test_the_dashboard_reads_a_fixed_number_of_queries(plan, django_assert_num_queries):
    """The council's boards with their final targets at risk: no query per indicator."""
    client = login_client("board-admin", role="admin")
    url = reverse("rounds:dashboard")
    html = client.get(url).content.decode()
    assert "最終目標の達成が危ぶまれる指標" in html
    with django_assert_num_queries(DASHBOARD):
        assert client.get(url).status_code == 200
    cache.clear()
    with django_assert_num_queries(DASHBOARD_MADE):
        assert client.get(url).status_code == 200


def test_a_partial_save_of_an_item_with_contents_writes_its_item_and_content_fields(plan):
    """An item field alone reads no content (the item is on the sheet for its contents all
    the same); a content field reads its item's contents and writes the row with its text."""
    from shinchoku.rounds.models import ContentEntry

    client = login_client("writer", superuser=True)
    report = _sheet(plan)
    item = next(i for i in services.sheet(report) if i.contents)
    key, c = item.node.key, item.contents[-1]
    assert (
        _save(client, report, report.version, **{f"i|{key}|done": "内容のある事業"}).status_code
        == 200
    )
    assert ItemEntry.objects.get(report=report, node_key=key).done == "内容のある事業"
    report.refresh_from_db()
    field = f"c|{key}|{c.position}|note"
    assert _save(client, report, report.version, **{field: "備考です"}).status_code == 200
    entry = ContentEntry.objects.get(report=report, node_key=key, position=c.position)
    assert (entry.note, entry.text) == ("備考です", c.content.text)
    assert ItemEntry.objects.get(report=report, node_key=key).done == "内容のある事業"
    report.refresh_from_db()
    refused = {f"c|{key}|{c.position}|status": "ありえない状況"}
    response = _save(client, report, report.version, **refused)
    assert response.status_code == 422  # the content's status is still checked
