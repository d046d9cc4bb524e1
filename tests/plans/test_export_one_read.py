"""Issue 16: a plan's document (interchange.export_plan) is read in one query, whatever the
plan's size, and that query gives, field by field, the rows the ORM's own reads give.

The one read (plans.rows.read_compiled: the parts' querysets as one UNION ALL of JSON rows) is
compared part by part with each part's queryset read by the ORM (with its select_related and its
order); the document is built from those rows as before (when the one read came, the documents
of every demo plan and of the other-shape plan were compared byte for byte with the old reader's).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shinchoku.orgs.models import Department, Organization
from shinchoku.plans import rows
from shinchoku.plans.interchange import (
    _export_parts,
    dumps,
    export_plan,
    known_plans,
    load_documents,
)
from shinchoku.plans.models import (
    Content,
    ContentGoal,
    Indicator,
    IndicatorValue,
    Node,
    NodeKind,
    Plan,
    ProgressNote,
    Section,
)
from shinchoku.plans.workbook import read_workbook
from tests.query_counts import SIZES, sized

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "other_shape_plan.xlsx"


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def related(obj, path: str):
    for name in path.split("__"):
        obj = getattr(obj, name) if obj is not None else None
    return obj


def same_as_before(plan: Plan) -> str:
    """The one read's rows are the ORM's, part by part; the plan's document as text."""
    parts = _export_parts(plan.pk, plan.organization_id)
    found = rows.read_compiled("export", _export_parts, plan.pk, plan.organization_id)
    assert len(found) == len(parts)
    for part, mine in zip(parts, found, strict=True):
        theirs = list(part.queryset.select_related(*part.related).order_by(*part.order))
        assert [fields(x) for x in mine] == [fields(y) for y in theirs], part.queryset.model
        for path in part.related:
            assert [related(x, path) and fields(related(x, path)) for x in mine] == [
                related(y, path) and fields(related(y, path)) for y in theirs
            ], path
    return dumps(export_plan(plan))


def test_every_demo_plan_exports_as_before(db):
    slugs = set(Plan.objects.values_list("slug", flat=True))
    assert {"nishitokyo-action-plan-2019", "nishitokyo-chiiki-fukushi-4"} <= slugs
    for plan in Plan.objects.all():
        text = same_as_before(plan)
        assert '"nodes": [' in text and plan.slug in text


def test_a_plan_of_another_shape_exports_as_before(db):
    Organization.objects.create(slug="midori-shakyo", name="みどり市社会福祉協議会", kind="council")
    result = read_workbook(FIXTURE.read_bytes(), {})
    assert [str(p) for p in result.problems] == []
    (plan,) = load_documents([result.doc])
    text = same_as_before(Plan.objects.get(pk=plan.pk))
    assert '"previous_evaluations": [\n      {' in text  # the evaluation table, as before


def test_a_grown_plan_with_edited_rows_exports_as_before(db):
    """Ties and odd rows: equal orders, a value with a date, a progress note, a shared content,
    a goal in another plan, a kind, a section, and departments with parents."""
    plan = sized("large")
    node = Node.objects.filter(plan=plan, contents__isnull=False).order_by("seq").first()
    org = plan.organization
    parent = Department.objects.filter(organization=org).order_by("order").first()
    child = Department.objects.create(organization=org, name="増えた係", parent=parent, order=0)
    ind = Indicator.objects.filter(node__plan=plan).order_by("node__seq", "order").first()
    Indicator.objects.filter(pk=ind.pk).update(department=child)
    IndicatorValue.objects.filter(indicator=ind, role="baseline").delete()
    IndicatorValue.objects.create(
        indicator=ind, role="baseline", fy=2018, text="1.5", as_of="2019-03-31", estimate=True
    )
    ProgressNote.objects.update_or_create(
        indicator=ind, fy=2031, defaults={"done": "やった", "next": "つぎ"}
    )
    content = Content.objects.filter(node=node).order_by("order").first()
    other = Node.objects.exclude(plan=plan).order_by("pk").first()
    ContentGoal.objects.create(
        content=content, node=other, plan_slug=other.plan.slug, node_key=other.key, order=9
    )
    Section.objects.create(plan=plan, node=node, order=5, heading="増えた節", body=["一", "二"])
    kind = org.kinds.create(name="増えた種別")
    NodeKind.objects.create(node=node, kind=kind, order=3)
    doc = export_plan(Plan.objects.get(pk=plan.pk))
    assert "増えた係" in same_as_before(Plan.objects.get(pk=plan.pk))
    assert {"name": "増えた係", "parent": parent.name} in doc["departments"]


@pytest.mark.parametrize("size", SIZES)
def test_a_plan_document_is_read_in_one_query(size, db, django_assert_num_queries):
    plan = sized(size)
    fresh = Plan.objects.get(pk=plan.pk)  # its organization not read with it
    with django_assert_num_queries(1):
        doc = export_plan(fresh)
    assert doc["organization"]["slug"] == plan.organization.slug
    assert doc["plan"]["nodes"]


def test_a_plan_without_nodes_is_known_with_no_keys(db):
    org = Organization.objects.get(plans__slug="nishitokyo-action-plan-2019")
    Plan.objects.create(
        organization=org, slug="empty-plan", title="空", first_fy=2024, last_fy=2028
    )
    known = known_plans(org)
    assert known["empty-plan"] == set()
    assert known.org_of["empty-plan"] == org.slug
    action = Plan.objects.get(slug="nishitokyo-action-plan-2019")
    assert known[action.slug] == set(action.nodes.values_list("key", flat=True))
