"""Issue 16: plan_progress reads the plan's progress in one query, and what it read is whole.

The settings, the nodes with their departments, the indicators with their department, values
and notes, the round with its sheets (their department and round), their content and item
entries, all in one UNION ALL read (plans/rows.py): the relations then read nothing, and hold
what the ORM's own reads give.
"""

from __future__ import annotations

import pytest

from shinchoku.accounts.permissions import DraftScope
from shinchoku.orgs.models import Organization
from shinchoku.plans import services as plan_services
from shinchoku.plans.access import with_settings
from shinchoku.plans.models import Indicator, Node, Plan
from shinchoku.plans.workbook import read_workbook
from shinchoku.rounds.models import NO_NUMBERS_SCALE, ItemEntry, PlanSettings, Report, Round
from shinchoku.rounds.progress import plan_progress
from shinchoku.rounds.services import bands_of
from tests.query_counts import SIZES, rounds_rolled_back, sized
from tests.rounds import no_figures

READS = 1  # with or without a round for the FY


@pytest.fixture(scope="module")
def rounds(django_db_setup, django_db_blocker):
    """The action plan's FY2020 round approved and published, and its FY2021 round open."""
    with rounds_rolled_back(django_db_blocker, "reads-runner", opened=2021):
        yield


@pytest.fixture(params=SIZES)
def plan(request, rounds, db) -> Plan:
    return sized(request.param)


@pytest.mark.parametrize("fy", [2020, 2021, 2023])  # approved, open, no round yet
def test_plan_progress_reads_one_query_and_its_relations_none(plan, fy, django_assert_num_queries):
    # The pages read the plan with its settings (plans.access.with_settings).
    plan = with_settings(Plan.objects.select_related("progress_settings").get(pk=plan.pk), True)
    with django_assert_num_queries(READS):
        pp = plan_progress(plan, fy, drafts=DraftScope(every=True))
    with django_assert_num_queries(0):
        for node in pp.nodes:
            [d.name for d in node.departments.all()]
        for ip in pp.indicators:
            [v.text for v in ip.indicator.values.all()]
            [n.done for n in ip.indicator.reports.all()]
            assert ip.department_name is not None
        for r in pp.reports:
            assert r.department.name and r.round.fy == fy
        [p.departments for p in pp.projects]


def test_what_plan_progress_read_is_what_the_orm_reads(plan):
    pp = plan_progress(plan, 2021, drafts=DraftScope(every=True))
    nodes = Node.objects.filter(plan=plan).prefetch_related("departments").order_by("seq")
    assert [(n.pk, n.key, n.title) for n in pp.nodes] == [(n.pk, n.key, n.title) for n in nodes]
    by_id = {n.pk: n for n in nodes}
    for node in pp.nodes:
        expected = [d.pk for d in by_id[node.pk].departments.all()]
        assert [d.pk for d in node.departments.all()] == expected
    indicators = (
        Indicator.objects.filter(node__plan=plan)
        .select_related("department")
        .prefetch_related("values", "reports")
        .order_by("node__seq", "order")
    )
    assert [ip.indicator.pk for ip in pp.indicators] == [i.pk for i in indicators]
    for ip, i in zip(pp.indicators, indicators, strict=True):
        assert ip.indicator.department == i.department
        assert [(v.pk, v.role, v.fy, v.text, v.number, v.estimate) for v in i.values.all()] == [
            (v.pk, v.role, v.fy, v.text, v.number, v.estimate) for v in ip.indicator.values.all()
        ]
        assert [(n.pk, n.fy, n.done, n.next) for n in i.reports.all()] == [
            (n.pk, n.fy, n.done, n.next) for n in ip.indicator.reports.all()
        ]
    round_ = Round.objects.get(plan=plan, fy=2021, kind="yearly")
    assert pp.round == round_ and pp.round.deadline == round_.deadline
    sheets = Report.objects.filter(round=round_).select_related("department")
    assert [(r.pk, r.status, r.department.name) for r in pp.reports] == [
        (r.pk, r.status, r.department.name) for r in sheets
    ]
    entries = {
        (e.report_id, e.node_key, e.position, e.status)
        for r in sheets
        for e in r.contents.all()
        if e.status
    }
    assert {
        (c.entry.report_id, c.node.key, c.entry.position, c.entry.status) for c in pp.contents
    } == entries


def _fields(obj) -> tuple:
    return tuple(getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields)


@pytest.mark.parametrize("fy", [2020, 2021, 2023])
def test_every_field_read_is_the_orms_and_so_are_the_settings_and_item_entries(plan, fy):
    """The instances of the one read (made without Model.__init__, plans/rows._loaded) hold
    every field as the ORM reads it, datetimes and decimals included."""
    pp = plan_progress(plan, fy, drafts=DraftScope(every=True))
    nodes = Node.objects.filter(plan=plan).order_by("seq")
    assert [_fields(n) for n in pp.nodes] == [_fields(n) for n in nodes]
    for ip in pp.indicators:
        fresh = Indicator.objects.get(pk=ip.indicator.pk)
        assert _fields(ip.indicator) == _fields(fresh)
        assert [_fields(v) for v in ip.indicator.values.all()] == [
            _fields(v) for v in fresh.values.order_by("role", "fy")
        ]
    assert [_fields(r) for r in pp.reports] == [
        _fields(r) for r in Report.objects.filter(round__plan=plan, round__fy=fy)
    ]
    if pp.round is not None:
        assert _fields(pp.round) == _fields(Round.objects.get(pk=pp.round.pk))
    items = ItemEntry.objects.filter(report__round__plan=plan, report__round__fy=fy)
    assert sorted(_fields(it.entry) for it in pp.items) == sorted(_fields(e) for e in items)
    stored = PlanSettings.of(Plan.objects.get(pk=plan.pk))
    assert pp.scale == list(stored.evaluation_scale)
    assert pp.thresholds == stored.forecast_thresholds
    assert pp.band_names == bands_of(plan, stored).names


def test_a_plan_without_stored_settings_or_indicators_gets_the_default_scale(db):
    """The fixture council's plan (事業 rows, no indicator): no settings stored, so the scale
    is the one for plans without figures, as PlanSettings.of gives it."""
    org = Organization.objects.create(
        slug=no_figures.ORG, name="みどり市社会福祉協議会", kind="council"
    )
    result = read_workbook(no_figures.FIXTURE.read_bytes(), {})
    prepared = plan_services.prepare(result.doc, org)
    plan = plan_services.apply(prepared, user=None, source="test")
    assert not PlanSettings.objects.filter(plan=plan).exists()
    pp = plan_progress(plan, plan.first_fy)
    assert not pp.has_figures
    assert pp.scale == list(PlanSettings.of(plan).evaluation_scale)
    assert pp.scale == [dict(s) for s in NO_NUMBERS_SCALE]
